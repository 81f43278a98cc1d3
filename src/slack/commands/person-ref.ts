import { normaliseEmail } from '../../team/emails.js';

/** A person as typed after a slash command: a mention (escaped by Slack) or an email address. */
export type PersonRef = { kind: 'slack'; userId: string } | { kind: 'email'; email: string };

/**
 * With `should_escape: true`, Slack sends a typed `@name` as `<@U123|name>` (or `<@U123>`);
 * people also type email addresses, which Slack may wrap as `<mailto:a@b.c|a@b.c>`.
 */
export function parsePersonRef(word: string | undefined): PersonRef | undefined {
  if (!word) return undefined;
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
  if (mention) return { kind: 'slack', userId: mention[1]! };
  const mailto = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(word);
  const email = normaliseEmail(mailto ? mailto[1]! : word);
  return email ? { kind: 'email', email } : undefined;
}
