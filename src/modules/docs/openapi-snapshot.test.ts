import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

/**
 * The contract is committed (docs/openapi.json) so that every change to it shows in review as a
 * diff. Regenerate with `npm run docs:openapi` after changing a route, and commit the result.
 */
const committedPath = path.resolve(import.meta.dirname, '../../../docs/openapi.json');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('committed OpenAPI document', () => {
  it('when the served document is compared, then it equals docs/openapi.json', async () => {
    const served: unknown = (await t.http.get('/api/openapi.json').expect(200)).body;
    if (process.env.UPDATE_OPENAPI_SNAPSHOT === '1') {
      await writeFile(committedPath, `${JSON.stringify(served, null, 2)}\n`);
    }
    const committed: unknown = JSON.parse(await readFile(committedPath, 'utf8'));
    expect(
      committed,
      'docs/openapi.json differs from the served document: run `npm run docs:openapi` and commit it',
    ).toEqual(served);
  });
});
