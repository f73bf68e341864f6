import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { fileDeletions, files } from './files.table.js';
import {
  heicContainer,
  jpegWithGpsAndOrientation,
  noisyJpeg,
  pdfDocument,
  pngBomb,
  solidImage,
  svgImage,
} from './image-fixtures-test-support.js';

let t: TestApp;
let dataDir: string;
const MAX_BYTES = 300 * 1024;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'nxg-files-test-'));
  t = await createTestApp({
    DATA_DIR: dataDir,
    UPLOAD_MAX_BYTES: String(MAX_BYTES),
    IMAGE_MAX_DIMENSION: '400',
    IMAGE_MAX_INPUT_PIXELS: '4000000',
  });
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function upload(
  auth: string,
  bytes: Buffer,
  options: { route?: string; field?: string; filename?: string; contentType?: string } = {},
) {
  return t.http
    .post(options.route ?? '/api/upload/meal-images')
    .set('Authorization', auth)
    .attach(options.field ?? 'image', bytes, {
      filename: options.filename ?? 'photo.jpg',
      contentType: options.contentType ?? 'image/jpeg',
    });
}

async function download(auth: string, url: string, headers: Record<string, string> = {}) {
  return t.http
    .get(url)
    .set('Authorization', auth)
    .set(headers)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

const objectPathOf = async (id: string) => {
  const [row] = await t.container.database.db.select().from(files).where(eq(files.id, id));
  if (!row) throw new Error(`no file row ${id}`);
  return path.join(dataDir, 'files', row.storageKey);
};

describe('POST /api/upload/meal-images', () => {
  it.each(['jpeg', 'png', 'webp'] as const)(
    'when a %s photo is sent, then it is stored as a JPEG within the size cap and its sha256 is that of the served bytes',
    async (format) => {
      const member = await buildSignedInUser(t);
      const res = await upload(member.auth, await solidImage(format, 800, 600), {
        filename: `meal.${format}`,
        contentType: `image/${format}`,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        url: `/api/files/${res.body.id}`,
        width: 400,
        height: 300,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const served = await download(member.auth, res.body.url);
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toBe('image/jpeg');
      expect(sha256(served.body)).toBe(res.body.sha256);
      expect((await sharp(served.body).metadata()).format).toBe('jpeg');
    },
  );

  it('when a phone photo carries EXIF with GPS and an orientation, then the stored image is turned upright with no metadata left', async () => {
    const member = await buildSignedInUser(t);
    const original = await jpegWithGpsAndOrientation(200, 100, 6);
    const before = await sharp(original).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.toString('latin1')).toContain('MM');

    const res = await upload(member.auth, original).expect(201);
    expect([res.body.width, res.body.height]).toEqual([100, 200]);
    const stored = await sharp(
      await download(member.auth, res.body.url).then((r) => r.body),
    ).metadata();
    expect(stored.exif).toBeUndefined();
    expect(stored.xmp).toBeUndefined();
    expect(stored.iptc).toBeUndefined();
    expect(stored.orientation).toBeUndefined();
    expect([stored.width, stored.height]).toEqual([100, 200]);
  });

  it.each([
    ['a PDF named photo.jpg sent as image/jpeg', () => pdfDocument, 'application/pdf'],
    ['an SVG', () => svgImage, 'JPEG, PNG or WebP'],
    [
      'a GIF',
      () =>
        sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
          .gif()
          .toBuffer(),
      'image/gif',
    ],
  ])(
    'when %s is sent, then 415 with what is accepted or what the content is',
    async (_name, make, seen) => {
      const member = await buildSignedInUser(t);
      const res = await upload(member.auth, await make());
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.detail).toContain(seen);
    },
  );

  it('when an iPhone HEIC photo is sent, then 415 says HEIC cannot be decoded and how to send JPEG', async () => {
    const member = await buildSignedInUser(t);
    const res = await upload(member.auth, await heicContainer(), {
      filename: 'IMG_0001.HEIC',
      contentType: 'image/heic',
    });
    expect(res.status).toBe(415);
    expect(res.body.detail).toMatch(/HEIC.*Most Compatible/);
  });

  it('when a JPEG is cut short, then 422 INVALID_IMAGE and nothing is stored', async () => {
    const member = await buildSignedInUser(t);
    const whole = await noisyJpeg(300, 200, 80);
    const res = await upload(member.auth, whole.subarray(0, Math.floor(whole.length / 2)));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('INVALID_IMAGE');
    const rows = await t.container.database.db
      .select()
      .from(files)
      .where(eq(files.ownerId, member.row.id));
    expect(rows).toEqual([]);
  });

  it('when a small PNG declares 100000×100000 pixels, then 422 names the pixel limit without decoding it', async () => {
    const member = await buildSignedInUser(t);
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(2_000);
    const res = await upload(member.auth, bomb, { filename: 'bomb.png', contentType: 'image/png' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('100000×100000');
  });

  it('when the file is larger than UPLOAD_MAX_BYTES, then 413', async () => {
    const member = await buildSignedInUser(t);
    const big = await noisyJpeg(900, 700);
    expect(big.length).toBeGreaterThan(MAX_BYTES);
    const res = await upload(member.auth, big);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when the file comes in another field, or two come, then 400 at body.image', async () => {
    const member = await buildSignedInUser(t);
    const photo = await solidImage('jpeg');
    const wrongField = await upload(member.auth, photo, { field: 'photo' });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.errors[0].path).toBe('body.photo');
    const two = await t.http
      .post('/api/upload/meal-images')
      .set('Authorization', member.auth)
      .attach('image', photo, 'a.jpg')
      .attach('image', photo, 'b.jpg');
    expect(two.status).toBe(400);
    const none = await t.http
      .post('/api/upload/meal-images')
      .set('Authorization', member.auth)
      .field('note', 'no file');
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([{ path: 'body.image', message: 'is required' }]);
  });

  it('when the body is JSON, then 415; without a token, 401', async () => {
    const member = await buildSignedInUser(t);
    const json = await t.http
      .post('/api/upload/meal-images')
      .set('Authorization', member.auth)
      .send({ image: 'x' });
    expect(json.status).toBe(415);
    await upload('Bearer nope', await solidImage('jpeg')).expect(401);
  });
});

describe('GET /api/files/:id', () => {
  it('when ranges and validators are sent, then 206, 416 and 304 answer as HTTP says', async () => {
    const member = await buildSignedInUser(t);
    const { body: file } = await upload(member.auth, await solidImage('png')).expect(201);
    const whole = await download(member.auth, file.url);
    expect(whole.headers).toMatchObject({
      etag: `"${file.sha256}"`,
      'cache-control': expect.stringMatching(/^private, max-age=\d+$/),
      'x-content-type-options': 'nosniff',
      'accept-ranges': 'bytes',
      'content-length': String(whole.body.length),
    });

    const part = await download(member.auth, file.url, { Range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${whole.body.length}`);
    expect(part.body).toEqual(whole.body.subarray(10, 20));

    const outside = await download(member.auth, file.url, { Range: `bytes=${whole.body.length}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers['content-range']).toBe(`bytes */${whole.body.length}`);

    const cached = await download(member.auth, file.url, { 'If-None-Match': `"${file.sha256}"` });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
  });

  it('when another member asks for a meal photo, then 404 as for an unknown id; an avatar they may see', async () => {
    const owner = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    const { body: meal } = await upload(owner.auth, await solidImage('jpeg')).expect(201);
    const theirs = await download(other.auth, meal.url);
    const unknown = await download(other.auth, '/api/files/0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a');
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(theirs.body.toString()).detail).toBe(
      JSON.parse(unknown.body.toString()).detail,
    );

    const { body: avatar } = await upload(owner.auth, await solidImage('jpeg'), {
      route: '/api/upload/avatar',
    }).expect(201);
    expect((await download(other.auth, avatar.url)).status).toBe(200);
  });
});

describe('avatars', () => {
  it('when a member sets a picture twice, then /me shows the newest and the first is released for cleanup', async () => {
    const member = await buildSignedInUser(t);
    const first = await upload(member.auth, await solidImage('jpeg', 640, 480), {
      route: '/api/upload/avatar',
    }).expect(201);
    expect(first.body).toMatchObject({ width: 512, height: 512 });
    expect(first.body.thumbnail).toMatchObject({ width: 128, height: 128 });
    const me = await t.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
    expect(me.body.avatarUrl).toBe(first.body.url);
    expect(me.body.avatarThumbnailUrl).toBe(first.body.thumbnail.url);

    const second = await upload(member.auth, await solidImage('webp'), {
      route: '/api/upload/avatar',
    }).expect(201);
    const after = await t.http.get('/api/users/me').set('Authorization', member.auth);
    expect(after.body.avatarUrl).toBe(second.body.url);
    const rows = await t.container.database.db
      .select({ id: files.id, referencedAt: files.referencedAt })
      .from(files)
      .where(eq(files.ownerId, member.row.id));
    const referenced = rows.filter((row) => row.referencedAt !== null).map((row) => row.id);
    expect(referenced.sort()).toEqual([second.body.id, second.body.thumbnail.id].sort());
  });
});

describe('meal logs and their images', () => {
  const meal = (imageId: string) => ({
    mealType: 'lunch',
    mealDescription: 'Salad',
    consumedAt: new Date(Date.now() - 60_000).toISOString(),
    macros: { calories: 400, protein: 20, carbs: 30, fat: 10 },
    imageId,
  });

  it('when a meal points at the member’s own meal photo, then it is logged and the photo is referenced', async () => {
    const member = await buildSignedInUser(t);
    const { body: photo } = await upload(member.auth, await solidImage('jpeg')).expect(201);
    await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', member.auth)
      .send(meal(photo.id))
      .expect(201);
    const [row] = await t.container.database.db.select().from(files).where(eq(files.id, photo.id));
    expect(row?.referencedAt).not.toBeNull();
  });

  it('when a meal points at another member’s photo, an avatar or nothing uploaded, then 422 at body.imageId', async () => {
    const member = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    const { body: theirs } = await upload(other.auth, await solidImage('jpeg')).expect(201);
    const { body: avatar } = await upload(member.auth, await solidImage('jpeg'), {
      route: '/api/upload/avatar',
    }).expect(201);
    for (const imageId of [theirs.id, avatar.id, '0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a']) {
      const res = await t.http
        .post('/api/nutrition/meals')
        .set('Authorization', member.auth)
        .send(meal(imageId));
      expect(res.status).toBe(422);
      expect(res.body.errors[0].path).toBe('body.imageId');
    }
    const [theirRow] = await t.container.database.db
      .select()
      .from(files)
      .where(eq(files.id, theirs.id));
    expect(theirRow?.referencedAt).toBeNull();
  });
});

describe('cleanup', () => {
  it('when an account is deleted, then its objects leave the disk and no deletion note is left', async () => {
    const member = await buildSignedInUser(t);
    const { body: photo } = await upload(member.auth, await solidImage('jpeg')).expect(201);
    const objectPath = await objectPathOf(photo.id);
    expect(existsSync(objectPath)).toBe(true);
    await t.http
      .delete('/api/users/me')
      .set('Authorization', member.auth)
      .send({ password: member.password })
      .expect(204);
    expect(existsSync(objectPath)).toBe(false);
    const notes = await t.container.database.db
      .select()
      .from(fileDeletions)
      .where(sql`starts_with(${fileDeletions.storageKey}, ${member.row.id})`);
    expect(notes).toEqual([]);
  });

  it('when the cleanup job runs, then unreferenced uploads older than a day go, row and object, and the rest stay', async () => {
    const member = await buildSignedInUser(t);
    const db = t.container.database.db;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await upload(member.auth, await solidImage('jpeg')).expect(201)).body.id);
    }
    const [abandoned, fresh, used] = ids as [string, string, string];
    await db
      .update(files)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(sql`${files.id} in (${abandoned}, ${used})`);
    await t.container.files.markReferenced(db, member.row.id, [used]);
    const abandonedPath = await objectPathOf(abandoned);

    await t.container.jobs.start();
    const deadline = Date.now() + 60_000;
    while (existsSync(abandonedPath) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(existsSync(abandonedPath)).toBe(false);
    const left = await db
      .select({ id: files.id })
      .from(files)
      .where(eq(files.ownerId, member.row.id));
    expect(left.map((row) => row.id).sort()).toEqual([fresh, used].sort());
    expect(existsSync(await objectPathOf(fresh))).toBe(true);
    expect(existsSync(await objectPathOf(used))).toBe(true);
  });
});
