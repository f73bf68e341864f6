// Members' files: storage backends, uploads and downloads.
export { filePurposes, files, type FilePurpose, type FileRow } from './files.table.js';
export type { ByteRange, FileStorage } from './file-storage.js';
export { LocalDiskStorage } from './local-disk-storage.js';
export { S3Storage, type S3StorageSettings } from './s3-storage.js';
export {
  FilesService,
  UNREFERENCED_FILE_LIFETIME_MS,
  type FileDownload,
  type FilesServiceDeps,
  type NewFile,
} from './files.service.js';
export { ImagePipeline, ProcessingGate, type ImageLimits } from './image-pipeline.js';
export {
  singleFileUpload,
  uploadedFile,
  type SingleFileUploadOptions,
} from './single-file-upload.js';
export { UploadsService, type AvatarProfiles } from './uploads.service.js';
export { filesRoutes, uploadsRoutes } from './files.routes.js';
export { cleanUpFiles, registerFilesJobs } from './files.jobs.js';
