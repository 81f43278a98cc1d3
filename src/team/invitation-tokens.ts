import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Email-link tokens: 32 random bytes, base64url in the link, only their SHA-256 stored.
 * A database leak therefore yields no usable link; lookups go by hash.
 */
export function newInvitationToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The shape of a token we could have issued; anything else is refused before touching the database. */
export function looksLikeInvitationToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** Compares in constant time, so a response time never tells how much of a hash matched. */
export function sameHash(a: Buffer | null, b: Buffer): boolean {
  return a !== null && a.length === b.length && timingSafeEqual(a, b);
}
