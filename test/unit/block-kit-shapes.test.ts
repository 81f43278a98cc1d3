import type { Button, NumberInput } from '@slack/types';
import { LogLevel, WebAPIPlatformError, WebClient, type Logger } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELEMENT_SHAPES, SlackStandin, shape, validateBlocks, validateView } from '../../src/standin/index.js';

// Valid Block Kit pieces; each test breaks one thing.
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const option = (text: string, value: string) => ({ text: plain(text), value });
const button = (over: Record<string, unknown> = {}) => ({ type: 'button', text: plain('Go'), action_id: 'go', ...over });
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });
const section = (over: Record<string, unknown> = {}) => ({ type: 'section', text: mrkdwn('Hello'), ...over });
const input = (element: unknown, over: Record<string, unknown> = {}) => ({ type: 'input', block_id: 'b', label: plain('Days'), element, ...over });
const modal = (blocks: unknown[], over: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'settings',
  title: plain('Settings'),
  submit: plain('Save'),
  blocks,
  ...over,
});
const inMessage = (...blocks: unknown[]) => validateBlocks(blocks, 'message');
const inModal = (...blocks: unknown[]) => validateView(modal(blocks), 'modal');

/** The settings modal's number input as the app sent it before issue 14: Slack's field is is_decimal_allowed. */
const OLD_NUMBER_INPUT = { type: 'number_input', is_decimal_input: false, min_value: '1', max_value: '30', initial_value: '7', action_id: 'x' };
const NEW_NUMBER_INPUT = { type: 'number_input', is_decimal_allowed: false, min_value: '1', max_value: '30', initial_value: '7', action_id: 'x' };

describe('the old settings modal, sent through the real WebClient to the stand-in', () => {
  const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
  let standin: SlackStandin;
  let client: WebClient;
  beforeAll(async () => {
    standin = await SlackStandin.start();
    client = new WebClient(standin.botToken, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 }, logger: silent });
  });
  afterAll(() => standin.stop());

  it('is refused by views.open with invalid_arguments naming both fields', async () => {
    const view = modal([section(), input(OLD_NUMBER_INPUT)]);
    const err = await client.views.open({ trigger_id: standin.newTriggerId(), view: view as never }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebAPIPlatformError);
    const data = (err as WebAPIPlatformError).data;
    expect(data.error).toBe('invalid_arguments');
    expect(data.response_metadata?.messages).toEqual([
      '[ERROR] missing required field: is_decimal_allowed [json-pointer:/view/blocks/1/element]',
      '[ERROR] invalid additional property: is_decimal_input [json-pointer:/view/blocks/1/element]',
    ]);
  });

  it('is accepted once the element says is_decimal_allowed', async () => {
    const view = modal([section(), input(NEW_NUMBER_INPUT)]);
    const res = await client.views.open({ trigger_id: standin.newTriggerId(), view: view as never });
    expect(res.ok).toBe(true);
    expect(res.view?.blocks).toHaveLength(2);
  });

  it('answers chat.postMessage with invalid_blocks for the same kind of mistake', async () => {
    const channel = 'C0GENERAL1'; // the stand-in's default #general
    const err = await client.chat
      .postMessage({ channel, text: 'x', blocks: [actions(button({ colour: 'red' }))] as never })
      .then(() => undefined, (e: unknown) => e);
    expect((err as WebAPIPlatformError).data.error).toBe('invalid_blocks');
    expect((err as WebAPIPlatformError).data.response_metadata?.messages).toEqual([
      '[ERROR] invalid additional property: colour [json-pointer:/blocks/0/elements/0]',
    ]);
  });

  it('refuses a response_url message with bad blocks (400 invalid_blocks) and does not post it', async () => {
    const { id, url } = standin.newResponseUrl();
    const post = (blocks: unknown[]) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'x', blocks }) });
    const refused = await post([section({ text: plain('') })]);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: {
        messages: ['[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0/text]', '[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]'],
      },
    });
    expect(standin.responseUrlPosts.filter((p) => p.id === id)).toHaveLength(0);
    expect((await post([section()])).status).toBe(200);
    expect(standin.responseUrlPosts.filter((p) => p.id === id)).toHaveLength(1);
  });
});

