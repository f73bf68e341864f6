import { jobType } from '../../jobs/index.js';
import { z } from '../../lib/zod.js';

/** Delivers one member's recorded corrections of a meal analysis to the Meal Detection service. */
export const deliverMealFeedback = jobType(
  'nutrition.deliver-meal-feedback',
  z.object({ feedbackId: z.uuid() }),
);

/** Queues delivery jobs for stored corrections that have none (every few minutes). */
export const sweepMealFeedback = jobType('nutrition.sweep-meal-feedback', z.object({}));
