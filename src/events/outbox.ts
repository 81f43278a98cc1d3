import { sql } from 'kysely';
import type { DbOrTrx } from '../db/database.js';
import type { AuditEvent, Invitation, Member } from '../db/schema.js';
import { AUDIT_TO_PUBLIC, derivePublicEvents, referencedIds } from './derive.js';
import type { PublicEvent } from './vocabulary.js';

/**
 * Queues the public events of freshly appended audit rows for every active webhook endpoint
 * of the organization that subscribed to them, inside the change's transaction: a rolled-back
 * change queues nothing, a committed one queues exactly once.
 *
 * Order: the endpoints' rows are locked (all active ones of the organization, in id order, so two
 * transactions never lock them crosswise) and each delivery takes its endpoint's next `seq`. The
 * lock is held until commit, so a later transaction's seq waits for the earlier commit: seq is
 * commit order per endpoint, and the worker delivers strictly by seq (src/webhooks/delivery.ts).
 * The price: changes of one organization that has webhooks serialise from their first audit event
 * to their commit; organizations without endpoints pay one indexed lookup.
 */
export async function queuePublicEvents(trx: DbOrTrx, all: readonly AuditEvent[]): Promise<PublicEvent[]> {
  // Internal actions (activity ingest, API keys, …) neither look up nor lock anything.
  const rows = all.filter((row) => AUDIT_TO_PUBLIC[row.action]);
  if (rows.length === 0) return [];
  const organizationIds = [...new Set(rows.map((r) => r.organization_id))];
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select(['id', 'organization_id', 'event_types'])
    .where('organization_id', 'in', organizationIds)
    .where('status', '=', 'active')
    .orderBy('id')
    .forUpdate()
    .execute();
  if (endpoints.length === 0) return [];

  const events = await derive(trx, rows);
  for (const endpoint of endpoints) {
    const wanted = events.filter((e) => e.organization_id === endpoint.organization_id && endpoint.event_types.includes(e.type));
    if (wanted.length === 0) continue;
    const { next_seq } = await trx
      .updateTable('webhook_endpoints')
      .set({ next_seq: sql<string>`next_seq + ${wanted.length}` })
      .where('organization_id', '=', endpoint.organization_id)
      .where('id', '=', endpoint.id)
      .returning('next_seq')
      .executeTakeFirstOrThrow();
    const first = BigInt(next_seq) - BigInt(wanted.length) + 1n;
    await trx
      .insertInto('webhook_deliveries')
      .values(
        wanted.map((event, i) => ({
          organization_id: endpoint.organization_id,
          endpoint_id: endpoint.id,
          seq: String(first + BigInt(i)),
          event_id: event.id,
          event_type: event.type,
          body: JSON.stringify(event),
        })),
      )
      .execute();
    await wakeEndpoint(trx, endpoint.organization_id, endpoint.id, 'preserve_run_at');
  }
  return events;
}

/**
 * Makes sure the endpoint's delivery job exists. One job key per endpoint folds a burst into one
 * job; `preserve_run_at` keeps a backoff that is waiting (head-of-line blocking: nothing overtakes a
 * failing delivery), `replace` runs it now (resume, redeliver). Its queue lets one run at a time.
 */
export async function wakeEndpoint(trx: DbOrTrx, organizationId: string, endpointId: string, mode: 'preserve_run_at' | 'replace', runAt?: Date): Promise<void> {
  await sql`
    select graphile_worker.add_job(
      'webhook.deliver',
      ${JSON.stringify({ organizationId, endpointId })}::json,
      queue_name => ${endpointQueue(endpointId)}::text,
      run_at => ${runAt?.toISOString() ?? null}::timestamptz,
      max_attempts => 25,
      job_key => ${endpointQueue(endpointId)}::text,
      job_key_mode => ${mode}::text
    )`.execute(trx);
}

export function endpointQueue(endpointId: string): string {
  return `webhook:${endpointId}`;
}

async function derive(trx: DbOrTrx, rows: readonly AuditEvent[]): Promise<PublicEvent[]> {
  const memberIds = new Set<string>();
  const invitationIds = new Set<string>();
  for (const row of rows) {
    const ids = referencedIds(row);
    ids.members.forEach((id) => memberIds.add(id));
    ids.invitations.forEach((id) => invitationIds.add(id));
  }
  // The organizations too, so that each lookup names its organizations (Citus: docs/operations.md).
  const organizationIds = [...new Set(rows.map((row) => row.organization_id))];
  const [members, invitations] = await Promise.all([
    memberIds.size
      ? trx.selectFrom('members').selectAll().where('organization_id', 'in', organizationIds).where('id', 'in', [...memberIds]).execute()
      : Promise.resolve([] as Member[]),
    invitationIds.size
      ? trx.selectFrom('invitations').selectAll().where('organization_id', 'in', organizationIds).where('id', 'in', [...invitationIds]).execute()
      : Promise.resolve([] as Invitation[]),
  ]);
  const refs = { members: new Map(members.map((m) => [m.id, m])), invitations: new Map(invitations.map((i) => [i.id, i])) };
  return rows.flatMap((row) => derivePublicEvents(row, refs));
}
