import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastResilience } from '../../integrations/test-support/integration-harness.js';
import { StubService, type StubReply } from '../../integrations/test-support/stub-service.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { expandUpcE, gtinCheckDigit, readBarcode } from './barcode.js';

describe('readBarcode', () => {
  it.each([
    ['3017620422003', 'EAN-13', '3017620422003'],
    ['96385074', 'EAN-8', '96385074'],
    ['036000291452', 'UPC-A', '0036000291452'],
    ['04252614', 'UPC-E', '0042100005264'],
  ])('when %s is read, then it is a valid %s keyed as %s', (code, format, normalized) => {
    expect(readBarcode(code)).toEqual({ valid: true, format, normalized });
  });

  it.each([
    ['3017620422004', 'check digit 4 is wrong (expected 3)'],
    ['036000291453', 'check digit 3 is wrong (expected 2)'],
    ['12345', 'must have 8 (EAN-8, UPC-E), 12 (UPC-A) or 13 (EAN-13) digits, not 5'],
    ['30176204220a3', 'must contain digits only'],
  ])('when %s is read, then it is refused: %s', (code, reason) => {
    const reading = readBarcode(code);
    expect(reading.valid).toBe(false);
    expect(reading.valid ? '' : reading.reason).toContain(reason);
  });

  it('when UPC-E codes of every pattern are expanded, then they match the GS1 rules', () => {
    expect(expandUpcE('01234505')).toBe('012000003455');
    expect(expandUpcE('01234531')).toBe('012300000451');
    expect(expandUpcE('01234543')).toBe('012340000053');
    expect(expandUpcE('01234558')).toBe('012345000058');
    expect(expandUpcE('21234558')).toBeUndefined();
  });

  it('when any GTIN body gets its check digit, then it reads as valid, and any other digit does not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(7, 11, 12),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 9 }),
        (bodyLength, digits, offset) => {
          const body = digits.slice(0, bodyLength).join('');
          const check = gtinCheckDigit(body);
          expect(readBarcode(`${body}${String(check)}`).valid).toBe(true);
          const wrong = `${body}${String((check + offset) % 10)}`;
          // An 8-digit code with a wrong EAN-8 digit may still be a valid UPC-E.
          if (bodyLength !== 7) expect(readBarcode(wrong).valid).toBe(false);
        },
      ),
    );
  });
});

const USER_AGENT = 'NXGConnectTest/1.0 (tests@nxg.test)';
const nutella = {
  code: '3017620422003',
  status: 1,
  status_verbose: 'product found',
  product: {
    product_name: 'Nutella',
    brands: 'Ferrero,Nutella',
    serving_quantity: '15',
    allergens_tags: ['en:milk', 'en:nuts', 'en:soybeans'],
    nutriments: {
      'energy-kcal_100g': 539,
      energy_100g: 2252,
      proteins_100g: '6.3',
      carbohydrates_100g: 57.5,
      fat_100g: 30.9,
      'saturated-fat_100g': 10.6,
    },
    ingredients_text: 'Sugar, palm oil, hazelnuts 13%, …',
  },
};

describe('GET /api/nutrition/foods/barcode/:code', () => {
  let t: TestApp;
  let off: StubService;
  let productReply: (code: string) => StubReply;

  beforeAll(async () => {
    off = await StubService.start();
    // Open Food Facts refuses clients that do not name themselves; the stub does too.
    off.requireAuth((request) => request.headers['user-agent'] === USER_AGENT);
    productReply = (code) =>
      code === nutella.code
        ? { json: nutella }
        : {
            status: 404,
            json: { code, status: 0, status_verbose: 'product not found' },
          };
    for (const code of ['3017620422003', '0036000291452', '5449000000996']) {
      off.on('GET', `/api/v2/product/${code}.json`, () => productReply(code));
    }
    t = await createTestApp(
      { OPEN_FOOD_FACTS_URL: off.url, OPEN_FOOD_FACTS_USER_AGENT: USER_AGENT },
      { resilience: fastResilience },
    );
  });
  afterAll(async () => {
    await t.close();
    await off.close();
  });

  const productCalls = () => off.requests.filter((request) => request.path.startsWith('/api/v2'));

  it('when a product is looked up twice, then Open Food Facts is asked once and its nutrition per 100 g is kept', async () => {
    const user = await buildSignedInUser(t);
    const before = productCalls().length;

    const first = await t.http
      .get('/api/nutrition/foods/barcode/3017620422003')
      .set('Authorization', user.auth)
      .expect(200);
    const second = await t.http
      .get('/api/nutrition/foods/barcode/3017620422003')
      .set('Authorization', user.auth)
      .expect(200);

    expect(first.body).toEqual({
      id: expect.any(String) as unknown,
      name: 'Nutella (Ferrero)',
      source: 'barcode',
      group: null,
      per100g: { calories: 539, protein: 6.3, carbs: 57.5, fat: 30.9, fiber: null },
      allergens: ['dairy', 'soy', 'tree_nut'],
      servingGrams: 15,
    });
    expect(second.body).toEqual(first.body);
    const calls = productCalls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query.get('fields')).toContain('nutriments');
    // The food can be logged like any other.
    await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .send({
        mealType: 'snack',
        consumedAt: new Date().toISOString(),
        items: [{ foodId: first.body.id, grams: 15 }],
      })
      .expect(201);
  });

  it('when the check digit is wrong, then 400 says so and nothing is looked up', async () => {
    const user = await buildSignedInUser(t);
    const before = productCalls().length;

    const res = await t.http
      .get('/api/nutrition/foods/barcode/3017620422004')
      .set('Authorization', user.auth)
      .expect(400);

    expect(res.body.errors).toEqual([
      {
        path: 'params.code',
        message: 'check digit 4 is wrong (expected 3): the code was probably misread',
      },
    ]);
    expect(productCalls()).toHaveLength(before);
  });

  it('when Open Food Facts has no such product, then 404; a UPC-A is asked for as EAN-13', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .get('/api/nutrition/foods/barcode/036000291452')
      .set('Authorization', user.auth)
      .expect(404);
    expect(res.body.detail).toContain('0036000291452');
    expect(productCalls().at(-1)?.path).toBe('/api/v2/product/0036000291452.json');
  });

  it('when Open Food Facts is down, then an unknown code is 503 and a known one is still answered', async () => {
    const user = await buildSignedInUser(t);
    productReply = () => ({ status: 503, json: { error: 'down' } });
    const res = await t.http
      .get('/api/nutrition/foods/barcode/5449000000996')
      .set('Authorization', user.auth)
      .expect(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(res.body.detail).toContain('Open Food Facts');
    await t.http
      .get('/api/nutrition/foods/barcode/3017620422003')
      .set('Authorization', user.auth)
      .expect(200);
  });
});
