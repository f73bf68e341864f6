import type { Database } from '../../db/database.js';
import type { EncodedImage, ImagePipeline } from './image-pipeline.js';
import type { FilesService } from './files.service.js';
import type { FilePurpose, FileRow } from './files.table.js';
import type { UploadedAvatarView, UploadedFileView } from './files.schemas.js';

/** The profile's picture, kept by the users feature. */
export interface AvatarProfiles {
  setAvatar(
    tx: Database,
    userId: string,
    avatar: { fileId: string; url: string; thumbnailFileId: string; thumbnailUrl: string },
  ): Promise<void>;
}

export interface UploadsServiceDeps {
  db: Database;
  files: FilesService;
  images: ImagePipeline;
  profiles: AvatarProfiles;
}

/** Sides of the two avatar renditions: the profile picture and its list thumbnail. */
export const AVATAR_SIZE = 512;
export const AVATAR_THUMBNAIL_SIZE = 128;

/** Image uploads: checked and re-encoded, then stored as files of their purpose. */
export class UploadsService {
  constructor(private readonly deps: UploadsServiceDeps) {}

  /** A meal photo, unreferenced until a meal log points at it (else removed after a day). */
  async uploadMealImage(userId: string, path: string): Promise<UploadedFileView> {
    const [image] = await this.deps.images.process(path, [{ fit: 'inside' }]);
    if (!image) throw new Error('the image pipeline returned no rendition');
    return this.present(await this.store(userId, 'meal-image', image));
  }

  /**
   * A new profile picture, square at two sizes. The profile points at it and the previous
   * pictures are let go, in one transaction; the cleanup deletes them once a day old.
   */
  async uploadAvatar(userId: string, path: string): Promise<UploadedAvatarView> {
    const [large, small] = await this.deps.images.process(path, [
      { fit: 'square', size: AVATAR_SIZE },
      { fit: 'square', size: AVATAR_THUMBNAIL_SIZE },
    ]);
    if (!large || !small) throw new Error('the image pipeline returned no rendition');
    const picture = await this.store(userId, 'avatar', large);
    const thumbnail = await this.store(userId, 'avatar', small);
    await this.deps.db.transaction(async (tx) => {
      // The profile row first: concurrent uploads of one member take their turns on it.
      await this.deps.profiles.setAvatar(tx, userId, {
        fileId: picture.id,
        url: this.deps.files.urlOf(picture),
        thumbnailFileId: thumbnail.id,
        thumbnailUrl: this.deps.files.urlOf(thumbnail),
      });
      await this.deps.files.releaseOthers(tx, userId, 'avatar', [picture.id, thumbnail.id]);
      await this.deps.files.markReferenced(tx, userId, [picture.id, thumbnail.id]);
    });
    return { ...this.present(picture), thumbnail: this.present(thumbnail) };
  }

  private store(userId: string, purpose: FilePurpose, image: EncodedImage): Promise<FileRow> {
    return this.deps.files.save(userId, {
      purpose,
      bytes: image.bytes,
      contentType: image.contentType,
      width: image.width,
      height: image.height,
    });
  }

  private present(file: FileRow): UploadedFileView {
    return {
      id: file.id,
      url: this.deps.files.urlOf(file),
      width: file.width ?? 0,
      height: file.height ?? 0,
      sha256: file.sha256,
    };
  }
}
