/**
 * What differs between dev, staging and prod. Every construct reads from one of these objects;
 * nothing is copied per environment.
 */
export interface EnvironmentConfig {
  name: 'dev' | 'staging' | 'prod';
  /** Public host name of the API (the load balancer's certificate is issued for it). */
  apiDomainName: string;
  /** Public host name of the file CDN (CloudFront in front of the files bucket). */
  cdnDomainName: string;
  api: ServiceSize & { minTasks: number; maxTasks: number };
  worker: ServiceSize & { tasks: number };
  database: {
    instanceClass: string;
    multiAz: boolean;
    allocatedStorageGb: number;
    maxAllocatedStorageGb: number;
    backupRetentionDays: number;
    deletionProtection: boolean;
  };
  redis: { nodeType: string; replicas: number };
  /** Alarm thresholds (the deployment rolls back on the 5xx one). */
  alarms: { serverErrorRatePercent: number; p99LatencySeconds: number };
  /** Keep data (database snapshot, files bucket) when the stack is deleted. */
  retainData: boolean;
}

interface ServiceSize {
  cpu: number;
  memoryMiB: number;
}

const shared = {
  alarms: { serverErrorRatePercent: 5, p99LatencySeconds: 0.2 },
} as const;

export const environments: Record<EnvironmentConfig['name'], EnvironmentConfig> = {
  dev: {
    ...shared,
    name: 'dev',
    apiDomainName: 'api.dev.nxg-connect.example',
    cdnDomainName: 'files.dev.nxg-connect.example',
    api: { cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 2 },
    worker: { cpu: 256, memoryMiB: 512, tasks: 1 },
    database: {
      instanceClass: 't4g.micro',
      multiAz: false,
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 50,
      backupRetentionDays: 1,
      deletionProtection: false,
    },
    redis: { nodeType: 'cache.t4g.micro', replicas: 0 },
    retainData: false,
  },
  staging: {
    ...shared,
    name: 'staging',
    apiDomainName: 'api.staging.nxg-connect.example',
    cdnDomainName: 'files.staging.nxg-connect.example',
    api: { cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 4 },
    worker: { cpu: 512, memoryMiB: 1024, tasks: 1 },
    database: {
      instanceClass: 't4g.medium',
      multiAz: true,
      allocatedStorageGb: 50,
      maxAllocatedStorageGb: 200,
      backupRetentionDays: 7,
      deletionProtection: true,
    },
    redis: { nodeType: 'cache.t4g.small', replicas: 1 },
    retainData: true,
  },
  prod: {
    ...shared,
    name: 'prod',
    apiDomainName: 'api.nxg-connect.example',
    cdnDomainName: 'files.nxg-connect.example',
    api: { cpu: 1024, memoryMiB: 2048, minTasks: 3, maxTasks: 12 },
    worker: { cpu: 1024, memoryMiB: 2048, tasks: 2 },
    database: {
      instanceClass: 'm7g.large',
      multiAz: true,
      allocatedStorageGb: 100,
      maxAllocatedStorageGb: 1000,
      backupRetentionDays: 30,
      deletionProtection: true,
    },
    redis: { nodeType: 'cache.m7g.large', replicas: 1 },
    retainData: true,
  },
};

export function environmentNamed(name: string | undefined): EnvironmentConfig {
  const found = Object.values(environments).find((environment) => environment.name === name);
  if (!found) {
    throw new Error(
      `Unknown environment "${name ?? ''}": pass -c env=dev|staging|prod (or NXG_ENV)`,
    );
  }
  return found;
}
