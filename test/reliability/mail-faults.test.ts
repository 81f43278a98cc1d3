import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import type { Member, Organization } from '../../src/db/schema.js';
import { readMailSpool } from '../../src/mail/spool.js';
import { createInvitations, resendInvitation } from '../../src/team/invitations.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';
import { record } from './support/ledger.js';
import { eventually } from './support/fault-harness.js';

/**
 * Mail faults, with the real worker of an in-process app: a real SMTP peer that refuses every
 * message (421) for ten minutes and then accepts, and a mail spool (DATA_DIR/mail, no SMTP_URL)
 * on a full disk (a 16 KiB tmpfs, filled). The ten minutes and the hour are time-controlled:
 * the test moves each failed job's run_at to now (its backoff has elapsed) and, for the hour,
 * moves jobs' created_at back — the queue's own clock, nothing of ours is bypassed.
 */

interface EmailJob {
  id: string;
  attempts: number;
  locked: boolean;
  backoff_s: number;
  last_error: string | null;
}

const ALICE = 'U0ALICE001';

async function emailJobs(db: Db): Promise<EmailJob[]> {
  const r = await sql<EmailJob>`
    select id::text, attempts, locked_at is not null as locked, extract(epoch from run_at - updated_at)::float as backoff_s, last_error
      from graphile_worker.jobs where task_identifier = 'invitation.send-email' order by id`.execute(db);
  return r.rows;
}

describe('SMTP down for ten minutes', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let smtp: SMTPServer;
  let down = true;
  const received = new Map<string, number>();
  let org: Organization;
  let alice: Member;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onMailFrom(_address, _session, callback) {
        if (down) callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }));
        else callback();
      },
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          for (const r of session.envelope.rcptTo) received.set(r.address, (received.get(r.address) ?? 0) + 1);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const port = (smtp.server.address() as AddressInfo).port;
    h = await startTestApp({ databaseUrl: t.url, env: { SMTP_URL: `smtp://127.0.0.1:${port}?ignoreTLS=true`, WORKER_CONCURRENCY: '4' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: ALICE, displayName: 'Alice' });
  });
  afterAll(async () => {
    await h?.stop();
    if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('emails are retried with backoff, all delivered once after it, none lost; the inviter is told in Slack once when one fails for an hour', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `guest${i}@elsewhere.test`);
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: alice.id, addresses, role: 'member', source: 'cli' });
    expect(invitations).toHaveLength(20);
    const told = () => h.standin.calls.filter((c) => c.method === 'chat.postMessage' && c.response.ok === true && String(c.args.text).includes('has not gone out for over an hour'));

    // Ten minutes of refusals: attempt after attempt fails; each waits longer than the last.
    const backoffs: number[] = [];
    let simulatedSeconds = 0;
    for (let attempt = 1; simulatedSeconds < 600; attempt++) {
      const failed = await eventually(async () => {
        const jobs = await emailJobs(t.db);
        return jobs.length === 20 && jobs.every((j) => j.attempts >= attempt && !j.locked);
      }, 30_000, 50);
      expect(failed, `attempt ${attempt} of every email failed`).toBe(true);
      const jobs = await emailJobs(t.db);
      backoffs.push(Math.min(...jobs.map((j) => j.backoff_s)));
      simulatedSeconds += backoffs.at(-1)!;
      expect(jobs.every((j) => j.last_error?.includes('421') || j.last_error?.includes('Service not available'))).toBe(true);
      // The first five were queued over an hour ago (by the queue's clock) from the third attempt on.
      if (attempt === 3) {
        await sql`update graphile_worker._private_jobs set created_at = created_at - interval '61 minutes'
                   where id = any(${jobs.slice(0, 5).map((j) => j.id)}::bigint[])`.execute(t.db);
      }
      // Time passes: every backoff has elapsed.
      await sql`select 1 from graphile_worker.reschedule_jobs(${jobs.map((j) => j.id)}::bigint[], now())`.execute(t.db);
    }
    const attemptsWhileDown = backoffs.length;
    const tellsWhileDown = await eventually(() => told().length >= 5, 15_000, 50);
    const pendingWhileDown = (await t.db.selectFrom('invitations').select('status').where('organization_id', '=', org.id).execute()).filter((i) => i.status === 'pending').length;

    // The mail server is back.
    down = false;
    const jobs = await emailJobs(t.db);
    await sql`select 1 from graphile_worker.reschedule_jobs(${jobs.map((j) => j.id)}::bigint[], now())`.execute(t.db);
    const allDelivered = await eventually(() => addresses.every((a) => (received.get(a) ?? 0) >= 1), 30_000, 50);
    const drained = await eventually(async () => (await emailJobs(t.db)).length === 0, 15_000, 50);
    const lost = addresses.filter((a) => (received.get(a) ?? 0) === 0);
    const duplicated = addresses.filter((a) => (received.get(a) ?? 0) > 1);
    const tells = told();
    const growing = backoffs.every((b, i) => i === 0 || b > backoffs[i - 1]!);

    record({
      area: 'fault',
      name: 'SMTP down for 10 minutes (time-controlled): retried with backoff, delivered after, inviter told after an hour',
      injected: 1,
      survived: allDelivered && drained && growing && tellsWhileDown && tells.length === 5 && pendingWhileDown === 20 ? 1 : 0,
      inputs: addresses.length,
      lost: lost.length,
      duplicated: duplicated.length + Math.max(0, tells.length - 5),
      unauthorised: 0,
    });
    console.log(`SMTP down: ${attemptsWhileDown} attempts per email over ${Math.round(simulatedSeconds)} s simulated, backoffs ${backoffs.map((b) => b.toFixed(1)).join(', ')} s; inviter told ${tells.length}×; delivered ${20 - lost.length}/20, twice ${duplicated.length}`);

    expect(attemptsWhileDown).toBeGreaterThanOrEqual(5);
    expect(growing).toBe(true);
    expect(pendingWhileDown).toBe(20);
    expect(allDelivered).toBe(true);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(drained).toBe(true);
    // Once per invitation that failed for an hour, to the inviter, naming the address and not the link.
    expect(tells).toHaveLength(5);
    for (const c of tells) {
      expect(c.args.channel).toBe(ALICE);
      expect(String(c.args.text)).not.toContain('/invitations/');
    }
    expect(new Set(tells.map((c) => String(c.args.text).match(/guest\d+@elsewhere\.test/)?.[0])).size).toBe(5);
  }, 180_000);
});

