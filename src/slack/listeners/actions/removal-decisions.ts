import type { AllMiddlewareArgs, App, BlockButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Organization } from '../../../db/schema.js';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { findMemberById } from '../../../team/member-repository.js';
import { memberLabel } from '../../mrkdwn.js';
import { checkRemovalDecision, decideRemoval, type RemovalDecision } from '../../../team/removals.js';
import { REMOVAL_ACTIONS } from '../../blocks/removal-card.js';
import { rejectRemovalModal } from '../../blocks/reject-removal-modal.js';
import type { Notice } from '../../blocks/team-page.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';
import { renderRememberedHome } from '../../home/home-view.js';
import { slackMessage, slackWords } from '../../mrkdwn.js';

/**
 * Approve, Reject and Withdraw on a removal request: on the card in the approvals channel, in
 * the requester's DM and on owners' App Home. The button's value only names the request; the
 * service decides, from the database at the moment of the click, whether this clicker may take
 * this decision and whether it is still open. A double click, Slack's retry or a second owner
 * arriving late all find the request decided and get the service's sentence ("already
 * approved by …"), shown to them alone; nothing changes.
 *
 * Where the answer goes: on a message (card or DM) an ephemeral reply to the clicker through
 * the response_url, so the channel sees nothing but the card's own rewrite (done by the
 * `removal.update-card` job the service queued). On the App Home the Home is published again
 * with the answer at the top, as the Home's other buttons do; after a decision the service's
 * refresh jobs republish every owner's Home too, so the Home is right whichever lands last (at
 * worst the notice is dropped and the request has simply left "Waiting for approval"). A DM per
 * click was rejected as noise: the card, the requester's DM and the team channel already keep
 * the durable record of who decided.
 */

const payloadSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  channel: z.object({ id: z.string().min(1) }).nullish(),
  view: z.object({ type: z.string() }).nullish(),
  actions: z.array(z.object({ value: z.string().nullish() })).min(1),
});

type Surface = { kind: 'home' } | { kind: 'message'; respond: RespondFn } | { kind: 'channel'; channelId: string } | { kind: 'dm' };