describe('the field table is held to @slack/types by tsc', () => {
  it('refuses an entry with a misspelled field and one missing a required field', () => {
    const common = { type: { req: true, t: 'type' }, action_id: { t: 'string' } } as const;
    // @ts-expect-error -- is_decimal_allowed (required by NumberInput) is missing
    const missing = shape<NumberInput>({
      ...common,
      dispatch_action_config: { t: 'any', why: 'test' },
      focus_on_load: { t: 'boolean' },
      placeholder: { t: 'text', plain: true },
      initial_value: { t: 'string' },
      min_value: { t: 'string' },
      max_value: { t: 'string' },
    });
    const misspelled = shape<NumberInput>({
      ...common,
      is_decimal_allowed: { req: true, t: 'boolean' },
      // @ts-expect-error -- is_decimal_input is not a field of Slack's NumberInput
      is_decimal_input: { t: 'boolean' },
      dispatch_action_config: { t: 'any', why: 'test' },
      focus_on_load: { t: 'boolean' },
      placeholder: { t: 'text', plain: true },
      initial_value: { t: 'string' },
      min_value: { t: 'string' },
      max_value: { t: 'string' },
    });
    const wrongRequiredness = shape<Button>({
      ...common,
      confirm: { t: 'object', shape: 'confirm' },
      // @ts-expect-error -- Button's text is required, so its rule must say req: true
      text: { t: 'text', plain: true },
      value: { t: 'string' },
      url: { t: 'string' },
      style: { t: 'enum', values: ['primary', 'danger'] },
      accessibility_label: { t: 'string' },
    });
    // At run time the entries are what was written; the point of this test is that tsc refuses them.
    expect(Object.keys(missing.fields)).not.toContain('is_decimal_allowed');
    expect(Object.keys(misspelled.fields)).toContain('is_decimal_input');
    expect(wrongRequiredness.fields.text?.req).toBeUndefined();
  });

  it('and the real entry for number_input requires is_decimal_allowed', () => {
    expect(ELEMENT_SHAPES.number_input.fields.is_decimal_allowed).toEqual({ req: true, t: 'boolean' });
    expect(ELEMENT_SHAPES.number_input.fields).not.toHaveProperty('is_decimal_input');
  });
});

