import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const keys = inject('signingKeys');

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('when nothing is set, then the embedded defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      bcryptCost: 12,
      corsOrigins: [],
      jwt: { accessTokenTtlSeconds: 900, refreshFamilyLifetimeSeconds: 30 * 24 * 3600 },
      socketEventsPerSecond: 20,
      gymFloor: {
        gymSessionExpireAfterSeconds: 4 * 3600,
        machineOfflineAfterSeconds: 120,
        linkIdleAfterSeconds: 900,
        sweepIntervalSeconds: 30,
      },
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('when a variable is empty, then its default is used', () => {
    expect(loadConfig({ LOG_LEVEL: '', PORT: ' ' })).toMatchObject({
      logLevel: 'info',
      port: 3000,
    });
  });

  it('when values are wrong, then the error names each variable', () => {
    const issues = issuesOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      BCRYPT_COST: '3',
      CORS_ORIGINS: 'https://ok.example, not a url',
      GYM_FLOOR_SWEEP_SECONDS: '0',
      MACHINE_OFFLINE_AFTER_SECONDS: 'soon',
    });
    expect(issues.join('\n')).toMatch(/GYM_FLOOR_SWEEP_SECONDS/);
    expect(issues.join('\n')).toMatch(/MACHINE_OFFLINE_AFTER_SECONDS/);
    expect(issues.join('\n')).toMatch(/PORT/);
    expect(issues.join('\n')).toMatch(/DATABASE_URL/);
    expect(issues.join('\n')).toMatch(/LOG_LEVEL/);
    expect(issues.join('\n')).toMatch(/BCRYPT_COST/);
  });

  it('when SENTRY_TRACES_SAMPLE_RATE is unset, then no request is traced; outside 0..1 it is refused', () => {
    expect(loadConfig({}).sentry).toEqual({ dsn: undefined, tracesSampleRate: 0 });
    expect(loadConfig({ SENTRY_TRACES_SAMPLE_RATE: '0.25' }).sentry.tracesSampleRate).toBe(0.25);
    for (const wrong of ['1.5', '-0.1', 'often']) {
      expect(issuesOf({ SENTRY_TRACES_SAMPLE_RATE: wrong }).join('\n')).toMatch(
        /SENTRY_TRACES_SAMPLE_RATE/,
      );
    }
  });

  it('when DATABASE_URL is set without keys, then startup is refused', () => {
    expect(issuesOf({ DATABASE_URL: 'postgres://localhost/x' })).toEqual([
      'JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE): required when DATABASE_URL is set',
    ]);
    expect(
      issuesOf({
        DATABASE_URL: 'postgres://localhost/x',
        JWT_PRIVATE_KEY: keys.privateKeyPem,
        JWT_PUBLIC_KEY: keys.publicKeyPem,
      }),
    ).toEqual([]);
  });

  it('when recovery and 2FA settings are wrong, then each is named', () => {
    const issues = issuesOf({
      SMTP_URL: 'http://mail.example.test',
      PUBLIC_BASE_URL: 'ftp://x',
      PASSWORD_RESET_TTL_SECONDS: '5',
    }).join('\n');
    expect(issues).toMatch(/SMTP_URL/);
    expect(issues).toMatch(/PUBLIC_BASE_URL/);
    expect(issues).toMatch(/PASSWORD_RESET_TTL_SECONDS/);
    expect(
      issuesOf({
        DATA_ENCRYPTION_KEY: 'too-short',
        DATA_ENCRYPTION_PREVIOUS_KEYS: `${'a'.repeat(64)},nope`,
      }),
    ).toEqual([
      'DATA_ENCRYPTION_KEY: must be 32 bytes as 64 hex digits or base64',
      'DATA_ENCRYPTION_PREVIOUS_KEYS: entry 2 is not a 32-byte key',
    ]);
    expect(
      issuesOf({
        DATABASE_URL: 'postgres://localhost/x',
        JWT_PRIVATE_KEY: keys.privateKeyPem,
        JWT_PUBLIC_KEY: keys.publicKeyPem,
        MFA_REQUIRED_FOR_STAFF: 'true',
      }),
    ).toEqual([
      'DATA_ENCRYPTION_KEY: required when MFA_REQUIRED_FOR_STAFF is on with DATABASE_URL',
    ]);
  });

  it('when nothing about email is set, then links point at this server and the key id is derived', () => {
    const config = loadConfig({ PORT: '4100', DATA_ENCRYPTION_KEY: 'f'.repeat(64) });
    expect(config.publicBaseUrl).toBe('http://localhost:4100');
    expect(config.mail.smtpUrl).toBeUndefined();
    expect(config.accountRecovery.passwordResetTtlSeconds).toBe(1800);
    expect(config.dataEncryption.key?.id).toMatch(/^[0-9a-f]{8}$/);
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://nxg.example/' }).publicBaseUrl).toBe(
      'https://nxg.example',
    );
  });

  it('when only half of a pair is given, then it is refused', () => {
    expect(issuesOf({ JWT_PRIVATE_KEY: keys.privateKeyPem }).join()).toMatch(/both keys/);
    expect(issuesOf({ ADMIN_EMAIL: 'a@example.test' }).join()).toMatch(/ADMIN_EMAIL/);
    expect(issuesOf({ ADMIN_EMAIL: 'a@example.test', ADMIN_PASSWORD: 'short' }).join()).toMatch(
      /ADMIN_PASSWORD: must be 8-72 bytes/,
    );
  });

  it('when keys come as files or with escaped newlines, then they are read', () => {
    const escaped = keys.privateKeyPem.replace(/\n/g, '\\n');
    const config = loadConfig({ JWT_PRIVATE_KEY: escaped, JWT_PUBLIC_KEY: keys.publicKeyPem });
    expect(config.jwt.privateKey).toBe(keys.privateKeyPem);
    expect(
      issuesOf({ JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem', JWT_PUBLIC_KEY: 'x' }).join(),
    ).toMatch(/JWT_PRIVATE_KEY_FILE: cannot read/);
  });

  it('when passwords come apart from the URLs, then they are put into them, encoded', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://nxg@db.internal:5432/nxg?sslmode=require',
      DATABASE_PASSWORD: 'p@ss/word:1',
      REDIS_URL: 'rediss://redis.internal:6379',
      REDIS_PASSWORD: 'token',
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
    });
    expect(config.databaseUrl).toBe(
      'postgres://nxg:p%40ss%2Fword%3A1@db.internal:5432/nxg?sslmode=require',
    );
    expect(config.redisUrl).toBe('rediss://:token@redis.internal:6379');
  });

  it('when CORS origins are listed, then they are trimmed into a list', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example , http://localhost:5173' }).corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
  });
});
