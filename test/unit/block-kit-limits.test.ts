import { describe, expect, it } from 'vitest';
import { LIMITS, validateBlocks, validateView, type Surface } from '../../src/standin/block-kit/index.js';

// Small builders for valid Block Kit pieces; each test overrides one field.
const chars = (n: number) => 'x'.repeat(n);
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const button = (over: Record<string, unknown> = {}) => ({ type: 'button', text: plain('Approve'), action_id: 'approve', ...over });
const section = (over: Record<string, unknown> = {}) => ({ type: 'section', text: mrkdwn('Hello'), ...over });
const actions = (elements: unknown[], over: Record<string, unknown> = {}) => ({ type: 'actions', elements, ...over });
const option = (text: string, value: string, over: Record<string, unknown> = {}) => ({ text: plain(text), value, ...over });
const select = (over: Record<string, unknown> = {}) => ({
  type: 'static_select',
  action_id: 'pick',
  placeholder: plain('Pick one'),
  options: [option('Admin', 'admin')],
  ...over,
});
const confirm = (over: Record<string, unknown> = {}) => ({
  title: plain('Are you sure?'),
  text: mrkdwn('This removes *Bob*.'),
  confirm: plain('Remove'),
  deny: plain('Cancel'),
  ...over,
});
const input = (over: Record<string, unknown> = {}) => ({
  type: 'input',
  label: plain('Email'),
  element: { type: 'plain_text_input', action_id: 'email' },
  ...over,
});
const modal = (over: Record<string, unknown> = {}) => ({ type: 'modal', title: plain('Invite'), blocks: [section()], ...over });
const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

const inMessage = (...blocks: unknown[]) => validateBlocks(blocks, 'message');

interface LimitCase {
  name: string;
  limit: number;
  /** Problems for a payload whose limited field has size `n`. */
  check: (n: number) => string[];
  /** JSON pointer Slack would report. */
  pointer: string;
}

