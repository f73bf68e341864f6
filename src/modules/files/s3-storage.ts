import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ByteRange, FileStorage } from './file-storage.js';

export interface S3StorageSettings {
  bucket: string;
  region: string;
  /** An S3-compatible server instead of AWS (MinIO, s3rver). */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Unset: the SDK's default credential chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Lifetime of a presigned download URL. */
  urlTtlSeconds: number;
}

/** Files in one S3 bucket (AWS SDK v3); clients download them through presigned URLs. */
export class S3Storage implements FileStorage {
  private readonly client: S3Client;

  constructor(private readonly settings: S3StorageSettings) {
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // A stalled S3 must not hold a request (and its upload buffer) forever.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      maxAttempts: 3,
    });
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.length,
      }),
    );
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const object = await this.client.send(
      new GetObjectCommand({
        Bucket: this.settings.bucket,
        Key: key,
        Range: range && `bytes=${range.start}-${range.end}`,
      }),
    );
    // In Node the SDK hands back an IncomingMessage (a Readable) as the body.
    if (!(object.Body instanceof Readable)) throw new Error('S3 returned no readable body');
    return object.Body;
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for a key that does not exist, so a repeated delete is fine.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }

  downloadUrl(key: string): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }),
      { expiresIn: this.settings.urlTtlSeconds },
    );
  }

  /** Closes the SDK's connection pool. */
  close(): void {
    this.client.destroy();
  }
}