describe('mail spool on a full disk', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let dataDir: string;
  let spool: string;
  let org: Organization;
  let alice: Member;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tm-rel-spool-'));
    spool = path.join(dataDir, 'mail');
    mkdirSync(spool);
    // A real full disk: a 16 KiB tmpfs (the suite runs as root here; mount fails loudly otherwise).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,mode=0700', 'tmpfs', spool]);
    h = await startTestApp({ databaseUrl: t.url, env: { DATA_DIR: dataDir, WORKER_CONCURRENCY: '2' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: ALICE, displayName: 'Alice' });
  });
  afterAll(async () => {
    await h?.stop();
    try {
      execFileSync('umount', [spool]);
    } catch {
      // not mounted
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a clear error naming DATA_DIR/mail, the invitation still valid, and Resend works once there is room', async () => {
    // Fill the disk (writes stop at ENOSPC).
    try {
      writeFileSync(path.join(spool, 'filler'), Buffer.alloc(64 * 1024));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: alice.id, addresses: ['newcomer@elsewhere.test'], role: 'member', source: 'cli' });
    const invitation = invitations[0]!;
    const failed = await eventually(async () => (await emailJobs(t.db)).some((j) => j.attempts >= 1 && !j.locked), 20_000, 50);
    const job = (await emailJobs(t.db))[0];
    const clear = job?.last_error?.includes('the mail spool is full') === true && job.last_error.includes(spool);
    const logged = h.logs.lines().some((l) => l.msg === 'job failed; the queue will retry it' && JSON.stringify(l.err ?? '').includes('the mail spool is full'));
    const stillValid = (await t.db.selectFrom('invitations').select(['status', 'expires_at']).where('id', '=', invitation.id).executeTakeFirstOrThrow());

    // Room again; the owner resends (a resend an hour after the send is allowed).
    rmSync(path.join(spool, 'filler'));
    await t.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - 3_600_000) }).where('id', '=', invitation.id).execute();
    await resendInvitation(t.db, { organizationId: org.id, actorMemberId: alice.id, invitationId: invitation.id, source: 'cli' });
    const written = await eventually(async () => (await readMailSpool(dataDir)).some((m) => m.to.includes('newcomer@elsewhere.test')), 20_000, 50);
    const mail = (await readMailSpool(dataDir)).find((m) => m.to.includes('newcomer@elsewhere.test'));
    const link = mail?.text.match(/https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/)?.[0];
    const page = link ? await fetch(link.replace(/^https?:\/\/[^/]+/, h.app.url)) : undefined;
    const pageText = page ? await page.text() : '';
    const drained = await eventually(async () => (await emailJobs(t.db)).length === 0, 20_000, 50);
    const emails = (await readMailSpool(dataDir)).filter((m) => m.to.includes('newcomer@elsewhere.test')).length;

    record({
      area: 'fault',
      name: 'mail spool disk full: clear error, invitation still valid, resend works',
      injected: 1,
      survived: failed && clear && logged && stillValid.status === 'pending' && written && page?.status === 200 && drained ? 1 : 0,
      lost: written ? 0 : 1,
      duplicated: Math.max(0, emails - 1),
      unauthorised: 0,
    });
    expect(failed).toBe(true);
    expect(job?.last_error).toContain('the mail spool is full');
    expect(job?.last_error).toContain(spool);
    expect(logged).toBe(true);
    expect(stillValid.status).toBe('pending');
    expect(stillValid.expires_at.getTime()).toBeGreaterThan(Date.now());
    expect(written).toBe(true);
    expect(page?.status).toBe(200);
    expect(pageText).toContain('Acme');
    expect(drained).toBe(true);
    // The superseded first send does not write a second email once there is room.
    expect(emails).toBe(1);
  }, 120_000);
});
