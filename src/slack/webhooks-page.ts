import type { Db } from '../db/database.js';
import type { Member, Organization } from '../db/schema.js';
import { decide } from '../team/policy.js';
import { listDeliveries, listEndpoints } from '../webhooks/endpoints.js';
import type { SlackReply } from './blocks/reply.js';
import { webhooksMessage } from './blocks/webhooks.js';

/** The `/team webhooks` message as the database has it now; owners only (the settings rule). */
export async function webhooksPage(db: Db, organization: Organization, viewer: Member | null, notice?: string): Promise<SlackReply> {
  const allowed = decide(viewer, 'settings.change', organization.id);
  if (!allowed.allowed) return { text: allowed.reason ?? 'Only owners can manage webhooks.' };
  const endpoints = await listEndpoints(db, organization.id);
  const rows = await Promise.all(endpoints.map(async (endpoint) => ({ endpoint, recent: (await listDeliveries(db, organization.id, endpoint.id, 5)).reverse() })));
  return webhooksMessage(rows, notice);
}
