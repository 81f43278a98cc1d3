/**
 * Pure validation of Block Kit payloads against Slack's published limits.
 *
 * Slack rejects a whole message/view when any block breaks a limit
 * (`invalid_blocks` for messages, `invalid_arguments` for views) and lists the
 * problems in `response_metadata.messages` as
 * `[ERROR] <what is wrong> [json-pointer:/blocks/3/text/text]`.
 * The functions here return those problems without the `[ERROR] ` prefix, so
 * the stand-in can answer exactly like Slack and unit tests can assert on them.
 *
 * Only the limits our app can plausibly hit are enforced; unknown optional
 * fields are ignored (Slack ignores most of them too).
 */

export type Surface = 'message' | 'modal' | 'home';
export type ViewType = 'modal' | 'home';

/** Slack's documented limits (characters unless the name says items). */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  buttonAccessibilityLabel: 75,
  selectOptions: 100,
  selectOptionGroups: 100,
  optionGroupLabel: 75,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  placeholder: 150,
  overflowOptions: 5,
  choiceOptions: 10, // checkboxes and radio_buttons
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  inputLabel: 2000,
  inputHint: 2000,
  imageUrl: 3000,
  imageAltText: 2000,
  imageTitle: 2000,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  callbackId: 255,
  privateMetadata: 3000,
  externalId: 255,
} as const;

export const BLOCK_TYPES = [
  'section',
  'header',
  'divider',
  'actions',
  'context',
  'input',
  'image',
  'rich_text',
  'video',
  'file',
] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

