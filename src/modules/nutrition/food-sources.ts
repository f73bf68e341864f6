/** Where a food of the database comes from. */
export const foodSources = ['builtin', 'service', 'barcode'] as const;
export type FoodSource = (typeof foodSources)[number];
