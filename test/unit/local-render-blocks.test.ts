import { describe, expect, it } from 'vitest';
import { inviteModal } from '../../src/slack/blocks/invite-modal.js';
import { settingsModal } from '../../src/slack/blocks/settings-modal.js';
import { renderHome, renderMessage, renderModal, type RenderContext } from '../../src/standin/local/render/index.js';
import { DEFAULT_SETTINGS } from '../support/seed.js';
import { scanHtml, textOfHtml, type ScannedTag } from '../support/html-scan.js';

/**
 * The local Slack's blocks and elements, type by type: the HTML controls they become, and the
 * attributes the page's script and the browser tests depend on (data-block-id / data-action-id
 * / data-element / data-value / data-confirm / data-option, labels, roles, ids).
 */
const ctx: RenderContext = {
  userName: (id) => ({ U0BOB00001: 'Bob Baker', U0ALICE001: 'Alice Adams', U0BOT00001: 'Team Manager' })[id],
  channelName: (id) => ({ C0TEAM0001: 'team', C0APPR0001: 'approvals' })[id],
  people: () => [
    { id: 'U0ALICE001', name: 'Alice Adams' },
    { id: 'U0BOB00001', name: 'Bob Baker' },
  ],
  channels: () => [
    { id: 'C0TEAM0001', name: 'team' },
    { id: 'C0APPR0001', name: 'approvals' },
  ],
};
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const opt = (value: string, text: string, description?: string) => ({ text: plain(text), value, ...(description ? { description: plain(description) } : {}) });

/** A message of these blocks, its HTML checked by the strict scanner, and its tags. */
function message(blocks: unknown[], extra: { ephemeral?: boolean; edited?: boolean; text?: string } = {}) {
  const html = renderMessage({ ts: '1765000000.000100', user: 'U0BOT00001', blocks, ...extra }, ctx);
  return { html, tags: scanHtml(html), text: textOfHtml(html) };
}
const modal = (view: Record<string, unknown>, errors?: Record<string, string>) => {
  const html = renderModal({ id: 'V0MODAL001', ...view }, ctx, errors ? { errors } : {});
  return { html, tags: scanHtml(html), text: textOfHtml(html) };
};
const find = (tags: ScannedTag[], name: string, where: Record<string, string> = {}) =>
  tags.filter((t) => t.name === name && Object.entries(where).every(([k, v]) => t.attributes[k] === v));
const one = (tags: ScannedTag[], name: string, where: Record<string, string> = {}) => {
  const found = find(tags, name, where);
  expect(found, `${name} ${JSON.stringify(where)}`).toHaveLength(1);
  return found[0]!;
};

