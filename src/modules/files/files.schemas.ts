import { z } from '../../lib/zod.js';

const exampleId = '7c1f9a52-3f0e-4a4e-9a43-0b6c0f0f4c11';

/** A stored upload as the API shows it. */
export const uploadedFileSchema = z
  .object({
    id: z.uuid(),
    url: z.string().openapi({
      description:
        'Where to fetch the file: `/api/files/{id}` with the access token (streamed, or a ' +
        'redirect to a short-lived S3 URL), or a CDN URL for avatars when one is configured',
    }),
    width: z.number().int(),
    height: z.number().int(),
    sha256: z.string().openapi({ description: 'Hex SHA-256 of the stored (re-encoded) bytes' }),
  })
  .openapi('UploadedFile', {
    example: {
      id: exampleId,
      url: `/api/files/${exampleId}`,
      width: 2048,
      height: 1536,
      sha256: '9f2c7b1e0d4a5c3b8e6f1a2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3',
    },
  });
export type UploadedFileView = z.infer<typeof uploadedFileSchema>;

export const uploadedAvatarSchema = uploadedFileSchema
  .extend({ thumbnail: uploadedFileSchema })
  .openapi('UploadedAvatar', {
    example: {
      id: exampleId,
      url: `/api/files/${exampleId}`,
      width: 512,
      height: 512,
      sha256: '1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c',
      thumbnail: {
        id: '0e5d8c4b-2a1f-4e3d-8c7b-6a5f4e3d2c1b',
        url: '/api/files/0e5d8c4b-2a1f-4e3d-8c7b-6a5f4e3d2c1b',
        width: 128,
        height: 128,
        sha256: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1',
      },
    },
  });
export type UploadedAvatarView = z.infer<typeof uploadedAvatarSchema>;

/** The multipart form of an image upload: one file in `image`. */
export const imageForm = z.strictObject({
  image: z.string().openapi({
    type: 'string',
    format: 'binary',
    description: 'The photo: JPEG, PNG or WebP, judged by its content',
  }),
});
