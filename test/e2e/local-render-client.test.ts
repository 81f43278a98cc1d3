import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ButtonAction, CheckboxesAction, OverflowAction, PlainTextInputAction, StaticSelectAction, ViewStateValue } from '@slack/bolt';
import { inviteModal, readInviteForm } from '../../src/slack/blocks/invite-modal.js';
import type { FormValues } from '../../src/slack/blocks/kit.js';
import { readSettingsForm, settingsModal } from '../../src/slack/blocks/settings-modal.js';
import { teamHomeView } from '../../src/slack/blocks/team-page.js';
import { BLOCK_KIT_CLIENT, PAGE_CSS, renderHome, renderMessage, renderModal, type RenderContext } from '../../src/standin/local/render/index.js';
import { launchChromium } from '../support/browser.js';
import { DEFAULT_SETTINGS } from '../support/seed.js';

/** The browser's own globals, for code that runs in the page (the project's types have no DOM lib). */
declare const document: { querySelector(s: string): unknown; addEventListener(type: string, fn: (e: { target: { dataset: Record<string, string> } }) => void): void };
declare const window: {
  blockKit: { readState(root: unknown): FormValues; readAction(el: unknown): Record<string, unknown>; reset(el: unknown): void };
  changes: string[];
};

/**
 * The renderer's browser half in a real Chromium: the app's own modals and Home tab rendered,
 * filled in as a person would (by role and label), and `window.blockKit.readState/readAction`
 * read back — the shapes Bolt types (ViewStateValue, ButtonAction, …) and the app's own form
 * readers accept. Plus the accessible names the page's tests depend on, and dispatch_action.
 */
const ctx: RenderContext = {
  userName: (id) => ({ U0ALICE001: 'Alice Adams', U0BOB00001: 'Bob Baker' })[id],
  channelName: (id) => ({ C0TEAM0001: 'team', C0APPR0001: 'approvals' })[id],
  people: () => [{ id: 'U0ALICE001', name: 'Alice Adams' }, { id: 'U0BOB00001', name: 'Bob Baker' }],
  channels: () => [{ id: 'C0TEAM0001', name: 'team' }, { id: 'C0APPR0001', name: 'approvals' }],
};
type WithoutTs<T> = Omit<T, 'action_ts'>;