describe('layout blocks', () => {
  it('header, divider, section text with fields in two columns, context with image and texts', () => {
    const m = message([
      { type: 'header', text: plain('Acme team :tada:') },
      { type: 'divider' },
      { type: 'section', text: mrkdwn('*Hello* <@U0BOB00001>'), fields: [mrkdwn('*Role*\nOwner'), plain('Joined: today')] },
      { type: 'context', elements: [{ type: 'image', image_url: 'https://example.com/a.png', alt_text: 'avatar' }, mrkdwn('by _Alice_'), plain('*not bold*')] },
      { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'a chart', title: plain('Chart') },
    ]);
    expect(one(m.tags, 'h3').attributes.class).toBe('bk-header');
    expect(m.text).toContain('Acme team 🎉');
    one(m.tags, 'hr');
    expect(find(m.tags, 'div', { class: 'bk-field' })).toHaveLength(2);
    expect(m.html).toContain('<b>Hello</b> <span class="bk-mention">@Bob Baker</span>');
    expect(m.html).toContain('<b>Role</b><br>Owner');
    expect(one(m.tags, 'img', { class: 'bk-context-image' }).attributes.alt).toBe('avatar');
    expect(m.html).toContain('<i>Alice</i>');
    expect(m.text).toContain('*not bold*');
    expect(one(m.tags, 'img', { class: 'bk-image-block' }).attributes.src).toBe('https://example.com/chart.png');
    expect(m.text).toContain('Chart');
  });

  it('an image from anything but http(s) or data:image is not loaded; its alt text is shown', () => {
    const m = message([{ type: 'image', image_url: 'javascript:alert(1)', alt_text: 'x"><b>' }]);
    expect(find(m.tags, 'img')).toHaveLength(0);
    expect(m.text).toContain('x"><b>');
  });

  it('rich_text: styled text, links, mentions, lists, quotes and preformatted text', () => {
    const m = message([
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'hi ', style: { bold: true } }, { type: 'user', user_id: 'U0BOB00001' }, { type: 'link', url: 'javascript:x', text: 'bad' }, { type: 'emoji', name: 'wave' }] },
          { type: 'rich_text_list', style: 'ordered', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'first' }] }] },
          { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: '<pre>' }] },
        ],
      },
    ]);
    expect(m.html).toContain('<b>hi </b><span class="bk-mention">@Bob Baker</span>bad👋');
    expect(find(m.tags, 'a')).toHaveLength(0);
    one(m.tags, 'ol');
    expect(m.html).toContain('<blockquote class="bk-quote">quoted</blockquote>');
    expect(m.html).toContain('<pre class="bk-pre">&lt;pre&gt;</pre>');
  });

  it('a block type the local Slack does not draw says so instead of vanishing', () => {
    expect(message([{ type: 'video', title: plain('x') }]).text).toContain('[video]');
  });

  it('a block without block_id gets a stable one, as Slack gives one', () => {
    const a = message([{ type: 'actions', elements: [{ type: 'button', action_id: 'go', text: plain('Go'), value: 'v' }] }]);
    const b = message([{ type: 'actions', elements: [{ type: 'button', action_id: 'go', text: plain('Go'), value: 'v' }] }]);
    const id = one(a.tags, 'button').attributes['data-block-id'];
    expect(id).toMatch(/\S/);
    expect(one(b.tags, 'button').attributes['data-block-id']).toBe(id);
  });
});

describe('buttons', () => {
  const confirm = { title: plain('Remove?'), text: plain('Really?'), confirm: plain('Remove'), deny: plain('Keep'), style: 'danger' };
  const m = message([
    {
      type: 'actions',
      block_id: 'row',
      elements: [
        { type: 'button', action_id: 'ok', text: plain(':white_check_mark: Approve'), value: 'req-1', style: 'primary' },
        { type: 'button', action_id: 'no', text: plain('Remove'), value: 'm-1', style: 'danger', confirm },
        { type: 'button', action_id: 'docs', text: plain('Docs'), url: 'https://example.com/docs' },
        { type: 'button', action_id: 'evil', text: plain('Evil'), url: 'javascript:alert(1)' },
      ],
    },
  ]);

  it('a <button> named by its text, with its ids, value and style', () => {
    const ok = one(m.tags, 'button', { 'data-action-id': 'ok' });
    expect(ok.attributes).toMatchObject({ type: 'button', 'data-block-id': 'row', 'data-element': 'button', 'data-value': 'req-1', 'data-text': ':white_check_mark: Approve', class: 'bk-button bk-primary' });
    expect(m.html).toContain('>✅ Approve</button>');
    expect(one(m.tags, 'button', { 'data-action-id': 'no' }).attributes.class).toBe('bk-button bk-danger');
  });

  it('a confirm object rides along as JSON for the page\'s alertdialog', () => {
    expect(JSON.parse(one(m.tags, 'button', { 'data-action-id': 'no' }).attributes['data-confirm']!)).toEqual(confirm);
  });

  it('a url button is a link (http(s) only)', () => {
    expect(one(m.tags, 'a', { 'data-action-id': 'docs' }).attributes).toMatchObject({ href: 'https://example.com/docs', target: '_blank', rel: 'noopener noreferrer' });
    expect(one(m.tags, 'button', { 'data-action-id': 'evil' }).attributes.href).toBeUndefined();
  });
});

