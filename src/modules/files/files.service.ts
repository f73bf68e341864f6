import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Database } from '../../db/database.js';
import { describeErrorForLog } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ByteRange, FileStorage } from './file-storage.js';
import { filesRepository } from './files.repository.js';
import type { FilePurpose, FileRow } from './files.table.js';

/** What a module hands over to be stored (already validated and re-encoded where it applies). */
export interface NewFile {
  purpose: FilePurpose;
  bytes: Buffer;
  contentType: string;
  width?: number;
  height?: number;
  /** True when something points at the file from the start (a generated 3D model). */
  referenced?: boolean;
}

export interface FilesServiceDeps {
  db: Database;
  storage: FileStorage;
  logger?: Logger;
  /** Public files (avatars) are linked through this CDN when set (CloudFront over the bucket). */
  cdnBaseUrl?: string;
}

/** How a file reaches its reader: a URL to go and fetch, or its bytes from us. */
export type FileDownload =
  | { kind: 'redirect'; url: string }
  | { kind: 'stream'; open(range?: ByteRange): Promise<Readable> };

/** An upload nothing references is removed once it is this old. */
export const UNREFERENCED_FILE_LIFETIME_MS = 24 * 3600 * 1000;
/** A deletion note whose row still exists this long after was called off. */
const STALE_NOTE_AGE_MS = 3600 * 1000;
const CLEANUP_BATCH = 500;
const DELETE_CONCURRENCY = 8;

/** Members' files: bytes in the storage backend, ownership and bookkeeping in `files`. */
export class FilesService {
  constructor(private readonly deps: FilesServiceDeps) {}

  /**
   * Writes the row, then the bytes. A crash in between leaves a row without its object, which
   * nothing references yet and the cleanup removes within a day; the other order could leave an
   * object no row knows of, which nothing would ever find to delete. Only the caller knows the
   * id before this returns, so nobody reads the row before its object is there.
   */
  async save(ownerId: string, file: NewFile): Promise<FileRow> {
    const id = randomUUID();
    const storageKey = `${ownerId}/${file.purpose}/${id}`;
    const row = await filesRepository.insert(this.deps.db, {
      id,
      ownerId,
      purpose: file.purpose,
      storageKey,
      contentType: file.contentType,
      byteSize: file.bytes.length,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      width: file.width,
      height: file.height,
      referencedAt: file.referenced ? new Date() : null,
    });
    try {
      await this.deps.storage.put(storageKey, file.bytes, file.contentType);
    } catch (error) {
      await filesRepository.delete(this.deps.db, id).catch(() => undefined);
      throw error;
    }
    return row;
  }

  /** The caller's file, or undefined for a missing one and for anyone else's alike. */
  findOwned(ownerId: string, id: string, purpose?: FilePurpose): Promise<FileRow | undefined> {
    return filesRepository.findOwned(this.deps.db, ownerId, id, purpose);
  }

  /** A file the viewer may read: their own, and any member's avatar (shown beside their name). */
  findVisible(viewerId: string, id: string): Promise<FileRow | undefined> {
    return filesRepository.findVisible(this.deps.db, viewerId, id);
  }

  /** The whole object in memory: for files that are small by construction (re-encoded images). */
  async readBytes(file: FileRow): Promise<Buffer> {
    return buffer(await this.deps.storage.read(file.storageKey));
  }

  /** Where a reader gets the bytes: a presigned URL (S3), or a stream we serve (local disk). */
  async download(file: FileRow): Promise<FileDownload> {
    const url = await this.deps.storage.downloadUrl(file.storageKey);
    if (url) return { kind: 'redirect', url };
    return { kind: 'stream', open: (range) => this.deps.storage.read(file.storageKey, range) };
  }

  /**
   * The URL clients are given for a file: through the CDN for avatars when one is configured
   * (they are public by their unguessable URL there), else the API's `/api/files/{id}`.
   */
  urlOf(file: Pick<FileRow, 'id' | 'purpose' | 'storageKey'>): string {
    if (file.purpose === 'avatar' && this.deps.cdnBaseUrl) {
      return `${this.deps.cdnBaseUrl}/${file.storageKey}`;
    }
    return `/api/files/${file.id}`;
  }

  /** Marks files as in use, so the cleanup of abandoned uploads leaves them alone. */
  async markReferenced(db: Database, ownerId: string, ids: string[]): Promise<void> {
    await filesRepository.markReferenced(db, ownerId, ids);
  }

  /**
   * Marks one of the owner's files of `purpose` referenced inside the caller's transaction;
   * false when they have no such file (someone else's, another purpose, unknown, cleaned up).
   */
  claim(tx: Database, ownerId: string, id: string, purpose: FilePurpose): Promise<boolean> {
    return filesRepository.claim(tx, ownerId, id, purpose);
  }

  /** Releases the owner's other files of a purpose; the cleanup removes them once old enough. */
  releaseOthers(tx: Database, ownerId: string, purpose: FilePurpose, keep: string[]) {
    return filesRepository.releaseOthers(tx, ownerId, purpose, keep);
  }

  /** Before an account is deleted: notes its objects, so they go even if this process dies. */
  async noteAccountDeletion(ownerId: string): Promise<void> {
    await filesRepository.noteOwnerObjectsForDeletion(this.deps.db, ownerId);
  }

  /**
   * Deletes noted objects whose rows are gone (all, or one owner's after their account went),
   * object first, then its note: a crash in between deletes the object again next time, which
   * is harmless. Returns how many objects were deleted; failures stay noted for the next run.
   */
  async deleteNotedObjects(ownerId?: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const keys = await filesRepository.pendingDeletions(
        this.deps.db,
        CLEANUP_BATCH,
        ownerId && `${ownerId}/`,
      );
      const done: string[] = [];
      for (let start = 0; start < keys.length; start += DELETE_CONCURRENCY) {
        const slice = keys.slice(start, start + DELETE_CONCURRENCY);
        const results = await Promise.allSettled(slice.map((key) => this.deps.storage.delete(key)));
        results.forEach((result, index) => {
          const key = slice[index];
          if (result.status === 'fulfilled' && key !== undefined) done.push(key);
          else if (result.status === 'rejected') {
            this.deps.logger?.warn(
              { error: describeErrorForLog(result.reason) },
              'file object deletion failed; retried by the next cleanup',
            );
          }
        });
      }
      await filesRepository.forgetDeletions(this.deps.db, done);
      deleted += done.length;
      // A batch with failures is left for the next run rather than retried in a tight loop.
      if (keys.length < CLEANUP_BATCH || done.length < keys.length) return deleted;
    }
  }

  /**
   * The cleanup run: rows of uploads nothing referenced for a day are deleted with a note for
   * their object, in one transaction (row first, so no meal can point at a deleted object),
   * then every noted object is deleted.
   */
  async cleanUp(
    now = new Date(),
    isAborted: () => boolean = () => false,
  ): Promise<{ expired: number; objectsDeleted: number }> {
    const cutoff = new Date(now.getTime() - UNREFERENCED_FILE_LIFETIME_MS);
    let expired = 0;
    while (!isAborted()) {
      const count = await this.deps.db.transaction((tx) =>
        filesRepository.expireUnreferenced(tx, cutoff, CLEANUP_BATCH),
      );
      expired += count;
      if (count < CLEANUP_BATCH) break;
    }
    await filesRepository.dropStaleNotes(this.deps.db, new Date(now.getTime() - STALE_NOTE_AGE_MS));
    const objectsDeleted = await this.deleteNotedObjects();
    return { expired, objectsDeleted };
  }
}