type Json = Record<string, unknown>;
type TextKind = 'plain_text' | 'mrkdwn';
const PLAIN: readonly TextKind[] = ['plain_text'];
const ANY_TEXT: readonly TextKind[] = ['plain_text', 'mrkdwn'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Slack counts characters, not UTF-16 code units. */
const charCount = (s: string): number => [...s].length;

/** Collects problems, each tagged with a JSON pointer like Slack's errors. */
class Checker {
  readonly problems: string[] = [];

  fail(at: string, message: string): void {
    this.problems.push(`${message} [json-pointer:${at}]`);
  }

  /** Optional (unless `required`) string of at most `max` characters. */
  string(value: unknown, at: string, max: number, required = false): void {
    if (value === undefined || value === null) {
      if (required) this.fail(at, 'is required');
      return;
    }
    if (typeof value !== 'string') return this.fail(at, 'must be a string');
    if (required && value.length === 0) return this.fail(at, 'must be a non-empty string');
    const n = charCount(value);
    if (n > max) this.fail(at, `must be at most ${max} characters (got ${n})`);
  }

  /** A composition text object: `{ type: 'plain_text' | 'mrkdwn', text }` with non-empty text. */
  text(value: unknown, at: string, kinds: readonly TextKind[], max?: number, required = true): void {
    if (value === undefined || value === null) {
      if (required) this.fail(at, 'is required');
      return;
    }
    if (!isObject(value)) return this.fail(at, 'must be a text object');
    if (!kinds.includes(value.type as TextKind)) {
      return this.fail(`${at}/type`, `must be ${kinds.join(' or ')} (got ${JSON.stringify(value.type)})`);
    }
    if (typeof value.text !== 'string' || value.text.length === 0) {
      return this.fail(`${at}/text`, 'must be a non-empty string');
    }
    if (max !== undefined) this.string(value.text, `${at}/text`, max);
  }

  /** An array of at most `max` items; returns it (or undefined) so callers can check the items. */
  array(value: unknown, at: string, max: number, required = false): unknown[] | undefined {
    if (value === undefined || value === null) {
      if (required) this.fail(at, 'is required');
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.fail(at, 'must be an array');
      return undefined;
    }
    if (required && value.length === 0) this.fail(at, 'must contain at least 1 item');
    if (value.length > max) this.fail(at, `must contain at most ${max} items (got ${value.length})`);
    return value;
  }

  oneOf(value: unknown, at: string, allowed: readonly string[]): void {
    if (value !== undefined && !allowed.includes(value as string)) {
      this.fail(at, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    }
  }
}

// ---------------------------------------------------------------------------
// Composition objects

function checkConfirm(c: Checker, confirm: unknown, at: string): void {
  if (confirm === undefined) return;
  if (!isObject(confirm)) return c.fail(at, 'must be a confirmation dialog object');
  c.text(confirm.title, `${at}/title`, PLAIN, LIMITS.confirmTitle);
  c.text(confirm.text, `${at}/text`, ANY_TEXT, LIMITS.confirmText);
  c.text(confirm.confirm, `${at}/confirm`, PLAIN, LIMITS.confirmButton);
  c.text(confirm.deny, `${at}/deny`, PLAIN, LIMITS.confirmButton);
  c.oneOf(confirm.style, `${at}/style`, ['primary', 'danger']);
}

function checkOption(c: Checker, option: unknown, at: string, textKinds: readonly TextKind[]): void {
  if (!isObject(option)) return c.fail(at, 'must be an option object');
  c.text(option.text, `${at}/text`, textKinds, LIMITS.optionText);
  c.string(option.value, `${at}/value`, LIMITS.optionValue, true);
  c.text(option.description, `${at}/description`, PLAIN, LIMITS.optionDescription, false);
  c.string(option.url, `${at}/url`, LIMITS.buttonUrl);
}

function checkOptions(c: Checker, options: unknown, at: string, max: number, textKinds: readonly TextKind[], required: boolean): void {
  const list = c.array(options, at, max, required);
  list?.forEach((option, i) => checkOption(c, option, `${at}/${i}`, textKinds));
}

// ---------------------------------------------------------------------------
// Block elements

type ElementCheck = (c: Checker, element: Json, at: string) => void;

function checkButton(c: Checker, el: Json, at: string): void {
  c.text(el.text, `${at}/text`, PLAIN, LIMITS.buttonText);
  c.string(el.value, `${at}/value`, LIMITS.buttonValue);
  c.string(el.url, `${at}/url`, LIMITS.buttonUrl);
  c.string(el.accessibility_label, `${at}/accessibility_label`, LIMITS.buttonAccessibilityLabel);
  c.oneOf(el.style, `${at}/style`, ['primary', 'danger']);
}

function checkStaticSelect(c: Checker, el: Json, at: string): void {
  if (el.options === undefined && el.option_groups === undefined) {
    return c.fail(at, 'must provide options or option_groups');
  }
  checkOptions(c, el.options, `${at}/options`, LIMITS.selectOptions, PLAIN, false);
  const groups = c.array(el.option_groups, `${at}/option_groups`, LIMITS.selectOptionGroups);
  groups?.forEach((group, i) => {
    const g = `${at}/option_groups/${i}`;
    if (!isObject(group)) return c.fail(g, 'must be an option group object');
    c.text(group.label, `${g}/label`, PLAIN, LIMITS.optionGroupLabel);
    checkOptions(c, group.options, `${g}/options`, LIMITS.selectOptions, PLAIN, true);
  });
}

const noExtraChecks: ElementCheck = () => {};

/** Interactive elements Slack accepts in actions blocks, section accessories and input blocks. */
const ELEMENT_CHECKS: Record<string, ElementCheck> = {
  button: checkButton,
  static_select: checkStaticSelect,
  multi_static_select: checkStaticSelect,
  overflow: (c, el, at) => checkOptions(c, el.options, `${at}/options`, LIMITS.overflowOptions, PLAIN, true),
  checkboxes: (c, el, at) => checkOptions(c, el.options, `${at}/options`, LIMITS.choiceOptions, ANY_TEXT, true),
  radio_buttons: (c, el, at) => checkOptions(c, el.options, `${at}/options`, LIMITS.choiceOptions, ANY_TEXT, true),
  external_select: noExtraChecks,
  multi_external_select: noExtraChecks,
  users_select: noExtraChecks,
  multi_users_select: noExtraChecks,
  conversations_select: noExtraChecks,
  multi_conversations_select: noExtraChecks,
  channels_select: noExtraChecks,
  multi_channels_select: noExtraChecks,
  datepicker: noExtraChecks,
  timepicker: noExtraChecks,
  datetimepicker: noExtraChecks,
  plain_text_input: noExtraChecks,
  email_text_input: noExtraChecks,
  url_text_input: noExtraChecks,
  number_input: noExtraChecks,
  file_input: noExtraChecks,
  rich_text_input: noExtraChecks,
  workflow_button: noExtraChecks,
};

/** Elements that only make sense as an action, never as an input block's element. */
const NOT_AN_INPUT = new Set(['button', 'overflow', 'workflow_button']);

type Placement = 'accessory' | 'actions' | 'input';

function checkImageElement(c: Checker, el: Json, at: string): void {
  if (el.image_url === undefined && el.slack_file === undefined) c.fail(at, 'must provide image_url or slack_file');
  c.string(el.image_url, `${at}/image_url`, LIMITS.imageUrl);
  c.string(el.alt_text, `${at}/alt_text`, LIMITS.imageAltText, true);
}

function checkElement(c: Checker, el: unknown, at: string, placement: Placement): void {
  if (!isObject(el)) return c.fail(at, 'must be an element object');
  const type = String(el.type);
  if (placement === 'accessory' && type === 'image') return checkImageElement(c, el, at);
  const check = ELEMENT_CHECKS[type];
  if (!check || (placement === 'input' && NOT_AN_INPUT.has(type))) {
    return c.fail(`${at}/type`, `element type ${JSON.stringify(el.type)} is not allowed here`);
  }
  c.string(el.action_id, `${at}/action_id`, LIMITS.actionId);
  c.text(el.placeholder, `${at}/placeholder`, PLAIN, LIMITS.placeholder, false);
  checkConfirm(c, el.confirm, `${at}/confirm`);
  check(c, el, at);
}

// ---------------------------------------------------------------------------
// Blocks

type BlockCheck = (c: Checker, block: Json, at: string, surface: Surface) => void;

const BLOCK_CHECKS: Record<BlockType, BlockCheck> = {
  section(c, b, at) {
    if (b.text === undefined && b.fields === undefined) c.fail(at, 'must provide text or fields');
    c.text(b.text, `${at}/text`, ANY_TEXT, LIMITS.sectionText, false);
    const fields = c.array(b.fields, `${at}/fields`, LIMITS.sectionFields);
    fields?.forEach((f, i) => c.text(f, `${at}/fields/${i}`, ANY_TEXT, LIMITS.sectionFieldText));
    if (b.accessory !== undefined) checkElement(c, b.accessory, `${at}/accessory`, 'accessory');
  },

  header(c, b, at) {
    c.text(b.text, `${at}/text`, PLAIN, LIMITS.headerText);
  },

  divider() {},

  actions(c, b, at) {
    const elements = c.array(b.elements, `${at}/elements`, LIMITS.actionsElements, true) ?? [];
    const seen = new Set<string>();
    elements.forEach((el, i) => {
      checkElement(c, el, `${at}/elements/${i}`, 'actions');
      // Slack requires action_id to be unique among the elements of one block.
      const actionId = isObject(el) ? el.action_id : undefined;
      if (typeof actionId !== 'string') return;
      if (seen.has(actionId)) c.fail(`${at}/elements/${i}/action_id`, `action_id ${JSON.stringify(actionId)} is used more than once in this block`);
      seen.add(actionId);
    });
  },

  context(c, b, at) {
    const elements = c.array(b.elements, `${at}/elements`, LIMITS.contextElements, true) ?? [];
    elements.forEach((el, i) => {
      const where = `${at}/elements/${i}`;
      if (isObject(el) && el.type === 'image') return checkImageElement(c, el, where);
      c.text(el, where, ANY_TEXT);
    });
  },

  input(c, b, at, surface) {
    // Slack only accepts input blocks on surfaces that can be submitted.
    if (surface === 'message') c.fail(at, 'input blocks are only allowed in modals and home tabs');
    c.text(b.label, `${at}/label`, PLAIN, LIMITS.inputLabel);
    c.text(b.hint, `${at}/hint`, PLAIN, LIMITS.inputHint, false);
    if (b.element === undefined) c.fail(`${at}/element`, 'is required');
    else checkElement(c, b.element, `${at}/element`, 'input');
  },

  image(c, b, at) {
    checkImageElement(c, b, at);
    c.text(b.title, `${at}/title`, PLAIN, LIMITS.imageTitle, false);
  },

  rich_text(c, b, at) {
    if (!Array.isArray(b.elements)) c.fail(`${at}/elements`, 'is required');
  },

  video(c, b, at) {
    c.text(b.title, `${at}/title`, PLAIN);
    for (const field of ['alt_text', 'thumbnail_url', 'video_url'] as const) {
      c.string(b[field], `${at}/${field}`, LIMITS.imageUrl, true);
    }
  },

  file(c, b, at) {
    c.string(b.external_id, `${at}/external_id`, LIMITS.externalId, true);
    c.string(b.source, `${at}/source`, LIMITS.externalId, true);
  },
};

const isBlockType = (t: unknown): t is BlockType => BLOCK_TYPES.includes(t as BlockType);

function checkBlocks(c: Checker, blocks: unknown, surface: Surface, at: string): void {
  if (!Array.isArray(blocks)) return c.fail(at, 'must be an array of blocks');
  const max = surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  if (blocks.length > max) c.fail(at, `must contain at most ${max} blocks (got ${blocks.length})`);

  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const where = `${at}/${i}`;
    if (!isObject(block)) return c.fail(where, 'must be a block object');
    if (!isBlockType(block.type)) return c.fail(`${where}/type`, `unknown block type ${JSON.stringify(block.type)}`);
    c.string(block.block_id, `${where}/block_id`, LIMITS.blockId);
    if (typeof block.block_id === 'string') {
      // Slack requires block_id to be unique within one message or view.
      if (blockIds.has(block.block_id)) c.fail(`${where}/block_id`, `block_id ${JSON.stringify(block.block_id)} is used more than once`);
      blockIds.add(block.block_id);
    }
    BLOCK_CHECKS[block.type](c, block, where, surface);
  });
}

