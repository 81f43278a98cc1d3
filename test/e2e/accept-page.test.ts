import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Member, Organization } from '../../src/db/schema.js';
import { sendInvitationEmail } from '../../src/notify/invitation-delivery.js';
import { cancelInvitation, createInvitations } from '../../src/team/invitations.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { captureMail } from '../support/mail-capture.js';
import { auditActions, seedMember, seedOrganization } from '../support/seed.js';

/**
 * The accept page over real HTTP into the real app: links are made by the real email job
 * (captured instead of sent); the worker is off so it cannot issue a second token meanwhile.
 */
describe('invitation accept page over HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let owner: Member;
  let seq = 0;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    owner = await seedMember(t.db, org, 'olga@acme.test', 'owner', { displayName: 'Olga Owner' });
  });
  afterAll(async () => h?.stop());

  /** Invites one fresh address and runs its email job; returns the emailed link (to the running app). */
  async function invite(options: { organization?: Organization; by?: Member; role?: 'owner' | 'member'; message?: string } = {}) {
    const organization = options.organization ?? org;
    const email = `newcomer${++seq}@example.org`;
    const { invitations } = await createInvitations(t.db, {
      organizationId: organization.id,
      actorMemberId: (options.by ?? owner).id,
      addresses: [email],
      role: options.role ?? 'member',
      message: options.message ?? null,
      source: 'slack',
    });
    const invitation = invitations[0]!;
    const mailer = captureMail();
    await sendInvitationEmail(
      { db: t.db, mailer, log: pino({ level: 'silent' }), publicUrl: h.app.url },
      { organizationId: organization.id, invitationId: invitation.id, sendCount: invitation.send_count },
    );
    return { invitation, email, link: mailer.linkTo(email) };
  }

  async function get(url: string) {
    const res = await fetch(url);
    return { status: res.status, headers: res.headers, html: await res.text() };
  }
  async function post(url: string, form: Record<string, string> | string) {
    const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    return { status: res.status, headers: res.headers, html: await res.text() };
  }
  const invitationRow = (id: string) => t.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const memberByEmail = (organizationId: string, email: string) =>
    t.db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('email', '=', email).executeTakeFirst();
  const withoutTags = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

  it('GET shows organization, inviter, role, message and both buttons, with the security headers, and changes nothing', async () => {
    const { invitation, email, link } = await invite({ role: 'owner', message: 'Welcome aboard!' });
    const auditBefore = await auditActions(t.db, org.id);

    const page = await get(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const text = withoutTags(page.html);
    expect(text).toContain("Olga Owner invited you to join Acme's team as an owner.");
    expect(text).toContain('Welcome aboard!');
    expect(text).toContain(`This invitation is for ${email}`);
    expect(page.html).toContain('<form method="post">');
    expect(page.html).toContain('<button type="submit" name="decision" value="accept" class="primary">Accept</button>');
    expect(page.html).toContain('<button type="submit" name="decision" value="decline">Decline</button>');
    expect(page.html).not.toMatch(/<script|\son\w+=|javascript:/i);

    expect(page.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
    );
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-request-id')).toBeTruthy();

    // Looking is not answering: still pending, nothing audited.
    expect((await invitationRow(invitation.id)).status).toBe('pending');
    expect(await auditActions(t.db, org.id)).toEqual(auditBefore);
    expect(await memberByEmail(org.id, email)).toBeUndefined();
  });

  it('POST accept creates the member with the invited role and welcomes them; the link then says it was used (410)', async () => {
    const { invitation, email, link } = await invite({ role: 'owner' });
    const accepted = await post(link, { decision: 'accept' });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(accepted.headers.get('cache-control')).toBe('no-store');
    expect(withoutTags(accepted.html)).toContain('Welcome to Acme');
    expect(withoutTags(accepted.html)).toContain("You joined Acme's team as an owner.");

    expect(await memberByEmail(org.id, email)).toMatchObject({ role: 'owner', status: 'active', invited_by_member_id: owner.id });
    expect(await invitationRow(invitation.id)).toMatchObject({ status: 'accepted' });
    const audit = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'invitation.accepted', source: 'web' });

    // Single use: a second POST (a refresh, a double click) and a later GET both get 410.
    const again = await post(link, { decision: 'accept' });
    expect(again.status).toBe(410);
    expect(withoutTags(again.html)).toContain('This invitation was already accepted.');
    const later = await get(link);
    expect(later.status).toBe(410);
    expect(later.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await t.db.selectFrom('members').select('id').where('email', '=', email).execute()).toHaveLength(1);
  });

  it('two accepts at once: one welcome, one 410, one member', async () => {
    const { email, link } = await invite();
    const results = await Promise.all([post(link, { decision: 'accept' }), post(link, { decision: 'accept' })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 410]);
    expect(await t.db.selectFrom('members').select('id').where('email', '=', email).execute()).toHaveLength(1);
  });

  it('POST decline shows the outcome, creates no member, and the link is then used up', async () => {
    const { invitation, email, link } = await invite();
    const declined = await post(link, { decision: 'decline' });
    expect(declined.status).toBe(200);
    expect(withoutTags(declined.html)).toContain('You declined the invitation to join Acme');
    expect(await invitationRow(invitation.id)).toMatchObject({ status: 'declined' });
    expect(await memberByEmail(org.id, email)).toBeUndefined();

    const again = await post(link, { decision: 'accept' });
    expect(again.status).toBe(410);
    expect(withoutTags(again.html)).toContain('This invitation was already declined.');
    expect(await memberByEmail(org.id, email)).toBeUndefined();
  });

  it('unknown tokens get 404 with one identical page, whatever the token, for GET and POST', async () => {
    const { link } = await invite(); // a real token exists; its neighbours must not hint at it
    const base = `${h.app.url}/invitations/`;
    const realToken = link.slice(link.lastIndexOf('/') + 1);
    const probes = [
      'A'.repeat(43),
      `${realToken.slice(0, 42)}${realToken.endsWith('A') ? 'B' : 'A'}`,
      realToken.slice(0, 20),
      encodeURIComponent("'; drop table invitations; --"),
      encodeURIComponent('<script>alert(1)</script>'),
    ];
    const pages = await Promise.all(probes.map((p) => get(base + p)));
    for (const page of pages) {
      expect(page.status).toBe(404);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.html).toBe(pages[0]!.html);
    }
    expect(withoutTags(pages[0]!.html)).toContain('This invitation link is not valid.');
    expect(pages[0]!.html).not.toContain('Acme');

    const posted = await post(base + 'A'.repeat(43), { decision: 'accept' });
    expect(posted.status).toBe(404);
    expect(posted.html).toBe(pages[0]!.html);
    // The real link still works after all that probing.
    expect((await get(link)).status).toBe(200);
  });

  it('an expired invitation gets 410 for GET and POST, and no member', async () => {
    const { invitation, email, link } = await invite();
    await t.db.updateTable('invitations').set({ expires_at: new Date(Date.now() - 60_000) }).where('id', '=', invitation.id).execute();
    const page = await get(link);
    expect(page.status).toBe(410);
    expect(withoutTags(page.html)).toContain('This invitation to Acme has expired. Ask an owner to send it again.');
    expect((await post(link, { decision: 'accept' })).status).toBe(410);
    expect(await memberByEmail(org.id, email)).toBeUndefined();
  });

  it('a cancelled invitation gets 410 for GET and POST, and no member', async () => {
    const { invitation, email, link } = await invite();
    await cancelInvitation(t.db, { organizationId: org.id, actorMemberId: owner.id, invitationId: invitation.id, source: 'slack' });
    const page = await get(link);
    expect(page.status).toBe(410);
    expect(withoutTags(page.html)).toContain('This invitation to Acme was cancelled.');
    expect((await post(link, { decision: 'accept' })).status).toBe(410);
    expect(await memberByEmail(org.id, email)).toBeUndefined();
  });

  it('with "require SSO" the page says to accept in Slack (403), and a POST creates nothing', async () => {
    const secure = await seedOrganization(t.db, 'T0SECURE01', { name: 'Secure Co' });
    await t.db.updateTable('organizations').set({ require_sso: true }).where('id', '=', secure.id).execute();
    const secureOwner = await seedMember(t.db, secure, 'sam@secure.test', 'owner', { displayName: 'Sam' });
    const { invitation, email, link } = await invite({ organization: secure, by: secureOwner });

    const page = await get(link);
    expect(page.status).toBe(403);
    const text = withoutTags(page.html);
    expect(text).toContain('Accept this invitation in Slack');
    expect(text).toContain('Secure Co accepts invitations only inside Slack');
    expect(page.html).not.toContain('<form');

    for (const decision of ['accept', 'decline']) expect((await post(link, { decision })).status).toBe(403);
    expect(await memberByEmail(secure.id, email)).toBeUndefined();
    expect((await invitationRow(invitation.id)).status).toBe('pending');
  });

  it('escapes HTML in the organization name, the inviter name and the message', async () => {
    const evil = await seedOrganization(t.db, 'T0EVIL0001', { name: '<script>alert(1)</script> & Co' });
    const evilOwner = await seedMember(t.db, evil, 'eve@evil.test', 'owner', { displayName: '<img src=x onerror=alert(2)>' });
    const { link } = await invite({ organization: evil, by: evilOwner, message: '</blockquote><script>alert(3)</script>"\'' });

    const page = await get(link);
    expect(page.status).toBe(200);
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(page.html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(page.html).toContain('&lt;/blockquote&gt;&lt;script&gt;alert(3)&lt;/script&gt;&quot;&#39;');
    expect(page.html).not.toMatch(/<script|<img/i);

    const accepted = await post(link, { decision: 'accept' });
    expect(accepted.status).toBe(200);
    expect(accepted.html).toContain('Welcome to &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(accepted.html).not.toMatch(/<script|<img/i);
  });

  it('a bad or oversized form is a 400 / 413 page that changes nothing', async () => {
    const { invitation, link } = await invite();
    const forms: Array<Record<string, string> | string> = [{ decision: 'maybe' }, {}, 'decision=accept&decision=decline'];
    for (const form of forms) {
      const res = await post(link, form);
      expect(res.status).toBe(400);
      expect(withoutTags(res.html)).toContain('Choose Accept or Decline');
    }
    const json = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"decision":"accept"}' });
    expect(json.status).toBe(400);
    const huge = await post(link, { decision: 'accept', padding: 'x'.repeat(4096) });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await invitationRow(invitation.id)).status).toBe('pending');
  });

  it('never writes a token to the logs', async () => {
    const { link } = await invite();
    await get(link);
    await post(link, { decision: 'decline' });
    const token = link.slice(link.lastIndexOf('/') + 1);
    const logged = h.logs.text();
    expect(logged).toContain('"path":"/invitations/:token"');
    expect(logged).not.toContain(token);
  });
});
