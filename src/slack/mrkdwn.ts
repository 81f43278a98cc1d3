import type { Member } from '../db/schema.js';
import type { AppError, Word } from '../errors.js';

/**
 * Escapes text a person typed before it goes into a Slack message, so that `<!channel>`,
 * `<@U123>` or `<https://evil|click>` are shown literally instead of pinging or linking.
 * Slack's rule: only &, < and > need escaping.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shows user input as inline code; backticks would end the span, so they are swapped out. */
export function codeSpan(text: string): string {
  return '`' + escapeMrkdwn(text.replace(/`/g, 'ˋ')) + '`';
}

/** How a member is named in messages: their Slack mention when linked (Slack shows the current name), else name or email. */
export function memberLabel(member: Pick<Member, 'slack_user_id' | 'display_name' | 'email'>): string {
  if (member.slack_user_id) return `<@${member.slack_user_id}>`;
  return escapeMrkdwn(member.display_name ?? member.email);
}

/** The same as escapeMrkdwn, under the name the message builders have always used. */
export const escapeText = escapeMrkdwn;

/** A moment as Slack shows it in each reader's own time zone, with a UTC fallback. */
export function timeLabel(date: Date): string {
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} at {time}|${date.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}

/** A domain sentence (src/errors.ts words) in mrkdwn: people as mentions, moments in the reader's time zone. */
export function slackWords(words: readonly Word[]): string {
  return words.map((w) => (typeof w === 'string' ? w : 'person' in w ? memberLabel(w.person) : timeLabel(w.time))).join('');
}

/** What Slack shows for a refusal: its words in mrkdwn. */
export function slackMessage(err: AppError): string {
  return slackWords(err.words);
}
