import { idParams } from '../../lib/http/common.schemas.js';
import { invalidImage, notFound, serviceUnavailable } from '../../lib/errors.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { z } from '../../lib/zod.js';
import { fileReply } from './file-reply.js';
import { imageForm, uploadedAvatarSchema, uploadedFileSchema } from './files.schemas.js';
import type { FilesService } from './files.service.js';
import { acceptedImageTypes } from './image-pipeline.js';
import { singleFileUpload, uploadedFile } from './single-file-upload.js';
import type { UploadsService } from './uploads.service.js';

const imageRules =
  'The file is judged by its content, never by its name or Content-Type: JPEG, PNG and WebP ' +
  'are taken; anything else (SVG, GIF, PDF, a renamed file) is 415, and so is HEIC/HEIF, ' +
  'which this server cannot decode (set the phone to "Most Compatible" or send JPEG). An ' +
  'image that does not decode (truncated, corrupt) or declares more pixels than allowed is ' +
  '422 `INVALID_IMAGE`. What is stored is a new JPEG made from the decoded pixels: EXIF ' +
  'orientation applied, all metadata (GPS included) dropped. Too many uploads being processed ' +
  'at once is 503 with Retry-After.';

const uploadProblems = {
  422: invalidImage('The image could not be decoded: its data is corrupt or incomplete.'),
  503: serviceUnavailable('Too many uploads are being processed; retry shortly.', 2),
};

/** `/api/upload`: meal photos and the profile picture. */
export function uploadsRoutes(uploads: UploadsService, settings: { maxBytes: number }): RouteGroup {
  const multipartBody = {
    reader: singleFileUpload({ field: 'image', maxBytes: settings.maxBytes, storage: 'disk' }),
    schema: imageForm,
    fileField: { name: 'image', contentTypes: acceptedImageTypes },
  };
  return {
    basePath: '/api/upload',
    tag: 'Files',
    routes: [
      defineRoute({
        method: 'post',
        path: '/meal-images',
        summary: 'Upload a meal photo',
        description:
          `Multipart form with the photo as \`image\` (at most ${settings.maxBytes} bytes, ` +
          'else 413). The stored image is at most the configured size on its longest side. ' +
          'Give its `id` as `imageId` of a meal log (or to meal analysis); an upload nothing ' +
          `points at is deleted after a day. ${imageRules}`,
        access: 'user',
        multipartBody,
        responses: { 201: { description: 'Stored', schema: uploadedFileSchema } },
        errors: [422, 503],
        problemExamples: uploadProblems,
        handler: async ({ user, req }) => ({
          status: 201,
          body: await uploads.uploadMealImage(user.userId, uploadedFile(req).path),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/avatar',
        summary: 'Set the profile picture',
        description:
          'Multipart form with the picture as `image`. It is cropped to a centred square and ' +
          'stored at 512 and 128 pixels; `avatarUrl` and `avatarThumbnailUrl` of ' +
          '`GET /api/users/me` point at them at once, and the previous picture is deleted ' +
          'within a day. Avatars are readable by any signed-in member at `/api/files/{id}` ' +
          '(or, with a CDN configured, by anyone with the URL, which cannot be guessed). ' +
          imageRules,
        access: 'user',
        multipartBody,
        responses: { 201: { description: 'Stored and set', schema: uploadedAvatarSchema } },
        errors: [422, 503],
        problemExamples: uploadProblems,
        handler: async ({ user, req }) => ({
          status: 201,
          body: await uploads.uploadAvatar(user.userId, uploadedFile(req).path),
        }),
      }),
    ],
  };
}

const fileBytes = z.string().openapi({
  type: 'string',
  format: 'binary',
  description: 'Stored images are JPEG; other kinds of file carry their own Content-Type',
});

/** The conditional and partial requests `fileReply` honours for files served from disk. */
const downloadHeaders = z.object({
  'if-none-match': z.string().optional().openapi({
    description: 'An `ETag` from an earlier download; 304 when the file is the same',
    example: '"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
  }),
  range: z.string().optional().openapi({
    description: 'One byte range (206; outside the file 416); several get the whole file',
    example: 'bytes=0-1023',
  }),
  'if-range': z.string().optional().openapi({
    description: 'Apply `Range` only while the file still has this `ETag`',
    example: '"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
  }),
});

const localFileHeaders = {
  ETag: 'The SHA-256 of the content, quoted; never changes for an id',
  'Cache-Control': '`private, max-age=<FILE_CACHE_MAX_AGE_SECONDS>`',
  'Accept-Ranges': '`bytes`',
  'Content-Length': 'Bytes in this response',
};

/** `/api/files/:id`: downloads. */
export function filesRoutes(
  files: FilesService,
  settings: { cacheMaxAgeSeconds: number },
): RouteGroup {
  return {
    basePath: '/api/files',
    tag: 'Files',
    routes: [
      defineRoute({
        method: 'get',
        path: '/:id',
        summary: 'Download a file',
        description:
          'The caller’s own file, or any member’s avatar. With S3 storage: 302 to a presigned ' +
          'URL valid for a few minutes (`FILE_URL_TTL_SECONDS`). From local disk: the bytes, ' +
          'with `ETag` (the SHA-256 of the content; `If-None-Match` gives 304), one `Range` ' +
          '(206; outside the file 416), `Cache-Control: private`. Another member’s file is ' +
          '404, as an unknown id is.',
        access: 'user',
        params: idParams,
        headers: downloadHeaders,
        responses: {
          200: {
            description: 'The file’s bytes',
            schema: fileBytes,
            contentType: 'image/jpeg',
            headers: localFileHeaders,
          },
          206: {
            description: 'The requested range of them',
            schema: fileBytes,
            contentType: 'image/jpeg',
            headers: {
              ...localFileHeaders,
              'Content-Range': 'The range sent, e.g. `bytes 0-1023/48213`',
            },
          },
          302: {
            description: 'Fetch the file from `Location` (a short-lived signed URL)',
            headers: {
              Location: 'The presigned storage URL',
              'Cache-Control': '`private, no-store`',
            },
          },
          304: {
            description: 'The copy the client holds (its `If-None-Match`) is current',
            headers: {
              ETag: localFileHeaders.ETag,
              'Cache-Control': localFileHeaders['Cache-Control'],
            },
          },
        },
        errors: [404, 416],
        handler: async ({ user, params, req }) => {
          const file = await files.findVisible(user.userId, params.id);
          if (!file) throw notFound('File');
          return fileReply(req, file, await files.download(file), settings.cacheMaxAgeSeconds);
        },
      }),
    ],
  };
}
