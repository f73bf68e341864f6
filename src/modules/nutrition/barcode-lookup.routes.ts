import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import type { BarcodeLookupService } from './barcode-lookup.service.js';
import { barcodeParams } from './meal-analysis.schemas.js';
import { foodSchema } from './nutrition.schemas.js';

/** `/api/nutrition/foods/barcode/:code`: packaged food by its barcode. */
export function barcodeLookupRoutes(barcodes: BarcodeLookupService): RouteGroup {
  return {
    basePath: '/api/nutrition',
    tag: 'Nutrition',
    routes: [
      defineRoute({
        method: 'get',
        path: '/foods/barcode/:code',
        summary: 'A packaged food by its barcode',
        description:
          'EAN-13, EAN-8, UPC-A or UPC-E. The check digit is verified first: a wrong one (a ' +
          'misread scan) is a 400 saying so, and nothing is looked up. Known codes are answered ' +
          'from our food database; others from Open Food Facts (its public product API, ' +
          'OPEN_FOOD_FACTS_URL), whose nutrition per 100 g is then kept as a food of source ' +
          '`barcode` (keyed by the code as EAN-13, UPC codes with a leading zero), so a code ' +
          'is looked up there once. Usable with POST /meals `items` by `id`. 404 when Open Food ' +
          'Facts has no such product, or one without energy, protein, carbohydrates and fat ' +
          'per 100 g; 503 when it cannot be reached and the code is not known here.',
        access: 'user',
        params: barcodeParams,
        errors: [404, 502, 503],
        responses: {
          200: {
            description: 'The food',
            schema: foodSchema,
          },
        },
        handler: async ({ params }) => ({ status: 200, body: await barcodes.lookup(params.code) }),
      }),
    ],
  };
}
