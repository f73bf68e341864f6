import { z } from '../lib/zod.js';
import { DEFAULT_REQUEST_BUDGET_MS } from './http/resilient-caller.js';

const serviceUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => new URL(value));
const secret = z.string().min(1);

/**
 * The environment variables of the AI-service integrations, as a Zod shape to spread into the
 * application's environment schema. All optional: a service without a URL is not configured.
 */
export const integrationsEnvironmentShape = {
  WORKOUT_SERVICE_URL: serviceUrl.optional(),
  WORKOUT_SERVICE_API_KEY: secret.optional(),
  MEAL_DETECTION_URL: serviceUrl.optional(),
  MEAL_DETECTION_TOKEN: secret.optional(),
  NUTRITION_SERVICE_URL: serviceUrl.optional(),
  NUTRITION_SERVICE_API_KEY: secret.optional(),
  NUTRITION_SERVICE_HMAC_SECRET: secret.optional(),
  SCANNING_SERVICE_URL: serviceUrl.optional(),
  SCANNING_TOKEN_URL: serviceUrl.optional(),
  SCANNING_CLIENT_ID: secret.optional(),
  SCANNING_CLIENT_SECRET: secret.optional(),
  OPEN_FOOD_FACTS_URL: serviceUrl.default(new URL('https://world.openfoodfacts.org')),
  OPEN_FOOD_FACTS_USER_AGENT: z
    .string()
    .min(3)
    .max(200)
    .default('NXGConnect/1.0 (fitness app barcode lookup; +https://nxg-connect.example)'),
  AI_REQUEST_BUDGET_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(120_000)
    .default(DEFAULT_REQUEST_BUDGET_MS),
};

/** The same variables as a schema of their own. */
export const integrationsEnvironmentSchema = z.object(integrationsEnvironmentShape);
type IntegrationsEnvironment = z.infer<typeof integrationsEnvironmentSchema>;

export interface WorkoutPlanningConfig {
  baseUrl: URL;
  apiKey: string;
}
export interface MealDetectionConfig {
  baseUrl: URL;
  token: string;
}
export interface NutritionPlanningConfig {
  baseUrl: URL;
  apiKey: string;
  hmacSecret: string;
}
/** Open Food Facts needs no key; it asks clients to name themselves in the User-Agent. */
export interface OpenFoodFactsConfig {
  baseUrl: URL;
  userAgent: string;
}
export interface ScanningConfig {
  baseUrl: URL;
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
}

/** Settings of the four services; an absent service is not configured (built-in fallbacks answer). */
export interface IntegrationsConfig {
  /** Default time budget of one call, retries included. */
  requestBudgetMs: number;
  workoutPlanning?: WorkoutPlanningConfig;
  mealDetection?: MealDetectionConfig;
  nutritionPlanning?: NutritionPlanningConfig;
  scanning?: ScanningConfig;
  /** Always configured: the public instance unless OPEN_FOOD_FACTS_URL points elsewhere. */
  openFoodFacts: OpenFoodFactsConfig;
}

type VariableName = keyof IntegrationsEnvironment;
type SetVariables<Name extends VariableName> = {
  [K in Name]-?: NonNullable<IntegrationsEnvironment[K]>;
};

/**
 * Reads the integration variables. Never throws: each problem is an issue naming its variable
 * (a bad URL, a URL without its credentials), and a service with issues is left unconfigured.
 */
export function readIntegrationsConfig(env: Record<string, string | undefined>): {
  config: IntegrationsConfig;
  issues: string[];
} {
  const issues: string[] = [];
  const e = parseEnvironment(env, issues);
  const service = <Name extends VariableName>(url: VariableName, credentials: Name[]) =>
    serviceVariables(env, e, issues, url, credentials);
  const config: IntegrationsConfig = {
    requestBudgetMs: e.AI_REQUEST_BUDGET_MS,
    openFoodFacts: { baseUrl: e.OPEN_FOOD_FACTS_URL, userAgent: e.OPEN_FOOD_FACTS_USER_AGENT },
  };

  const workout = service('WORKOUT_SERVICE_URL', [
    'WORKOUT_SERVICE_URL',
    'WORKOUT_SERVICE_API_KEY',
  ]);
  if (workout) {
    config.workoutPlanning = {
      baseUrl: workout.WORKOUT_SERVICE_URL,
      apiKey: workout.WORKOUT_SERVICE_API_KEY,
    };
  }
  const meal = service('MEAL_DETECTION_URL', ['MEAL_DETECTION_URL', 'MEAL_DETECTION_TOKEN']);
  if (meal)
    config.mealDetection = { baseUrl: meal.MEAL_DETECTION_URL, token: meal.MEAL_DETECTION_TOKEN };
  const nutrition = service('NUTRITION_SERVICE_URL', [
    'NUTRITION_SERVICE_URL',
    'NUTRITION_SERVICE_API_KEY',
    'NUTRITION_SERVICE_HMAC_SECRET',
  ]);
  if (nutrition) {
    config.nutritionPlanning = {
      baseUrl: nutrition.NUTRITION_SERVICE_URL,
      apiKey: nutrition.NUTRITION_SERVICE_API_KEY,
      hmacSecret: nutrition.NUTRITION_SERVICE_HMAC_SECRET,
    };
  }
  const scanning = service('SCANNING_SERVICE_URL', [
    'SCANNING_SERVICE_URL',
    'SCANNING_TOKEN_URL',
    'SCANNING_CLIENT_ID',
    'SCANNING_CLIENT_SECRET',
  ]);
  if (scanning) {
    config.scanning = {
      baseUrl: scanning.SCANNING_SERVICE_URL,
      tokenUrl: scanning.SCANNING_TOKEN_URL,
      clientId: scanning.SCANNING_CLIENT_ID,
      clientSecret: scanning.SCANNING_CLIENT_SECRET,
    };
  }
  return { config, issues };
}

/**
 * A service's variables when its URL is given and every one of `names` is set and valid;
 * otherwise undefined, with an issue for each missing credential. No URL: not configured, no issue.
 */
function serviceVariables<Name extends VariableName>(
  raw: Record<string, string | undefined>,
  parsed: IntegrationsEnvironment,
  issues: string[],
  url: VariableName,
  names: Name[],
): SetVariables<Name> | undefined {
  if (!raw[url]?.trim()) return undefined;
  const missing = names.filter((name) => parsed[name] === undefined);
  for (const name of missing) {
    // An invalid value already has its own issue; only truly absent ones are reported here.
    if (!issues.some((issue) => issue.startsWith(`${name}:`))) {
      issues.push(`${name}: required when ${url} is set`);
    }
  }
  if (missing.length > 0) return undefined;
  return Object.fromEntries(names.map((name) => [name, parsed[name]])) as SetVariables<Name>;
}

/**
 * Parses the variables, dropping each invalid one (with an issue) so the rest still parse.
 * Blank values mean "not set", as in the application's own config.
 */
function parseEnvironment(
  env: Record<string, string | undefined>,
  issues: string[],
): IntegrationsEnvironment {
  const given: Record<string, string> = {};
  for (const name of Object.keys(integrationsEnvironmentShape)) {
    const value = env[name]?.trim();
    if (value) given[name] = value;
  }
  const first = integrationsEnvironmentSchema.safeParse(given);
  if (first.success) return first.data;
  for (const issue of first.error.issues) {
    const name = String(issue.path[0]);
    issues.push(`${name}: ${issue.message}`);
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- names come from our own schema's issues
    delete given[name];
  }
  return integrationsEnvironmentSchema.parse(given);
}
