import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { AccessTokens, generateRsaKeyPair, TokenRejectedError } from './access-tokens.js';

const options = { issuer: 'nxg-test', audience: 'nxg-test-api', ttlSeconds: 60 };
const user = { id: '11111111-1111-4111-8111-111111111111', role: 'member' as const };
const familyId = '22222222-2222-4222-8222-222222222222';

function rejection(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  return undefined;
}

/** The remembered signatures must never widen what verification accepts. */
describe('access token verification with remembered signatures', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when a verified token expires, then it is rejected as expired though it was remembered', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = new AccessTokens({ ...inject('signingKeys'), ...options });
    const token = tokens.sign(user, familyId);
    expect(tokens.verify(token).userId).toBe(user.id);
    vi.setSystemTime(Date.now() + 61_000);
    expect(rejection(() => tokens.verify(token))).toBe('expired');
    expect(rejection(() => tokens.verify(token))).toBe('expired');
  });

  it('when the same claims come signed with another key, then they are rejected', () => {
    const tokens = new AccessTokens({ ...inject('signingKeys'), ...options });
    const token = tokens.sign(user, familyId);
    tokens.verify(token);
    const payload = jwt.decode(token);
    if (payload === null || typeof payload === 'string') throw new Error('no payload');
    const forged = jwt.sign(payload, generateRsaKeyPair().privateKeyPem, { algorithm: 'RS256' });
    expect(forged.split('.')[1]).toBe(token.split('.')[1]);
    expect(rejection(() => tokens.verify(forged))).toBe('invalid');
  });

  it('when another key pair verifies a token this one remembered, then it is rejected', () => {
    const tokens = new AccessTokens({ ...inject('signingKeys'), ...options });
    const token = tokens.sign(user, familyId);
    tokens.verify(token);
    const rotated = new AccessTokens({ ...generateRsaKeyPair(), ...options });
    expect(rejection(() => rotated.verify(token))).toBe('invalid');
  });
});
