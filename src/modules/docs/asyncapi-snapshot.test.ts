import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

/**
 * The Socket.IO contract is committed (docs/asyncapi.json) like the REST one, so every change
 * to an event shows in review as a diff. Regenerate with `npm run docs:asyncapi` (or
 * `npm run docs:openapi`, which writes both) after changing a socket event, and commit it.
 */
const committedPath = path.resolve(import.meta.dirname, '../../../docs/asyncapi.json');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('committed AsyncAPI document', () => {
  it('when the served document is compared, then it equals docs/asyncapi.json', async () => {
    const served: unknown = (await t.http.get('/api/asyncapi.json').expect(200)).body;
    if (process.env.UPDATE_ASYNCAPI_SNAPSHOT === '1') {
      await writeFile(committedPath, `${JSON.stringify(served, null, 2)}\n`);
    }
    const committed: unknown = JSON.parse(await readFile(committedPath, 'utf8'));
    expect(
      committed,
      'docs/asyncapi.json differs from the served document: run `npm run docs:asyncapi` and commit it',
    ).toEqual(served);
  });
});
