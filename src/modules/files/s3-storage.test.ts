import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import {
  S3RVER_CREDENTIALS,
  startS3TestServer,
  type S3TestServer,
} from '../../test-support/s3-test-server.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { files } from './files.table.js';
import { solidImage } from './image-fixtures-test-support.js';

let s3: S3TestServer | undefined;
let t: TestApp | undefined;
let dataDir: string;
let client: S3Client;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'nxg-files-s3-test-'));
  s3 = await startS3TestServer();
  t = await createTestApp({ ...s3.env, DATA_DIR: dataDir, CDN_BASE_URL: 'https://cdn.nxg.test' });
  client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
});
afterAll(async () => {
  client.destroy();
  await t?.close();
  await s3?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function app(): TestApp {
  if (!t) throw new Error('the test app did not start');
  return t;
}

async function exists(key: string): Promise<boolean> {
  if (!s3) throw new Error('s3rver did not start');
  try {
    await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'NotFound') return false;
    throw error;
  }
}

const keyOf = async (id: string) => {
  const [row] = await app().container.database.db.select().from(files).where(eq(files.id, id));
  if (!row) throw new Error(`no file row ${id}`);
  return row.storageKey;
};

describe('files on S3 (s3rver on loopback)', () => {
  it('when a meal photo is uploaded, then the bytes are in the bucket and the download redirects to a presigned URL that serves them', async () => {
    const member = await buildSignedInUser(app());
    const upload = await app()
      .http.post('/api/upload/meal-images')
      .set('Authorization', member.auth)
      .attach('image', await solidImage('png'), { filename: 'meal.png', contentType: 'image/png' })
      .expect(201);
    expect(upload.body.url).toBe(`/api/files/${upload.body.id}`);
    expect(await exists(await keyOf(upload.body.id))).toBe(true);

    const redirect = await app()
      .http.get(upload.body.url)
      .set('Authorization', member.auth)
      .redirects(0);
    expect(redirect.status).toBe(302);
    expect(redirect.headers['cache-control']).toBe('private, no-store');
    const location = new URL(String(redirect.headers.location));
    expect(location.origin).toBe(s3?.endpoint);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');

    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    const bytes = Buffer.from(await fetched.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(upload.body.sha256);

    // s3rver checks the key id and the expiry of a presigned URL (not SigV4 signatures).
    expect(location.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\//);
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);

    const other = await buildSignedInUser(app());
    await app().http.get(upload.body.url).set('Authorization', other.auth).redirects(0).expect(404);
  });

  it('when an avatar is set with a CDN configured, then its URL is the CDN’s and the meal photo’s stays the API’s', async () => {
    const member = await buildSignedInUser(app());
    const avatar = await app()
      .http.post('/api/upload/avatar')
      .set('Authorization', member.auth)
      .attach('image', await solidImage('jpeg'), 'me.jpg')
      .expect(201);
    const key = await keyOf(avatar.body.id);
    expect(avatar.body.url).toBe(`https://cdn.nxg.test/${key}`);
    const me = await app().http.get('/api/users/me').set('Authorization', member.auth);
    expect(me.body.avatarUrl).toBe(avatar.body.url);
  });

  it('when the account is deleted, then its objects are deleted from the bucket', async () => {
    const member = await buildSignedInUser(app());
    const keys: string[] = [];
    for (const route of ['/api/upload/meal-images', '/api/upload/avatar']) {
      const res = await app()
        .http.post(route)
        .set('Authorization', member.auth)
        .attach('image', await solidImage('webp'), 'x.webp')
        .expect(201);
      keys.push(await keyOf(res.body.id));
      if (res.body.thumbnail) keys.push(await keyOf(res.body.thumbnail.id));
    }
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(await exists(key)).toBe(true);

    await app()
      .http.delete('/api/users/me')
      .set('Authorization', member.auth)
      .send({ password: member.password })
      .expect(204);
    for (const key of keys) expect(await exists(key)).toBe(false);
  });
});
