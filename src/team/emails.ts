import { z } from 'zod';

const emailSchema = z.email();

/** Trimmed and lower-cased, as stored; undefined when it is not an email address. */
export function normaliseEmail(input: string): string | undefined {
  const email = input.trim().toLowerCase();
  return emailSchema.safeParse(email).success ? email : undefined;
}
