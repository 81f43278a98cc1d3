import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { tokenFingerprint, tokenHolds } from '../../src/job-runner/slack-token-hold.js';
import { useTestDatabase } from '../support/database.js';
import { seedOrganization } from '../support/seed.js';

/**
 * The hold's bookkeeping against PostgreSQL (the whole behaviour, with a worker process and the
 * stand-in refusing the token, is test/reliability/slack-token-faults.test.ts): one probe per
 * interval across callers, a new token ends the hold, and the per-minute nudge brings a held
 * job whose backoff has grown long back to now when its organization's probe is due.
 */
describe('Slack token holds', () => {
  const t = useTestDatabase();
  const log = pino({ level: 'silent' });

  it('holds once, lets one probe through per interval, treats a new token as a probe, releases', async () => {
    const org = await seedOrganization(t.db, 'T0HOLD0001');
    const holds = tokenHolds(t.pool, 60_000);
    const fp = tokenFingerprint('xoxb-old');
    expect(await holds.before(org.id, fp)).toBe('clear');
    await holds.hold(org.id, fp, 'token_revoked', log);
    await holds.hold(org.id, fp, 'token_revoked', log);
    expect(await holds.before(org.id, fp)).toBe('held');
    await sql`update slack_token_holds set next_probe_at = now() - interval '1 second'`.execute(t.db);
    const verdicts = await Promise.all([holds.before(org.id, fp), holds.before(org.id, fp), holds.before(org.id, fp)]);
    expect(verdicts.sort()).toEqual(['held', 'held', 'probe']);
    expect(await holds.before(org.id, tokenFingerprint('xoxb-new'))).toBe('probe');
    await holds.release(org.id, log, 'test');
    expect(await holds.before(org.id, fp)).toBe('clear');
  });

  it('the nudge moves one held job per due organization to now, and nothing else', async () => {
    const org = await seedOrganization(t.db, 'T0HOLD0002');
    const holds = tokenHolds(t.pool, 60_000);
    for (let i = 0; i < 3; i++) await enqueue(t.db, 'slack.post-message', { organizationId: org.id, channel: 'C0HOLD0001', text: `held ${i}`, deliveryId: randomUUID() });
    // As the worker leaves them: failed with the held error, the next try hours away.
    await sql`update graphile_worker._private_jobs set run_at = now() + interval '6 hours', attempts = 12,
                last_error = ${`slack token held for organization ${org.id}: waiting for a working token`}
               where payload->>'organizationId' = ${org.id}`.execute(t.db);
    await holds.hold(org.id, tokenFingerprint('xoxb-old'), 'invalid_auth', log);
    expect(await holds.nudge()).toBe(0); // the probe is not due yet
    await sql`update slack_token_holds set next_probe_at = now() - interval '1 second' where organization_id = ${org.id}`.execute(t.db);
    expect(await holds.nudge()).toBe(1);
    const due = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs
      where payload->>'organizationId' = ${org.id} and run_at <= now()`.execute(t.db);
    expect(due.rows[0]!.n).toBe(1);
    // Released: all held jobs run now, attempts reset.
    await holds.release(org.id, log, 'test');
    const after = await sql<{ n: number; attempts: number }>`select count(*)::int as n, max(attempts)::int as attempts from graphile_worker._private_jobs
      where payload->>'organizationId' = ${org.id} and run_at <= now()`.execute(t.db);
    expect(after.rows[0]).toEqual({ n: 3, attempts: 0 });
  });
});
