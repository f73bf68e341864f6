// Members' files: storage backends, uploads and downloads.
export { filePurposes, files, type FilePurpose, type FileRow } from './files.table.js';
export type { ByteRange, FileStorage } from './file-storage.js';
export { LocalDiskStorage } from './local-disk-storage.js';
export { FilesService, type FilesServiceDeps, type NewFile } from './files.service.js';
