import type { AuditEvent, Member, Organization, RemovalRequest } from '../../db/schema.js';
import { findRemovalRequest, activeOwnerSlackIds } from '../../team/removal-repository.js';
import { escapeText, memberLabel, timeLabel } from '../../slack/mrkdwn.js';
import { removalCardQueue } from '../removal-cards.js';
import { fromSweep } from './directory.js';
import { restorable } from './restorable.js';
import { each, fields, text, type Renderer, type Telling } from './context.js';

/**
 * Removals and removal requests: the approval card (posted, then rewritten with the outcome),
 * the requester's and the removed person's DMs, the team channel, and the owners' Homes (each
 * owner's Home lists the open requests).
 */

/** Whether the team channel needs its own word about a request: not when the card itself sits there, where its rewrite says it. */
export function teamChannelApartFromCard(organization: Organization): boolean {
  return Boolean(organization.team_channel_id && organization.approvals_channel_id && organization.approvals_channel_id !== organization.team_channel_id);
}

async function requested(t: Telling, event: AuditEvent): Promise<void> {
  if (!event.target_id) return;
  t.queue({ task: 'removal.post-card', payload: { organizationId: t.organization.id, requestId: event.target_id }, options: { queueName: removalCardQueue(event.target_id) } });
  const [requester, target] = [await t.actor(event), await t.member(fields(event.after).target_member_id)];
  // A sweep's deactivations are counted in its summary (directory.synced); the card itself still goes to the owners.
  if (event.action === 'deactivation.requested' && target && teamChannelApartFromCard(t.organization) && !fromSweep(event)) {
    const directory = escapeText(text(fields(event.after).directory) ?? 'Slack');
    t.teamChannel(`:hourglass_flowing_sand: ${memberLabel(target)} was deactivated in ${directory}; the owners decide in <#${t.organization.approvals_channel_id}> whether they keep access.`);
  }
  if (requester && target && teamChannelApartFromCard(t.organization)) {
    const asked = event.action === 'promotion.requested' ? `asked to make ${memberLabel(target)} an owner` : `asked to remove ${memberLabel(target)}`;
    t.teamChannel(`:hourglass_flowing_sand: ${memberLabel(requester)} ${asked}; waiting for another owner's approval in <#${t.organization.approvals_channel_id}>.`);
  }
  t.homes(await activeOwnerSlackIds(t.trx, t.organization.id));
}

/**
 * A membership ended by removal: by an owner (at once, or approved on request) or by the
 * directory (deactivated in Slack). Leaving is member.left.
 */
async function removed(t: Telling, event: AuditEvent): Promise<void> {
  const target = await t.member(event.target_id);
  if (!target) return;
  const after = fields(event.after);
  t.homes([target.slack_user_id]);
  const requestId = text(after.removal_request_id);
  if (requestId) await closed(t, requestId);
  const directory = text(after.directory);
  if (directory) {
    // A sweep's removals are named in its one summary (directory.synced), not one post each.
    if (fromSweep(event)) return;
    // The reason says how the directory ended it: "deactivated in Slack", "deleted in your identity provider".
    const how = text(after.reason) ?? `deactivated in ${directory}`;
    // An owner's Remove on the "deactivated in Slack" card (setting: ask the owners) says who decided.
    const decider = await t.member(after.decided_by);
    restorable(t, `:wave: ${memberLabel(target)} was ${escapeText(how)} and removed from the team${decider ? ` by ${memberLabel(decider)}` : ''}.`, target);
    return;
  }
  const requester = await t.member(after.requested_by);
  if (!requester) return;
  const approver = (await t.member(after.approved_by)) ?? null;
  // With approval, the closed request announces it ("removed by X, approved by Y").
  if (!approver) restorable(t, `:wave: ${memberLabel(target)} was removed by ${memberLabel(requester)}.`, target);
  if (t.organization.notify_removed_member) {
    t.dm(
      target,
      `Your access to ${t.organization.name}'s team in Team Manager has ended: ${memberLabel(requester)} removed you${approver ? `, approved by ${memberLabel(approver)}` : ''}. If you think this is a mistake, ask an owner.`,
    );
  }
  t.homes([requester.slack_user_id, approver?.slack_user_id]);
}

/** A request taken out of pending (approved, rejected, withdrawn, expired, cancelled): its card rewritten, the requester and the channel told. */
async function closed(t: Telling, requestId: string): Promise<void> {
  const request = await findRemovalRequest(t.trx, t.organization.id, requestId);
  if (!request || request.status === 'pending') return;
  t.queue({ task: 'removal.update-card', payload: { organizationId: t.organization.id, requestId }, options: { queueName: removalCardQueue(requestId) } });
  const [requester, target, decider] = [await t.member(request.requested_by_member_id), await t.member(request.target_member_id), (await t.member(request.decided_by_member_id)) ?? null];
  if (request.kind === 'deactivation') {
    // No requester to tell; a removal is announced by its member.removed, a Keep where the card is not.
    if (target && request.status === 'rejected' && teamChannelApartFromCard(t.organization)) {
      t.teamChannel(`:white_check_mark: ${decider ? memberLabel(decider) : 'An owner'} kept ${memberLabel(target)} on the team although their account is deactivated in ${escapeText(request.requested_by_directory ?? 'Slack')}.`);
    }
    t.homes(await activeOwnerSlackIds(t.trx, t.organization.id));
    return;
  }
  if (!requester || !target) return;
  const words = outcomeWords(request, { requester, target, decider });
  if (words.requester && requester.status === 'active' && requester.id !== decider?.id) t.dm(requester, words.requester);
  if (words.team && request.status === 'approved') restorable(t, words.team, target);
  else if (words.team && teamChannelApartFromCard(t.organization)) t.teamChannel(words.team);
  t.homes(await activeOwnerSlackIds(t.trx, t.organization.id));
}

