import type { DbOrTrx } from '../db/database.js';
import type { Updateable } from 'kysely';
import type { Organization, OrganizationsTable } from '../db/schema.js';
import { organizationCacheOf, organizationWritten } from '../db/organization-cache.js';

/** Outside a transaction, served from the process's organization cache when there is one (src/db/organization-cache.ts). */
export async function findOrganizationBySlackTeam(db: DbOrTrx, slackTeamId: string): Promise<Organization | undefined> {
  const load = () => db.selectFrom('organizations').selectAll().where('slack_team_id', '=', slackTeamId).executeTakeFirst();
  return organizationCacheOf(db)?.organizationBySlackTeam(slackTeamId, load) ?? load();
}

export async function findOrganizationBySlackTeamForUpdate(db: DbOrTrx, slackTeamId: string): Promise<Organization | undefined> {
  return db
    .selectFrom('organizations')
    .selectAll()
    .where('slack_team_id', '=', slackTeamId)
    .forUpdate()
    .executeTakeFirst();
}

/** Inserts unless the workspace already has its organization; returns the row only when inserted. */
export async function insertOrganizationIfAbsent(
  db: DbOrTrx,
  values: { slackTeamId: string; name: string; teamChannelId: string | null },
): Promise<Organization | undefined> {
  return db
    .insertInto('organizations')
    .values({ slack_team_id: values.slackTeamId, name: values.name, team_channel_id: values.teamChannelId })
    .onConflict((oc) => oc.column('slack_team_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateOrganizationTeamChannel(
  db: DbOrTrx,
  organizationId: string,
  teamChannelId: string | null,
): Promise<Organization> {
  const updated = await db
    .updateTable('organizations')
    .set({ team_channel_id: teamChannelId, updated_at: new Date() })
    .where('id', '=', organizationId)
    .returningAll()
    .executeTakeFirstOrThrow();
  organizationWritten(db, organizationId);
  if (lockedIn.get(db)?.id === organizationId) lockedIn.set(db, updated);
  return updated;
}

/**
 * Locks the organization's row for the rest of the transaction. Every change that could
 * break an organization-wide rule (at least one active owner) takes this lock first, so
 * such changes run one at a time per organization and each sees the last one's result.
 */
export async function lockOrganization(db: DbOrTrx, organizationId: string): Promise<Organization> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', organizationId).forUpdate().executeTakeFirstOrThrow();
  if (db.isTransaction) lockedIn.set(db, row);
  return row;
}

/**
 * The row a transaction locked, while it holds the lock and has not written it: nobody else can
 * change it meanwhile, so reading it again in the same transaction (the tellers do, for the
 * team channel and the name) would return the same row.
 */
const lockedIn = new WeakMap<object, Organization>();

/**
 * Outside a transaction, served from the process's organization cache when there is one
 * (src/db/organization-cache.ts); inside one that locked it, the locked row.
 */
export async function findOrganizationById(db: DbOrTrx, organizationId: string): Promise<Organization | undefined> {
  const locked = db.isTransaction ? lockedIn.get(db) : undefined;
  if (locked?.id === organizationId) return locked;
  const load = () => db.selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirst();
  return organizationCacheOf(db)?.organizationById(organizationId, load) ?? load();
}

/**
 * Writes some columns of the organization. Which columns are settings, and their rules, is
 * src/team/settings.ts's to say (its only caller); the repository stays below it and does not
 * import it, so change → repository → settings → change is no longer a circle.
 */
export async function updateOrganizationSettings<K extends keyof OrganizationsTable>(
  db: DbOrTrx,
  organizationId: string,
  values: Pick<Updateable<OrganizationsTable>, K>,
): Promise<Organization> {
  const updated = await db
    .updateTable('organizations')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', organizationId)
    .returningAll()
    .executeTakeFirstOrThrow();
  organizationWritten(db, organizationId);
  if (lockedIn.get(db)?.id === organizationId) lockedIn.set(db, updated);
  return updated;
}