describe('menus and choices', () => {
  it('static_select with option groups, the initial option selected, each option echoed as Slack sends it', () => {
    const m = message([
      {
        type: 'section',
        block_id: 'row',
        text: mrkdwn('*Bob Baker*'),
        accessory: {
          type: 'static_select',
          action_id: 'role',
          placeholder: plain('Pick a role'),
          option_groups: [
            { label: plain('Admins'), options: [opt('owner', 'Owner')] },
            { label: plain('Others'), options: [opt('member', 'Member', 'Can see the team')] },
          ],
          initial_option: opt('member', 'Member'),
        },
      },
    ]);
    const select = one(m.tags, 'select', { 'data-action-id': 'role' });
    expect(select.attributes).toMatchObject({ 'data-block-id': 'row', 'data-element': 'static_select' });
    // Named by the section's text (the member's row).
    expect(one(m.tags, 'div', { id: select.attributes['aria-labelledby']! }).attributes.class).toBe('bk-section-text');
    expect(find(m.tags, 'optgroup').map((g) => g.attributes.label)).toEqual(['Admins', 'Others']);
    const member = one(m.tags, 'option', { value: 'member' });
    expect(member.attributes.selected).toBe('');
    expect(member.attributes.title).toBe('Can see the team');
    expect(JSON.parse(member.attributes['data-option']!)).toEqual({ text: { type: 'plain_text', text: 'Member', emoji: true }, value: 'member', description: { type: 'plain_text', text: 'Can see the team', emoji: true } });
    expect(one(m.tags, 'option', { value: '' })).toBeDefined();
  });

  it('multi_static_select, overflow, users and conversations pickers', () => {
    const m = message([
      {
        type: 'actions',
        block_id: 'menus',
        elements: [
          { type: 'multi_static_select', action_id: 'events', placeholder: plain('Choose events'), options: [opt('a', 'A'), opt('b', 'B')], initial_options: [opt('b', 'B')] },
          { type: 'overflow', action_id: 'more', options: [opt('edit', 'Edit'), opt('delete', 'Delete')] },
          { type: 'users_select', action_id: 'who', initial_user: 'U0BOB00001' },
          { type: 'conversations_select', action_id: 'where', initial_conversation: 'C0GONE0001' },
          { type: 'multi_channels_select', action_id: 'chans', initial_channels: ['C0TEAM0001'] },
        ],
      },
    ]);
    const events = one(m.tags, 'select', { 'data-action-id': 'events' });
    expect(events.attributes.multiple).toBe('');
    expect(events.attributes['aria-label']).toBe('Choose events');
    expect(one(m.tags, 'option', { value: 'b' }).attributes.selected).toBe('');
    expect(one(m.tags, 'select', { 'data-action-id': 'more' }).attributes['aria-label']).toBe('More actions');
    expect(m.html).toMatch(/<option value="U0BOB00001" selected>Bob Baker<\/option>/);
    expect(m.html).toContain('<option value="U0ALICE001">Alice Adams</option>');
    // An initial conversation the lists do not have is still offered (and chosen).
    expect(m.html).toContain('<option value="C0GONE0001" selected>#C0GONE0001</option>');
    expect(m.html).toContain('<option value="C0APPR0001">#approvals</option>');
    expect(one(m.tags, 'select', { 'data-action-id': 'chans' }).attributes.multiple).toBe('');
  });

  it('radio buttons and checkboxes: a fieldset with the ids, each choice a labelled input with its description', () => {
    const m = modal({
      type: 'modal',
      title: plain('Choose'),
      blocks: [
        { type: 'input', block_id: 'role', label: plain('Role'), element: { type: 'radio_buttons', action_id: 'pick', options: [opt('member', 'Member', 'Can see'), opt('owner', 'Owner')], initial_option: opt('member', 'Member', 'Can see') } },
        { type: 'input', block_id: 'opts', optional: true, label: plain('Options'), element: { type: 'checkboxes', action_id: 'flags', options: [opt('x', 'X'), opt('y', '*Y*')], initial_options: [opt('y', '*Y*')] } },
      ],
    });
    const radios = one(m.tags, 'fieldset', { 'data-action-id': 'pick' });
    expect(radios.attributes['data-element']).toBe('radio_buttons');
    const member = one(m.tags, 'input', { value: 'member' });
    expect(member.attributes).toMatchObject({ type: 'radio', checked: '' });
    expect(one(m.tags, 'label', { for: member.attributes.id! })).toBeDefined();
    expect(one(m.tags, 'div', { id: member.attributes['aria-describedby']! }).attributes.class).toBe('bk-description');
    expect(one(m.tags, 'input', { value: 'owner' }).attributes.checked).toBeUndefined();
    expect(one(m.tags, 'input', { value: 'y' }).attributes).toMatchObject({ type: 'checkbox', checked: '' });
    expect(m.html).toContain('<legend class="bk-label">Role</legend>');
    expect(m.html).toContain('<legend class="bk-label">Options<span class="bk-optional" aria-hidden="true">(optional)</span></legend>');
  });
});

