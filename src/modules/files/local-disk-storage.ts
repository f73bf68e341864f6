/* eslint-disable security/detect-non-literal-fs-filename -- paths are our storage keys, confined to the root by pathOf */
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ByteRange, FileStorage } from './file-storage.js';

/** Files under one directory (DATA_DIR/files by default), written atomically. */
export class LocalDiskStorage implements FileStorage {
  constructor(private readonly root: string) {}

  async put(key: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    // Readers never see half a file: write beside it, then rename over.
    const partial = `${target}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, target);
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(
      this.pathOf(key),
      range && { start: range.start, end: range.end },
    );
    // Opening errors (a missing file) surface to the caller rather than mid-response.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Local files are streamed by the API itself. */
  downloadUrl(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  private pathOf(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) {
      throw new Error('storage key escapes the storage root');
    }
    return resolved;
  }
}
