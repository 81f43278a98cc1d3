import type { App, ViewSubmitAction } from '@slack/bolt';
import { ZodError } from 'zod';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { createEndpoint, WebhookError } from '../../../webhooks/endpoints.js';
import { secretBox } from '../../../webhooks/signing.js';
import { systemResolver } from '../../../webhooks/ssrf.js';
import { organizationOf } from '../../context.js';
import { ADD_WEBHOOK_BLOCKS, ADD_WEBHOOK_CALLBACK_ID, readAddWebhook, webhookAddedView, webhookRefusedView } from '../../blocks/webhook-modal.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

/**
 * The Add-webhook dialog's submission: one service call (owner-only, from the database). A URL
 * or event problem shows under its input; any other refusal replaces the dialog; success
 * replaces it with the secret, shown this once.
 */
export function registerAddWebhookSubmission(app: App, deps: SlackDeps): void {
  const webhooks = { db: deps.db, ...(deps.webhooks ?? { box: secretBox(undefined), urls: { production: false, resolve: systemResolver } }) };
  app.view<ViewSubmitAction>(ADD_WEBHOOK_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const organization = organizationOf(context);
    const form = readAddWebhook(view.state.values);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    try {
      const { endpoint, secret } = await createEndpoint(webhooks, {
        organizationId: organization.id,
        actor: { kind: 'member', memberId: actor?.id ?? null },
        source: 'slack',
        endpoint: { url: form.url, event_types: form.eventTypes as never, description: form.description },
      });
      await ack({ response_action: 'update', view: webhookAddedView(endpoint.url, secret) });
    } catch (err) {
      if (err instanceof WebhookError && err.field === 'url') {
        await ack({ response_action: 'errors', errors: { [ADD_WEBHOOK_BLOCKS.url]: slackMessage(err) } });
        return;
      }
      if (err instanceof ZodError) {
        await ack({ response_action: 'errors', errors: { [ADD_WEBHOOK_BLOCKS.events]: 'Choose at least one event.' } });
        return;
      }
      if (!(err instanceof AppError)) throw err;
      await ack({ response_action: 'update', view: webhookRefusedView(slackMessage(err)) });
    }
  });
}