describe('input blocks', () => {
  const view = {
    type: 'modal',
    title: plain('Form'),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks: [
      { type: 'input', block_id: 'reason', label: plain('Reason'), hint: plain('Shown to owners'), element: { type: 'plain_text_input', action_id: 'text', multiline: true, min_length: 5, max_length: 500, initial_value: 'a <b>', placeholder: plain('Why?') } },
      { type: 'input', block_id: 'mail', optional: true, label: plain('Email'), element: { type: 'email_text_input', action_id: 'e' } },
      { type: 'input', block_id: 'site', label: plain('Site'), element: { type: 'url_text_input', action_id: 'u' } },
      { type: 'input', block_id: 'days', label: plain('Days'), element: { type: 'number_input', action_id: 'n', is_decimal_allowed: false, min_value: '1', max_value: '90', initial_value: '14' } },
      { type: 'input', block_id: 'when', label: plain('Date'), element: { type: 'datepicker', action_id: 'd', initial_date: '2025-12-06' } },
      { type: 'input', block_id: 'at', label: plain('Time'), element: { type: 'timepicker', action_id: 't', initial_time: '09:30' } },
      { type: 'input', block_id: 'search', dispatch_action: true, optional: true, label: plain('Search'), element: { type: 'plain_text_input', action_id: 's' } },
      { type: 'input', block_id: 'live', dispatch_action: true, label: plain('Live'), element: { type: 'plain_text_input', action_id: 'l', dispatch_action_config: { trigger_actions_on: ['on_character_entered'] } } },
    ],
  };

  it('each control is labelled by a real <label for>, inside a data-input-block wrapper', () => {
    const m = modal(view);
    const controls = [['reason', 'Reason', 'textarea'], ['mail', 'Email', 'input'], ['site', 'Site', 'input'], ['days', 'Days', 'input'], ['when', 'Date', 'input'], ['at', 'Time', 'input']] as const;
    for (const [blockId, label, tag] of controls) {
      const control = one(m.tags, tag, { 'data-block-id': blockId });
      one(m.tags, 'label', { for: control.attributes.id! });
      expect(m.html).toContain(`<label class="bk-label" for="${control.attributes.id}">${label}</label>`);
      expect(one(m.tags, 'div', { 'data-input-block': blockId }).attributes.class).toBe('bk-input');
    }
  });

  it('the element types become the right controls, with their limits and initial values', () => {
    const m = modal(view);
    const reason = one(m.tags, 'textarea', { 'data-action-id': 'text' });
    expect(reason.attributes).toMatchObject({ 'data-element': 'plain_text_input', minlength: '5', maxlength: '500', placeholder: 'Why?', 'aria-required': 'true' });
    expect(m.html).toContain('>a &lt;b&gt;</textarea>');
    expect(one(m.tags, 'input', { 'data-action-id': 'e' }).attributes).toMatchObject({ type: 'email', 'data-element': 'email_text_input' });
    expect(one(m.tags, 'input', { 'data-action-id': 'e' }).attributes['aria-required']).toBeUndefined();
    expect(one(m.tags, 'input', { 'data-action-id': 'u' }).attributes.type).toBe('url');
    expect(one(m.tags, 'input', { 'data-action-id': 'n' }).attributes).toMatchObject({ type: 'text', inputmode: 'numeric', value: '14', 'data-min': '1', 'data-max': '90' });
    expect(one(m.tags, 'input', { 'data-action-id': 'd' }).attributes).toMatchObject({ type: 'date', value: '2025-12-06' });
    expect(one(m.tags, 'input', { 'data-action-id': 't' }).attributes).toMatchObject({ type: 'time', value: '09:30' });
  });

  it('optional, hint, and dispatch_action (Enter by default, or as configured)', () => {
    const m = modal(view);
    expect(m.html).toMatch(/for="[^"]+">Email<\/label><span class="bk-optional">\(optional\)<\/span>/);
    const reason = one(m.tags, 'textarea', { 'data-action-id': 'text' });
    expect(one(m.tags, 'p', { id: reason.attributes['aria-describedby']! }).attributes.class).toBe('bk-hint');
    expect(m.text).toContain('Shown to owners');
    expect(one(m.tags, 'input', { 'data-action-id': 's' }).attributes['data-dispatch']).toBe('on_enter_pressed');
    expect(one(m.tags, 'input', { 'data-action-id': 'l' }).attributes['data-dispatch']).toBe('on_character_entered');
    expect(reason.attributes['data-dispatch']).toBeUndefined();
  });

  it('an inline error is a role=alert paragraph in the block that has it, and marks the control invalid', () => {
    const m = modal(view, { reason: 'Say why in at least 5 characters.' });
    const alert = one(m.tags, 'p', { role: 'alert' });
    expect(m.html).toMatch(/data-input-block="reason"[^]*role="alert"[^>]*>Say why in at least 5 characters\.<\/p>[^]*data-input-block="mail"/);
    const reason = one(m.tags, 'textarea', { 'data-action-id': 'text' });
    expect(reason.attributes['aria-invalid']).toBe('true');
    expect(reason.attributes['aria-describedby']!.split(' ')).toContain(alert.attributes.id);
  });
});

