import { causeChain } from '../lib/errors.js';

const UNIQUE_VIOLATION = '23505';

/**
 * The violated unique constraint's name ('' if unnamed), or undefined for other errors, so a
 * service can turn the database's verdict on a race into a precise conflict.
 */
export function uniqueViolation(error: unknown): string | undefined {
  for (const { code, constraint } of causeChain(error)) {
    if (code === UNIQUE_VIOLATION) return typeof constraint === 'string' ? constraint : '';
  }
  return undefined;
}

// foreign_key_violation, and restrict_violation for ON DELETE RESTRICT.
const REFERENCE_VIOLATIONS = new Set(['23503', '23001']);

/** Whether the error is a foreign-key violation (a row still referenced, or a missing parent). */
export function isForeignKeyViolation(error: unknown): boolean {
  for (const { code } of causeChain(error)) if (REFERENCE_VIOLATIONS.has(String(code))) return true;
  return false;
}
