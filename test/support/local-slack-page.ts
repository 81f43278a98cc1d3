import type { Page } from 'playwright-core';
import type { LocalSlackHarness } from './local-slack.js';

/**
 * What a person does on the local Slack's page, in the page's own words (roles and names, the
 * way a screen reader finds them): shared by the journeys test and `npm run screenshots`, so
 * the pictures are taken along the paths the tests prove. No call into our code.
 */

/** Generous: two cores shared by several sessions; the worker posts after the request. */
export const WAIT = { timeout: 15_000 };

export const messages = (page: Page, conversation: string) => page.getByRole('list', { name: conversation, exact: true });
export const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Sidebar' });

/** A person's row on Home: the innermost part of the tab holding their email and a dropdown. */
export const homeRow = (page: Page, email: string) =>
  page.locator('[data-view-id] *').filter({ hasText: email }).filter({ has: page.getByRole('combobox') }).last();

/** The role a Home row's dropdown shows. */
export const shownRole = (page: Page, email: string) => homeRow(page, email).getByRole('combobox').locator('option:checked').textContent();

/** Types into the composer and presses Enter, as a person sends a message or a command. */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** A click in the sidebar: #channel, Home, Messages or Mail. */
export async function goTo(page: Page, link: string): Promise<void> {
  await Promise.all([page.waitForURL(/[?&]c=/), sidebar(page).getByRole('link', { name: link, exact: true }).click()]);
}

/** `/team invite` and the invite modal, open with these addresses typed (the page is left on it). */
export async function openInviteModal(page: Page, addresses: string) {
  await send(page, '/team invite');
  const dialog = page.getByRole('dialog', { name: 'Invite people' });
  await dialog.getByRole('textbox', { name: 'Email addresses' }).fill(addresses, WAIT);
  return dialog;
}

/** Send in the invite modal, then close the "Invitations sent" view that replaces it. */
export async function sendInvitations(page: Page): Promise<void> {
  await page.getByRole('dialog', { name: 'Invite people' }).getByRole('button', { name: 'Send invitations' }).click();
  const sent = page.getByRole('dialog', { name: 'Invitations sent' });
  await sent.waitFor(WAIT);
  await page.keyboard.press('Escape');
  await sent.waitFor({ state: 'detached', ...WAIT });
}

/** As Alice (the first owner): `/team invite`, the addresses typed in the modal, sent. */
export async function invite(h: LocalSlackHarness, addresses: string): Promise<void> {
  const page = await h.open();
  await openInviteModal(page, addresses);
  await sendInvitations(page);
  await page.close();
}

/** The invitee, in their DM with Team Manager ("Messages"), presses Accept; the page stays there. */
export async function acceptInDm(h: LocalSlackHarness, person: string): Promise<Page> {
  const page = await h.open({ as: person, sidebar: 'Messages' });
  const dm = messages(page, 'Team Manager');
  const invitation = dm.getByRole('listitem').filter({ hasText: "invited you to join Acme's team" });
  await invitation.getByRole('button', { name: 'Accept' }).click(WAIT);
  await dm.getByText('Accepted. Welcome to the team!').waitFor(WAIT);
  return page;
}

/** A workspace person becomes a member: invited by Alice, accepted in their DM. */
export async function join(h: LocalSlackHarness, person: string, email: string): Promise<void> {
  await invite(h, email);
  const page = await acceptInDm(h, person);
  await page.close();
}

/** On an owner's Home: the role dropdown of that person's row, then Slack's confirm, answered yes; waits for the new role. */
export async function makeOwner(page: Page, email: string): Promise<void> {
  await homeRow(page, email).getByRole('combobox').selectOption({ label: 'Owner' }, WAIT);
  const confirm = page.getByRole('alertdialog', { name: 'Change role?' });
  const asked = (await confirm.textContent()) ?? '';
  if (!/role from Member to Owner\?/.test(asked)) throw new Error(`the confirm asked "${asked}"`);
  await confirm.getByRole('button', { name: 'Make owner' }).click();
  await homeRow(page, email).filter({ hasText: 'Owner ·' }).waitFor(WAIT);
}

/** As the first owner, in #team: `/team remove @handle reason`, then "Ask for approval" and the waiting view closed. */
export async function requestRemoval(h: LocalSlackHarness, handle: string, reason: string): Promise<void> {
  const page = await h.open({ sidebar: '#team' });
  await send(page, `/team remove @${handle} ${reason}`);
  const remove = page.getByRole('dialog', { name: 'Remove a member' });
  await remove.getByText('Another owner must approve first.').waitFor(WAIT);
  // `@handle` went to the app as a mention; the rest of the line is the prefilled reason.
  const typed = await remove.getByLabel(/Reason/).inputValue();
  if (typed !== reason) throw new Error(`the Remove modal's reason is "${typed}", not "${reason}"`);
  await remove.getByRole('button', { name: 'Ask for approval' }).click();
  // response_action update: the form becomes what happens next, in place.
  const waiting = page.getByRole('dialog', { name: 'Waiting for approval' });
  await waiting.waitFor(WAIT);
  await page.keyboard.press('Escape');
  await waiting.waitFor({ state: 'detached', ...WAIT });
  await page.close();
}