/** Character limits: a string of exactly `limit` characters passes, `limit + 1` fails. */
const lengthCases: LimitCase[] = [
  { name: 'section text', limit: LIMITS.sectionText, check: (n) => inMessage(section({ text: mrkdwn(chars(n)) })), pointer: '/blocks/0/text/text' },
  { name: 'section field', limit: LIMITS.sectionFieldText, check: (n) => inMessage(section({ fields: [mrkdwn(chars(n))] })), pointer: '/blocks/0/fields/0/text' },
  { name: 'header text', limit: LIMITS.headerText, check: (n) => inMessage({ type: 'header', text: plain(chars(n)) }), pointer: '/blocks/0/text/text' },
  { name: 'block_id', limit: LIMITS.blockId, check: (n) => inMessage({ type: 'divider', block_id: chars(n) }), pointer: '/blocks/0/block_id' },
  { name: 'button text', limit: LIMITS.buttonText, check: (n) => inMessage(actions([button({ text: plain(chars(n)) })])), pointer: '/blocks/0/elements/0/text/text' },
  { name: 'button value', limit: LIMITS.buttonValue, check: (n) => inMessage(actions([button({ value: chars(n) })])), pointer: '/blocks/0/elements/0/value' },
  { name: 'button url', limit: LIMITS.buttonUrl, check: (n) => inMessage(actions([button({ url: chars(n) })])), pointer: '/blocks/0/elements/0/url' },
  { name: 'button action_id', limit: LIMITS.actionId, check: (n) => inMessage(actions([button({ action_id: chars(n) })])), pointer: '/blocks/0/elements/0/action_id' },
  { name: 'button accessibility_label', limit: LIMITS.buttonAccessibilityLabel, check: (n) => inMessage(actions([button({ accessibility_label: chars(n) })])), pointer: '/blocks/0/elements/0/accessibility_label' },
  { name: 'accessory button text', limit: LIMITS.buttonText, check: (n) => inMessage(section({ accessory: button({ text: plain(chars(n)) }) })), pointer: '/blocks/0/accessory/text/text' },
  { name: 'select option text', limit: LIMITS.optionText, check: (n) => inMessage(actions([select({ options: [option(chars(n), 'v')] })])), pointer: '/blocks/0/elements/0/options/0/text/text' },
  { name: 'select option value', limit: LIMITS.optionValue, check: (n) => inMessage(actions([select({ options: [option('A', chars(n))] })])), pointer: '/blocks/0/elements/0/options/0/value' },
  { name: 'select option description', limit: LIMITS.optionDescription, check: (n) => inMessage(actions([select({ options: [option('A', 'a', { description: plain(chars(n)) })] })])), pointer: '/blocks/0/elements/0/options/0/description/text' },
  { name: 'select placeholder', limit: LIMITS.placeholder, check: (n) => inMessage(actions([select({ placeholder: plain(chars(n)) })])), pointer: '/blocks/0/elements/0/placeholder/text' },
  { name: 'multi select option text', limit: LIMITS.optionText, check: (n) => inMessage(actions([select({ type: 'multi_static_select', options: [option(chars(n), 'v')] })])), pointer: '/blocks/0/elements/0/options/0/text/text' },
  { name: 'confirm title', limit: LIMITS.confirmTitle, check: (n) => inMessage(actions([button({ confirm: confirm({ title: plain(chars(n)) }) })])), pointer: '/blocks/0/elements/0/confirm/title/text' },
  { name: 'confirm text', limit: LIMITS.confirmText, check: (n) => inMessage(actions([button({ confirm: confirm({ text: mrkdwn(chars(n)) }) })])), pointer: '/blocks/0/elements/0/confirm/text/text' },
  { name: 'confirm confirm', limit: LIMITS.confirmButton, check: (n) => inMessage(actions([button({ confirm: confirm({ confirm: plain(chars(n)) }) })])), pointer: '/blocks/0/elements/0/confirm/confirm/text' },
  { name: 'confirm deny', limit: LIMITS.confirmButton, check: (n) => inMessage(actions([button({ confirm: confirm({ deny: plain(chars(n)) }) })])), pointer: '/blocks/0/elements/0/confirm/deny/text' },
  { name: 'input label', limit: LIMITS.inputLabel, check: (n) => validateBlocks([input({ label: plain(chars(n)) })], 'modal'), pointer: '/blocks/0/label/text' },
  { name: 'input hint', limit: LIMITS.inputHint, check: (n) => validateBlocks([input({ hint: plain(chars(n)) })], 'modal'), pointer: '/blocks/0/hint/text' },
  { name: 'image alt_text', limit: LIMITS.imageAltText, check: (n) => inMessage({ type: 'image', image_url: 'https://x.test/a.png', alt_text: chars(n) }), pointer: '/blocks/0/alt_text' },
  { name: 'modal title', limit: LIMITS.viewTitle, check: (n) => validateView(modal({ title: plain(chars(n)) })), pointer: '/view/title/text' },
  { name: 'modal submit', limit: LIMITS.viewSubmit, check: (n) => validateView(modal({ submit: plain(chars(n)) })), pointer: '/view/submit/text' },
  { name: 'modal close', limit: LIMITS.viewClose, check: (n) => validateView(modal({ close: plain(chars(n)) })), pointer: '/view/close/text' },
  { name: 'view callback_id', limit: LIMITS.callbackId, check: (n) => validateView(modal({ callback_id: chars(n) })), pointer: '/view/callback_id' },
  { name: 'view private_metadata', limit: LIMITS.privateMetadata, check: (n) => validateView(modal({ private_metadata: chars(n) })), pointer: '/view/private_metadata' },
  { name: 'view external_id', limit: LIMITS.externalId, check: (n) => validateView(modal({ external_id: chars(n) })), pointer: '/view/external_id' },
  { name: 'home view private_metadata', limit: LIMITS.privateMetadata, check: (n) => validateView({ type: 'home', blocks: [], private_metadata: chars(n) }), pointer: '/view/private_metadata' },
];

