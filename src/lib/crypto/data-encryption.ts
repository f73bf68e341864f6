/* eslint-disable security/detect-non-literal-fs-filename -- the key path derives from DATA_DIR, the operator's configuration */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';

/** A 256-bit key and the id ciphertexts name it by (derived from the key, not chosen). */
export interface DataKey {
  id: string;
  key: Buffer;
}

/** A key given as 64 hex digits or base64 of 32 bytes; undefined when it is neither. */
export function parseDataKey(text: string): DataKey | undefined {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (bytes.length !== KEY_BYTES) return undefined;
  // The id says which key sealed a value without revealing anything usable about the key.
  const id = createHash('sha256').update('nxg-data-key-id').update(bytes).digest('hex').slice(0, 8);
  return { id, key: bytes };
}

/**
 * Encrypts small secrets (TOTP seeds) for storage with AES-256-GCM. A sealed value reads
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts): the key id lets older keys stay
 * usable for reading after the current key is rotated, and `needsRotation` tells a caller to
 * seal the value again under the current key. `context` (e.g. the user id) is bound as
 * additional data, so a value copied onto another row does not decrypt there.
 */
export class DataEncryption {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly current: DataKey,
    previous: DataKey[] = [],
  ) {
    this.byId = new Map([...previous, current].map((key) => [key.id, key.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
    return [FORMAT, this.current.id, ...parts].join(':');
  }

  /** The plaintext; throws when the value was tampered with, or its key is not configured. */
  open(sealed: string, context: string): string {
    const [format, keyId, iv, tag, body] = sealed.split(':');
    if (format !== FORMAT || !keyId || !iv || !tag || body === undefined) {
      throw new Error('not a sealed value');
    }
    const key = this.byId.get(keyId);
    if (!key) throw new Error(`data encryption key ${keyId} is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  /** True when the value was sealed under an older key. */
  needsRotation(sealed: string): boolean {
    return sealed.split(':')[1] !== this.current.id;
  }
}

/**
 * The configured keys, or, in the embedded default only, a key generated once into the data
 * directory (`data-encryption.key`, mode 600) and reused on later starts. Undefined when the
 * server runs on PostgreSQL without a configured key: nothing may then be encrypted, because
 * a key of one instance's disk would be unknown to the others.
 */
export function resolveDataEncryption(
  configured: { key?: DataKey; previousKeys: DataKey[] },
  options: { dataDir: string; embedded: boolean },
): DataEncryption | undefined {
  if (configured.key) return new DataEncryption(configured.key, configured.previousKeys);
  if (!options.embedded) return undefined;
  const file = path.join(options.dataDir, 'data-encryption.key');
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const key = parseDataKey(readFileSync(file, 'utf8'));
  if (!key) throw new Error(`${file} does not hold a 32-byte key`);
  return new DataEncryption(key, configured.previousKeys);
}
