import { normaliseEmail } from './emails.js';

/** Pure rules of invitations: parsing what an owner typed, and why an address is refused. */

export const MAX_ADDRESSES_PER_SUBMISSION = 50;
export const RESEND_COOLDOWN_SECONDS = 60;
export const RESENDS_PER_DAY = 5;

export type RefusalReason = 'invalid' | 'already_member' | 'already_pending' | 'domain_not_allowed' | 'daily_limit' | 'duplicate';

export interface Refusal {
  /** As typed, so the owner recognises it. */
  input: string;
  reason: RefusalReason;
  message: string;
}

/** Splits on commas, semicolons, whitespace and newlines; drops empties. */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** An email is allowed when the list is empty or its domain (or a parent domain) is listed. */
export function domainAllowed(email: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const domain = domainOf(email);
  return allowed.some((d) => domain === d || domain.endsWith(`.${d}`));
}

export interface AddressCheckContext {
  allowedDomains: readonly string[];
  activeMemberEmails: ReadonlySet<string>;
  pendingEmails: ReadonlySet<string>;
  /** How many more invitations the organization may send in the current 24 h. */
  remainingToday: number;
}

/**
 * Sorts typed addresses into the ones to invite (normalised) and the refused ones, each
 * refusal with a sentence naming the address and the reason.
 */
export function checkAddresses(inputs: readonly string[], ctx: AddressCheckContext): { accepted: string[]; refused: Refusal[] } {
  const accepted: string[] = [];
  const refused: Refusal[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const email = normaliseEmail(input);
    const refuse = (reason: RefusalReason, message: string) => refused.push({ input, reason, message });
    if (!email) refuse('invalid', `${input} is not a valid email address`);
    else if (seen.has(email)) refuse('duplicate', `${email} is listed twice`);
    else if (ctx.activeMemberEmails.has(email)) refuse('already_member', `${email} is already a member of the team`);
    else if (ctx.pendingEmails.has(email)) refuse('already_pending', `${email} already has a pending invitation (use Resend in /team pending)`);
    else if (!domainAllowed(email, ctx.allowedDomains)) refuse('domain_not_allowed', `${email}: the domain ${domainOf(email)} is not in the allowed domains (${ctx.allowedDomains.join(', ')})`);
    else if (accepted.length >= ctx.remainingToday) refuse('daily_limit', `${email}: the team's daily invitation limit is reached`);
    else accepted.push(email);
    if (email) seen.add(email);
  }
  return { accepted, refused };
}