describe('the Block Kit client in a real browser', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function show(html: string) {
    await page.setContent(`<!doctype html><html><head><style>${PAGE_CSS}</style></head><body><div id="pane">${html}</div></body></html>`);
    await page.addScriptTag({ content: BLOCK_KIT_CLIENT });
  }
  const readState = (selector: string) => page.evaluate((s) => window.blockKit.readState(document.querySelector(s)), selector);
  const readAction = (selector: string) => page.evaluate((s) => window.blockKit.readAction(document.querySelector(s)), selector);

  it('the settings modal: named controls, and a state the app reads back as the person set it', async () => {
    const view = { id: 'V0SETTINGS', ...settingsModal({ name: 'Acme', ...DEFAULT_SETTINGS, team_channel_id: 'C0TEAM0001' }) };
    await show(renderModal(view, ctx));
    const dialog = page.getByRole('dialog', { name: 'Team settings' });
    await dialog.getByRole('combobox', { name: 'Approvals channel' }).selectOption('C0APPR0001');
    await dialog.getByRole('group', { name: 'Removal approval' }).getByRole('radio', { name: 'No approval' }).check();
    await dialog.getByRole('textbox', { name: 'Invitations expire after (days)' }).fill('30');
    await dialog.getByRole('textbox', { name: 'Allowed email domains' }).fill('acme.com, acme.io');
    await dialog.getByRole('checkbox', { name: /Invitations can be accepted only inside Slack/ }).check();
    await dialog.getByRole('combobox', { name: 'Access review' }).selectOption('weekly');
    await dialog.getByRole('textbox', { name: 'Inactive after (days without sign-in)' }).fill('');
    expect(await dialog.getByRole('button', { name: 'Save' }).count()).toBe(1);
    expect(await dialog.getByRole('button', { name: 'Cancel' }).count()).toBe(1);

    const values = await readState('form[data-view-id="V0SETTINGS"]');
    const approval: ViewStateValue = {
      type: 'radio_buttons',
      selected_option: { text: { type: 'plain_text', text: 'No approval', emoji: true }, value: 'none', description: { type: 'plain_text', text: "The requester's confirmation is enough", emoji: true } } as ViewStateValue['selected_option'],
    };
    expect(values['settings.removal_approval']).toEqual({ removal_approval: approval });
    expect(values['settings.team_channel']).toEqual({ team_channel: { type: 'conversations_select', selected_conversation: 'C0TEAM0001' } satisfies ViewStateValue });
    expect(values['settings.invitation_expiry']).toEqual({ invitation_expiry: { type: 'number_input', value: '30' } satisfies ViewStateValue });
    expect(values['settings.inactivity']).toEqual({ inactivity: { type: 'number_input', value: null } satisfies ViewStateValue });
    // Left as it was: ticked when the setting is on, with the option as the app defined it.
    expect(values['settings.notify_removed']!['notify_removed']!.selected_options!.map((o) => o.value)).toEqual(DEFAULT_SETTINGS.notify_removed_member ? ['on'] : []);
    expect(readSettingsForm(values)).toEqual({
      team_channel_id: 'C0TEAM0001',
      approvals_channel_id: 'C0APPR0001',
      removal_approval_policy: 'none',
      removal_request_expiry_hours: String(DEFAULT_SETTINGS.removal_request_expiry_hours),
      notify_removed_member: DEFAULT_SETTINGS.notify_removed_member,
      invitation_expiry_days: '30',
      allowed_email_domains: 'acme.com, acme.io',
      require_sso: true,
      access_review_cadence: 'weekly',
      inactivity_threshold_days: null,
      restore_window_days: String(DEFAULT_SETTINGS.restore_window_days),
      scim_provisioning: DEFAULT_SETTINGS.scim_provisioning,
      slack_deactivation: DEFAULT_SETTINGS.slack_deactivation,
      slack_auto_invite: DEFAULT_SETTINGS.slack_auto_invite,
      promotion_approval_policy: DEFAULT_SETTINGS.promotion_approval_policy,
    });
  }, 30_000);

  it('the invite modal: what was typed, chosen and ticked, as readInviteForm reads it; an inline error is announced', async () => {
    const view = { id: 'V0INVITE01', ...inviteModal({ expiryDays: 7 }) };
    await show(renderModal(view, ctx, { errors: { [view.blocks[0]!.block_id!]: 'not-an-address is not an email address' } }));
    const dialog = page.getByRole('dialog', { name: 'Invite people' });
    expect(await dialog.getByRole('alert').textContent()).toBe('not-an-address is not an email address');
    const addresses = dialog.getByRole('textbox', { name: 'Email addresses' });
    expect(await addresses.getAttribute('aria-invalid')).toBe('true');
    await addresses.fill('ana@example.com\nben@example.com');
    await dialog.getByRole('radio', { name: 'Owner', exact: true }).check();
    await dialog.getByRole('checkbox', { name: /Invite the valid addresses/ }).check();
    const values = await readState('form[data-view-id="V0INVITE01"]');
    expect(readInviteForm(values)).toEqual({ addresses: 'ana@example.com\nben@example.com', role: 'owner', message: null, inviteValidOnes: true });
    // An empty optional text is null, as Slack sends it.
    expect(Object.values(values[view.blocks[2]!.block_id!]!)[0]).toEqual({ type: 'plain_text_input', value: null });
  }, 30_000);

  it("a button's and a menu's action as Slack sends it in actions[]", async () => {
    const pt = (text: string) => ({ type: 'plain_text' as const, text });
    const confirm = { title: pt('Remove?'), text: pt('Sure?'), confirm: pt('Remove'), deny: pt('Keep') };
    await show(
      `<ul>${renderMessage(
        {
          ts: '1765000000.000100',
          user: 'U0ALICE001',
          blocks: [
            {
              type: 'actions',
              block_id: 'row',
              elements: [
                { type: 'button', action_id: 'remove', text: { type: 'plain_text', text: ':warning: Remove' }, value: 'member-1', style: 'danger', confirm },
                { type: 'static_select', action_id: 'role', placeholder: { type: 'plain_text', text: 'Role' }, options: [{ text: { type: 'plain_text', text: 'Owner' }, value: 'owner' }, { text: { type: 'plain_text', text: 'Member' }, value: 'member' }] },
                { type: 'overflow', action_id: 'more', options: [{ text: { type: 'plain_text', text: 'Edit' }, value: 'edit' }] },
                { type: 'checkboxes', action_id: 'flags', options: [{ text: { type: 'mrkdwn', text: '*Loud*' }, value: 'loud' }] },
              ],
            },
          ],
        },
        ctx,
      )}</ul>`,
    );
    const button = page.getByRole('button', { name: '⚠️ Remove' });
    expect(await button.count()).toBe(1);
    // `confirm` is the page's (it asks first; routes.ts drops it before the payload goes out).
    const clicked: WithoutTs<Omit<ButtonAction, 'confirm'>> & { style?: string; confirm: typeof confirm } = {
      type: 'button', block_id: 'row', action_id: 'remove', text: { type: 'plain_text', text: ':warning: Remove', emoji: true }, value: 'member-1', style: 'danger', confirm,
    };
    expect(await readAction('button[data-action-id="remove"]')).toEqual(clicked);

    await page.getByRole('combobox', { name: 'Role' }).selectOption('member');
    const selected: WithoutTs<StaticSelectAction> = { type: 'static_select', block_id: 'row', action_id: 'role', selected_option: { text: { type: 'plain_text', text: 'Member', emoji: true }, value: 'member' } };
    expect(await readAction('select[data-action-id="role"]')).toEqual(selected);

    // A denied confirm puts the menu back as it was rendered.
    await page.evaluate(() => window.blockKit.reset(document.querySelector('select[data-action-id="role"]')));
    expect(await page.getByRole('combobox', { name: 'Role' }).inputValue()).toBe('');

    await page.getByRole('combobox', { name: 'More actions' }).selectOption('edit');
    const overflow: WithoutTs<OverflowAction> = { type: 'overflow', block_id: 'row', action_id: 'more', selected_option: { text: { type: 'plain_text', text: 'Edit', emoji: true }, value: 'edit' } };
    expect(await readAction('select[data-action-id="more"]')).toEqual(overflow);

    await page.getByRole('checkbox', { name: 'Loud' }).check();
    const ticked: WithoutTs<CheckboxesAction> = { type: 'checkboxes', block_id: 'row', action_id: 'flags', selected_options: [{ text: { type: 'mrkdwn', text: '*Loud*' }, value: 'loud' }] as CheckboxesAction['selected_options'] };
    expect(await readAction('fieldset[data-action-id="flags"]')).toEqual(ticked);
    // The message's state: the menus hold state, the buttons and the overflow do not.
    expect(Object.keys((await readState('li[data-ts]'))['row']!).sort()).toEqual(['flags', 'role']);
  }, 30_000);

  it("the Home tab's search sends its action on Enter, not when it loses focus", async () => {
    const view = teamHomeView(
      { organizationName: 'Acme', viewer: { id: '00000000-0000-4000-8000-000000000001', role: 'owner' }, search: undefined, members: [], total: 0, nextCursor: null, prevCursor: null },
      {},
    );
    await show(renderHome({ id: 'V0HOME0001', ...view }, ctx));
    await page.evaluate(() => {
      window.changes = [];
      document.addEventListener('change', (e) => window.changes.push(e.target.dataset.actionId ?? '?'));
    });
    const search = page.getByRole('textbox', { name: 'Search by name or email' });
    await search.fill('bo');
    await search.blur();
    expect(await page.evaluate(() => window.changes)).toEqual([]);
    await search.focus();
    await search.press('Enter');
    expect(await page.evaluate(() => window.changes)).toEqual(['team_page.search']);
    const typed: WithoutTs<PlainTextInputAction> = { type: 'plain_text_input', block_id: 'tp.search', action_id: 'team_page.search', value: 'bo' };
    expect(await readAction('[data-action-id="team_page.search"]')).toEqual(typed);
  }, 30_000);
});
