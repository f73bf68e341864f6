import { describe, expect, it } from 'vitest';
import { readIntegrationsConfig } from './integrations.config.js';

const complete = {
  WORKOUT_SERVICE_URL: 'https://api.workout-service.com/v1',
  WORKOUT_SERVICE_API_KEY: 'wk',
  MEAL_DETECTION_URL: 'https://api.meal-detection.com/v1',
  MEAL_DETECTION_TOKEN: 'md',
  NUTRITION_SERVICE_URL: 'https://api.nutrition-planner.com/v1',
  NUTRITION_SERVICE_API_KEY: 'np',
  NUTRITION_SERVICE_HMAC_SECRET: 'np-secret',
  SCANNING_SERVICE_URL: 'https://api.3d-scanning.com/v1',
  SCANNING_TOKEN_URL: 'https://auth.3d-scanning.com/oauth/token',
  SCANNING_CLIENT_ID: 'nxg',
  SCANNING_CLIENT_SECRET: 'sc-secret',
};

describe('readIntegrationsConfig', () => {
  it('when nothing is set, then no service is configured and the budget is 15 s', () => {
    expect(readIntegrationsConfig({})).toEqual({
      config: {
        requestBudgetMs: 15_000,
        // Open Food Facts needs no credentials: the public instance is always there.
        openFoodFacts: {
          baseUrl: new URL('https://world.openfoodfacts.org'),
          userAgent: expect.stringMatching(/^NXGConnect\//) as unknown,
        },
      },
      issues: [],
    });
  });

  it('when every variable is set, then all four services are configured', () => {
    const { config, issues } = readIntegrationsConfig({
      ...complete,
      AI_REQUEST_BUDGET_MS: '8000',
    });

    expect(issues).toEqual([]);
    expect(config.requestBudgetMs).toBe(8_000);
    expect(config.workoutPlanning).toEqual({
      baseUrl: new URL('https://api.workout-service.com/v1'),
      apiKey: 'wk',
    });
    expect(config.mealDetection?.token).toBe('md');
    expect(config.nutritionPlanning).toMatchObject({ apiKey: 'np', hmacSecret: 'np-secret' });
    expect(config.scanning?.tokenUrl.href).toBe('https://auth.3d-scanning.com/oauth/token');
  });

  it('when a URL is set without its credentials, then each missing variable is an issue and the service stays unconfigured', () => {
    const { config, issues } = readIntegrationsConfig({
      NUTRITION_SERVICE_URL: 'https://api.nutrition-planner.com/v1',
      NUTRITION_SERVICE_API_KEY: 'np',
      SCANNING_SERVICE_URL: 'https://api.3d-scanning.com/v1',
    });

    expect(issues).toEqual([
      'NUTRITION_SERVICE_HMAC_SECRET: required when NUTRITION_SERVICE_URL is set',
      'SCANNING_TOKEN_URL: required when SCANNING_SERVICE_URL is set',
      'SCANNING_CLIENT_ID: required when SCANNING_SERVICE_URL is set',
      'SCANNING_CLIENT_SECRET: required when SCANNING_SERVICE_URL is set',
    ]);
    expect(config.nutritionPlanning).toBeUndefined();
    expect(config.scanning).toBeUndefined();
  });

  it('when a value is invalid, then the issue names the variable and the other services still load', () => {
    const { config, issues } = readIntegrationsConfig({
      ...complete,
      MEAL_DETECTION_URL: 'ftp://meals.example.com',
      AI_REQUEST_BUDGET_MS: 'soon',
    });

    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^MEAL_DETECTION_URL: must be an http\(s\) URL/);
    expect(issues[1]).toMatch(/^AI_REQUEST_BUDGET_MS: /);
    expect(config.mealDetection).toBeUndefined();
    expect(config.workoutPlanning).toBeDefined();
    expect(config.requestBudgetMs).toBe(15_000);
  });

  it('when variables are blank, then they count as not set', () => {
    const { config, issues } = readIntegrationsConfig({
      WORKOUT_SERVICE_URL: '  ',
      WORKOUT_SERVICE_API_KEY: '',
    });

    expect(issues).toEqual([]);
    expect(config.workoutPlanning).toBeUndefined();
  });
});
