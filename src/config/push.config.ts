/* eslint-disable security/detect-non-literal-fs-filename -- the service-account path comes from the operator's configuration */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** A Firebase service account, as the JSON file Google hands out (the fields we need). */
const serviceAccountSchema = z.looseObject({
  project_id: z.string().min(1),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
});

export interface FirebaseServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: string;
}

/** VAPID: the application server's key pair (base64url, as web-push prints them) and contact. */
export interface VapidSettings {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** Push delivery: each platform's gateway is absent when not configured. */
export interface PushConfig {
  /** FCM for ios and android. */
  firebase?: FirebaseServiceAccount;
  /** Web Push for browsers. */
  vapid?: VapidSettings;
  /**
   * Hosts a Web Push subscription's endpoint may name (an entry starting with `.` matches
   * sub-domains): the server POSTs to that URL, so it must be a real push service.
   */
  webPushEndpointHosts: string[];
  /** How often notifications whose delivery job was never queued are queued (safety net). */
  dispatchIntervalSeconds: number;
  /** Retries of a push delivery after its first attempt, and the base of their backoff. */
  retryLimit: number;
  retryDelaySeconds: number;
}

/** The push services of the browsers people use (Chrome/Edge via FCM, Firefox, Safari, Windows). */
const DEFAULT_WEB_PUSH_HOSTS = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '.push.apple.com',
  '.notify.windows.com',
];

const base64UrlBytes = (value: string) =>
  /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').length : -1;

function readServiceAccount(value: string, issues: string[]): FirebaseServiceAccount | undefined {
  let text = value.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(path.resolve(text), 'utf8');
    } catch {
      issues.push(`FIREBASE_SERVICE_ACCOUNT: cannot read ${value} (give the JSON or its path)`);
      return undefined;
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    issues.push('FIREBASE_SERVICE_ACCOUNT: is not JSON');
    return undefined;
  }
  const account = serviceAccountSchema.safeParse(parsed);
  if (!account.success) {
    issues.push(
      'FIREBASE_SERVICE_ACCOUNT: needs project_id, client_email and private_key (a service account key)',
    );
    return undefined;
  }
  return {
    projectId: account.data.project_id,
    clientEmail: account.data.client_email,
    privateKey: account.data.private_key,
  };
}

function readVapid(
  given: Record<string, string | undefined>,
  issues: string[],
): VapidSettings | undefined {
  const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey } = given;
  const { VAPID_SUBJECT: subject } = given;
  if (!publicKey && !privateKey && !subject) return undefined;
  if (!publicKey || !privateKey || !subject) {
    issues.push('VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY / VAPID_SUBJECT: give all three or none');
    return undefined;
  }
  const before = issues.length;
  if (base64UrlBytes(publicKey) !== 65) {
    issues.push('VAPID_PUBLIC_KEY: must be an uncompressed P-256 public key, base64url (65 bytes)');
  }
  if (base64UrlBytes(privateKey) !== 32) {
    issues.push('VAPID_PRIVATE_KEY: must be a P-256 private key, base64url (32 bytes)');
  }
  if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(subject)) {
    issues.push('VAPID_SUBJECT: must be a mailto: address or an https:// URL');
  }
  return issues.length === before ? { publicKey, privateKey, subject } : undefined;
}

const int = (value: string | undefined, fallback: number, min: number, max: number) => {
  if (value === undefined) return { value: fallback };
  const number = Number(value);
  return Number.isInteger(number) && number >= min && number <= max
    ? { value: number }
    : { issue: `must be a whole number from ${String(min)} to ${String(max)}` };
};

/** Reads the push settings from the environment; problems are returned, not thrown. */
export function readPushConfig(given: Record<string, string | undefined>): {
  config: PushConfig;
  issues: string[];
} {
  const issues: string[] = [];
  const firebase = given.FIREBASE_SERVICE_ACCOUNT
    ? readServiceAccount(given.FIREBASE_SERVICE_ACCOUNT, issues)
    : undefined;
  const vapid = readVapid(given, issues);
  const hosts = given.WEB_PUSH_ENDPOINT_HOSTS
    ? given.WEB_PUSH_ENDPOINT_HOSTS.split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean)
    : DEFAULT_WEB_PUSH_HOSTS;
  const numbers = {
    PUSH_DISPATCH_INTERVAL_SECONDS: int(given.PUSH_DISPATCH_INTERVAL_SECONDS, 10, 1, 3600),
    PUSH_RETRY_LIMIT: int(given.PUSH_RETRY_LIMIT, 5, 0, 20),
    PUSH_RETRY_DELAY_SECONDS: int(given.PUSH_RETRY_DELAY_SECONDS, 10, 1, 3600),
  };
  for (const [name, result] of Object.entries(numbers)) {
    if (result.issue) issues.push(`${name}: ${result.issue}`);
  }
  return {
    config: {
      firebase,
      vapid,
      webPushEndpointHosts: hosts,
      dispatchIntervalSeconds: numbers.PUSH_DISPATCH_INTERVAL_SECONDS.value ?? 10,
      retryLimit: numbers.PUSH_RETRY_LIMIT.value ?? 5,
      retryDelaySeconds: numbers.PUSH_RETRY_DELAY_SECONDS.value ?? 10,
    },
    issues,
  };
}