interface Clicked {
  userId: string;
  triggerId: string | undefined;
  requestId: string;
  organization: Organization;
  surface: Surface;
  client: WebClient;
}

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function registerRemovalDecisionActions(app: App, deps: SlackDeps): void {
  /** Ack at once (Slack waits 3 s), parse, then work out where the click came from. */
  const on = (actionId: string, handle: (clicked: Clicked) => Promise<void>) =>
    app.action<BlockButtonAction>(actionId, async ({ ack, body, respond, context, client }: Args) => {
      await ack();
      const payload = payloadSchema.parse(body);
      const surface: Surface =
        payload.view?.type === 'home'
          ? { kind: 'home' }
          : payload.response_url
            ? { kind: 'message', respond }
            : payload.channel
              ? { kind: 'channel', channelId: payload.channel.id }
              : { kind: 'dm' };
      await handle({
        userId: payload.user.id,
        triggerId: payload.trigger_id,
        requestId: payload.actions[0]!.value ?? '',
        organization: organizationOf(context),
        surface,
        client,
      });
    });

  /** Tells the clicker alone, where they clicked. */
  async function tell(c: Clicked, notice: Notice): Promise<void> {
    switch (c.surface.kind) {
      case 'home': {
        const viewer = await resolveActingMember(deps.db, c.organization.id, c.userId, deps.peopleFor(c.organization.id));
        const view = await renderRememberedHome(deps.db, c.organization, viewer, c.userId, notice);
        await c.client.views.publish({ user_id: c.userId, view: view });
        return;
      }
      case 'message':
        await c.surface.respond({ response_type: 'ephemeral', replace_original: false, text: notice.text });
        return;
      case 'channel':
        await c.client.chat.postEphemeral({ channel: c.surface.channelId, user: c.userId, text: notice.text });
        return;
      case 'dm':
        await c.client.chat.postMessage({ channel: c.userId, text: notice.text });
        return;
    }
  }

  /** One decision by the clicker, as the database has them now; a refusal is only theirs to see. */
  async function decideAndTell(c: Clicked, decision: Exclude<RemovalDecision, 'reject'>): Promise<void> {
    const actor = await resolveActingMember(deps.db, c.organization.id, c.userId, deps.peopleFor(c.organization.id));
    let notice: Notice;
    try {
      const { target, request } = await decideRemoval(deps.db, {
        organizationId: c.organization.id,
        actorMemberId: actor?.id ?? null,
        requestId: c.requestId,
        decision,
        source: 'slack',
      });
      const promotion = request.kind === 'promotion';
      notice =
        decision === 'approve' && request.kind === 'deactivation'
          ? { kind: 'success', text: `:white_check_mark: You removed ${memberLabel(target)}: their access has ended.` }
          : decision === 'approve'
          ? {
              kind: 'success',
              text: promotion
                ? `:white_check_mark: You approved the promotion: ${memberLabel(target)} is now an owner.`
                : `:white_check_mark: You approved the removal: ${memberLabel(target)} was removed and their access has ended.`,
            }
          : {
              kind: 'success',
              text: promotion
                ? `:leftwards_arrow_with_hook: You withdrew your request to make ${memberLabel(target)} an owner.`
                : `:leftwards_arrow_with_hook: You withdrew your request to remove ${memberLabel(target)}. They are still a member.`,
            };
    } catch (err) {
      // RemovalDecisionRefusedError (not allowed, already decided) and the other refusals (last owner, no such request).
      if (!(err instanceof AppError)) throw err;
      notice = { kind: 'error', text: slackMessage(err) };
    }
    await tell(c, notice);
  }

  /** Keep (a rejection of a deactivation request): audited, the request closed, the card rewritten by its job. */
  async function keep(c: Clicked, actorMemberId: string | null): Promise<void> {
    let notice: Notice;
    try {
      const { target } = await decideRemoval(deps.db, { organizationId: c.organization.id, actorMemberId, requestId: c.requestId, decision: 'reject', source: 'slack' });
      notice = { kind: 'success', text: `:white_check_mark: You kept ${memberLabel(target)}: they stay on the team although their Slack account is deactivated.` };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      notice = { kind: 'error', text: slackMessage(err) };
    }
    await tell(c, notice);
  }

  on(REMOVAL_ACTIONS.approve, (c) => decideAndTell(c, 'approve'));
  on(REMOVAL_ACTIONS.withdraw, (c) => decideAndTell(c, 'withdraw'));

  /**
   * Reject needs a reason, typed in a dialog. Whether the clicker could reject is asked first
   * (changing nothing), so nobody types a reason only to be refused; the submission decides
   * for real (src/slack/listeners/views/reject-removal.ts). The trigger_id lasts 3 s: the
   * check is a few indexed reads.
   */
  on(REMOVAL_ACTIONS.reject, async (c) => {
    const actor = await resolveActingMember(deps.db, c.organization.id, c.userId, deps.peopleFor(c.organization.id));
    let check;
    try {
      check = await checkRemovalDecision(deps.db, {
        organizationId: c.organization.id,
        actorMemberId: actor?.id ?? null,
        requestId: c.requestId,
        decision: 'reject',
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return tell(c, { kind: 'error', text: slackMessage(err) });
    }
    if (check.refusal) return tell(c, { kind: 'error', text: slackWords(check.refusal) });
    // Keep on a deactivation reported by Slack: no reason to type, decided at the click.
    if (check.request.kind === 'deactivation') return keep(c, actor?.id ?? null);
    if (!c.triggerId) return; // Slack always sends one with a click; without it no dialog can open.
    const requester = (await findMemberById(deps.db, c.organization.id, check.request.requested_by_member_id!))!;
    await c.client.views.open({
      trigger_id: c.triggerId,
      view: rejectRemovalModal({ requestId: check.request.id, requester, target: check.target, kind: check.request.kind }),
    });
  });
}
