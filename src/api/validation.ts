import { z } from 'zod';
import { invalid, type FieldError } from './problem.js';

/** Parses input with a zod schema, or throws a 400 problem that names each invalid field (`detail` overrides the summary line). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, detail?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(fieldErrors(result.error), detail);
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: base ? `${base}.${key}` : key, message: 'is not a known field' });
    } else {
      errors.push({ field: base || '(body)', message: issue.message });
    }
  }
  return errors;
}

/** `limit` in a query string: digits only, 1..max, `fallback` when absent. */
export function limitParam(max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,6}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be a whole number from 1 to ${max}`).max(max, `must be a whole number from 1 to ${max}`))
    .optional()
    .transform((n) => n ?? fallback);
}

/** A query parameter given once (a repeated one arrives as an array and is refused). */
export const singleParam = z.string({ error: 'must be given once, as text' });

/**
 * An ISO 8601 date-time with a time zone (`Z` or an offset): a time without one would be
 * ambiguous. Kept as the string, so PostgreSQL compares it to the microsecond (a Date has milliseconds).
 */
export const isoTimeParam = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T09:00:00Z' });

/**
 * Opaque cursors: base64url of a small JSON value, checked with a schema on the way back in.
 * They carry only a position in a list; the organization always comes from the API key.
 */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.output<S> {
  try {
    if (!/^[A-Za-z0-9_-]{1,12000}$/.test(cursor)) throw new Error('not base64url');
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw invalid([{ field: 'cursor', message: 'is not a cursor this API returned (start again without one)' }]);
  }
}

/** A timestamp exactly as PostgreSQL has it (microseconds, UTC), so keyset cursors lose nothing. */
export const pgTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