/** Problems with a list of blocks on the given surface; empty when Slack would accept it. */
export function validateBlocks(blocks: unknown, surface: Surface): string[] {
  const c = new Checker();
  checkBlocks(c, blocks, surface, '/blocks');
  return c.problems;
}

const hasInputBlock = (blocks: unknown): boolean =>
  Array.isArray(blocks) && blocks.some((b) => isObject(b) && b.type === 'input');

/**
 * Problems with a view (modal or home tab); empty when Slack would accept it.
 * `expected` mirrors the method: views.open/push need a modal, views.publish a home tab.
 */
export function validateView(view: unknown, expected?: ViewType): string[] {
  const c = new Checker();
  const at = '/view';
  if (!isObject(view)) {
    c.fail(at, 'must be a view object');
    return c.problems;
  }
  const allowed: readonly ViewType[] = expected ? [expected] : ['modal', 'home'];
  if (!allowed.includes(view.type as ViewType)) {
    c.fail(`${at}/type`, `must be ${allowed.join(' or ')} (got ${JSON.stringify(view.type)})`);
    return c.problems;
  }
  const type = view.type as ViewType;

  if (type === 'modal') {
    c.text(view.title, `${at}/title`, PLAIN, LIMITS.viewTitle);
    c.text(view.submit, `${at}/submit`, PLAIN, LIMITS.viewSubmit, false);
    c.text(view.close, `${at}/close`, PLAIN, LIMITS.viewClose, false);
    // A modal with inputs would have no way to be submitted.
    if (hasInputBlock(view.blocks) && view.submit === undefined) {
      c.fail(`${at}/submit`, 'is required when the view contains input blocks');
    }
  }
  if (view.blocks === undefined) c.fail(`${at}/blocks`, 'is required');
  else checkBlocks(c, view.blocks, type, `${at}/blocks`);
  c.string(view.callback_id, `${at}/callback_id`, LIMITS.callbackId);
  c.string(view.private_metadata, `${at}/private_metadata`, LIMITS.privateMetadata);
  c.string(view.external_id, `${at}/external_id`, LIMITS.externalId);
  return c.problems;
}