/** Item-count limits: exactly `limit` items pass, `limit + 1` fail. */
const countCases: LimitCase[] = [
  { name: 'blocks in a message', limit: LIMITS.messageBlocks, check: (n) => validateBlocks(many(n, () => ({ type: 'divider' })), 'message'), pointer: '/blocks' },
  { name: 'blocks in a modal', limit: LIMITS.viewBlocks, check: (n) => validateBlocks(many(n, () => ({ type: 'divider' })), 'modal'), pointer: '/blocks' },
  { name: 'blocks in a home tab', limit: LIMITS.viewBlocks, check: (n) => validateBlocks(many(n, () => ({ type: 'divider' })), 'home'), pointer: '/blocks' },
  { name: 'blocks in a modal view', limit: LIMITS.viewBlocks, check: (n) => validateView(modal({ blocks: many(n, () => ({ type: 'divider' })) })), pointer: '/view/blocks' },
  { name: 'blocks in a home view', limit: LIMITS.viewBlocks, check: (n) => validateView({ type: 'home', blocks: many(n, () => ({ type: 'divider' })) }), pointer: '/view/blocks' },
  { name: 'section fields', limit: LIMITS.sectionFields, check: (n) => inMessage(section({ fields: many(n, (i) => mrkdwn(`f${i}`)) })), pointer: '/blocks/0/fields' },
  { name: 'context elements', limit: LIMITS.contextElements, check: (n) => inMessage({ type: 'context', elements: many(n, (i) => mrkdwn(`c${i}`)) }), pointer: '/blocks/0/elements' },
  { name: 'actions elements', limit: LIMITS.actionsElements, check: (n) => inMessage(actions(many(n, (i) => button({ action_id: `a${i}` })))), pointer: '/blocks/0/elements' },
  { name: 'select options', limit: LIMITS.selectOptions, check: (n) => inMessage(actions([select({ options: many(n, (i) => option(`o${i}`, `v${i}`)) })])), pointer: '/blocks/0/elements/0/options' },
  { name: 'overflow options', limit: LIMITS.overflowOptions, check: (n) => inMessage(actions([{ type: 'overflow', action_id: 'more', options: many(n, (i) => option(`o${i}`, `v${i}`)) }])), pointer: '/blocks/0/elements/0/options' },
  { name: 'checkbox options', limit: LIMITS.choiceOptions, check: (n) => validateBlocks([input({ element: { type: 'checkboxes', action_id: 'c', options: many(n, (i) => option(`o${i}`, `v${i}`)) } })], 'modal'), pointer: '/blocks/0/element/options' },
];

