import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { OrganizationGate } from '../../src/team/organization-gate.js';
import { changeRole } from '../../src/team/members.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('OrganizationGate', () => {
  it('runs the work of one organization one at a time, in arrival order; other organizations run alongside', async () => {
    const gate = new OrganizationGate();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const job = (org: string, name: string) =>
      gate.run(org, async () => {
        running += org === 'A' ? 1 : 0;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await new Promise<void>((resolve) => releases.push(resolve));
        log.push(`end ${name}`);
        running -= org === 'A' ? 1 : 0;
        return name;
      });
    const a = [job('A', 'a1'), job('A', 'a2'), job('A', 'a3')];
    const b = job('B', 'b1');
    await tick();
    // a1 and b1 started; a2 and a3 wait for a1.
    expect(log).toEqual(['start a1', 'start b1']);
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
      await tick();
    }
    expect(await Promise.all([...a, b])).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(log.filter((l) => l.split(' ')[1]!.startsWith('a'))).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(most).toBe(1);
    expect(gate.size).toBe(0);
  });

  it('a change that fails lets the next one in, and its error reaches its own caller only', async () => {
    const gate = new OrganizationGate();
    const failed = gate.run('A', async () => {
      throw new Error('refused');
    });
    const next = gate.run('A', async () => 'next ran');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('next ran');
    expect(gate.size).toBe(0);
  });
});

describe('changes waiting for their organization hold no pool connection', () => {
  const t = useTestDatabase();

  it('with the organization locked elsewhere, 6 changes wait on a 2-connection pool and reads still get a connection', async () => {
    const org = await seedOrganization(t.db, 'T_GATE_1', { name: 'Gate' });
    const owner = await seedMember(t.db, org, 'owner@gate.test', 'owner');
    const members = await Promise.all(Array.from({ length: 6 }, (_, i) => seedMember(t.db, org, `m${i}@gate.test`, 'member')));
    // The app's pool, small: without the gate each waiting change would hold one of its 2 connections.
    const app = openDatabase(t.url, { maxConnections: 2 });
    const other = await t.pool.connect();
    try {
      await other.query('begin');
      await other.query('select id from organizations where id = $1 for update', [org.id]);
      const changes = members.map((m) =>
        changeRole(app.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: m.id, role: 'owner', source: 'slack' }),
      );
      // Let the changes reach the lock (the first one now waits for it inside PostgreSQL).
      await waitFor(async () => (await lockWaiters(t.db)) >= 1);
      // The pool still has a connection for everything else (it times out after 2 s otherwise).
      const read = await sql<{ n: string }>`select count(*)::text as n from members where organization_id = ${org.id}`.execute(app.db);
      expect(read.rows[0]!.n).toBe('7');
      expect(await lockWaiters(t.db)).toBe(1);
      await other.query('commit');
      const results = await Promise.all(changes);
      expect(results.map((r) => r.member.role)).toEqual(members.map(() => 'owner'));
      const events = await t.db.selectFrom('audit_events').select('target_id').where('organization_id', '=', org.id).where('action', '=', 'member.role_changed').execute();
      expect(events.map((e) => e.target_id).sort()).toEqual(members.map((m) => m.id).sort());
    } finally {
      await other.query('rollback').catch(() => undefined);
      other.release();
      await app.db.destroy();
    }
  });
});

/** Sessions of this database waiting for a row or table lock. */
async function lockWaiters(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
  return rows[0]!.n;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
