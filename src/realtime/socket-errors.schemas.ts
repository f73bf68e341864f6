import { z } from '../lib/zod.js';

// How the socket API says no, as Zod schemas: they type the acks and refusals the server sends
// and are the schemas the AsyncAPI document shows for them.

const fieldError = z.object({ path: z.string(), message: z.string() });

/** The `error` of a failed acknowledgement, shaped like a problem document's fields. */
export const ackErrorSchema = z
  .object({
    code: z.string().openapi({
      description:
        'Stable error code: `VALIDATION_ERROR`, `RATE_LIMITED`, `NOT_FOUND` (also for an event ' +
        'no handler knows), `FORBIDDEN`, `CONFLICT`, `UNAUTHENTICATED`, `SERVICE_UNAVAILABLE`, ' +
        '`INTERNAL`, as the HTTP problem documents use them.',
    }),
    reason: z.string().optional().openapi({
      description: 'Which case of the code this is, as in problem documents (`MACHINE_NOT_LINKED`)',
    }),
    message: z.string(),
    errors: z.array(fieldError).optional().openapi({
      description: 'With `VALIDATION_ERROR`: what is wrong where (`payload.<field>`)',
    }),
    errorsOmitted: z.number().int().optional().openapi({
      description: 'How many field errors were left out of `errors`',
    }),
  })
  .openapi('AckError');
export type AckError = z.infer<typeof ackErrorSchema>;

/** The acknowledgement of a refused event: nothing was changed. */
export const failedAckSchema = z
  .object({ ok: z.literal(false), error: ackErrorSchema })
  .openapi('FailedAck');
export type FailedAck = z.infer<typeof failedAckSchema>;

/**
 * The `data` of a refused connection (`connect_error` on the client, whose `message` is the
 * code): clients tell "sign in again" from "retry" by it.
 */
export const connectRefusalSchema = z
  .object({
    code: z.string().openapi({
      description:
        '`UNAUTHENTICATED` (no, or no valid, credentials: sign in again or fix the key), ' +
        '`TOO_MANY_CONNECTIONS` (close another connection first), `SERVICE_UNAVAILABLE` (the ' +
        'database or Redis did not answer: retry), `NOT_FOUND` (the main namespace `/`).',
    }),
    message: z.string(),
  })
  .openapi('ConnectRefusal');
export type ConnectRefusal = z.infer<typeof connectRefusalSchema>;
