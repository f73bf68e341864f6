import type { CallOptions } from './http/call-budget.js';
import { createAxiosTransport } from './http/http-transport.js';
import { ClientCredentialsAuth } from './http/oauth-client-credentials.js';
import { defaultResilience } from './http/resilience-settings.js';
import {
  ResilientCaller,
  defineEndpoint,
  type ClientDependencies,
  type ServiceStatus,
} from './http/resilient-caller.js';
import type { QuotaLimit } from './http/shared-quota.js';
import type { ScanningConfig } from './integrations.config.js';
import {
  generateAvatarRequestSchema,
  processScanRequestSchema,
  processingJobSchema,
  processingStatusQuerySchema,
  processingStatusSchemaFor,
  scanningAllowsHttp,
  type GenerateAvatarRequest,
  type ProcessScanRequest,
  type ProcessingJob,
  type ProcessingStatus,
  type ProcessingStatusQuery,
} from './scanning.schemas.js';

/** 100 scan-processing requests per hour. */
export const scanningQuota: QuotaLimit = { max: 100, windowSeconds: 3_600 };

/** The endpoints; status answers may carry http model URLs only from an http service. */
const endpointsFor = (allowHttpModelUrl: boolean) => ({
  processScan: defineEndpoint({
    operation: 'processScan',
    method: 'POST',
    path: '/scans/process',
    kind: 'ai',
    request: processScanRequestSchema,
    response: processingJobSchema,
  }),
  generateAvatar: defineEndpoint({
    operation: 'generateAvatar',
    method: 'POST',
    path: '/avatars/generate',
    kind: 'ai',
    request: generateAvatarRequestSchema,
    response: processingJobSchema,
  }),
  getProcessingStatus: defineEndpoint({
    operation: 'getProcessingStatus',
    method: 'GET',
    path: '/processing/status',
    kind: 'standard',
    request: processingStatusQuerySchema,
    response: processingStatusSchemaFor(allowHttpModelUrl),
  }),
});

/** Client of the 3D Scanning service (OAuth 2.0 client credentials, bearer token). */
export class ScanningClient {
  private readonly caller: ResilientCaller;
  private readonly endpoints: ReturnType<typeof endpointsFor>;

  constructor(config: ScanningConfig | undefined, deps: ClientDependencies) {
    // The token endpoint and the API share one transport (and its connection pool).
    const transport = deps.transport ?? createAxiosTransport();
    this.endpoints = endpointsFor(config ? scanningAllowsHttp(config.baseUrl) : false);
    const auth =
      config &&
      new ClientCredentialsAuth({
        tokenUrl: config.tokenUrl,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        transport,
        now: deps.now ?? Date.now,
        timeoutMs: deps.resilience?.standardTimeoutMs ?? defaultResilience.standardTimeoutMs,
      });
    this.caller = new ResilientCaller(
      'scanning',
      config && auth && { baseUrl: config.baseUrl, auth },
      scanningQuota,
      { ...deps, transport },
    );
  }

  /** POST /scans/process: starts processing an InBody scan; poll or await the webhook. */
  processScan(request: ProcessScanRequest, options?: CallOptions): Promise<ProcessingJob> {
    return this.caller.call(this.endpoints.processScan, request, options);
  }

  /** POST /avatars/generate: starts building a 3D avatar from measurements. */
  generateAvatar(request: GenerateAvatarRequest, options?: CallOptions): Promise<ProcessingJob> {
    return this.caller.call(this.endpoints.generateAvatar, request, options);
  }

  /** GET /processing/status: progress and result of a scan or avatar job. */
  getProcessingStatus(
    query: ProcessingStatusQuery,
    options?: CallOptions,
  ): Promise<ProcessingStatus> {
    return this.caller.call(this.endpoints.getProcessingStatus, query, options);
  }

  /** Configured or not, and the breaker state, for the readiness probe. */
  status(): ServiceStatus {
    return this.caller.status();
  }
}
