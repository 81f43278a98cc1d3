import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { startLocalSlackHarness, type LocalSlackHarness } from '../support/local-slack.js';
import { acceptInDm, goTo, homeRow, invite, join, makeOwner, messages, requestRemoval, send, shownRole, sidebar, WAIT } from '../support/local-slack-page.js';

/**
 * The journeys of issue 15 that the first browser file does not walk, each the way a person
 * does it in the local Slack: switching "You are", clicking in the sidebar, typing `/team …`,
 * answering modals and confirms. Nothing here calls into our code but to start the harness;
 * everything asserted is what the page shows. One workspace for the file: each journey brings
 * in the people it needs through the page (an invitation accepted in the DM), so no journey
 * depends on another's outcome, only on the seed (Alice is the first owner).
 */
describe('local Slack journeys in a real browser', () => {
  const t = useTestDatabase();
  let h: LocalSlackHarness;

  beforeAll(async () => {
    h = await startLocalSlackHarness({ databaseUrl: t.url });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('invites a workspace person, who gets the invitation in their DM with Team Manager, accepts there, and #team hears it', async () => {
    await invite(h, 'bob@acme.test');

    const bob = await acceptInDm(h, 'Bob Baker');
    // The DM is rewritten in place: the outcome, and no buttons left to press twice.
    const dm = messages(bob, 'Team Manager');
    expect(await dm.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    expect(await dm.getByRole('listitem').filter({ hasText: 'invited you to join' }).count()).toBe(1);
    // The manifest makes the Messages tab read-only: Slack shows no composer there, and says why.
    expect(await bob.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    await bob.getByText('Sending messages to this app has been turned off.').waitFor(WAIT);

    await goTo(bob, '#team');
    await messages(bob, '#team').getByText(/Bob Baker joined as Member, invited by @Alice Archer/).waitFor(WAIT);

    // Someone else's "Messages" is their own DM: Carol has no invitation.
    const carol = await h.open({ as: 'Carol Chen', sidebar: 'Messages' });
    await carol.getByRole('heading', { name: 'Team Manager', level: 1 }).waitFor(WAIT);
    expect(await messages(carol, 'Team Manager').getByRole('listitem').count()).toBe(0);
    await carol.close();
    await bob.close();
  }, 60_000);

  it('shows an email in the open Mail pane as the app writes it, without a reload', async () => {
    // Erin watches the Mail pane while Alice invites: none of Alice's modals, no channel's
    // messages and no one's Home concern Erin's Mail pane, so only the email itself can show up.
    const mail = await h.open({ as: 'Erin Evans', sidebar: 'Mail' });
    await mail.evaluate('window.sameDocument = true');
    const inbox = mail.getByRole('list', { name: 'Mail' });
    expect(await inbox.getByRole('listitem').filter({ hasText: 'To: yuki@example.org' }).count()).toBe(0);

    await invite(h, 'yuki@example.org');

    const email = inbox.getByRole('listitem').filter({ hasText: 'To: yuki@example.org' });
    await email.waitFor(WAIT);
    expect(await email.textContent()).toContain('invited you to Acme on Team Manager');
    expect(await mail.evaluate('window.sameDocument')).toBe(true);
    await mail.close();
  }, 60_000);

  it('changes a role from the Home dropdown behind its confirm: #team is told and Home shows the new role', async () => {
    await join(h, 'Carol Chen', 'carol@acme.test');
    const page = await h.open({ sidebar: 'Home' });
    const role = homeRow(page, 'carol@acme.test').getByRole('combobox');
    await role.waitFor(WAIT);

    // Cancel in the confirm sends nothing: the dropdown goes back to what the page says.
    await role.selectOption({ label: 'Owner' });
    const confirm = page.getByRole('alertdialog', { name: 'Change role?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await shownRole(page, 'carol@acme.test')).toBe('Member');
    expect(await homeRow(page, 'carol@acme.test').textContent()).toContain('Member ·');

    // makeOwner waits until the Home, published again, says the row's new role; its dropdown shows it too.
    await makeOwner(page, 'carol@acme.test');
    expect(await shownRole(page, 'carol@acme.test')).toBe('Owner');

    await goTo(page, '#team');
    await messages(page, '#team').getByText("@Alice Archer changed @Carol Chen's role from Member to Owner.").waitFor(WAIT);
    await page.close();
  }, 90_000);

  it('a removal requested by one owner is approved by another after switching "You are": the card is rewritten and #team told', async () => {
    await join(h, 'Dave Diaz', 'dave@acme.test');
    await join(h, 'Erin Evans', 'erin@acme.test');
    const alice = await h.open({ sidebar: 'Home' });
    await makeOwner(alice, 'dave@acme.test');
    await alice.close();

    // Alice asks, in #team, with a reason (the helper checks it arrived as the modal's prefilled reason).
    await requestRemoval(h, 'erin', 'left the company');

    // Dave, the other owner, in the approvals channel.
    const dave = await h.open({ as: 'Dave Diaz', sidebar: '#team-approvals' });
    const approvals = messages(dave, '#team-approvals');
    // The request's reason tells this card from any other.
    const card = approvals.getByRole('listitem').filter({ hasText: 'Removal waiting for approval' }).filter({ hasText: 'left the company' });
    await card.waitFor(WAIT);
    await card.getByRole('button', { name: 'Approve' }).click();
    const confirm = dave.getByRole('alertdialog', { name: 'Approve this removal?' });
    await confirm.getByRole('button', { name: 'Approve and remove' }).click();

    // The same message, rewritten: the outcome and who approved, no buttons left.
    const decided = approvals.getByRole('listitem').filter({ hasText: 'left the company' }).filter({ hasText: 'Approved' });
    await decided.waitFor(WAIT);
    expect(await decided.textContent()).toMatch(/Approved\s*by @Dave Diaz/);
    expect(await decided.textContent()).toContain('@Erin Evans was removed');
    expect(await decided.getByRole('button').count()).toBe(0);
    expect(await approvals.getByRole('listitem').filter({ hasText: 'left the company' }).count()).toBe(1);

    await goTo(dave, '#team');
    await messages(dave, '#team').getByText('@Erin Evans was removed by @Alice Archer, approved by @Dave Diaz.').waitFor(WAIT);
    await dave.close();
  }, 120_000);

  it('a member trying an owner action is told no, only to them', async () => {
    const page = await h.open({ sidebar: '#general' });
    const sidebarForm = sidebar(page);
    await sidebarForm.getByLabel('Name', { exact: true }).fill('Frank Fox');
    await sidebarForm.getByLabel('Email').fill('frank@acme.test');
    await Promise.all([page.waitForURL(/as=/), sidebarForm.getByRole('button', { name: 'Add person' }).click()]);
    await page.close();
    await join(h, 'Frank Fox', 'frank@acme.test');

    const frank = await h.open({ as: 'Frank Fox', sidebar: '#team' });
    await send(frank, '/team remove @alice');
    const no = messages(frank, '#team').getByRole('listitem').filter({ hasText: 'Only owners can' });
    await no.waitFor(WAIT);
    expect(await no.textContent()).toContain('Only visible to you');
    expect(await frank.getByRole('dialog').count()).toBe(0);

    await send(frank, '/team invite zoe@example.org');
    await expect.poll(() => messages(frank, '#team').getByRole('listitem').filter({ hasText: 'Only owners can' }).count(), WAIT).toBe(2);
    expect(await frank.getByRole('dialog').count()).toBe(0);

    // Alice, in the same channel, sees neither refusal: they were ephemeral, to Frank only.
    const alice = await h.open({ sidebar: '#team' });
    await messages(alice, '#team').getByRole('listitem').first().waitFor(WAIT);
    expect(await messages(alice, '#team').getByText('Only owners can').count()).toBe(0);
    await frank.close();
    await alice.close();
  }, 90_000);

  it('settings: an out-of-range value shows its error under that input; a valid save is announced in #team', async () => {
    const page = await h.open({ sidebar: '#team' });
    await send(page, '/team settings');
    const dialog = page.getByRole('dialog', { name: 'Team settings' });
    const expiry = dialog.getByLabel('Removal requests expire after (hours)');
    await expiry.fill('0', WAIT);
    await dialog.getByRole('button', { name: 'Save' }).click();
    const error = dialog.locator('[data-input-block="settings.removal_expiry"]').getByRole('alert');
    await error.waitFor(WAIT);
    expect(await error.textContent()).toContain('from 1 to 720');
    // One error, under that input only; the form keeps what was typed.
    expect(await dialog.getByRole('alert').count()).toBe(1);
    expect(await expiry.inputValue()).toBe('0');

    await expiry.fill('48');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    const saved = messages(page, '#team').getByRole('listitem').filter({ hasText: 'changed the team settings' }).filter({ hasText: 'Removal requests expire after: 72 → 48 hours' });
    await saved.waitFor(WAIT);
    // Only what was changed: the channel pickers sent back the channels they showed.
    expect(await saved.textContent()).not.toMatch(/Team channel|Approvals channel/);
    await page.close();
  }, 60_000);
});
