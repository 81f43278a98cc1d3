import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/api/api-keys.js';
import { enqueue } from '../../src/jobs/queue.js';
import { postgresInstallationStore } from '../../src/slack/installations/installation-store.js';
import { tokenCipher } from '../../src/crypto/token-cipher.js';
import { changeRole } from '../../src/team/members.js';
import { PURGED_TABLES, purgeOrganization } from '../../src/team/organization-purge.js';
import { ensureOrganization } from '../../src/team/organizations.js';
import { requestRemoval } from '../../src/team/removals.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

const t = useTestDatabase();

/** A team with members, role history, an API key, a removal request, queued jobs and audit events. */
async function busyOrganization(teamId: string) {
  const org = await ensureOrganization(t.db, { slackTeamId: teamId, name: `Team ${teamId}`, defaultTeamChannelId: 'C0TEAM0001' });
  const owner = await seedMember(t.db, org, `owner@${teamId.toLowerCase()}.test`, 'owner', { slackUserId: `U${teamId.slice(1)}O` });
  const other = await seedMember(t.db, org, `other@${teamId.toLowerCase()}.test`, 'owner');
  const member = await seedMember(t.db, org, `member@${teamId.toLowerCase()}.test`, 'member');
  await changeRole(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: member.id, role: 'owner', source: 'slack' });
  await createApiKey(t.db, { organizationId: org.id, name: 'product', scope: 'read', actor: { type: 'cli', id: 'ops' }, source: 'cli' });
  await requestRemoval(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: other.id, reason: 'left', source: 'slack' });
  await enqueue(t.db, 'slack.publish-home', { organizationId: org.id, slackUserId: 'U0SOMEONE1' });
  return org;
}

async function rowsOf(organizationId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.columns where table_schema = 'public' and column_name = 'organization_id' and table_name <> 'organization_purges'`.execute(t.db);
  for (const { table_name } of tables.rows) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} where organization_id = ${organizationId}`.execute(t.db);
    counts[table_name] = r.rows[0]!.n;
  }
  const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where payload->>'organizationId' = ${organizationId}`.execute(t.db);
  counts.jobs = jobs.rows[0]!.n;
  return counts;
}

describe('organizations purge', () => {
  it('knows every table that holds an organization\'s rows', async () => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.columns where table_schema = 'public' and column_name = 'organization_id' and table_name <> 'organization_purges'`.execute(t.db);
    const direct = tables.rows.map((r) => r.table_name);
    expect(direct.filter((name) => !(PURGED_TABLES as readonly string[]).includes(name))).toEqual([]);
  });

  it('deletes one organization entirely, audit trail included, records the purge outside it, and leaves the other untouched', async () => {
    const doomed = await busyOrganization('T0DOOMED01');
    const kept = await busyOrganization('T0KEPT0001');
    const keptBefore = await rowsOf(kept.id);
    expect((await rowsOf(doomed.id)).audit_events).toBeGreaterThan(3);

    const result = await purgeOrganization(t.db, { slackTeamId: 'T0DOOMED01', purgedBy: 'cli:ops' });
    expect(Object.values(await rowsOf(doomed.id)).every((n) => n === 0)).toBe(true);
    expect(await t.db.selectFrom('organizations').select('id').where('id', '=', doomed.id).execute()).toEqual([]);
    expect(await rowsOf(kept.id)).toEqual(keptBefore);
    expect(result.deleted).toMatchObject({ members: 3, api_keys: 1, removal_requests: 1, jobs: expect.any(Number), organizations: 1 });

    const record = await t.db.selectFrom('organization_purges').selectAll().where('organization_id', '=', doomed.id).executeTakeFirstOrThrow();
    expect(record).toMatchObject({ slack_team_id: 'T0DOOMED01', name: 'Team T0DOOMED01', purged_by: 'cli:ops' });
    expect(record.deleted_rows).toEqual(result.deleted);

    // Outside a purge the audit log is as append-only as before, the kept team's included.
    await expect(sql`delete from audit_events where organization_id = ${kept.id}`.execute(t.db)).rejects.toMatchObject({ code: '42501' });
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`select set_config('team_manager.purging_organization', ${doomed.id}, true)`.execute(trx);
        await sql`delete from audit_events where organization_id = ${kept.id}`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('refuses while the app is installed there, and for an unknown workspace; changes nothing', async () => {
    const store = postgresInstallationStore({ db: t.db, cipher: tokenCipher(randomBytes(32)), log: pino({ level: 'silent' }), peopleWith: () => ({ profile: async () => null }) });
    await store.storeInstallation({
      team: { id: 'T0STILL001', name: 'Still' },
      enterprise: undefined,
      user: { id: 'U0INSTALL1', token: undefined, scopes: undefined },
      bot: { token: 'xoxb-still', scopes: ['commands'], id: 'B1', userId: 'U1' },
      isEnterpriseInstall: false,
      authVersion: 'v2',
    });
    const org = (await store.organizationFor({ teamId: 'T0STILL001' }))!;
    const before = await rowsOf(org.id);
    await expect(purgeOrganization(t.db, { slackTeamId: 'T0STILL001', purgedBy: 'cli:ops' })).rejects.toMatchObject({ code: 'installed' });
    expect(await rowsOf(org.id)).toEqual(before);
    await expect(purgeOrganization(t.db, { slackTeamId: 'T0NOBODY01', purgedBy: 'cli:ops' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
