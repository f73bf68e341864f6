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

  it('when CORS origins are listed, then they are trimmed into a list', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example , http://localhost:5173' }).corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
  });
});
