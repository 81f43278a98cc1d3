import type { Member, RemovalRequest } from '../../db/schema.js';
import { memberLabel, timeLabel } from '../mrkdwn.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { context, divider, header, section, type KnownBlock } from './kit.js';
import { decisionButtons, withdrawButton } from './removal-card.js';

/**
 * The App Home's "Waiting for approval" section for owners: open removal requests with the
 * buttons this viewer could use — Approve (behind a confirm dialog) and Reject on requests
 * they neither made nor are the subject of, Withdraw on their own. The buttons carry only the
 * request's id and share the approval card's action ids, so one set of handlers serves both;
 * whoever clicks is checked against the database at the click.
 *
 * Size: 2 blocks a request (text, buttons) plus a divider, a header and a context line:
 * at most 3 + 2 × HOME_REMOVALS_LIMIT = 13 blocks.
 */

export const HOME_REMOVALS_LIMIT = 5;


export interface OpenRemovalRow {
  request: Pick<RemovalRequest, 'id' | 'reason' | 'created_at' | 'expires_at' | 'requested_by_member_id' | 'target_member_id'> &
    Partial<Pick<RemovalRequest, 'kind' | 'owner_until' | 'requested_by_directory'>>;
  /** Null when a directory (Slack) raised the request. */
  requester: Pick<Member, 'id' | 'slack_user_id' | 'display_name' | 'email'> | null;
  target: Pick<Member, 'id' | 'slack_user_id' | 'display_name' | 'email' | 'role'>;
}

/**
 * Budgets, in characters after escaping (which can grow `&` fivefold), so that a request's text
 * stays under a section's 3,000 whatever people typed: name + email + reason ≤ 2,400.
 */
const MAX_NAME_SHOWN = 500;
const MAX_EMAIL_SHOWN = 500;
const MAX_REASON_SHOWN = 1400;

/** Escaped for mrkdwn, then cut at a whole character (never inside `&amp;`) to at most `max` characters. */
function escapedClip(text: string, max: number): string {
  const whole = escapeMrkdwn(text);
  if ([...whole].length <= max) return whole;
  let out = '';
  let length = 0;
  for (const char of text) {
    const piece = escapeMrkdwn(char);
    const n = [...piece].length;
    if (length + n > max - 1) break;
    out += piece;
    length += n;
  }
  return out + '…';
}

function targetText(target: OpenRemovalRow['target']): string {
  const email = escapedClip(target.email, MAX_EMAIL_SHOWN);
  const name = target.display_name ? `${escapedClip(target.display_name, MAX_NAME_SHOWN)} (${email})` : email;
  return `*${name}*, ${target.role === 'owner' ? 'an owner' : 'a member'}`;
}

/**
 * The section, or nothing when no request is open. `rows` may hold one more than the limit:
 * then the section says there are more (the approvals channel has every card).
 */
export function openRemovalsSection(rows: readonly OpenRemovalRow[], viewerMemberId: string): KnownBlock[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, HOME_REMOVALS_LIMIT);
  const blocks: KnownBlock[] = [divider(), header('Waiting for approval')];
  for (const { request, requester, target } of shown) {
    const yours = request.requested_by_member_id === viewerMemberId;
    const aboutYou = request.target_member_id === viewerMemberId;
    const promotion = request.kind === 'promotion';
    const deactivation = request.kind === 'deactivation';
    const directory = escapeMrkdwn(request.requested_by_directory ?? 'Slack');
    const lines = [
      promotion
        ? `Make ${targetText(target)} an owner${request.owner_until ? ` until ${timeLabel(request.owner_until)}` : ''}`
        : deactivation
          ? `${targetText(target)} was deactivated in ${directory}: keep or remove?`
          : `Remove ${targetText(target)}`,
      `${deactivation ? 'Reported' : 'Asked'} by ${yours ? 'you' : requester ? memberLabel(requester) : directory} ${timeLabel(request.created_at)} · expires ${timeLabel(request.expires_at)}`,
      ...(promotion || deactivation ? [] : [request.reason ? `> ${escapedClip(request.reason.replace(/\s+/g, ' '), MAX_REASON_SHOWN)}` : '_No reason given._']),
    ];
    if (aboutYou && !yours) lines.push('_This request is about you, so another owner decides it._');
    blocks.push(section(lines.join('\n'), `removal|${request.id}`));
    const elements = yours ? [withdrawButton(request.id)] : aboutYou ? [] : decisionButtons(request.id, target, request.kind);
    if (elements.length > 0) blocks.push({ type: 'actions', block_id: `removal-actions|${request.id}`, elements });
  }
  const more = rows.length > HOME_REMOVALS_LIMIT ? `Showing the ${HOME_REMOVALS_LIMIT} oldest; more are waiting in the approvals channel. ` : '';
  blocks.push(context(`${more}Any owner other than the requester and the person named can approve or reject.`));
  return blocks;
}
