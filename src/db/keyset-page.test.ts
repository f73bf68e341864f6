import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../test-support/factories.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';

let t: TestApp;
let admin: Awaited<ReturnType<typeof buildSignedInUser>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await buildSignedInUser(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

async function createBranch(name: string): Promise<void> {
  await t.http
    .post('/api/branches')
    .set('Authorization', admin.auth)
    .send({ name, address: '1 Test St', timezone: 'UTC' })
    .expect(201);
}

/** Every branch whose name contains `tag`, page by page, following each `nextCursor`. */
async function allPages(tag: string, limit: number): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const query = `q=${encodeURIComponent(tag)}&limit=${String(limit)}`;
    const res: { status: number; body: { items: { name: string }[]; nextCursor: string | null } } =
      await t.http
        .get(`/api/branches?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set('Authorization', admin.auth);
    expect(res.status).toBe(200);
    names.push(...res.body.items.map((item) => item.name));
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return names;
}

describe('keyset pagination by name', () => {
  it('when names differ in case, then they sort case-insensitively, page by page', async () => {
    const tag = randomUUID().slice(0, 8);
    for (const name of [`beta ${tag}`, `Gamma ${tag}`, `alpha ${tag}`, `Delta ${tag}`]) {
      await createBranch(name);
    }
    const expected = [`alpha ${tag}`, `beta ${tag}`, `Delta ${tag}`, `Gamma ${tag}`];
    expect(await allPages(tag, 10)).toEqual(expected);
    expect(await allPages(tag, 1)).toEqual(expected);
  });

  it('when the last name of a page is long and not ASCII, then its cursor is followed', async () => {
    const tag = randomUUID().slice(0, 8);
    // 100 characters as people count them, each two or three bytes in UTF-8.
    const first = `${tag} ${'é'.repeat(40)}${'語'.repeat(51)}`;
    const second = `${tag} ${'ö'.repeat(91)}`;
    await createBranch(first);
    await createBranch(second);
    expect(await allPages(tag, 1)).toEqual([first, second]);
  });
});
