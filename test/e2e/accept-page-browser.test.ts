import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Member, Organization } from '../../src/db/schema.js';
import { cancelInvitation, createInvitations } from '../../src/team/invitations.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium } from '../support/browser.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/** The browser's own function, for code that runs in the page (the project's types have no DOM lib). */
declare function getComputedStyle(element: unknown): { backgroundColor: string };

/**
 * A person's whole path, in a real browser with JavaScript off: the running app's worker sends
 * the email (to a local .eml file, no SMTP_URL) and logs the link, as on a fresh checkout;
 * the browser opens it and clicks a button.
 */
describe('accept page in a real browser, without JavaScript', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let dataDir: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let org: Organization;
  let owner: Member;
  let seq = 0;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tm-accept-browser-'));
    h = await startTestApp({ databaseUrl: t.url, env: { DATA_DIR: dataDir } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    owner = await seedMember(t.db, org, 'olga@acme.test', 'owner', { displayName: 'Olga Owner' });
    // The system Chromium when there is one, else the one inside @sparticuz/chromium (test/support/browser.ts).
    browser = await launchChromium();
    context = await browser.newContext({ javaScriptEnabled: false });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await h?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    return page;
  }

  /** Invites a fresh address; the app's worker emails it; returns the link it logged, pointed at the running app. */
  async function invite(options: { organization?: Organization; by?: Member } = {}) {
    const organization = options.organization ?? org;
    const email = `browser${++seq}@example.org`;
    const { invitations } = await createInvitations(t.db, {
      organizationId: organization.id,
      actorMemberId: (options.by ?? owner).id,
      addresses: [email],
      role: 'member',
      source: 'slack',
    });
    const invitation = invitations[0]!;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const line = h.logs.lines().find((l) => l.invitation === invitation.id && typeof l.localAcceptLink === 'string');
      if (line) {
        // PUBLIC_URL defaults to localhost:PORT, and PORT is 0 here: keep the path, use the real address.
        const link = `${h.app.url}${new URL(line.localAcceptLink as string).pathname}`;
        return { invitation, email, link, file: line.file as string };
      }
      if (Date.now() > deadline) throw new Error(`the worker logged no accept link for ${email}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const memberByEmail = (organizationId: string, email: string) =>
    t.db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('email', '=', email).executeTakeFirst();

  it('the emailed link opens the invitation; clicking Accept shows the welcome and creates the member', async () => {
    const { email, link, file } = await invite();
    expect(path.dirname(file)).toBe(path.join(dataDir, 'mail'));
    expect(await readdir(path.join(dataDir, 'mail'))).toContain(path.basename(file));

    const page = await newPage();
    const shown = await page.goto(link);
    expect(shown?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Join Acme');
    expect(await page.locator('main').innerText()).toContain("Olga Owner invited you to join Acme's team as a member.");
    // The stylesheet applied: its hash in the policy matches (a mismatch would leave the default grey).
    const accept = page.getByRole('button', { name: 'Accept' });
    expect(await accept.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(0, 122, 90)');

    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('Welcome to Acme');
    expect(page.url()).toBe(link); // the form posted back to the link itself
    expect(await memberByEmail(org.id, email)).toMatchObject({ role: 'member', status: 'active' });

    // Opening the link again: it was used.
    const again = await page.goto(link);
    expect(again?.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('This invitation was already used');
    await page.close();
  });

  it('clicking Decline shows the outcome and creates no member', async () => {
    const { email, link } = await invite();
    const page = await newPage();
    await page.goto(link);
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('Invitation declined');
    expect(await page.locator('main').innerText()).toContain('You declined the invitation to join Acme');
    expect(await memberByEmail(org.id, email)).toBeUndefined();
    await page.close();
  });

  it('each failure page says what happened, with its status', async () => {
    const expired = await invite();
    await t.db.updateTable('invitations').set({ expires_at: new Date(Date.now() - 60_000) }).where('id', '=', expired.invitation.id).execute();
    const cancelled = await invite();
    await cancelInvitation(t.db, { organizationId: org.id, actorMemberId: owner.id, invitationId: cancelled.invitation.id, source: 'slack' });
    const secure = await seedOrganization(t.db, 'T0SECURE02', { name: 'Secure Co' });
    await t.db.updateTable('organizations').set({ require_sso: true }).where('id', '=', secure.id).execute();
    const sso = await invite({ organization: secure, by: await seedMember(t.db, secure, 'sam@secure.test', 'owner') });

    const cases = [
      { url: `${h.app.url}/invitations/${'A'.repeat(43)}`, status: 404, title: "This invitation link doesn't work", text: 'This invitation link is not valid.' },
      { url: expired.link, status: 410, title: 'This invitation has expired', text: 'This invitation to Acme has expired. Ask an owner to send it again.' },
      { url: cancelled.link, status: 410, title: 'This invitation was cancelled', text: 'This invitation to Acme was cancelled.' },
      { url: sso.link, status: 403, title: 'Accept this invitation in Slack', text: 'Secure Co accepts invitations only inside Slack' },
    ];
    const page = await newPage();
    for (const c of cases) {
      const res = await page.goto(c.url);
      expect(res?.status(), c.title).toBe(c.status);
      expect(await page.locator('h1').textContent()).toBe(c.title);
      expect(await page.locator('main').innerText()).toContain(c.text);
      expect(await page.getByRole('button').count()).toBe(0);
    }
    await page.close();
    expect(await memberByEmail(secure.id, sso.email)).toBeUndefined();
  });

  it('the browser enforced the page policy without a single violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
