/* eslint-disable security/detect-non-literal-fs-filename -- key paths derive from DATA_DIR, the operator's configuration */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { AccessClaims } from '../../lib/http/request-context.js';
import { z } from '../../lib/zod.js';
import type { Role } from '../../lib/roles.js';

const claimsSchema = z.object({
  sub: z.uuid(),
  role: z.enum(['member', 'staff', 'admin']),
  jti: z.uuid(),
  sid: z.uuid(),
  exp: z.number().int(),
});

/** Why a presented token was not accepted; "expired" tells clients to refresh. */
export type TokenRejection = 'expired' | 'invalid';

export class TokenRejectedError extends Error {
  constructor(readonly reason: TokenRejection) {
    super(`access token ${reason}`);
  }
}

export interface AccessTokenOptions {
  privateKeyPem: string;
  publicKeyPem: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Lifetime of device tokens (default 180 days). */
  deviceTokenTtlSeconds?: number;
}

const deviceClaimsSchema = z.object({ sub: z.uuid(), jti: z.uuid() });
const challengeClaimsSchema = z.object({
  sub: z.uuid(),
  jti: z.uuid(),
  dev: z.uuid().optional(),
});

/**
 * What a sign-in that is not finished yet may do: `mfa` completes it with a code
 * (`POST /api/auth/mfa/verify`); `mfa-enrolment` lets an account that must use two-factor
 * sign-in enrol an authenticator, and nothing else.
 */
export type ChallengePurpose = 'mfa' | 'mfa-enrolment';

/** A sign-in waiting for its second step. */
export interface SignInChallenge {
  userId: string;
  /** The trusted device the password step came from, so its code failures count there. */
  deviceId?: string;
}

/** A device that signed in to the account before (OWASP's "device cookie"). */
export interface TrustedDevice {
  userId: string;
  deviceId: string;
}

/** Verified access tokens remembered (oldest forgotten first): RS256 checks cost ~100 µs. */
const VERIFIED_TOKENS_KEPT = 20_000;

/**
 * Signs and verifies RS256 access tokens. Verification pins the algorithm, issuer and audience,
 * so `alg: none` and HS256-with-the-public-key forgeries fail before any claim is read.
 */
