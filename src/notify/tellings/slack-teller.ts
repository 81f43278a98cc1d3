import type { AuditEvent } from '../../db/schema.js';
import type { Teller } from '../../events/tellers.js';
import type { JobSpec } from '../../jobs/queue.js';
import { accessReviewRenderers } from './access-reviews.js';
import { Telling, type Renderer } from './context.js';
import { directoryRenderers } from './directory.js';
import { invitationRenderers } from './invitations.js';
import { memberRenderers } from './members.js';
import { removalRenderers } from './removals.js';
import { settingsRenderers } from './settings.js';
import { webhookRenderers } from './webhooks.js';

/**
 * Slack as a renderer of changes: per audit action, what the team channel, the DMs, the cards
 * and the App Homes get. An action missing here tells Slack nothing (API keys, activity ingest,
 * webhook endpoints…); test/unit/tellings.test.ts lists which those are on purpose.
 */
export const SLACK_RENDERERS: Readonly<Record<string, Renderer>> = {
  ...memberRenderers,
  ...removalRenderers,
  ...invitationRenderers,
  ...settingsRenderers,
  ...directoryRenderers,
  ...webhookRenderers,
  ...accessReviewRenderers,
};

export const slackTeller: Teller = {
  name: 'slack',
  async tell(trx, events) {
    const told = events.filter((e) => Object.hasOwn(SLACK_RENDERERS, e.action));
    const jobs: JobSpec[] = [];
    // One append call is one organization's (a bulk expiry appends per organization).
    for (const [organizationId, ofOrganization] of groupBy(told, (e) => e.organization_id)) {
      const telling = await Telling.open(trx, organizationId);
      if (!telling) continue;
      for (const [action, ofAction] of groupBy(ofOrganization, (e) => e.action)) await SLACK_RENDERERS[action]!(telling, ofAction);
      jobs.push(...telling.finish());
    }
    return jobs;
  },
};

function groupBy(events: readonly AuditEvent[], key: (e: AuditEvent) => string): Map<string, AuditEvent[]> {
  const groups = new Map<string, AuditEvent[]>();
  for (const e of events) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  return groups;
}
