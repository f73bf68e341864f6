import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataEncryption, parseDataKey, resolveDataEncryption } from './data-encryption.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const key = (text: string) => {
  const parsed = parseDataKey(text);
  if (!parsed) throw new Error('bad key');
  return parsed;
};

describe('data encryption', () => {
  it('when a value is sealed, then it opens only with its context and untouched', () => {
    const encryption = new DataEncryption(key('a'.repeat(64)));
    const sealed = encryption.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(encryption.seal('JBSWY3DPEHPK3PXP', 'user-1')).not.toBe(sealed);
    expect(encryption.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => encryption.open(sealed, 'user-2')).toThrow();
    const parts = sealed.split(':');
    const body = parts[4] ?? '';
    parts[4] = `${body.slice(0, -2)}${body.endsWith('A') ? 'B' : 'A'}${body.slice(-1)}`;
    expect(() => encryption.open(parts.join(':'), 'user-1')).toThrow();
  });

  it('when keys rotate, then old values open with the previous key and report they need resealing', () => {
    const old = key('b'.repeat(64));
    const sealed = new DataEncryption(old).seal('secret', 'ctx');
    const rotated = new DataEncryption(key(Buffer.alloc(32, 7).toString('base64')), [old]);
    expect(rotated.open(sealed, 'ctx')).toBe('secret');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('secret', 'ctx'))).toBe(false);
    expect(() => new DataEncryption(key('c'.repeat(64))).open(sealed, 'ctx')).toThrow(
      /not configured/,
    );
  });

  it('when a key is not 32 bytes, then it is refused', () => {
    expect(parseDataKey('abc')).toBeUndefined();
    expect(parseDataKey(Buffer.alloc(16).toString('base64'))).toBeUndefined();
  });

  it('when embedded without a key, then one is generated into the data directory once; on PostgreSQL none is', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nxg-key-'));
    dirs.push(dir);
    const first = resolveDataEncryption({ previousKeys: [] }, { dataDir: dir, embedded: true });
    const file = path.join(dir, 'data-encryption.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    const second = resolveDataEncryption({ previousKeys: [] }, { dataDir: dir, embedded: true });
    expect(second?.currentKeyId).toBe(first?.currentKeyId);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(
      resolveDataEncryption({ previousKeys: [] }, { dataDir: dir, embedded: false }),
    ).toBeUndefined();
  });
});
