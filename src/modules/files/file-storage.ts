import type { Readable } from 'node:stream';

/** A byte range of an object, both ends inclusive (as HTTP `Range` counts). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live: local disk under DATA_DIR (the embedded default) or S3. Keys are ours
 * (never a client's file name), so implementations need not sanitise them beyond that.
 */
export interface FileStorage {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The object's bytes, or the given range of them. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes the object; removing one that is already gone is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A short-lived URL the client fetches the object from directly (S3: presigned GET), or
   * undefined when the API streams the bytes itself (local disk).
   */
  downloadUrl(key: string): Promise<string | undefined>;
}