export class AccessTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /**
   * Access tokens whose signature this instance (with this key) already verified, by their
   * whole text (signature included, so another token with the same claims is verified afresh),
   * with their claims. A hit still checks the expiry, as jsonwebtoken does.
   */
  private readonly verified = new Map<string, Readonly<AccessClaims>>();

  constructor(private readonly options: AccessTokenOptions) {
    this.privateKey = createPrivateKey(options.privateKeyPem);
    this.publicKey = createPublicKey(options.publicKeyPem);
    this.assertUsableKeyPair();
  }

  /** Refuses at startup what would otherwise fail at the first login or verification. */
  private assertUsableKeyPair(): void {
    const details = this.privateKey.asymmetricKeyDetails;
    if (this.privateKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) {
      throw new Error('JWT_PRIVATE_KEY must be an RSA key of at least 2048 bits (RS256)');
    }
    const probe = this.sign({ id: randomUUID(), role: 'member' }, randomUUID());
    try {
      this.verifySignature(probe);
    } catch {
      throw new Error('JWT_PUBLIC_KEY does not belong to JWT_PRIVATE_KEY');
    }
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  sign(user: { id: string; role: Role }, familyId: string): string {
    return jwt.sign({ role: user.role, sid: familyId }, this.privateKey, {
      algorithm: 'RS256',
      expiresIn: this.options.ttlSeconds,
      issuer: this.options.issuer,
      audience: this.options.audience,
      subject: user.id,
      jwtid: randomUUID(),
    });
  }

  // Device tokens carry their own audience, so neither kind of token passes for the other.
  private get deviceAudience(): string {
    return `${this.options.audience}:device`;
  }

  /**
   * A device token: proof that this client signed in to the account before, which exempts its
   * sign-ins from the lockouts strangers can cause. It grants no access by itself.
   */
  signDevice(userId: string, deviceId: string = randomUUID()): string {
    return jwt.sign({}, this.privateKey, {
      algorithm: 'RS256',
      expiresIn: this.options.deviceTokenTtlSeconds ?? 180 * 24 * 3600,
      issuer: this.options.issuer,
      audience: this.deviceAudience,
      subject: userId,
      jwtid: deviceId,
    });
  }

  /** The device a device token names; undefined for anything else (expired, forged, other). */
  verifyDevice(token: string): TrustedDevice | undefined {
    try {
      const payload = jwt.verify(token, this.publicKey, {
        algorithms: ['RS256'],
        issuer: this.options.issuer,
        audience: this.deviceAudience,
      });
      const claims = deviceClaimsSchema.safeParse(payload);
      return claims.success ? { userId: claims.data.sub, deviceId: claims.data.jti } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * A short-lived token for one step of a sign-in. Each purpose has its own audience, so it
   * passes for nothing else (not an access token, not the other purpose).
   */
  signChallenge(purpose: ChallengePurpose, challenge: SignInChallenge, ttlSeconds: number): string {
    return jwt.sign(challenge.deviceId ? { dev: challenge.deviceId } : {}, this.privateKey, {
      algorithm: 'RS256',
      expiresIn: ttlSeconds,
      issuer: this.options.issuer,
      audience: `${this.options.audience}:${purpose}`,
      subject: challenge.userId,
      jwtid: randomUUID(),
    });
  }

  /** The challenge a token of this purpose carries; undefined for anything else. */
  verifyChallenge(purpose: ChallengePurpose, token: string): SignInChallenge | undefined {
    try {
      const payload = jwt.verify(token, this.publicKey, {
        algorithms: ['RS256'],
        issuer: this.options.issuer,
        audience: `${this.options.audience}:${purpose}`,
      });
      const claims = challengeClaimsSchema.safeParse(payload);
      if (!claims.success) return undefined;
      return { userId: claims.data.sub, deviceId: claims.data.dev };
    } catch {
      return undefined;
    }
  }

  verify(token: string): AccessClaims {
    const known = this.verified.get(token);
    if (known) {
      if (Math.floor(Date.now() / 1000) < known.expiresAt) return known;
      this.verified.delete(token);
      throw new TokenRejectedError('expired');
    }
    const claims = this.verifySignature(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, claims);
    return claims;
  }

  private verifySignature(token: string): Readonly<AccessClaims> {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.publicKey, {
        algorithms: ['RS256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
      });
    } catch (error) {
      throw new TokenRejectedError(error instanceof jwt.TokenExpiredError ? 'expired' : 'invalid');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new TokenRejectedError('invalid');
    return Object.freeze({
      userId: claims.data.sub,
      role: claims.data.role,
      jti: claims.data.jti,
      familyId: claims.data.sid,
      expiresAt: claims.data.exp,
    });
  }
}

/**
 * The key pair from configuration, or, in the embedded default only, one generated once into
 * the data directory and reused on later starts.
 */
export function resolveSigningKeys(
  configured: { privateKey?: string; publicKey?: string },
  dataDir: string,
): { privateKeyPem: string; publicKeyPem: string } {
  if (configured.privateKey && configured.publicKey) {
    return { privateKeyPem: configured.privateKey, publicKeyPem: configured.publicKey };
  }
  const privatePath = path.join(dataDir, 'jwt-private.pem');
  const publicPath = path.join(dataDir, 'jwt-public.pem');
  if (!existsSync(privatePath) || !existsSync(publicPath)) {
    mkdirSync(dataDir, { recursive: true });
    const pair = generateRsaKeyPair();
    writeFileSync(privatePath, pair.privateKeyPem, { mode: 0o600 });
    chmodSync(privatePath, 0o600);
    writeFileSync(publicPath, pair.publicKeyPem);
  }
  return {
    privateKeyPem: readFileSync(privatePath, 'utf8'),
    publicKeyPem: readFileSync(publicPath, 'utf8'),
  };
}

export function generateRsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
