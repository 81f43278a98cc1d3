import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Runner } from 'graphile-worker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { singleWorkspaceClients } from '../../src/slack/clients.js';
import { startWorker } from '../../src/job-runner/worker.js';
import { createWorkerSlackClient } from '../../src/slack/delivery.js';
import { SlackStandin } from '../../src/standin/index.js';
import { createMailer } from '../../src/mail/mailer.js';
import { renderHomeForUser } from '../../src/slack/home/home-view.js';
import type { Member, Organization } from '../../src/db/schema.js';
import { acceptInvitation, cancelInvitation, createInvitations, declineInvitation } from '../../src/team/invitations.js';
import { changeRole, leaveTeam } from '../../src/team/members.js';
import { decideRemoval, requestRemoval } from '../../src/team/removals.js';
import { updateSettings } from '../../src/team/settings.js';
import { EVENT_TYPES } from '../../src/events/vocabulary.js';
import { changeEndpoint, createEndpoint, redeliver, rotateSecret, type WebhookDeps } from '../../src/webhooks/endpoints.js';
import { secretBox } from '../../src/webhooks/signing.js';
import type { Resolver } from '../../src/webhooks/ssrf.js';
import { backoffMs } from '../../src/webhooks/delivery.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * Webhooks end to end against real PostgreSQL, the real worker and a real HTTP receiver:
 * signatures verified with the `standardwebhooks` package (not our code), one delivery per
 * change in commit order, retries on the backoff schedule with time moved by the test.
 */