interface People {
  requester: Member;
  target: Member;
  decider: Member | null;
}

/** What the requester's DM and the team channel say about a closed request. Pure. */
export function outcomeWords(request: RemovalRequest, p: People): { requester?: string; team?: string } {
  if (request.kind === 'promotion') return promotionOutcomeWords(request, p);
  const target = memberLabel(p.target);
  const requester = memberLabel(p.requester);
  const decider = p.decider ? memberLabel(p.decider) : 'someone';
  const reason = request.decision_reason ? `: “${escapeText(request.decision_reason.replace(/\s+/g, ' '))}”` : '';
  switch (request.status) {
    case 'approved':
      return {
        requester: `:white_check_mark: ${decider} approved your request: ${target} was removed from the team.`,
        team: `:wave: ${target} was removed by ${requester}, approved by ${decider}.`,
      };
    case 'rejected':
      return {
        requester: `:x: ${decider} rejected your request to remove ${target}${reason}. ${target} is still a member.`,
        team: `:x: ${decider} rejected ${requester}'s request to remove ${target}.`,
      };
    case 'withdrawn':
      return { team: `${requester} withdrew the request to remove ${target}.` };
    case 'expired': {
      // The request's own span: the setting may have changed while it waited.
      const hours = Math.round((request.expires_at.getTime() - request.created_at.getTime()) / 3_600_000);
      return {
        requester: `:hourglass: Your request to remove ${target} expired: no other owner decided within ${hours} ${hours === 1 ? 'hour' : 'hours'}. ${target} is still a member.`,
        team: `:hourglass: The request to remove ${target} expired without a decision.`,
      };
    }
    case 'cancelled':
      return { requester: `Your request to remove ${target} was cancelled${reason}.` };
    default:
      return {};
  }
}

/** The same for a promotion request: approved means they are an owner now (until its end, when temporary). */
function promotionOutcomeWords(request: RemovalRequest, p: People): { requester?: string; team?: string } {
  const target = memberLabel(p.target);
  const requester = memberLabel(p.requester);
  const decider = p.decider ? memberLabel(p.decider) : 'someone';
  const until = request.owner_until ? ` until ${timeLabel(request.owner_until)}` : '';
  const reason = request.decision_reason ? `: “${escapeText(request.decision_reason.replace(/\s+/g, ' '))}”` : '';
  switch (request.status) {
    case 'approved':
      return {
        requester: `:white_check_mark: ${decider} approved your request: ${target} is now an owner${until}.`,
        team: `:key: ${target} is now an owner${until}: asked by ${requester}, approved by ${decider}.`,
      };
    case 'rejected':
      return {
        requester: `:x: ${decider} rejected your request to make ${target} an owner${reason}. ${target} is still a member.`,
        team: `:x: ${decider} rejected ${requester}'s request to make ${target} an owner.`,
      };
    case 'withdrawn':
      return { team: `${requester} withdrew the request to make ${target} an owner.` };
    case 'expired':
      return {
        requester: `:hourglass: Your request to make ${target} an owner expired: no other owner decided in time. ${target} is still a member.`,
        team: `:hourglass: The request to make ${target} an owner expired without a decision.`,
      };
    case 'cancelled':
      return { requester: `Your request to make ${target} an owner was cancelled${reason}.` };
    default:
      return {};
  }
}

const requestClosed = each(async (t, event) => {
  if (event.target_id) await closed(t, event.target_id);
});

export const removalRenderers: Record<string, Renderer> = {
  'removal.requested': each(requested),
  'member.removed': each(removed),
  'removal.rejected': requestClosed,
  'removal.withdrawn': requestClosed,
  'removal.expired': requestClosed,
  'removal.cancelled': requestClosed,
  // Promotion requests (the two-person rule) ride the same card and the same closing.
  'promotion.requested': each(requested),
  'promotion.approved': requestClosed,
  'promotion.rejected': requestClosed,
  'promotion.withdrawn': requestClosed,
  'promotion.expired': requestClosed,
  'promotion.cancelled': requestClosed,
  // Deactivated in Slack with the setting "ask the owners": the same card, Keep / Remove.
  'deactivation.requested': each(requested),
  'deactivation.kept': requestClosed,
  'deactivation.expired': requestClosed,
  'deactivation.cancelled': requestClosed,
};
