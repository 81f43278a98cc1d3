import { z } from 'zod';
import type { AccessReviewState, ReviewRow } from '../../activity/access-review.js';
import { memberLabel, timeLabel } from '../mrkdwn.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, context, header, section, type KnownBlock } from './kit.js';
import { personText } from './remove-modal.js';
import type { SlackReply } from './reply.js';

/**
 * The access review digest in the approvals channel: who has not signed in for the threshold,
 * each with Keep and Remove while undecided, and who decided what once decided. Pure: the same
 * state always gives the same message, so the post and every rewrite after a decision say the
 * same thing about the same rows, in the same order. Buttons name the review and the member;
 * whether the clicker may decide is worked out from the database at the click.
 */

export const ACCESS_REVIEW_ACTIONS = {
  keep: 'access_review.keep',
  remove: 'access_review.remove',
} as const;

/** Undecided rows with buttons in one message; the rest are counted ("and N more"). */
export const MAX_UNDECIDED_ROWS = 20;
/** Slack's ceiling on blocks in a message. */
const MAX_BLOCKS = 50;


/** A button's value: which review, which member; never who may click it. */
export function reviewButtonValue(reviewId: string, memberId: string): string {
  return `${reviewId}:${memberId}`;
}

const valueSchema = z.tuple([z.uuid(), z.uuid()]);

export function parseReviewButtonValue(value: string | null | undefined): { reviewId: string; memberId: string } | undefined {
  const parsed = valueSchema.safeParse((value ?? '').split(':'));
  return parsed.success ? { reviewId: parsed.data[0], memberId: parsed.data[1] } : undefined;
}

/** A day as Slack shows it in each reader's time zone, with the UTC date as fallback. */
function dayLabel(date: Date): string {
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty}|${date.toISOString().slice(0, 10)}>`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function facts(row: ReviewRow): string {
  const m = row.member;
  const role = m.role === 'owner' ? 'Owner' : 'Member';
  const seen = m.last_sign_in_at ? `last signed in ${dayLabel(m.last_sign_in_at)}` : `never signed in (joined ${dayLabel(m.joined_at)})`;
  // Not a sign-in, but worth knowing before deciding: they still use Team Manager in Slack.
  const slack = m.last_slack_activity_at ? ` · active in Slack ${dayLabel(m.last_slack_activity_at)}` : '';
  return `${personText(m)} · ${role} · ${seen}${slack}`;
}

function outcome(row: ReviewRow): string | undefined {
  const by = row.decider ? memberLabel(row.decider) : 'an owner';
  const at = row.decidedAt ? ` on ${timeLabel(row.decidedAt)}` : '';
  if (row.decision === 'keep') return `:white_check_mark: Kept by ${by}${at}`;
  if (row.decision === 'remove') {
    return row.member.status === 'removed'
      ? `:wave: Removal started by ${by}${at}; removed${row.member.removed_at ? ` ${dayLabel(row.member.removed_at)}` : ''}`
      : `:hourglass_flowing_sand: Removal started by ${by}${at}`;
  }
  if (row.member.status === 'removed') return `:no_entry_sign: No longer a member${row.member.removed_at ? ` (removed ${dayLabel(row.member.removed_at)})` : ''}`;
  return undefined;
}

function rowBlocks(state: AccessReviewState, row: ReviewRow): KnownBlock[] {
  const rowId = `access_review.row.${row.member.id}`;
  const done = outcome(row);
  if (done) return [section(`${facts(row)}\n${done}`, rowId)];
  if (state.replacedAt) return [section(`${facts(row)}\n_Not decided here_`, rowId)];
  const value = reviewButtonValue(state.review.id, row.member.id);
  return [
    section(facts(row), rowId),
    {
      type: 'actions',
      block_id: `access_review.decide.${row.member.id}`,
      elements: [
        button(ACCESS_REVIEW_ACTIONS.keep, 'Keep', value, { style: 'primary' }),
        // No confirm dialog: Remove opens the Remove dialog, which is the confirmation.
        button(ACCESS_REVIEW_ACTIONS.remove, 'Remove', value, { style: 'danger' }),
      ],
    },
  ];
}

/**
 * The digest. Rows in the review's stable order; an undecided row is two blocks (facts, then
 * Keep / Remove), a decided one a single block saying who decided and when. Rows are added
 * while the message stays within Slack's 50 blocks and at most 20 rows have buttons, so as
 * decisions shrink rows, later members come into view; the rest are counted at the bottom.
 */
export function accessReviewDigest(state: AccessReviewState): SlackReply {
  const { review } = state;
  const days = plural(review.threshold_days, 'day');
  const team = escapeMrkdwn(state.organizationName);
  const blocks: KnownBlock[] = [header('Access review')];

  // Not posted by the review job (an empty review posts nothing), but a digest must say something.
  if (state.rows.length === 0) {
    blocks.push(section(`:white_check_mark: Everyone on ${team}'s team has signed in within the last ${days}. Nothing to review.`, 'access_review.summary'));
    return { text: `Access review: everyone has signed in within the last ${days}.`, blocks };
  }

  const count = plural(state.rows.length, 'member');
  const summary = state.replacedAt
    ? `This review of ${count} who had not signed in for ${days} was closed on ${timeLabel(state.replacedAt)} by the next review, which lists whoever is still inactive.`
    : `${state.rows.length === 1 ? '*1 member* has' : `*${count}* have`} not signed in to ${team}'s team for *${days}* or more. ` +
      '*Keep* the ones who still need access; *Remove* opens the Remove dialog.';
  blocks.push(section(summary, 'access_review.summary'));

  // Header, summary and the closing context are always there.
  const budget = MAX_BLOCKS - blocks.length - 1;
  const rows: KnownBlock[] = [];
  let undecidedShown = 0;
  let shown = 0;
  for (const row of state.rows) {
    const next = rowBlocks(state, row);
    const undecided = next.some((b) => b.type === 'actions');
    if (rows.length + next.length > budget || (undecided && undecidedShown === MAX_UNDECIDED_ROWS)) break;
    rows.push(...next);
    shown += 1;
    if (undecided) undecidedShown += 1;
  }
  blocks.push(...rows);

  const hidden = state.rows.length - shown;
  const notes: string[] = [];
  if (hidden > 0) notes.push(`…and ${plural(hidden, 'more member')} not shown here (see \`/team list\`); whoever is left undecided is listed again in the next review.`);
  notes.push(`Inactive: no sign-in reported for ${days} (or never, counting from joining). Kept members are not listed again for ${days}.`);
  blocks.push(context(...notes));

  const decided = state.rows.filter((r) => r.decision !== null).length;
  const text = state.replacedAt
    ? `Access review of ${count}: replaced by a newer review.`
    : `Access review: ${count} ${state.rows.length === 1 ? 'has' : 'have'} not signed in for ${days}` + (decided > 0 ? ` (${decided} decided).` : '.');
  return { text, blocks };
}
