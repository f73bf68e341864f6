import { timeZoneSchema } from '../../../lib/time/local-day.js';
import { z } from '../../../lib/zod.js';
import { sourceApps, unitSystems } from './source-rows.js';

/** `?format=&units=&timeZone=` of an import. */
export const importQuery = z
  .strictObject({
    format: z.enum(sourceApps).optional().openapi({
      description: 'The app the file comes from; detected from the header when absent',
    }),
    units: z
      .enum(unitSystems)
      .default('metric')
      .openapi({
        description:
          'Units of a file that does not name them (Strong’s current export writes the app’s ' +
          'unit setting without saying it): `metric` = kg and km, `imperial` = lb and miles',
      }),
    timeZone: timeZoneSchema.optional().openapi({
      description:
        'Zone the file’s wall-clock times were written in; default the member’s own zone',
      example: 'Europe/Berlin',
    }),
  })
  .openapi('WorkoutLogImportQuery');

export type ImportQuery = z.infer<typeof importQuery>;

/** The raw CSV; its size is bounded by the route's body limit. */
export const csvBody = z.string().min(1, 'must not be empty');

export const strongExample =
  'Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,' +
  'Workout Notes,RPE\n' +
  '2024-03-05 18:01:12,"Push Day",1h 5m,"Bench Press (Barbell)",W,40.0,10.0,0,0.0,"","",\n' +
  '2024-03-05 18:01:12,"Push Day",1h 5m,"Bench Press (Barbell)",1,80.0,8.0,0,0.0,"","",8\n' +
  '2024-03-05 18:01:12,"Push Day",1h 5m,"Bench Press (Barbell)",Rest Timer,0,0.0,0,120.0,,,\n' +
  '2024-03-05 18:01:12,"Push Day",1h 5m,"Bench Press (Barbell)",2,82.5,6.0,0,0.0,"","",9\n';

export const importResultSchema = z
  .object({
    format: z.enum(sourceApps),
    created: z.number().int().min(0).openapi({ description: 'Log entries created' }),
    alreadyImported: z.number().int().min(0).openapi({
      description: 'Entries of the file imported by an earlier upload, left as they are',
    }),
    skipped: z
      .array(
        z.object({
          row: z.number().int().min(1).openapi({
            description: 'Line of the file the row starts on; the header is line 1',
          }),
          reason: z.string(),
        }),
      )
      .openapi({ description: 'Rows not imported, by line' }),
  })
  .openapi('WorkoutLogImportResult', {
    example: {
      format: 'strong',
      created: 1,
      alreadyImported: 0,
      skipped: [
        { row: 2, reason: 'warm-up set (warm-ups are not imported)' },
        { row: 4, reason: 'rest timer, not a set' },
      ],
    },
  });

const day = z.iso.date().openapi({ example: '2024-03-31' });

/** `?from=&to=` of an export: local days, both inclusive. */
export const exportQuery = z
  .strictObject({ from: day.optional(), to: day.optional() })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: 'must not be after `to`',
    path: ['from'],
  })
  .openapi('WorkoutLogExportQuery');

export const exportCsvSchema = z.string().openapi({
  description: 'CSV, one row per set',
  example:
    '"completed_at","day","exercise_id","exercise_name","set_number","reps","weight_kg",' +
    '"duration_sec","distance_m","estimated_1rm_kg","notes","source","log_id"\r\n' +
    '"2024-03-05T17:01:12.000Z","2024-03-05","0b6f4c1e-8a0e-5c36-9d55-2c4d1f7c1a10",' +
    '"Barbell Bench Press",1,8,80,,,101.33,"Felt strong","import",' +
    '"5d0f8b5e-3c1e-4d7a-9b0e-7f3a2c1d4e5f"\r\n',
});
