import { AppError } from '../errors.js';

/**
 * How long a temporary owner stays one: "4h", "1d", "7d", an ISO time or "YYYY-MM-DD HH:MM"
 * (UTC). Parsed here, in the domain, so every surface (the command, the Home, the API) reads
 * the same words the same way and gets the same refusals.
 */

const HOUR_MS = 60 * 60 * 1000;
/** The longest a temporary ownership may run: beyond a quarter, a permanent owner is what is meant. */
export const MAX_OWNER_TERM_DAYS = 90;

const DURATION = /^(\d{1,4})\s*(h|hours?|d|days?|w|weeks?)$/i;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The end of an ownership from what was typed, relative to `now`; throws a sentence saying what is accepted. */
export function parseOwnerTerm(text: string, now: Date): Date {
  const typed = text.trim();
  const duration = DURATION.exec(typed);
  let until: Date;
  if (duration) {
    const n = Number(duration[1]);
    const unit = duration[2]!.toLowerCase()[0];
    const hours = unit === 'h' ? n : unit === 'd' ? n * 24 : n * 24 * 7;
    until = new Date(now.getTime() + hours * HOUR_MS);
  } else {
    const m = DATE_TIME.exec(typed);
    if (!m) throw unreadable(typed);
    const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
    until = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone ?? 'Z'}`);
    if (Number.isNaN(until.getTime()) || until.getUTCDate() !== Number(d) && !zone) throw unreadable(typed);
  }
  checkOwnerTerm(until, now);
  return until;
}

/** Refuses an end that has passed or lies too far ahead (however it was given). */
export function checkOwnerTerm(until: Date, now: Date): void {
  if (until.getTime() <= now.getTime()) {
    throw new AppError('owner_until_past', `An ownership cannot end in the past (${until.toISOString().slice(0, 16).replace('T', ' ')} UTC has passed). Give a later time, or a duration such as \`4h\` or \`7d\`.`);
  }
  if (until.getTime() > now.getTime() + MAX_OWNER_TERM_DAYS * 24 * HOUR_MS) {
    throw new AppError('owner_until_too_far', `A temporary ownership can last at most ${MAX_OWNER_TERM_DAYS} days. For longer, make them a permanent owner (leave out "for …").`);
  }
}

function unreadable(typed: string): AppError {
  const shown = [...typed].slice(0, 40).join('');
  return new AppError('owner_until_unreadable', `"${shown}" is not a time. Use a duration such as \`4h\`, \`1d\` or \`7d\`, or a date and time in UTC such as \`2026-12-24 15:00\`.`);
}