describe('surfaces', () => {
  it('a modal is a dialog named by its title, a form with data-view-id, Close and Submit', () => {
    const m = modal({ type: 'modal', title: plain('Invite people'), submit: plain('Send'), close: plain('Cancel'), blocks: [] });
    const dialog = one(m.tags, 'div', { role: 'dialog' });
    expect(dialog.attributes['aria-modal']).toBe('true');
    expect(one(m.tags, 'h2', { id: dialog.attributes['aria-labelledby']! })).toBeDefined();
    expect(m.html).toContain('>Invite people</h2>');
    expect(one(m.tags, 'form').attributes).toMatchObject({ 'data-view-id': 'V0MODAL001', novalidate: '' });
    expect(one(m.tags, 'button', { 'data-view-close': '' }).attributes.type).toBe('button');
    expect(m.html).toContain('data-view-close>Cancel</button>');
    expect(m.html).toContain('<button type="submit" class="bk-button bk-primary">Send</button>');
    // No submit in the view: Close only, named Close when the view does not name it.
    const bare = modal({ type: 'modal', title: plain('Done'), blocks: [] });
    expect(find(bare.tags, 'button', { type: 'submit' })).toHaveLength(0);
    expect(bare.html).toContain('data-view-close>Close</button>');
  });

  it('a message is an <li data-ts> with the sender, "Only visible to you" for an ephemeral and "(edited)"', () => {
    const m = message([], { text: 'Hi *there*', ephemeral: true, edited: true });
    expect(one(m.tags, 'li').attributes['data-ts']).toBe('1765000000.000100');
    expect(m.html).toContain('<b class="who">Team Manager</b>');
    expect(m.html).toContain('<div class="body">Hi <b>there</b></div>');
    expect(m.text).toContain('Only visible to you');
    expect(m.text).toContain('(edited)');
    const plainMessage = message([], { text: 'x' });
    expect(plainMessage.text).not.toContain('Only visible to you');
    expect(plainMessage.text).not.toContain('(edited)');
    // Blocks, when there are some, are what Slack shows (the text is the notification's).
    expect(message([{ type: 'section', text: mrkdwn('from blocks') }], { text: 'fallback' }).text).not.toContain('fallback');
  });

  it('the Home tab carries its view id', () => {
    const html = renderHome({ id: 'V0HOME0001', type: 'home', blocks: [{ type: 'section', text: mrkdwn('*Home*') }] }, ctx);
    expect(one(scanHtml(html), 'div', { 'data-view-id': 'V0HOME0001' })).toBeDefined();
  });
});

