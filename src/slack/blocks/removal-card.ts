import type { Member, RemovalRequest, RequestKind } from '../../db/schema.js';
import { memberLabel, timeLabel } from '../mrkdwn.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, clip, confirmDialog, context, header, mrkdwn, section, type Button, type KnownBlock } from './kit.js';
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
  /** Null when a directory raised the request (kind `deactivation`): the card names the directory. */
  requester: Pick<Member, 'slack_user_id' | 'display_name' | 'email'> | null;
  target: Pick<Member, 'slack_user_id' | 'display_name' | 'email' | 'role'>;
  decider: Pick<Member, 'slack_user_id' | 'display_name' | 'email'> | null;
  organizationName: string;
}


function quote(text: string): string {
  return '> ' + escapeMrkdwn(clip(text, 1000)).replace(/\n/g, '\n> ');
}

function targetLine(model: RemovalCardModel): string {
  const t = model.target;
  const email = t.slack_user_id || t.display_name ? ` (${escapeMrkdwn(t.email)})` : '';
  return `${memberLabel(t)}${email}, ${t.role === 'owner' ? 'an *owner*' : 'a *member*'}`;
}

const isPromotion = (model: RemovalCardModel) => model.request.kind === 'promotion';
const isDeactivation = (model: RemovalCardModel) => model.request.kind === 'deactivation';
const directoryOf = (model: RemovalCardModel) => escapeMrkdwn(model.request.requested_by_directory ?? 'Slack');

/** Who asked: the requesting member, or the directory that raised the request. */
function requesterLabel(model: RemovalCardModel): string {
  return model.requester ? memberLabel(model.requester) : directoryOf(model);
}

/** What the request asks, in the card's first field: "Remove" someone, or "Make owner" (until when). */
function askField(model: RemovalCardModel): string {
  if (isDeactivation(model)) return `*Deactivated in ${directoryOf(model)}*\n${targetLine(model)}`;
  if (!isPromotion(model)) return `*Remove*\n${targetLine(model)}`;
  const until = model.request.owner_until ? `until ${timeLabel(model.request.owner_until)}` : 'permanently';
  return `*Make owner*\n${targetLine(model)}, ${until}`;
}

function facts(model: RemovalCardModel): KnownBlock[] {
  const { request } = model;
  const fieldsBlock: KnownBlock = {
    type: 'section',
    fields: [
      mrkdwn(askField(model)),
      mrkdwn(`*${isDeactivation(model) ? 'Reported by' : 'Requested by'}*\n${requesterLabel(model)}`),
      mrkdwn(`*Requested*\n${timeLabel(request.created_at)}`),
      mrkdwn(`*Expires*\n${timeLabel(request.expires_at)}`),
    ],
  };
  // A promotion has no reason to give: the card is the facts alone.
  if (isPromotion(model)) return [fieldsBlock];
  if (isDeactivation(model)) {
    return [fieldsBlock, section(`Their account was deactivated in ${directoryOf(model)}. They keep their access here until an owner decides: *Remove* ends it at once, *Keep* leaves them on the team.`)];
  }
  return [fieldsBlock, section(request.reason ? `*Reason*\n${quote(request.reason)}` : '*Reason*\n_none given_')];
}

/** What became of a closed request, in one line: who, when, why. */
export function outcomeLine(model: RemovalCardModel): string {
  const { request } = model;
  const at = request.decided_at ? timeLabel(request.decided_at) : '';
  const by = model.decider ? memberLabel(model.decider) : 'someone';
  const why = request.decision_reason ? `\n${quote(request.decision_reason)}` : '';
  if (isDeactivation(model)) {
    if (request.status === 'approved') return `:wave: *Removed* by ${by} on ${at}. ${memberLabel(model.target)}'s access ended at once.`;
    if (request.status === 'rejected') return `:white_check_mark: *Kept* by ${by} on ${at}. ${memberLabel(model.target)} stays on the team.`;
  }
  switch (request.status) {
    case 'approved':
      return isPromotion(model)
        ? `:white_check_mark: *Approved* by ${by} on ${at}. ${memberLabel(model.target)} is an owner${model.request.owner_until ? ` until ${timeLabel(model.request.owner_until)}` : ''}.`
        : `:white_check_mark: *Approved* by ${by} on ${at}. ${memberLabel(model.target)} was removed; their access ended at once.`;
    case 'rejected':
      return `:x: *Rejected* by ${by} on ${at}.${why}`;
    case 'withdrawn':
      return `:leftwards_arrow_with_hook: *Withdrawn* by ${requesterLabel(model)} on ${at}.`;
    case 'expired':
      return `:hourglass: *Expired* on ${at}: nobody decided in time. ${memberLabel(model.target)} is still ${isPromotion(model) ? 'not an owner' : 'a member'}.`;
    case 'cancelled':
      return `:no_entry_sign: *Cancelled* on ${at}${request.decision_reason ? `: ${escapeMrkdwn(request.decision_reason)}` : ''}.`;
    default:
      return ':hourglass_flowing_sand: Waiting for another owner to approve or reject.';
  }
}

