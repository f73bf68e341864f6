import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { MAX_FIELD_ERRORS, type FieldError, type FieldErrorList } from './errors.js';

// Schemas import z from here so `.openapi()` is always available, whatever loads first.
extendZodWithOpenApi(z);

export { z };

/**
 * The one way a Zod failure becomes field errors, for HTTP problems, socket acks, outgoing
 * service requests and answers, and job data alike: `{ path, message }` entries, the path
 * prefixed with where the value came from (`body`, `query`, `payload`), each unknown key its
 * own "unknown field" entry. Only the first `limit` entries are built; the rest are counted,
 * so a body with thousands of bad keys costs no more than one with a few.
 */
export function fieldErrorsOf(
  error: z.ZodError,
  location?: string,
  limit = MAX_FIELD_ERRORS,
): FieldErrorList {
  const errors: FieldError[] = [];
  let omitted = 0;
  const add = (path: string, message: string) => {
    if (errors.length < limit) errors.push({ path, message });
    else omitted++;
  };
  for (const issue of error.issues) {
    const segments = issue.path.map(String);
    const base = (location === undefined ? segments : [location, ...segments]).join('.');
    if (issue.code === 'unrecognized_keys') {
      const room = Math.max(0, limit - errors.length);
      for (const key of issue.keys.slice(0, room))
        add(base ? `${base}.${key}` : key, 'unknown field');
      omitted += issue.keys.length - Math.min(room, issue.keys.length);
    } else {
      add(base || '(root)', issue.message);
    }
  }
  return { errors, omitted };
}
