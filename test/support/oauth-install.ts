import { expect } from 'vitest';

export interface InstallOptions {
  /** Who installs (a stand-in user id; U0ALICE001 by default). */
  user?: string;
  /** An org-wide Enterprise Grid install. */
  orgWide?: boolean;
  /** The person clicks Cancel on Slack's consent page. */
  deny?: boolean;
  /** Change the callback before the browser follows it (a forged state, a lost cookie…). */
  tamper?: (redirect: URL, cookie: string) => { redirect: URL; cookie: string };
}

/**
 * What a person's browser does for "Add to Slack": open the app's /slack/install, follow the
 * Add to Slack link to (the stand-in's) consent page, allow, and come back to
 * /slack/oauth_redirect carrying the state cookie. Real HTTP all the way.
 */
export async function installThroughBrowser(appUrl: string, team: string, options: InstallOptions = {}) {
  const page = await fetch(`${appUrl}/slack/install`);
  expect(page.status).toBe(200);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  expect(cookie).toMatch(/^slack-app-oauth-state=/);
  const html = await page.text();
  const href = /href="([^"]*oauth\/v2\/authorize[^"]*)"/.exec(html)?.[1];
  expect(href, html).toBeDefined();
  const authorize = new URL(href!.replace(/&amp;/g, '&'));
  expect(authorize.searchParams.get('scope')).toContain('users:read.email');
  authorize.searchParams.set('team', team);
  authorize.searchParams.set('user', options.user ?? 'U0ALICE001');
  if (options.deny) authorize.searchParams.set('deny', '1');
  if (options.orgWide) authorize.searchParams.set('enterprise_install', 'true');
  const consent = await fetch(authorize, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  let redirect = new URL(consent.headers.get('location')!);
  let sentCookie = cookie;
  if (options.tamper) ({ redirect, cookie: sentCookie } = options.tamper(redirect, cookie));
  const done = await fetch(redirect, { headers: sentCookie ? { cookie: sentCookie } : {}, redirect: 'manual' });
  return { status: done.status, html: await done.text(), redirect, cookie };
}