describe('hostile strings in every field of a payload', () => {
  it('ids, values, texts, placeholders, urls and alt texts never become markup', () => {
    const x = '"><img src=x onerror=alert(1)><script>alert(2)</script>\'';
    const t = (type: 'plain_text' | 'mrkdwn') => ({ type, text: x });
    const o = { text: t('plain_text'), value: x, description: t('plain_text') };
    const confirm = { title: t('plain_text'), text: t('plain_text'), confirm: t('plain_text'), deny: t('plain_text') };
    const blocks = [
      { type: 'header', block_id: x, text: t('plain_text') },
      { type: 'section', block_id: `${x}1`, text: t('mrkdwn'), fields: [t('mrkdwn'), t('plain_text')], accessory: { type: 'static_select', action_id: x, placeholder: t('plain_text'), options: [o], initial_option: o, confirm } },
      { type: 'section', block_id: `${x}2`, text: t('plain_text'), accessory: { type: 'image', image_url: `javascript:${x}`, alt_text: x } },
      { type: 'context', block_id: `${x}3`, elements: [t('mrkdwn'), t('plain_text'), { type: 'image', image_url: `https://example.com/${x}`, alt_text: x }] },
      { type: 'actions', block_id: `${x}4`, elements: [{ type: 'button', action_id: x, text: t('plain_text'), value: x, url: `https://example.com/${x}`, confirm }, { type: 'overflow', action_id: `${x}o`, options: [o] }, { type: 'users_select', action_id: `${x}u`, initial_user: x }] },
      { type: 'input', block_id: `${x}5`, label: t('plain_text'), hint: t('plain_text'), element: { type: 'plain_text_input', action_id: x, initial_value: x, placeholder: t('plain_text') } },
      { type: 'input', block_id: `${x}6`, label: t('plain_text'), element: { type: 'checkboxes', action_id: x, options: [{ ...o, text: t('mrkdwn') }], initial_options: [o] } },
      { type: 'input', block_id: `${x}7`, label: t('plain_text'), element: { type: 'datepicker', action_id: x, initial_date: x } },
      { type: 'image', block_id: `${x}8`, image_url: x, alt_text: x, title: t('plain_text') },
      { type: x },
    ];
    const message = renderMessage({ ts: x, user: x, text: x, blocks }, ctx);
    const view = renderModal({ id: x, type: 'modal', title: t('plain_text'), submit: t('plain_text'), close: t('plain_text'), blocks }, ctx, { errors: { [`${x}5`]: x } });
    const home = renderHome({ id: x, type: 'home', blocks }, ctx);
    for (const html of [message, view, home]) {
      const tags = scanHtml(html);
      expect(find(tags, 'script')).toHaveLength(0);
      // The only images are the one with an https address (escaped into its src).
      expect(find(tags, 'img').map((i) => i.attributes.src)).toEqual([`https://example.com/${x}`]);
      expect(textOfHtml(html)).toContain(x);
    }
  });
});

describe("the app's own views", () => {
  it('the invite modal and the settings modal: every input labelled, every element drawn', () => {
    for (const view of [inviteModal({ expiryDays: 7 }), settingsModal({ name: 'Acme', ...DEFAULT_SETTINGS })]) {
      const m = modal(view as unknown as Record<string, unknown>);
      expect(m.text).not.toMatch(/\[[a-z_]+\]/);
      for (const block of view.blocks) {
        if (block.type !== 'input') continue;
        const wrapper = one(m.tags, 'div', { 'data-input-block': block.block_id! });
        expect(wrapper).toBeDefined();
        expect(m.text).toContain(block.label.text);
        expect(find(m.tags, block.element.type === 'radio_buttons' || block.element.type === 'checkboxes' ? 'fieldset' : block.element.type.endsWith('select') ? 'select' : block.element.type === 'plain_text_input' && block.element.multiline ? 'textarea' : 'input', { 'data-block-id': block.block_id! })).toHaveLength(1);
      }
    }
  });
});
