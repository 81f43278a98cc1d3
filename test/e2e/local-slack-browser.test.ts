import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../support/database.js';
import { startLocalSlackHarness, type LocalSlackHarness } from '../support/local-slack.js';

/**
 * The local Slack (`npm start` with nothing configured) used the way a person uses it: a real
 * Chromium on its page, typing and clicking; the real app, worker and database behind it.
 * Nothing here calls into our code but to start and restart it.
 */
describe('local Slack in a real browser', () => {
  const t = useTestDatabase();
  let h: LocalSlackHarness;

  beforeAll(async () => {
    h = await startLocalSlackHarness({ databaseUrl: t.url });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  const messages = (page: Page, channel: string) => page.getByRole('list', { name: channel, exact: true });
  async function send(page: Page, text: string) {
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill(text);
    await box.press('Enter');
  }

  it('opens on #team with the first owner announced, and answers /team help only to the one who asked', async () => {
    const page = await h.open();
    await expect.poll(() => page.getByLabel('You are').inputValue()).toBe('U0ALICE001');
    const team = messages(page, '#team');
    await team.getByText('alice@acme.test is now an owner of the team.').waitFor();

    await send(page, '/team help');
    const reply = team.getByRole('listitem').filter({ hasText: 'Subcommands' });
    await reply.waitFor();
    expect(await reply.textContent()).toContain('Only visible to you');
    // The newest is at the bottom.
    expect(await team.getByRole('listitem').last().textContent()).toContain('Subcommands');

    // Someone else in the same channel does not see it.
    const bob = await h.open({ as: 'Bob Baker' });
    await messages(bob, '#team').getByText('alice@acme.test is now an owner of the team.').waitFor();
    expect(await messages(bob, '#team').getByText('Subcommands').count()).toBe(0);
    await bob.close();
    await page.close();
  });

  it("answers an unknown command with Slack's own sentence, and keeps what people type as text", async () => {
    const page = await h.open({ as: 'Carol Chen' });
    await send(page, '/nope now');
    await messages(page, '#team').getByText('/nope is not a valid command.').waitFor();

    await send(page, 'hello <b>@bob</b> <script>x</script>');
    const mine = messages(page, '#team').getByRole('listitem').filter({ hasText: 'hello' });
    await mine.waitFor();
    expect(await mine.locator('script').count()).toBe(0);
    expect(await mine.textContent()).toContain('<script>x</script>');

    // `@name` is sent as a mention (<@U…|name>), shown by the person's name.
    await send(page, 'thanks @bob');
    const mention = messages(page, '#team').getByRole('listitem').filter({ hasText: 'thanks' });
    await mention.waitFor();
    expect(await mention.textContent()).toContain('Bob Baker');
    expect(await mention.textContent()).not.toContain('<@U0BOB');
    await page.close();
  });

  it("shows Slack's error for a message over Slack's 40,000-character limit instead of a silent blank", async () => {
    const page = await h.open({ as: 'Dave Diaz' });
    await send(page, 'x'.repeat(40_001));
    await page.getByRole('alert').filter({ hasText: 'msg_too_long' }).waitFor();
    expect(await messages(page, '#team').getByText('xxxxxxxxxx').count()).toBe(0);
    await page.close();
  });

  it('keeps people, channels and messages across a restart on the same DATA_DIR', async () => {
    const page = await h.open();
    const sidebar = page.getByRole('navigation', { name: 'Sidebar' });
    await sidebar.getByLabel('Name', { exact: true }).fill('Frank Fox');
    await sidebar.getByLabel('Email').fill('frank@acme.test');
    await Promise.all([page.waitForURL(/as=/), sidebar.getByRole('button', { name: 'Add person' }).click()]);
    await page.getByLabel('Channel name').fill('design');
    await Promise.all([page.waitForURL(/c=C0/), sidebar.getByRole('button', { name: 'Add channel' }).click()]);
    await send(page, 'first design note');
    await messages(page, '#design').getByText('first design note').waitFor();
    await page.close();

    await h.restart();

    const again = await h.open({ as: 'Frank Fox', sidebar: '#design' });
    await messages(again, '#design').getByText('first design note').waitFor();
    await again.getByRole('navigation', { name: 'Sidebar' }).getByRole('link', { name: '#team', exact: true }).click();
    await messages(again, '#team').getByText('alice@acme.test is now an owner of the team.').waitFor();
    // The first start's setup is not repeated: one announcement of the first owner.
    expect(await messages(again, '#team').getByText('is now an owner of the team.').count()).toBe(1);
    await again.close();
  }, 60_000);
});

describe('local Slack: a modal and the Mail pane', () => {
  const t = useTestDatabase();
  let h: LocalSlackHarness;

  beforeAll(async () => {
    h = await startLocalSlackHarness({ databaseUrl: t.url });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('opens the invite modal from /team invite, shows the inline error, sends, and the email opens the real accept page', async () => {
    const page = await h.open();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('/team invite');
    await box.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Invite people' });
    await dialog.getByRole('textbox', { name: 'Email addresses' }).fill('not-an-address');
    await dialog.getByRole('button', { name: 'Send invitations' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').textContent()).toContain('not-an-address');

    await dialog.getByRole('textbox', { name: 'Email addresses' }).fill('zed@example.org');
    await dialog.getByRole('button', { name: 'Send invitations' }).click();
    // response_action update replaces the modal in place.
    const sent = page.getByRole('dialog', { name: 'Invitations sent' });
    await sent.waitFor();
    expect(await sent.textContent()).toContain('zed@example.org');
    await page.keyboard.press('Escape');
    await sent.waitFor({ state: 'detached' });

    await page.getByRole('navigation', { name: 'Sidebar' }).getByRole('link', { name: 'Mail', exact: true }).click();
    const mail = page.getByRole('list', { name: 'Mail' }).getByRole('listitem').filter({ hasText: 'To: zed@example.org' });
    await mail.waitFor({ timeout: 15_000 });
    const link = mail.getByRole('link', { name: /\/invitations\// });
    await Promise.all([page.waitForURL(/\/invitations\//), link.click()]);
    await page.getByRole('button', { name: /Accept/ }).waitFor();
    await page.close();
  }, 40_000);

  it('asks Slack\'s confirm of a button in an ephemeral message in the page, and the answer replaces that message in place', async () => {
    const page = await h.open();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('/team pending');
    await box.press('Enter');
    const team = page.getByRole('list', { name: '#team', exact: true });
    const pending = team.getByRole('listitem').filter({ hasText: 'zed@example.org' }).filter({ hasText: 'Only visible to you' });
    await pending.getByRole('button', { name: 'Cancel' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Cancel this invitation?' });
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    await pending.getByRole('button', { name: 'Cancel' }).click();
    await confirm.getByRole('button', { name: 'Cancel invitation' }).click();
    await expect.poll(() => team.getByRole('listitem').filter({ hasText: 'No pending invitations' }).count(), { timeout: 10_000 }).toBe(1);
    // Replaced, not added: one ephemeral about zed, now without its buttons.
    const about = team.getByRole('listitem').filter({ hasText: 'zed@example.org' }).filter({ hasText: 'Only visible to you' });
    expect(await about.count()).toBe(1);
    expect(await about.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await page.close();
  }, 40_000);
});

describe('local Slack: the Home tab', () => {
  const t = useTestDatabase();
  let h: LocalSlackHarness;

  beforeAll(async () => {
    h = await startLocalSlackHarness({ databaseUrl: t.url });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('opening Home sends app_home_opened; a button there sends block_actions whose trigger opens the modal for that person only', async () => {
    const page = await h.open({ sidebar: 'Home' });
    const invite = page.getByRole('button', { name: 'Invite people' });
    await invite.waitFor();
    await invite.click();
    const dialog = page.getByRole('dialog', { name: 'Invite people' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    const bob = await h.open({ as: 'Bob Baker', sidebar: 'Home' });
    await bob.getByRole('heading', { name: 'Home' }).waitFor();
    await expect.poll(() => bob.getByText('Loading the Home tab').count(), { timeout: 15_000 }).toBe(0);
    expect(await bob.getByRole('dialog').count()).toBe(0);
    await bob.close();
    await page.close();
  }, 40_000);
});