describe('each rule: refused when broken, accepted when kept', () => {
  it('required fields', () => {
    expect(inModal(input(NEW_NUMBER_INPUT))).toEqual([]);
    expect(inModal(input({ type: 'number_input', action_id: 'x' }))).toEqual([
      'missing required field: is_decimal_allowed [json-pointer:/view/blocks/0/element]',
    ]);
    expect(inMessage({ type: 'actions' })).toEqual(['missing required field: elements [json-pointer:/blocks/0]']);
    expect(validateView({ type: 'home' }, 'home')).toEqual(['missing required field: blocks [json-pointer:/view]']);
  });

  it('unknown fields, on blocks, elements, composition objects and views', () => {
    expect(inMessage(section({ text: { ...mrkdwn('x'), verbatim: true } }))).toEqual([]);
    expect(inMessage(section({ colour: 'red' }))).toEqual(['invalid additional property: colour [json-pointer:/blocks/0]']);
    expect(inMessage(section({ text: { ...mrkdwn('x'), emoji: true } }))).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
      'invalid additional property: emoji [json-pointer:/blocks/0/text]',
    ]);
    expect(inMessage(actions(button({ confirm: { title: plain('a'), text: plain('b'), confirm: plain('c'), deny: plain('d'), danger: true } })))).toEqual([
      'invalid additional property: danger [json-pointer:/blocks/0/elements/0/confirm]',
    ]);
    expect(validateView(modal([], { state: {} }))).toEqual(['invalid additional property: state [json-pointer:/view]']);
    // clear_on_close and notify_on_close are modal fields, not home tab fields.
    expect(validateView(modal([], { clear_on_close: true, notify_on_close: true, submit_disabled: false, external_id: 'e', private_metadata: 'p' }))).toEqual([]);
    expect(validateView({ type: 'home', blocks: [], notify_on_close: true }, 'home')).toEqual([
      'invalid additional property: notify_on_close [json-pointer:/view]',
    ]);
  });

  it('fields Slack leaves out are simply absent: undefined is not sent', () => {
    expect(inMessage(section({ accessory: undefined }))).toEqual([]);
  });

  it('value types', () => {
    expect(inModal(input({ type: 'plain_text_input', action_id: 'a', multiline: true, max_length: 10 }))).toEqual([]);
    expect(inModal(input({ type: 'plain_text_input', action_id: 'a', multiline: 'yes', max_length: '10' }))).toEqual([
      'must provide a boolean [json-pointer:/view/blocks/0/element/multiline]',
      'must provide a number [json-pointer:/view/blocks/0/element/max_length]',
    ]);
    expect(inMessage(actions(button({ value: 42 })))).toEqual(['must provide a string [json-pointer:/blocks/0/elements/0/value]']);
    expect(inMessage(section({ fields: mrkdwn('x') }))).toEqual(['must provide an array [json-pointer:/blocks/0/fields]']);
    expect(inMessage(actions(button({ confirm: 'sure?' })))).toEqual(['must provide an object [json-pointer:/blocks/0/elements/0/confirm]']);
    expect(inModal(input(NEW_NUMBER_INPUT, { optional: 'no' }))).toEqual(['must provide a boolean [json-pointer:/view/blocks/0/optional]']);
  });

  it('enumerations: style, dispatch_action_config, conversation filters', () => {
    expect(inMessage(actions(button({ style: 'danger' })))).toEqual([]);
    expect(inMessage(actions(button({ style: 'warning' })))).toEqual(['must be a valid enum value [json-pointer:/blocks/0/elements/0/style]']);
    const dispatch = (on: string) => input({ type: 'plain_text_input', action_id: 'a', dispatch_action_config: { trigger_actions_on: [on] } });
    expect(inModal(dispatch('on_enter_pressed'))).toEqual([]);
    expect(inModal(dispatch('on_blur'))).toEqual(['must be a valid enum value [json-pointer:/view/blocks/0/element/dispatch_action_config/trigger_actions_on/0]']);
    const channel = (include: string[]) => input({ type: 'conversations_select', action_id: 'c', filter: { include, exclude_bot_users: true } });
    expect(inModal(channel(['public', 'private']))).toEqual([]);
    expect(inModal(channel(['group']))).toEqual(['must be a valid enum value [json-pointer:/view/blocks/0/element/filter/include/0]']);
  });

  it('plain_text only: button text, placeholders, select option text, labels, hints, header, modal title/submit/close', () => {
    expect(inMessage(actions(button({ text: mrkdwn('Go') })))).toEqual(['unsupported type: mrkdwn [json-pointer:/blocks/0/elements/0/text/type]']);
    expect(inMessage({ type: 'header', text: mrkdwn('Team') })).toEqual(['unsupported type: mrkdwn [json-pointer:/blocks/0/text/type]']);
    const select = (over: Record<string, unknown>) => ({ type: 'static_select', action_id: 's', options: [option('A', 'a')], ...over });
    expect(inMessage(actions(select({ placeholder: plain('Pick') })))).toEqual([]);
    expect(inMessage(actions(select({ placeholder: mrkdwn('Pick') })))).toEqual([
      'unsupported type: mrkdwn [json-pointer:/blocks/0/elements/0/placeholder/type]',
    ]);
    expect(inMessage(actions(select({ options: [{ text: mrkdwn('*A*'), value: 'a' }] })))).toEqual([
      'unsupported type: mrkdwn [json-pointer:/blocks/0/elements/0/options/0/text/type]',
    ]);
    // Checkbox and radio options may be mrkdwn.
    expect(inModal(input({ type: 'checkboxes', action_id: 'c', options: [{ text: mrkdwn('*A*'), value: 'a' }] }))).toEqual([]);
    expect(inModal(input(NEW_NUMBER_INPUT, { label: mrkdwn('Days'), hint: mrkdwn('1 to 30') }))).toEqual([
      'unsupported type: mrkdwn [json-pointer:/view/blocks/0/label/type]',
      'unsupported type: mrkdwn [json-pointer:/view/blocks/0/hint/type]',
    ]);
    expect(validateView(modal([], { title: mrkdwn('T'), submit: mrkdwn('S'), close: mrkdwn('C') }))).toEqual([
      'unsupported type: mrkdwn [json-pointer:/view/title/type]',
      'unsupported type: mrkdwn [json-pointer:/view/close/type]',
      'unsupported type: mrkdwn [json-pointer:/view/submit/type]',
    ]);
  });

  it('initial_option and initial_options must be among the options, by value and text', () => {
    const radios = (initial: unknown) => input({ type: 'radio_buttons', action_id: 'r', options: [option('Owner', 'owner'), option('Member', 'member')], initial_option: initial });
    expect(inModal(radios(option('Member', 'member')))).toEqual([]);
    expect(inModal(radios(option('Admin', 'admin')))).toEqual([
      'must match one of the provided options (same value and text) [json-pointer:/view/blocks/0/element/initial_option]',
    ]);
    // Same value, different text: Slack compares the whole option.
    expect(inModal(radios(option('Members', 'member')))).toHaveLength(1);
    const grouped = {
      type: 'static_select',
      action_id: 's',
      option_groups: [{ label: plain('Roles'), options: [option('Owner', 'owner')] }],
      initial_option: option('Owner', 'owner'),
    };
    expect(inMessage(actions(grouped))).toEqual([]);
    const boxes = (initial: unknown[]) => input({ type: 'checkboxes', action_id: 'c', options: [option('A', 'a'), option('B', 'b')], initial_options: initial });
    expect(inModal(boxes([option('B', 'b')]))).toEqual([]);
    expect(inModal(boxes([option('A', 'a'), option('C', 'c')]))).toEqual([
      'must match one of the provided options (same value and text) [json-pointer:/view/blocks/0/element/initial_options/1]',
    ]);
  });

  it('action_id unique within its actions block', () => {
    expect(inMessage(actions(button({ action_id: 'a' }), button({ action_id: 'b' })), actions(button({ action_id: 'a' })))).toEqual([]);
    expect(inMessage(actions(button({ action_id: 'a' }), button({ action_id: 'a' })))).toEqual([
      'action_id "a" is used more than once in this block [json-pointer:/blocks/0/elements/1/action_id]',
    ]);
  });

  it('block_id unique within the message or view', () => {
    expect(inModal(input(NEW_NUMBER_INPUT, { block_id: 'a' }), input(NEW_NUMBER_INPUT, { block_id: 'b' }))).toEqual([]);
    expect(inModal(section({ block_id: 'a' }), input(NEW_NUMBER_INPUT, { block_id: 'a' }))).toEqual([
      'block_id "a" is used more than once [json-pointer:/view/blocks/1/block_id]',
    ]);
  });

  it('element types allowed in each block', () => {
    const select = { type: 'users_select', action_id: 'u' };
    expect(inMessage(section({ accessory: select }), actions(select), { type: 'context', elements: [plain('a'), mrkdwn('b')] })).toEqual([]);
    expect(inModal(input(select))).toEqual([]);
    expect(inModal(input(button()))).toEqual(['unsupported type: button [json-pointer:/view/blocks/0/element/type]']);
    expect(inMessage(section({ accessory: { type: 'plain_text_input', action_id: 'p' } }))).toEqual([
      'unsupported type: plain_text_input [json-pointer:/blocks/0/accessory/type]',
    ]);
    expect(inMessage(actions({ type: 'image', image_url: 'https://x.test/a.png', alt_text: 'a' }))).toEqual([
      'unsupported type: image [json-pointer:/blocks/0/elements/0/type]',
    ]);
    expect(inMessage({ type: 'context', elements: [button()] })).toEqual(['unsupported type: button [json-pointer:/blocks/0/elements/0/type]']);
  });

  it('a modal with inputs needs submit', () => {
    expect(validateView(modal([section(), input(NEW_NUMBER_INPUT)], { submit: undefined }))).toEqual([
      'must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/1/input]',
    ]);
  });
});