type Mode = 'ok' | '500' | 'timeout' | 'close' | '429';
interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('outbound webhooks', () => {
  const t = useTestDatabase();
  const logs = captureLogs();
  let standin: SlackStandin;
  let runner: Runner;
  let receiver: http.Server;
  let port: number;
  let mode: Mode = 'ok';
  let received: Received[] = [];
  let attempts = 0;
  let org: Organization;
  let olga: Member;
  let oscar: Member;
  let bob: Member;
  let clockOffsetMs = 0;
  const clock = () => new Date(Date.now() + clockOffsetMs);
  // Development resolver: localhost is allowed outside production.
  let dns: Record<string, string> = {};
  const resolve: Resolver = async (host) => [{ address: dns[host] ?? '127.0.0.1', family: 4 }];
  // The worker's policy, switched to production by the DNS-rebinding test.
  const workerUrls = { production: false, resolve };
  const box = secretBox(Buffer.alloc(32, 7));
  const deps = (): WebhookDeps => ({ db: t.db, box, urls: { production: false, resolve } });

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        attempts++;
        if (mode === 'timeout') return; // never answers: the 10 s timeout (shortened here) cuts it
        if (mode === 'close') return req.socket.destroy();
        if (mode === '500') return void res.writeHead(500).end('boom');
        if (mode === '429') return void res.writeHead(429, { 'retry-after': '120' }).end();
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as AddressInfo).port;
    standin = await SlackStandin.start({ postMessageIntervalMs: 0 });
    org = await seedOrganization(t.db, standin.teamId, { team_channel_id: 'C0TEAM0001' });
    olga = await seedMember(t.db, org, 'olga@example.com', 'owner', { slackUserId: 'U0ALICE001' });
    oscar = await seedMember(t.db, org, 'oscar@example.com', 'owner', { slackUserId: 'U0CAROL001' });
    runner = await startWorker({
      pool: t.pool,
      slack: singleWorkspaceClients(createWorkerSlackClient(standin.botToken, standin.apiUrl, logs.log)),
      log: logs.log,
      concurrency: 2,
      renderHome: (organizationId, slackUserId) => renderHomeForUser({ db: t.db }, organizationId, slackUserId),
      db: t.db,
      invitations: { mailer: createMailer({ from: 'test@localhost', dataDir: os.tmpdir(), log: logs.log }), publicUrl: 'http://localhost' },
      webhooks: { box, urls: workerUrls, now: clock, random: () => 0.5, timeoutMs: 500 },
    });
  });
  afterAll(async () => {
    await runner?.stop();
    await standin?.stop();
    await new Promise((r) => receiver?.close(r));
  });
  beforeEach(async () => {
    mode = 'ok';
    received = [];
    attempts = 0;
    clockOffsetMs = 0;
    dns = {};
    workerUrls.production = false;
    await t.db.deleteFrom('webhook_endpoints').execute();
    bob = await seedMember(t.db, org, `bob${++bobs}@example.com`, 'member');
  });
  let bobs = 0;

  async function addEndpoint(eventTypes: string[] = EVENT_TYPES) {
    return createEndpoint(deps(), {
      organizationId: org.id,
      actor: { kind: 'member', memberId: olga.id },
      source: 'slack',
      endpoint: { url: `http://127.0.0.1:${port}/hook`, event_types: eventTypes as never, description: 'product' },
    });
  }
  async function until(check: () => boolean | Promise<boolean>, ms = 8_000) {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const verified = (secret: string, r: Received) =>
    new Webhook(secret).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    }) as { type: string; id: string; data: Record<string, unknown> };
  /** Moves the head's backoff (and the endpoint's job) to now, as if that much time had passed. */
  async function advanceToNextAttempt() {
    const head = await t.db.selectFrom('webhook_deliveries').selectAll().where('status', '=', 'pending').orderBy('seq').executeTakeFirstOrThrow();
    clockOffsetMs = head.next_attempt_at.getTime() - Date.now() + 1;
    await t.pool.query(`update graphile_worker._private_jobs set run_at = now() where key like 'webhook:%'`);
    await t.pool.query(`select pg_notify('jobs:insert', '{}')`);
  }

  it('every change type gives exactly one signed delivery, in commit order, verified with standardwebhooks', async () => {
    const { secret } = await addEndpoint();
    expect(secret).toMatch(/^whsec_/);
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: olga.id, addresses: ['ann@example.com', 'dan@example.com', 'cy@example.com'], role: 'member', source: 'slack' });
    const [ann, dan, cy] = invitations;
    await cancelInvitation(t.db, { organizationId: org.id, actorMemberId: olga.id, invitationId: cy!.id, source: 'slack' });
    await acceptInvitation(t.db, { kind: 'slack', invitationId: ann!.id, organizationId: org.id, slackUserId: 'U0ANN00001', profileEmail: 'ann@example.com', displayName: 'Ann' });
    await declineInvitation(t.db, { kind: 'slack', invitationId: dan!.id, organizationId: org.id, slackUserId: 'U0DAN00001', profileEmail: 'dan@example.com', displayName: 'Dan' });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
    const asked = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, reason: 'left', source: 'slack' });
    if (asked.kind !== 'requested') throw new Error('expected a request');
    await decideRemoval(t.db, { organizationId: org.id, actorMemberId: oscar.id, requestId: asked.request.id, decision: 'approve', source: 'slack' });
    await updateSettings(t.db, { organizationId: org.id, actorMemberId: olga.id, changes: { invitation_expiry_days: 14 }, source: 'slack' });
    const ann2 = await t.db.selectFrom('members').selectAll().where('email', '=', 'ann@example.com').executeTakeFirstOrThrow();
    await leaveTeam(t.db, { organizationId: org.id, actorMemberId: ann2.id, source: 'slack' });

    const expected = [
      'invitation.created', 'invitation.created', 'invitation.created',
      'invitation.cancelled',
      'invitation.accepted', 'member.joined',
      'invitation.declined',
      'member.role_changed', 'member.role_changed',
      'removal_request.created',
      'removal_request.approved', 'member.removed',
      'settings.changed',
      'member.left',
    ];
    await until(() => received.length >= expected.length);
    await new Promise((r) => setTimeout(r, 200));
    const events = received.map((r) => verified(secret, r));
    expect(events.map((e) => e.type)).toEqual(expected);
    expect(new Set(events.map((e) => e.id)).size).toBe(expected.length);
    const removed = events.find((e) => e.type === 'member.removed')!;
    expect(removed.data).toMatchObject({ member: { email: bob.email, status: 'removed' }, reason: 'left', removed_by: { id: olga.id }, approved_by: { id: oscar.id } });
    // The log says what happened.
    const log = await t.db.selectFrom('webhook_deliveries').selectAll().orderBy('seq').execute();
    expect(log.every((d) => d.status === 'delivered' && d.attempts === 1 && d.last_status_code === 204 && d.last_latency_ms !== null)).toBe(true);
  });

  it('a rolled-back change delivers nothing; a paused endpoint gets nothing, and once resumed gets what is new', async () => {
    const { endpoint, secret } = await addEndpoint(['member.role_changed']);
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await until(() => received.length === 1);
    const before = await t.db.selectFrom('webhook_deliveries').select('id').execute();
    await expect(
      t.db.transaction().execute(async (trx) => {
        const { appendAuditEvent } = await import('../../src/events/audit-repository.js');
        await appendAuditEvent(trx, { organizationId: org.id, actor: { type: 'member', id: oscar.id }, action: 'member.role_changed', target: { type: 'member', id: olga.id }, before: { role: 'member' }, after: { role: 'owner' }, source: 'slack' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await t.db.selectFrom('webhook_deliveries').select('id').execute()).toHaveLength(before.length);

    await changeEndpoint(deps(), { organizationId: org.id, actor: { kind: 'member', memberId: oscar.id }, source: 'slack', endpointId: endpoint.id, change: { status: 'paused' } });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: oscar.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(1);
    await changeEndpoint(deps(), { organizationId: org.id, actor: { kind: 'member', memberId: oscar.id }, source: 'slack', endpointId: endpoint.id, change: { status: 'active' } });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: oscar.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await until(() => received.length === 2);
    expect(verified(secret, received[1]!).data).toMatchObject({ member: { id: bob.id }, to: 'owner' });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: oscar.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
    await until(() => received.length === 3);
  });

  it('members cannot manage endpoints (decided from the database)', async () => {
    await expect(
      createEndpoint(deps(), { organizationId: org.id, actor: { kind: 'member', memberId: bob.id }, source: 'slack', endpoint: { url: `http://127.0.0.1:${port}/x`, event_types: ['member.removed'] } }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  for (const failure of ['500', 'timeout', 'close'] as const) {
    it(`a receiver that ${failure === '500' ? 'answers 500' : failure === 'timeout' ? 'times out' : 'closes the connection'} gets retries on the backoff schedule, and later events wait behind it`, async () => {
      const { secret } = await addEndpoint(['member.role_changed']);
      mode = failure;
      await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
      await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
      for (let n = 1; n <= 3; n++) {
        await until(async () => (await t.db.selectFrom('webhook_deliveries').select('attempts').orderBy('seq').executeTakeFirstOrThrow()).attempts === n);
        const [head, second] = await t.db.selectFrom('webhook_deliveries').selectAll().orderBy('seq').execute();
        expect(second!.attempts).toBe(0); // head-of-line: nothing overtakes
        // random fixed at 0.5: exactly the base delay, 5 s doubling.
        const waited = head!.next_attempt_at.getTime() - clock().getTime();
        expect(waited).toBeGreaterThan(backoffMs(n, () => 0.5) - 1_500);
        expect(waited).toBeLessThanOrEqual(backoffMs(n, () => 0.5));
        await advanceToNextAttempt();
      }
      mode = 'ok';
      await until(() => received.length === 2);
      expect(received.map((r) => verified(secret, r).data.to)).toEqual(['owner', 'member']);
      const head = await t.db.selectFrom('webhook_deliveries').selectAll().orderBy('seq').executeTakeFirstOrThrow();
      expect(head.attempts).toBe(4);
    });
  }

  it('honours Retry-After, and disables an endpoint failing for 3 days, telling its owners in Slack', async () => {
    await addEndpoint(['member.role_changed']);
    mode = '429';
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await until(async () => (await t.db.selectFrom('webhook_deliveries').select('attempts').executeTakeFirstOrThrow()).attempts === 1);
    const head = await t.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(head.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(110_000); // Retry-After: 120 beats the 5 s backoff
    mode = '500';
    await t.db.updateTable('webhook_endpoints').set({ failing_since: new Date(Date.now() - 3 * 24 * 3_600_000 - 1000) }).execute();
    await advanceToNextAttempt();
    await until(async () => (await t.db.selectFrom('webhook_endpoints').select('status').executeTakeFirstOrThrow()).status === 'disabled');
    await until(() => standin.callsTo('chat.postMessage').some((c) => c.args.channel === 'U0ALICE001' && String(c.args.text).includes('disabled it')));
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
    expect(await t.db.selectFrom('webhook_deliveries').select('id').execute()).toHaveLength(1);
  });

  it('redelivers one event, or all since a time, with the same webhook-id; a rotated secret and the old one both verify for 24 h', async () => {
    const { endpoint, secret } = await addEndpoint(['member.role_changed']);
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
    await until(() => received.length === 2);
    const first = verified(secret, received[0]!);
    const rotated = await rotateSecret(deps(), { organizationId: org.id, actor: { kind: 'member', memberId: olga.id }, source: 'slack', endpointId: endpoint.id });
    expect(await redeliver(deps(), { organizationId: org.id, actor: { kind: 'member', memberId: olga.id }, source: 'slack', endpointId: endpoint.id, what: { eventId: first.id } })).toBe(1);
    await until(() => received.length === 3);
    expect(received[2]!.headers['webhook-id']).toBe(first.id);
    expect(verified(rotated.secret, received[2]!).id).toBe(first.id);
    expect(verified(secret, received[2]!).id).toBe(first.id);
    expect(await redeliver(deps(), { organizationId: org.id, actor: { kind: 'member', memberId: olga.id }, source: 'slack', endpointId: endpoint.id, what: { since: new Date(Date.now() - 60_000) } })).toBe(2);
    await until(() => received.length === 5);
    expect(received.slice(3).map((r) => verified(rotated.secret, r).data.to)).toEqual(['owner', 'member']);
  });

  it('checks the address again at delivery time: a host whose DNS now answers a private address is refused, nothing is sent', async () => {
    dns = { 'hooks.example': '93.184.216.34' };
    const { endpoint } = await createEndpoint({ db: t.db, box, urls: { production: true, resolve } }, {
      organizationId: org.id,
      actor: { kind: 'member', memberId: olga.id },
      source: 'api',
      endpoint: { url: 'https://hooks.example/h', event_types: ['member.role_changed'] },
    });
    await expect(
      createEndpoint({ db: t.db, box, urls: { production: true, resolve: async () => [{ address: '10.0.0.5', family: 4 }] } }, {
        organizationId: org.id,
        actor: { kind: 'member', memberId: olga.id },
        source: 'api',
        endpoint: { url: 'https://internal.example/h', event_types: ['member.role_changed'] },
      }),
    ).rejects.toMatchObject({ code: 'invalid_url', message: expect.stringContaining('10.0.0.5') });
    workerUrls.production = true;
    dns = { 'hooks.example': '10.0.0.5' }; // rebinding after the check at save time
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await until(async () => (await t.db.selectFrom('webhook_deliveries').select('attempts').where('endpoint_id', '=', endpoint.id).executeTakeFirstOrThrow()).attempts === 1);
    const row = await t.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpoint.id).executeTakeFirstOrThrow();
    expect(row.last_error).toContain('10.0.0.5');
    expect(row.last_status_code).toBeNull();
    expect(attempts).toBe(0);
  });

  it('concurrent changes arrive in commit order, each exactly once', async () => {
    const { secret } = await addEndpoint(['member.role_changed']);
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => seedMember(t.db, org, `conc${bobs}-${i}@example.com`, 'member')));
    await Promise.all(people.map((p) => changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: p.id, role: 'owner', source: 'slack' })));
    await until(() => received.length === people.length);
    const ids = received.map((r) => verified(secret, r).id);
    // Changes take the organization lock first, so audit ids follow commit order.
    const auditIds = ids.map((id) => Number(/^evt_(\d+)_0$/.exec(id)![1]));
    expect(auditIds).toEqual([...auditIds].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(people.length);
  });
});
