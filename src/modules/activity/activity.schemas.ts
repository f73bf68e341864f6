import { text, uuidParam } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';

/** `workout:progress` as the member's app or the linked machine sends it. */
export const workoutProgressPayload = z.strictObject({
  exerciseId: text(100, 1),
  exerciseName: text(200, 1),
  setNumber: z.number().int().min(1).max(100),
  reps: z.number().int().min(0).max(1000),
  weightKg: z.number().min(0).max(1000).optional(),
  durationSec: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .optional(),
  machineId: uuidParam.optional(),
});
export type WorkoutProgressPayload = z.infer<typeof workoutProgressPayload>;

/** A stored progress entry, as acked to the sender and broadcast to the member's devices. */
export const workoutProgressRecord = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    day: z.iso.date(),
    exerciseId: z.string(),
    exerciseName: z.string(),
    setNumber: z.number().int(),
    reps: z.number().int(),
    weightKg: z.number().nullable(),
    durationSec: z.number().int().nullable(),
    machineId: z.uuid().nullable(),
    source: z.enum(['app', 'machine']),
    recordedAt: z.iso.datetime(),
  })
  .openapi('WorkoutProgressRecord');
export type WorkoutProgressRecord = z.infer<typeof workoutProgressRecord>;
