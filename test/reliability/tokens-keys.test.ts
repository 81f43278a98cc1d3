import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { createApiKey, revokeApiKey } from '../../src/api/api-keys.js';
import { sendInvitationEmail } from '../../src/notify/invitation-delivery.js';
import { ACCEPT_INVITATION_ACTION, DECLINE_INVITATION_ACTION } from '../../src/slack/blocks/invitation-dm.js';
import { cancelInvitation, createInvitations, resendInvitation } from '../../src/team/invitations.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { captureMail } from '../support/mail-capture.js';
import { seedMember, seedOrganization } from '../support/seed.js';
import { record } from './support/ledger.js';
import { errorLines, orgFingerprint, payloadForm, secretsInLogs, sendForm } from './support/attack-kit.js';

/**
 * Invitation tokens (the accept page's links, the Slack Accept button) and API keys, attacked:
 * guessed, truncated, extended, altered, reused, expired, replaced, cancelled, from another
 * organization. Refusals of made-up credentials must be indistinguishable from each other (same
 * status, same body once the request id is taken out), nothing may change, and no token, key or
 * secret may appear in any log line (every one used here is scanned for).
 */
describe('invitation tokens and API keys', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let orgA: Organization;
  let orgB: Organization;
  let ownerA: Member;
  let ownerB: Member;
  let seq = 0;
  /** Every secret this file handles, scanned for in the logs at the end. */
  const secrets: string[] = [];

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    orgA = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    orgB = await seedOrganization(t.db, 'T0BETA0001', { name: 'Beta', team_channel_id: 'C0TEAM0001' });
    ownerA = await seedMember(t.db, orgA, 'olga@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Olga' });
    ownerB = await seedMember(t.db, orgB, 'bert@beta.test', 'owner', { slackUserId: 'U0BERT0001', displayName: 'Bert' });
    secrets.push(SIGNING_SECRET, h.standin.botToken);
  });
  afterAll(async () => h?.stop());

  /** Invites a fresh address and runs the real email job with the app's (captured) logger; returns the emailed token. */
  async function invite(org: Organization = orgA, by: Member = ownerA, email = `guest${++seq}@example.org`) {
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: by.id, addresses: [email], role: 'member', source: 'cli' });
    const invitation = invitations[0]!;
    const mailer = captureMail();
    await sendInvitationEmail(
      { db: t.db, mailer, log: h.logs.log, publicUrl: h.app.url },
      { organizationId: org.id, invitationId: invitation.id, sendCount: invitation.send_count },
    );
    const token = mailer.linkTo(email).split('/invitations/')[1]!;
    secrets.push(token);
    return { invitation, email, token };
  }

  const page = async (token: string, method: 'GET' | 'POST' = 'GET') => {
    const res = await fetch(`${h.app.url}/invitations/${token}`, {
      method,
      ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=accept' } : {}),
    });
    return { status: res.status, body: await res.text() };
  };
  const fingerprints = async () => `${await orgFingerprint(t.db, orgA.id)}|${await orgFingerprint(t.db, orgB.id)}`;
  const memberCount = async (email: string) => (await t.db.selectFrom('members').select('id').where('email', '=', email).execute()).length;

  it('made-up, truncated, extended and altered invitation tokens all get the one "not valid" answer and change nothing', async () => {
    const real = await invite();
    const canonical = await page(randomBytes(32).toString('base64url'));
    expect(canonical.status).toBe(404);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const candidates = [
      ...Array.from({ length: 20 }, () => randomBytes(32).toString('base64url')),
      real.token.slice(0, 42),
      real.token.slice(0, 20),
      real.token.slice(1),
      `${real.token}A`,
      `${real.token}${real.token}`,
      flip(real.token, 0),
      flip(real.token, 21),
      flip(real.token, 42),
      real.token.toUpperCase() === real.token ? real.token.toLowerCase() : real.token.toUpperCase(),
      encodeURIComponent("' OR '1'='1"),
      encodeURIComponent('%'),
      'a'.repeat(5000),
      encodeURIComponent('<script>alert(1)</script>'),
      encodeURIComponent('\u0000'),
      encodeURIComponent('🙂'.repeat(20)),
    ];
    const before = await fingerprints();
    const different: string[] = [];
    for (const token of candidates) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await page(token, method);
        if (res.status !== canonical.status || res.body !== canonical.body) different.push(`${method} ${token.slice(0, 60)} → ${res.status}`);
      }
    }
    const changed = (await fingerprints()) !== before;
    record({ area: 'input', name: 'invitation tokens: guessed, truncated, altered', inputs: candidates.length * 2, lost: 0, duplicated: 0, unauthorised: changed ? 1 : 0 });
    expect(different).toEqual([]);
    expect(changed).toBe(false);
    // The real one still works afterwards (nothing was locked out or consumed by the attempts).
    expect((await page(real.token)).status).toBe(200);
  });

  it('reused, expired, replaced and cancelled tokens are refused and change nothing; a replaced one looks made up', async () => {
    let unauthorised = 0;
    let inputs = 0;
    const canonical = await page(randomBytes(32).toString('base64url'));

    // Reused: the first accept joins, every later use is refused with no second member.
    const used = await invite();
    expect((await page(used.token, 'POST')).status).toBe(200);
    let before = await fingerprints();
    for (let i = 0; i < 3; i++) {
      expect((await page(used.token, 'POST')).status).toBe(410);
      inputs++;
    }
    if ((await fingerprints()) !== before) unauthorised++;
    expect(await memberCount(used.email)).toBe(1);

    // Expired.
    const expired = await invite();
    await t.db.updateTable('invitations').set({ expires_at: new Date(Date.now() - 60_000) }).where('id', '=', expired.invitation.id).execute();
    before = await fingerprints();
    expect((await page(expired.token, 'POST')).status).toBe(410);
    inputs++;
    if ((await fingerprints()) !== before || (await memberCount(expired.email)) !== 0) unauthorised++;

    // Replaced by Resend: the old link is dead and indistinguishable from a made-up one.
    const resent = await invite();
    await t.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - 3_600_000) }).where('id', '=', resent.invitation.id).execute();
    await resendInvitation(t.db, { organizationId: orgA.id, actorMemberId: ownerA.id, invitationId: resent.invitation.id, source: 'cli' });
    before = await fingerprints();
    const old = await page(resent.token, 'POST');
    inputs++;
    expect(old).toEqual(canonical);
    if ((await fingerprints()) !== before || (await memberCount(resent.email)) !== 0) unauthorised++;

    // Cancelled.
    const cancelled = await invite();
    await cancelInvitation(t.db, { organizationId: orgA.id, actorMemberId: ownerA.id, invitationId: cancelled.invitation.id, source: 'cli' });
    before = await fingerprints();
    expect((await page(cancelled.token, 'POST')).status).toBe(410);
    inputs++;
    if ((await fingerprints()) !== before || (await memberCount(cancelled.email)) !== 0) unauthorised++;

    // Another organization's token joins that organization only, never this one.
    const beta = await invite(orgB, ownerB);
    const beforeA = await orgFingerprint(t.db, orgA.id);
    expect((await page(beta.token, 'POST')).status).toBe(200);
    inputs++;
    if ((await orgFingerprint(t.db, orgA.id)) !== beforeA) unauthorised++;
    expect(await t.db.selectFrom('members').select('organization_id').where('email', '=', beta.email).execute()).toEqual([{ organization_id: orgB.id }]);

    record({ area: 'input', name: 'invitation tokens: reused, expired, replaced, cancelled, other organization', inputs, lost: 0, duplicated: 0, unauthorised });
    expect(unauthorised).toBe(0);
  });

  it('Slack Accept / Decline: invitation ids guessed, from another organization, or clicked by someone else change nothing', async () => {
    // Bob's invitation in A; the click comes from carol (wrong user), from B's workspace, or names ids that do not exist.
    const bobInvite = await invite(orgA, ownerA, 'bob@acme.test');
    const betaInvite = await invite(orgB, ownerB, 'carol@acme.test');
    const attempts: Array<{ user: string; value: string; team?: string; action: string }> = [
      { user: 'U0CAROL001', value: bobInvite.invitation.id, action: ACCEPT_INVITATION_ACTION },
      { user: 'U0CAROL001', value: bobInvite.invitation.id, action: DECLINE_INVITATION_ACTION },
      { user: 'U0BOB00001', value: bobInvite.invitation.id, team: 'T0BETA0001', action: ACCEPT_INVITATION_ACTION },
      { user: 'U0CAROL001', value: betaInvite.invitation.id, action: ACCEPT_INVITATION_ACTION },
      { user: 'U0BOB00001', value: crypto.randomUUID(), action: ACCEPT_INVITATION_ACTION },
      { user: 'U0BOB00001', value: bobInvite.invitation.id.slice(0, 35), action: ACCEPT_INVITATION_ACTION },
      { user: 'U0BOB00001', value: `${bobInvite.invitation.id}' OR '1'='1`, action: ACCEPT_INVITATION_ACTION },
      { user: 'U0BOB00001', value: bobInvite.token, action: ACCEPT_INVITATION_ACTION },
    ];
    const logFrom = h.logs.lines().length;
    let unauthorised = 0;
    const answers: string[] = [];
    for (const a of attempts) {
      const before = await fingerprints();
      const { payload, responseUrlId } = h.driver.blockActionsPayload(a.user, [{ action_id: a.action, value: a.value }], {
        message: { ts: '1700000000.000300', text: 'Invitation', blocks: [] },
        channelId: 'D0DM000001',
      });
      const res = await sendForm(h.driver, payloadForm(payload, a.team));
      expect(res.status).toBe(200);
      if (a.team) {
        // Another workspace than this deployment's: dropped by tenancy before any lookup, so
        // it is told nothing at all (src/slack/tenancy.ts).
        await new Promise((r) => setTimeout(r, 300));
        expect(h.standin.responseUrlPosts.some((p) => p.id === responseUrlId)).toBe(false);
        answers.push('(dropped: another workspace)');
      } else {
        const answer = await h.standin.waitForResponseUrlPost(responseUrlId);
        answers.push(String(answer.body.text));
      }
      if ((await fingerprints()) !== before) unauthorised++;
    }
    record({ area: 'input', name: 'invitation Accept/Decline in Slack: wrong user, other organization, guessed ids', inputs: attempts.length, lost: 0, duplicated: 0, unauthorised });
    expect(unauthorised, answers.join('\n')).toBe(0);
    // A guessed id and another organization's id get the same words: nothing tells which exist.
    expect(answers[3]).toBe(answers[4]);
    expect(errorLines(h.logs, logFrom)).toEqual([]);
  });

  it('API keys: guessed, truncated, altered, revoked, wrong scheme or place all get the one 401 and change nothing', async () => {
    const cli = { type: 'cli' as const, id: 'tokens-test' };
    const good = await createApiKey(t.db, { organizationId: orgA.id, name: 'good', scope: 'read-write', actor: cli, source: 'cli' });
    const revoked = await createApiKey(t.db, { organizationId: orgA.id, name: 'revoked', scope: 'read-write', actor: cli, source: 'cli' });
    await revokeApiKey(t.db, { organizationId: orgA.id, id: revoked.apiKey.id, actor: cli, source: 'cli' });
    secrets.push(good.key, revoked.key);
    const url = `${h.app.url}/api/v1/members`;
    const get = async (headers: Record<string, string>, path = url) => {
      const res = await fetch(path, { headers });
      const body = await res.text();
      return { status: res.status, body, www: res.headers.get('www-authenticate') };
    };
    const guessed = () => `tm_${randomBytes(32).toString('base64url')}`;
    const canonical = await get({ authorization: `Bearer ${guessed()}` });
    expect(canonical.status).toBe(401);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const bearers = [
      ...Array.from({ length: 20 }, guessed),
      good.key.slice(0, -1),
      good.key.slice(0, 10),
      `${good.key}A`,
      flip(good.key, 5),
      flip(good.key, good.key.length - 1),
      good.key.replace(/^tm_/, 'tk_'),
      good.key.slice(3),
      good.key.toUpperCase(),
      revoked.key,
      `${good.key}' OR '1'='1`,
      'x'.repeat(10_000),
    ];
    const before = await fingerprints();
    const different: string[] = [];
    for (const key of bearers) {
      const res = await get({ authorization: `Bearer ${key}` });
      if (res.status !== 401 || res.body !== canonical.body || res.www !== canonical.www) different.push(`${key.slice(0, 40)} → ${res.status} ${res.www}`);
    }
    // Not a Bearer header, or the key somewhere else: refused as if no key were sent.
    const elsewhere: Array<{ headers: Record<string, string>; path?: string }> = [
      { headers: { authorization: `Basic ${Buffer.from(`${good.key}:`).toString('base64')}` } },
      { headers: { authorization: good.key } },
      { headers: { 'x-api-key': good.key } },
      { headers: {}, path: `${url}?api_key=${good.key}` },
      { headers: { cookie: `key=${good.key}` } },
    ];
    for (const e of elsewhere) {
      const res = await get(e.headers, e.path);
      if (res.status !== 401 && res.status !== 400) different.push(`${JSON.stringify(e).slice(0, 60)} → ${res.status}`);
    }
    // A refused write changes nothing either.
    const write = await fetch(`${h.app.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${revoked.key}`, 'content-type': 'application/json', 'idempotency-key': 'revoked-1' },
      body: JSON.stringify({ type: 'sign_in', email: 'olga@acme.test', occurred_at: new Date().toISOString(), summary: 'x' }),
    });
    expect(write.status).toBe(401);
    const changed = (await fingerprints()) !== before;
    record({ area: 'input', name: 'API keys: guessed, truncated, altered, revoked, misplaced', inputs: bearers.length + elsewhere.length + 1, lost: 0, duplicated: 0, unauthorised: changed ? 1 : 0 });
    expect(different).toEqual([]);
    expect(changed).toBe(false);
    expect((await get({ authorization: `Bearer ${good.key}` })).status).toBe(200);
  });

  it('no invitation token, API key, signing secret or bot token appears in any log line', () => {
    expect(secrets.length).toBeGreaterThan(8);
    const leaked = secretsInLogs(h.logs, secrets);
    record({ area: 'input', name: 'secrets in logs (tokens, keys, signing secret)', inputs: secrets.length, lost: 0, duplicated: 0, unauthorised: leaked.length });
    expect(leaked).toEqual([]);
  });
});
