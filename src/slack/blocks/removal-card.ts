import type { Member, RemovalRequest } from '../../db/schema.js';
import { memberLabel, timeLabel } from '../../team/people.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import type { SlackReply } from './reply.js';

/**
 * The approval card in the approvals channel and the requester's "waiting" DM, pending and
 * closed. Buttons carry only the request's id: whether the clicker may decide is worked out
 * from the database at the click.
 */

export const REMOVAL_ACTIONS = {
  approve: 'removal.approve',
  reject: 'removal.reject',
  withdraw: 'removal.withdraw',
} as const;

export interface RemovalCardModel {
  request: RemovalRequest;
  requester: Pick<Member, 'slack_user_id' | 'display_name' | 'email'>;
  target: Pick<Member, 'slack_user_id' | 'display_name' | 'email' | 'role'>;
  decider: Pick<Member, 'slack_user_id' | 'display_name' | 'email'> | null;
  organizationName: string;
}

type Block = Record<string, unknown>;

const clip = (text: string, max: number) => ([...text].length > max ? [...text].slice(0, max - 1).join('') + '…' : text);

function quote(text: string): string {
  return '> ' + escapeMrkdwn(clip(text, 1000)).replace(/\n/g, '\n> ');
}

function targetLine(model: RemovalCardModel): string {
  const t = model.target;
  const email = t.slack_user_id || t.display_name ? ` (${escapeMrkdwn(t.email)})` : '';
  return `${memberLabel(t)}${email}, ${t.role === 'owner' ? 'an *owner*' : 'a *member*'}`;
}

function facts(model: RemovalCardModel): Block[] {
  const { request } = model;
  const blocks: Block[] = [
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Remove*\n${targetLine(model)}` },
        { type: 'mrkdwn', text: `*Requested by*\n${memberLabel(model.requester)}` },
        { type: 'mrkdwn', text: `*Requested*\n${timeLabel(request.created_at)}` },
        { type: 'mrkdwn', text: `*Expires*\n${timeLabel(request.expires_at)}` },
      ],
    },
  ];
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: request.reason ? `*Reason*\n${quote(request.reason)}` : '*Reason*\n_none given_' } });
  return blocks;
}

/** What became of a closed request, in one line: who, when, why. */
export function outcomeLine(model: RemovalCardModel): string {
  const { request } = model;
  const at = request.decided_at ? timeLabel(request.decided_at) : '';
  const by = model.decider ? memberLabel(model.decider) : 'someone';
  const why = request.decision_reason ? `\n${quote(request.decision_reason)}` : '';
  switch (request.status) {
    case 'approved':
      return `:white_check_mark: *Approved* by ${by} on ${at}. ${memberLabel(model.target)} was removed; their access ended at once.`;
    case 'rejected':
      return `:x: *Rejected* by ${by} on ${at}.${why}`;
    case 'withdrawn':
      return `:leftwards_arrow_with_hook: *Withdrawn* by ${memberLabel(model.requester)} on ${at}.`;
    case 'expired':
      return `:hourglass: *Expired* on ${at}: nobody decided in time. ${memberLabel(model.target)} is still a member.`;
    case 'cancelled':
      return `:no_entry_sign: *Cancelled* on ${at}${request.decision_reason ? `: ${escapeMrkdwn(request.decision_reason)}` : ''}.`;
    default:
      return ':hourglass_flowing_sand: Waiting for another owner to approve or reject.';
  }
}

/** The card: facts, then Approve / Reject while pending, the outcome once closed (no buttons). */
export function removalCard(model: RemovalCardModel): SlackReply {
  const pending = model.request.status === 'pending';
  const header: Block = { type: 'header', text: { type: 'plain_text', text: pending ? 'Removal waiting for approval' : 'Removal request' } };
  const blocks: Block[] = [header, ...facts(model)];
  if (pending) {
    const name = clip(model.target.display_name ?? model.target.email, 120);
    blocks.push(
      {
        type: 'actions',
        block_id: 'removal.decide',
        elements: [
          {
            type: 'button',
            action_id: REMOVAL_ACTIONS.approve,
            text: { type: 'plain_text', text: 'Approve' },
            style: 'danger',
            value: model.request.id,
            confirm: {
              title: { type: 'plain_text', text: 'Approve this removal?' },
              text: { type: 'plain_text', text: `${name} will be removed and their access will end immediately.` },
              confirm: { type: 'plain_text', text: 'Approve and remove' },
              deny: { type: 'plain_text', text: 'Cancel' },
              style: 'danger',
            },
          },
          { type: 'button', action_id: REMOVAL_ACTIONS.reject, text: { type: 'plain_text', text: 'Reject' }, value: model.request.id },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Any owner other than the requester and the person named can decide.' }] },
    );
  } else {
    blocks.push({ type: 'section', block_id: 'removal.outcome', text: { type: 'mrkdwn', text: outcomeLine(model) } });
  }
  const status = pending ? 'waiting for approval' : model.request.status;
  return { text: `Removal of ${plainName(model.target)} requested by ${plainName(model.requester)}: ${status}.`, blocks };
}

/** The requester's DM: "waiting" with Withdraw, later the outcome without it. */
export function requesterDm(model: RemovalCardModel, cardChannel: string | null): SlackReply {
  const where = cardChannel ? ` in <#${cardChannel}>` : '';
  const pending = model.request.status === 'pending';
  const headline = pending
    ? `:hourglass_flowing_sand: Your request to remove ${memberLabel(model.target)} is waiting for another owner's approval${where}. It expires ${timeLabel(model.request.expires_at)}.`
    : `Your request to remove ${memberLabel(model.target)}:`;
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: headline } }];
  if (pending) {
    blocks.push({
      type: 'actions',
      block_id: 'removal.requester',
      elements: [{ type: 'button', action_id: REMOVAL_ACTIONS.withdraw, text: { type: 'plain_text', text: 'Withdraw request' }, value: model.request.id }],
    });
  } else {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: outcomeLine(model) } });
  }
  return { text: pending ? `Your request to remove ${plainName(model.target)} is waiting for approval.` : `Your request to remove ${plainName(model.target)} was ${model.request.status}.`, blocks };
}

function plainName(member: Pick<Member, 'display_name' | 'email'>): string {
  return member.display_name ?? member.email;
}
