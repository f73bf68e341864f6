import { createHash, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { FileStorage } from './file-storage.js';
import { files, type FilePurpose, type FileRow } from './files.table.js';

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
}

/** Members' files: bytes in the storage backend, ownership and bookkeeping in `files`. */
export class FilesService {
  constructor(private readonly deps: FilesServiceDeps) {}

  /** Stores the bytes first, then the row: a failed write leaves no row pointing at nothing. */
  async save(ownerId: string, file: NewFile): Promise<FileRow> {
    const id = randomUUID();
    const storageKey = `${ownerId}/${file.purpose}/${id}`;
    await this.deps.storage.put(storageKey, file.bytes, file.contentType);
    const [row] = await this.deps.db
      .insert(files)
      .values({
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
      })
      .returning();
    if (!row) throw new Error('file row was not returned by its insert');
    return row;
  }

  /** The caller's file, or undefined for a missing one and for anyone else's alike. */
  async findOwned(
    ownerId: string,
    id: string,
    purpose?: FilePurpose,
  ): Promise<FileRow | undefined> {
    const [row] = await this.deps.db
      .select()
      .from(files)
      .where(
        and(
          eq(files.id, id),
          eq(files.ownerId, ownerId),
          purpose ? eq(files.purpose, purpose) : undefined,
        ),
      );
    return row;
  }

  /** The whole object in memory: for files that are small by construction (re-encoded images). */
  async readBytes(file: FileRow): Promise<Buffer> {
    return buffer(await this.deps.storage.read(file.storageKey));
  }

  /** Marks files as in use, so the cleanup of abandoned uploads leaves them alone. */
  async markReferenced(db: Database, ownerId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await db
      .update(files)
      .set({ referencedAt: new Date() })
      .where(and(eq(files.ownerId, ownerId), inArray(files.id, ids)));
  }
}
