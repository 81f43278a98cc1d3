import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { decide } from '../../../team/policy.js';
import { changeEndpoint, deleteEndpoint, findEndpoint, rotateSecret, type WebhookDeps } from '../../../webhooks/endpoints.js';
import { secretBox } from '../../../webhooks/signing.js';
import { systemResolver } from '../../../webhooks/ssrf.js';
import { organizationOf } from '../../context.js';
import { ADD_WEBHOOK_ACTION, WEBHOOK_ACTIONS, WEBHOOK_DIALOG_ACTIONS } from '../../blocks/webhooks.js';
import { addWebhookModal, redeliverModal } from '../../blocks/webhook-modal.js';
import { webhooksPage } from '../../webhooks-page.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

type Act = keyof typeof WEBHOOK_ACTIONS;

/**
 * Pause, Resume, Rotate secret and Delete on the `/team webhooks` message. The button names the
 * endpoint; whether the clicker may change it is the service's decision, from the database.
 * The message is redrawn in place with the outcome; a rotated secret is shown there once.
 */
export function registerWebhookActions(app: App, deps: SlackDeps): void {
  const webhooks: WebhookDeps = { db: deps.db, ...(deps.webhooks ?? { box: secretBox(undefined), urls: { production: false, resolve: systemResolver } }) };
  const handle =
    (act: Act) =>
    async ({ ack, body, action, context, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
      await ack();
      const organization = organizationOf(context);
      const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
      const input = { organizationId: organization.id, actor: { kind: 'member' as const, memberId: actor?.id ?? null }, source: 'slack' as const, endpointId: action.value ?? '' };
      let notice: string;
      try {
        if (act === 'pause' || act === 'resume') {
          const endpoint = await changeEndpoint(webhooks, { ...input, change: { status: act === 'pause' ? 'paused' : 'active' } });
          notice = act === 'pause' ? `Paused ${endpoint.url}: it gets nothing until resumed.` : `Resumed ${endpoint.url}: what is new goes out again.`;
        } else if (act === 'rotate') {
          const { secret } = await rotateSecret(webhooks, input);
          notice = `:key: New signing secret (shown only now; the old one keeps signing for 24 hours):\n\`${secret}\``;
        } else {
          await deleteEndpoint(webhooks, input);
          notice = 'Deleted the endpoint.';
        }
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        notice = `:warning: ${slackMessage(err)}`;
      }
      await respond({ replace_original: true, ...(await webhooksPage(deps.db, organization, actor, notice)) });
    };
  for (const act of Object.keys(WEBHOOK_ACTIONS) as Act[]) app.action<BlockButtonAction>(WEBHOOK_ACTIONS[act], handle(act));
  // The dialog first (trigger_id lives 3 s); whether the submitter may add is decided on submit.
  app.action<BlockButtonAction>(ADD_WEBHOOK_ACTION, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: addWebhookModal() });
  });
  // Edit and Redeliver show the endpoint's URL and events, so the clicker is checked before the
  // dialog opens (a forged click by a member learns nothing); the change itself is decided again on submit.
  for (const [act, actionId] of Object.entries(WEBHOOK_DIALOG_ACTIONS)) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, context, client, respond }) => {
      await ack();
      const organization = organizationOf(context);
      const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
      const allowed = decide(actor, 'settings.change', organization.id);
      const endpoint = allowed.allowed ? await findEndpoint(deps.db, organization.id, action.value ?? '') : undefined;
      if (!endpoint) {
        await respond({ replace_original: true, ...(await webhooksPage(deps.db, organization, actor, `:warning: ${allowed.reason ?? 'There is no such webhook endpoint in this team.'}`)) });
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: act === 'edit' ? addWebhookModal(endpoint) : redeliverModal(endpoint) });
    });
  }
}
