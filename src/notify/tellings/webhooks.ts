import type { AuditEvent } from '../../db/schema.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import { each, fields, text, type Renderer, type Telling } from './context.js';

/** An endpoint that failed every delivery for 3 days was disabled (src/webhooks/delivery.ts): every owner gets a DM. */
async function endpointDisabled(t: Telling, event: AuditEvent): Promise<void> {
  const after = fields(event.after);
  const owners = await t.trx
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', t.organization.id)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .execute();
  for (const owner of owners) {
    t.dm(
      owner,
      `:warning: The webhook endpoint ${escapeMrkdwn(text(after.url) ?? 'endpoint')} has failed every delivery for 3 days (${escapeMrkdwn(text(after.error) ?? 'error')}), so Team Manager disabled it. Its events are kept; resume it with \`/team webhooks\` once it answers again.`,
    );
  }
}

export const webhookRenderers: Record<string, Renderer> = {
  'webhook.endpoint_disabled': each(endpointDisabled),
};
