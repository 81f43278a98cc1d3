import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';
import { record } from './support/ledger.js';
import { errorLines, orgFingerprint, secretsInLogs } from './support/attack-kit.js';

/**
 * Slack's request signature, attacked: every request below carries a state-changing command
 * (`/team role @bob owner` by an owner) that would succeed if it got through. Each must be
 * refused by the receiver (401, or 400 for a body it cannot read) with no change of state,
 * and a correctly signed control request must then go through (so the body is a real attack).
 */
describe('Slack request signatures', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let bob: Member;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001' });
  });
  afterAll(async () => h?.stop());

  const promoteBob = () => new URLSearchParams(h.driver.commandFields('U0ALICE001', '/team', 'role <@U0BOB00001> owner').fields).toString();
  const hmac = (secret: string, ts: number | string, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

  type Attack = { name: string; send: () => Promise<{ status: number }> };
  const attacks: Attack[] = [
    { name: 'no signature header', send: () => h.driver.send(promoteBob(), { signature: null }) },
    { name: 'no timestamp header', send: () => { const b = promoteBob(); return h.driver.send(b, { omitTimestamp: true, signature: h.driver.sign(b, now()) }); } },
    { name: 'no headers at all', send: () => h.driver.send(promoteBob(), { omitTimestamp: true, signature: null }) },
    { name: 'empty signature', send: () => h.driver.send(promoteBob(), { signature: '' }) },
    { name: 'random signature', send: () => h.driver.send(promoteBob(), { signature: `v0=${'ab'.repeat(32)}` }) },
    { name: 'signed with another secret', send: () => { const b = promoteBob(); const ts = now(); return h.driver.send(b, { timestamp: ts, signature: hmac('not-the-secret', ts, b) }); } },
    { name: 'v1= scheme', send: () => { const b = promoteBob(); const ts = now(); return h.driver.send(b, { timestamp: ts, signature: h.driver.sign(b, ts).replace('v0=', 'v1=') }); } },
    { name: 'truncated signature', send: () => { const b = promoteBob(); const ts = now(); return h.driver.send(b, { timestamp: ts, signature: h.driver.sign(b, ts).slice(0, 40) }); } },
    { name: 'signature for another timestamp', send: () => { const b = promoteBob(); const ts = now(); return h.driver.send(b, { timestamp: ts, signature: h.driver.sign(b, ts - 1) }); } },
    { name: 'stale: 6 minutes old, correctly signed', send: () => h.driver.send(promoteBob(), { timestamp: now() - 360 }) },
    { name: 'stale: a day old, correctly signed', send: () => h.driver.send(promoteBob(), { timestamp: now() - 86_400 }) },
    { name: 'future: 6 minutes ahead, correctly signed', send: () => h.driver.send(promoteBob(), { timestamp: now() + 360 }) },
    { name: 'future: a day ahead, correctly signed', send: () => h.driver.send(promoteBob(), { timestamp: now() + 86_400 }) },
    { name: 'non-numeric timestamp', send: () => { const b = promoteBob(); return h.driver.send(b, { omitTimestamp: true, headers: { 'X-Slack-Request-Timestamp': 'yesterday' }, signature: hmac(SIGNING_SECRET, 'yesterday', b) }); } },
    {
      name: 'replayed signature, body changed (command text)',
      send: () => {
        const original = new URLSearchParams(h.driver.commandFields('U0ALICE001', '/team', 'help').fields);
        const ts = now();
        const signature = h.driver.sign(original.toString(), ts);
        original.set('text', 'role <@U0BOB00001> owner');
        return h.driver.send(original.toString(), { timestamp: ts, signature });
      },
    },
    {
      name: 'replayed signature, body changed (acting user)',
      send: () => {
        const original = new URLSearchParams(h.driver.commandFields('U0BOB00001', '/team', 'role <@U0BOB00001> owner').fields);
        const ts = now();
        const signature = h.driver.sign(original.toString(), ts);
        original.set('user_id', 'U0ALICE001');
        return h.driver.send(original.toString(), { timestamp: ts, signature });
      },
    },
    {
      name: 'replayed signature, a field appended',
      send: () => {
        const body = new URLSearchParams(h.driver.commandFields('U0BOB00001', '/team', 'help').fields).toString();
        const ts = now();
        return h.driver.send(`${body}&user_id=U0ALICE001&text=role+%3C%40U0BOB00001%3E+owner`, { timestamp: ts, signature: h.driver.sign(body, ts) });
      },
    },
    { name: 'content type text/plain, correctly signed', send: () => h.driver.send(promoteBob(), { contentType: 'text/plain' }) },
    { name: 'content type multipart/form-data, correctly signed', send: () => h.driver.send(promoteBob(), { contentType: 'multipart/form-data; boundary=x' }) },
    { name: 'content type application/json with a form body, correctly signed', send: () => h.driver.send(promoteBob(), { contentType: 'application/json' }) },
    { name: 'content type application/xml, correctly signed', send: () => h.driver.send(promoteBob(), { contentType: 'application/xml' }) },
  ];

  it('every forged, stale, future-dated, tampered or mistyped request is refused and changes nothing', async () => {
    const logFrom = h.logs.lines().length;
    const outcomes: string[] = [];
    let unauthorised = 0;
    let badStatus = 0;
    for (const attack of attacks) {
      const before = await orgFingerprint(t.db, org.id);
      const res = await attack.send();
      // Listeners work after the ack; give a request that slipped through time to show it.
      await new Promise((r) => setTimeout(r, 50));
      const changed = (await orgFingerprint(t.db, org.id)) !== before;
      outcomes.push(`${res.status} ${changed ? 'CHANGED' : 'unchanged'} ${attack.name}`);
      if (changed) unauthorised++;
      if (res.status !== 401 && res.status !== 400) badStatus++;
    }
    record({ area: 'input', name: 'Slack signatures: forged, stale, future, tampered, wrong type', inputs: attacks.length, lost: 0, duplicated: 0, unauthorised });
    expect(outcomes.filter((o) => !/^40[01] unchanged/.test(o)), outcomes.join('\n')).toEqual([]);
    expect(unauthorised).toBe(0);
    expect(badStatus).toBe(0);
    expect(errorLines(h.logs, logFrom)).toEqual([]);

    // Control: the same command, correctly signed now, does change bob's role.
    const control = await h.driver.command('U0ALICE001', '/team', 'role <@U0BOB00001> owner');
    expect(control.status).toBe(200);
    expect((await t.db.selectFrom('members').select('role').where('id', '=', bob.id).executeTakeFirstOrThrow()).role).toBe('owner');
  });

  it('clock skew: a request signed by a clock 4 minutes off either way is accepted; 6 minutes off is refused', async () => {
    // The machine that signs (Slack) and ours disagree about the time; Slack's window is 5 minutes.
    const roleOf = async () => (await t.db.selectFrom('members').select('role').where('id', '=', bob.id).executeTakeFirstOrThrow()).role;
    const signedAt = (skewSeconds: number, role: 'owner' | 'member') => {
      const body = new URLSearchParams(h.driver.commandFields('U0ALICE001', '/team', `role <@U0BOB00001> ${role}`).fields).toString();
      return h.driver.send(body, { timestamp: now() + skewSeconds });
    };
    let survived = 0;
    let unauthorised = 0;
    // Accepted, and each one takes effect (bob is an owner after the first test).
    for (const [skew, role] of [[-240, 'member'], [240, 'owner'], [240, 'member'], [-240, 'owner']] as const) {
      const res = await signedAt(skew, role);
      expect(res.status, `skew ${skew}s`).toBe(200);
      expect(await roleOf(), `skew ${skew}s`).toBe(role);
      survived++;
    }
    // Refused, and nothing changes.
    for (const skew of [-360, 360]) {
      const before = await orgFingerprint(t.db, org.id);
      const res = await signedAt(skew, 'member');
      await new Promise((r) => setTimeout(r, 50));
      expect(res.status, `skew ${skew}s`).toBe(401);
      if ((await orgFingerprint(t.db, org.id)) !== before) unauthorised++;
      else survived++;
    }
    expect(await roleOf()).toBe('owner');
    record({ area: 'fault', name: 'clock skew on signed requests: ±4 min accepted, ±6 min refused', injected: 6, survived, lost: 0, duplicated: 0, unauthorised });
    expect(survived).toBe(6);
  });

  it('the signing secret and the bot token never reach a log line', () => {
    expect(secretsInLogs(h.logs, [SIGNING_SECRET, h.standin.botToken])).toEqual([]);
  });
});