describe('Block Kit limits', () => {
  describe.each(lengthCases)('$name: at most $limit characters', ({ limit, check, pointer }) => {
    it('accepts exactly the limit', () => {
      expect(check(limit)).toEqual([]);
    });
    it('rejects one character over, pointing at the field', () => {
      // Where plain_text or mrkdwn is allowed Slack also says "failed to match all allowed schemas" at the text object.
      const problems = check(limit + 1).filter((p) => !p.startsWith('failed to match all allowed schemas'));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`must be less than ${limit + 1} characters`);
      expect(problems[0]).toContain(`[json-pointer:${pointer}]`);
    });
  });

  describe.each(countCases)('$name: at most $limit', ({ limit, check, pointer }) => {
    it('accepts exactly the limit', () => {
      expect(check(limit)).toEqual([]);
    });
    it('rejects one over, pointing at the list', () => {
      const problems = check(limit + 1);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`no more than ${limit} items allowed`);
      expect(problems[0]).toContain(`[json-pointer:${pointer}]`);
    });
  });

  it('answers an over-long section text with the two lines Slack sends', () => {
    expect(inMessage(section({ text: mrkdwn(chars(3001)) }))).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(inMessage(actions([button({ text: plain('👍'.repeat(LIMITS.buttonText)) })]))).toEqual([]);
    expect(inMessage(actions([button({ text: plain('👍'.repeat(LIMITS.buttonText + 1)) })]))).toHaveLength(1);
  });

  describe('block list', () => {
    it('accepts every known block type', () => {
      const blocks = [
        section(),
        { type: 'header', text: plain('Team') },
        { type: 'divider' },
        actions([button()]),
        { type: 'context', elements: [mrkdwn('ctx'), { type: 'image', image_url: 'https://x.test/a.png', alt_text: 'a' }] },
        { type: 'image', image_url: 'https://x.test/a.png', alt_text: 'a', title: plain('A') },
        { type: 'rich_text', elements: [] },
        { type: 'video', title: plain('Intro'), alt_text: 'intro', thumbnail_url: 'https://x.test/t.png', video_url: 'https://x.test/v' },
        { type: 'file', external_id: 'F1', source: 'remote' },
      ];
      expect(inMessage(...blocks)).toEqual([]);
      expect(validateBlocks([...blocks, input()], 'modal')).toEqual([]);
    });

    it('requires an array of objects of a known type', () => {
      expect(validateBlocks('[]', 'message')).toEqual(['must provide an array [json-pointer:/blocks]']);
      expect(inMessage(42)).toEqual(['must provide an object [json-pointer:/blocks/0]']);
      expect(inMessage({ type: 'table' })).toEqual(['unsupported type: table [json-pointer:/blocks/0/type]']);
      expect(inMessage({})).toEqual(['unsupported type: undefined [json-pointer:/blocks/0/type]']);
    });

    it('requires block_id to be unique within the list', () => {
      expect(inMessage({ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'b' })).toEqual([]);
      expect(inMessage({ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' })).toEqual([
        'block_id "a" is used more than once [json-pointer:/blocks/1/block_id]',
      ]);
    });

    it('reports every problem, not just the first', () => {
      const problems = inMessage({ type: 'header', text: plain(chars(151)) }, actions([button({ style: 'blue' })]), { type: 'nope' });
      expect(problems).toHaveLength(3);
    });
  });

  describe('text objects', () => {
    it('must be plain_text where Slack requires it', () => {
      expect(inMessage({ type: 'header', text: mrkdwn('Team') })).toEqual([
        'unsupported type: mrkdwn [json-pointer:/blocks/0/text/type]',
      ]);
      expect(inMessage(actions([button({ text: mrkdwn('Go') })]))).toHaveLength(1);
    });

    it('must have a known type and non-empty text', () => {
      expect(inMessage(section({ text: { type: 'markdown', text: 'x' } }))).toEqual([
        'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
        'unsupported type: markdown [json-pointer:/blocks/0/text/type]',
      ]);
      expect(inMessage(section({ text: mrkdwn('') }))).toEqual([
        'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
        'must be more than 0 characters [json-pointer:/blocks/0/text/text]',
      ]);
      expect(inMessage(section({ text: 'plain string' }))).toEqual([
        'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
        'must provide an object [json-pointer:/blocks/0/text]',
      ]);
      expect(inMessage({ type: 'header' })).toEqual(['missing required field: text [json-pointer:/blocks/0]']);
    });
  });

  describe('section', () => {
    it('needs text or fields', () => {
      expect(inMessage(section({ text: undefined, fields: [mrkdwn('a')] }))).toEqual([]);
      expect(inMessage({ type: 'section' })).toEqual(['must define either `text` or `fields` [json-pointer:/blocks/0/type]']);
    });

    it('accepts an image accessory but not an unknown element', () => {
      expect(inMessage(section({ accessory: { type: 'image', image_url: 'https://x.test/a.png', alt_text: 'a' } }))).toEqual([]);
      expect(inMessage(section({ accessory: { type: 'sparkle' } }))).toEqual([
        'unsupported type: sparkle [json-pointer:/blocks/0/accessory/type]',
      ]);
    });
  });

  describe('buttons', () => {
    it('allow only primary or danger styles', () => {
      expect(inMessage(actions([button({ style: 'primary' }), button({ action_id: 'b', style: 'danger' })]))).toEqual([]);
      expect(inMessage(actions([button({ style: 'default' })]))).toEqual([
        'must be a valid enum value [json-pointer:/blocks/0/elements/0/style]',
      ]);
    });

    it('need action_id to be unique within the actions block only', () => {
      expect(inMessage(actions([button()]), actions([button()]))).toEqual([]);
      expect(inMessage(actions([button(), button()]))).toEqual([
        'action_id "approve" is used more than once in this block [json-pointer:/blocks/0/elements/1/action_id]',
      ]);
    });
  });

  describe('confirm dialogs', () => {
    it('need title, text, confirm and deny', () => {
      expect(inMessage(actions([button({ confirm: confirm() })]))).toEqual([]);
      expect(inMessage(actions([button({ confirm: { title: plain('Sure?') } })]))).toEqual([
        'missing required field: text [json-pointer:/blocks/0/elements/0/confirm]',
        'missing required field: confirm [json-pointer:/blocks/0/elements/0/confirm]',
        'missing required field: deny [json-pointer:/blocks/0/elements/0/confirm]',
      ]);
    });

    it('apply to selects too', () => {
      expect(inMessage(actions([select({ confirm: confirm({ deny: plain(chars(31)) }) })]))).toHaveLength(1);
    });
  });

  describe('static selects', () => {
    it('need options or option_groups, each option with a value', () => {
      expect(inMessage(actions([select({ options: undefined, option_groups: [{ label: plain('Roles'), options: [option('A', 'a')] }] })]))).toEqual([]);
      expect(inMessage(actions([select({ options: undefined })]))).toEqual([
        'must define either `options` or `option_groups` [json-pointer:/blocks/0/elements/0/type]',
      ]);
      expect(inMessage(actions([select({ options: [{ text: plain('A') }] })]))).toEqual([
        'missing required field: value [json-pointer:/blocks/0/elements/0/options/0]',
      ]);
    });
  });

  describe('input blocks', () => {
    it.each<Surface>(['modal', 'home'])('are allowed in a %s', (surface) => {
      expect(validateBlocks([input()], surface)).toEqual([]);
    });

    it('are not allowed in messages', () => {
      expect(inMessage(input())).toEqual(['input blocks are only allowed in modals and home tabs [json-pointer:/blocks/0]']);
    });

    it('need an element, and not a button', () => {
      expect(validateBlocks([input({ element: undefined })], 'modal')).toEqual(['missing required field: element [json-pointer:/blocks/0]']);
      expect(validateBlocks([input({ element: button() })], 'modal')).toEqual([
        'unsupported type: button [json-pointer:/blocks/0/element/type]',
      ]);
    });

    it('need a plain_text label', () => {
      expect(validateBlocks([input({ label: undefined })], 'modal')).toEqual(['missing required field: label [json-pointer:/blocks/0]']);
      expect(validateBlocks([input({ label: mrkdwn('x') })], 'modal')).toHaveLength(1);
    });
  });

  describe('views', () => {
    it('accepts a minimal modal and home tab', () => {
      expect(validateView(modal())).toEqual([]);
      expect(validateView({ type: 'home', blocks: [section()] })).toEqual([]);
    });

    it('requires the type the method expects', () => {
      expect(validateView(modal(), 'home')).toEqual(['must be home (got "modal") [json-pointer:/view/type]']);
      expect(validateView({ type: 'home', blocks: [] }, 'modal')).toEqual(['must be modal (got "home") [json-pointer:/view/type]']);
      expect(validateView({ type: 'workflow_step', blocks: [] })).toHaveLength(1);
      expect(validateView(null)).toEqual(['must provide an object [json-pointer:/view]']);
    });

    it('requires a modal title and blocks', () => {
      expect(validateView({ type: 'modal' })).toEqual([
        'missing required field: blocks [json-pointer:/view]',
        'missing required field: title [json-pointer:/view]',
      ]);
    });

    it('requires a submit button on a modal with inputs', () => {
      expect(validateView(modal({ blocks: [input()], submit: plain('Save') }))).toEqual([]);
      expect(validateView(modal({ blocks: [input()] }))).toEqual([
        'must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]',
      ]);
    });

    it('validates the blocks inside with view pointers', () => {
      expect(validateView(modal({ blocks: [section({ text: mrkdwn(chars(3001)) })] }))).toEqual([
        'failed to match all allowed schemas [json-pointer:/view/blocks/0/text]',
        'must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]',
      ]);
    });
  });
});