/** The card: facts, then Approve / Reject while pending, the outcome once closed (no buttons). */
export function removalCard(model: RemovalCardModel): SlackReply {
  const pending = model.request.status === 'pending';
  const what = isPromotion(model) ? 'Promotion to owner' : isDeactivation(model) ? `Deactivated in ${model.request.requested_by_directory ?? 'Slack'}` : 'Removal';
  const title = isDeactivation(model) ? (pending ? `${what}: keep or remove?` : what) : pending ? `${what} waiting for approval` : `${what} request`;
  const blocks: KnownBlock[] = [header(title), ...facts(model)];
  if (pending) {
    blocks.push(
      { type: 'actions', block_id: 'removal.decide', elements: decisionButtons(model.request.id, model.target, model.request.kind) },
      context(isDeactivation(model) ? 'Any owner other than the person named can decide.' : 'Any owner other than the requester and the person named can decide.'),
    );
  } else {
    blocks.push(section(outcomeLine(model), 'removal.outcome'));
  }
  const status = pending ? 'waiting for approval' : model.request.status;
  if (isDeactivation(model)) {
    const outcome = pending ? 'keep or remove?' : model.request.status === 'approved' ? 'removed' : model.request.status === 'rejected' ? 'kept' : model.request.status;
    return { text: `${plainName(model.target)} was deactivated in ${model.request.requested_by_directory ?? 'Slack'}: ${outcome}.`, blocks };
  }
  return { text: `${what} of ${plainName(model.target)} requested by ${model.requester ? plainName(model.requester) : 'the directory'}: ${status}.`, blocks };
}

/** The requester's DM: "waiting" with Withdraw, later the outcome without it. */
export function requesterDm(model: RemovalCardModel, cardChannel: string | null): SlackReply {
  const where = cardChannel ? ` in <#${cardChannel}>` : '';
  const pending = model.request.status === 'pending';
  const ask = isPromotion(model) ? (name: string) => `make ${name} an owner` : (name: string) => `remove ${name}`;
  const headline = pending
    ? `:hourglass_flowing_sand: Your request to ${ask(memberLabel(model.target))} is waiting for another owner's approval${where}. It expires ${timeLabel(model.request.expires_at)}.`
    : `Your request to ${ask(memberLabel(model.target))}:`;
  const blocks: KnownBlock[] = [section(headline)];
  if (pending) {
    blocks.push({ type: 'actions', block_id: 'removal.requester', elements: [withdrawButton(model.request.id)] });
  } else {
    blocks.push(section(outcomeLine(model)));
  }
  return { text: pending ? `Your request to ${ask(plainName(model.target))} is waiting for approval.` : `Your request to ${ask(plainName(model.target))} was ${model.request.status}.`, blocks };
}

/**
 * Approve (behind Slack's confirm dialog: it ends someone's access) and Reject. The approval
 * card and the owners' App Home share them, so one set of handlers serves both; the buttons
 * carry only the request's id.
 */
export function decisionButtons(requestId: string, target: Pick<Member, 'display_name' | 'email'>, kind: RequestKind = 'removal'): Button[] {
  const name = clip(target.display_name ?? target.email, 120);
  if (kind === 'deactivation') {
    // Approve removes, Reject keeps: the same two decisions as any request, named for what they do here.
    return [
      button(REMOVAL_ACTIONS.approve, 'Remove', requestId, {
        style: 'danger',
        confirm: confirmDialog({
          title: 'Remove this person?',
          text: `${name} will be removed and their access will end immediately.`,
          confirm: 'Remove',
          deny: 'Cancel',
          style: 'danger',
        }),
      }),
      button(REMOVAL_ACTIONS.reject, 'Keep', requestId, { style: 'primary' }),
    ];
  }
  if (kind === 'promotion') {
    return [
      button(REMOVAL_ACTIONS.approve, 'Approve', requestId, {
        style: 'primary',
        confirm: confirmDialog({
          title: 'Approve this promotion?',
          text: `${name} will become an owner: they can invite, remove people and change settings.`,
          confirm: 'Approve',
          deny: 'Cancel',
        }),
      }),
      button(REMOVAL_ACTIONS.reject, 'Reject', requestId),
    ];
  }
  return [
    button(REMOVAL_ACTIONS.approve, 'Approve', requestId, {
      style: 'danger',
      confirm: confirmDialog({
        title: 'Approve this removal?',
        text: `${name} will be removed and their access will end immediately.`,
        confirm: 'Approve and remove',
        deny: 'Cancel',
        style: 'danger',
      }),
    }),
    button(REMOVAL_ACTIONS.reject, 'Reject', requestId),
  ];
}

export function withdrawButton(requestId: string): Button {
  return button(REMOVAL_ACTIONS.withdraw, 'Withdraw request', requestId);
}

function plainName(member: Pick<Member, 'display_name' | 'email'>): string {
  return member.display_name ?? member.email;
}
