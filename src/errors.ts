/**
 * A failure the person acting should hear about, in words meant for them. `code` is stable
 * (tests, logs and API clients match on it); `message` is what a surface shows as plain text.
 * The domain throws these and never imports Slack types: each surface decides how to show them.
 * A sentence that names a person or a moment keeps them as `words` (see `say`), so that Slack
 * can mention the person and show the moment in the reader's time zone (src/slack/mrkdwn.ts)
 * while the API, the web pages and the command line get the name and a UTC time.
 */
export class AppError extends Error {
  readonly words: readonly Word[];
  constructor(
    readonly code: string,
    message: string | readonly Word[],
    options?: { cause?: unknown },
  ) {
    super(typeof message === 'string' ? message : plainWords(message), options);
    this.name = 'AppError';
    this.words = typeof message === 'string' ? [message] : message;
  }
}

/** Someone a sentence names: the stored fields a surface needs to name them its own way. */
export interface PersonWord {
  person: { slack_user_id: string | null; display_name: string | null; email: string };
}
export interface TimeWord {
  time: Date;
}
export type Word = string | PersonWord | TimeWord;

export const person = (member: PersonWord['person']): PersonWord => ({
  person: { slack_user_id: member.slack_user_id, display_name: member.display_name, email: member.email },
});
export const moment = (time: Date): TimeWord => ({ time });

/** A sentence with people and moments in it: say`${person(m)} is the last owner.` */
export function say(strings: TemplateStringsArray, ...values: ReadonlyArray<string | number | Word | readonly Word[]>): Word[] {
  const out: Word[] = [];
  strings.forEach((s, i) => {
    if (s) out.push(s);
    if (i < values.length) {
      const v = values[i]!;
      if (Array.isArray(v)) out.push(...(v as readonly Word[]));
      else out.push(typeof v === 'number' ? String(v) : (v as Word));
    }
  });
  return out;
}

/** The words as plain text: a person by name (else email), a moment in UTC. */
export function plainWords(words: readonly Word[]): string {
  return words
    .map((w) => (typeof w === 'string' ? w : 'person' in w ? (w.person.display_name ?? w.person.email) : `${w.time.toISOString().slice(0, 16).replace('T', ' ')} UTC`))
    .join('');
}

export const DATABASE_UNAVAILABLE_MESSAGE =
  "Team Manager can't reach its database right now, so nothing was changed. Please try again in a minute.";
