/**
 * Validates Block Kit payloads the way Slack does, from the one field table in `shapes.ts`:
 * required fields present, unknown fields refused, value types, enumerations (style, text object
 * types where only plain_text is allowed), limits, which element types each place takes,
 * `initial_option(s)` that must be among the `options`, `action_id` unique within an actions
 * block and `block_id` unique within a message or view.
 *
 * Slack refuses the whole message (`invalid_blocks`) or view (`invalid_arguments`) and lists the
 * problems in `response_metadata.messages` as `[ERROR] <problem> [json-pointer:/blocks/3/text]`.
 * The functions here return those lines without the `[ERROR] ` prefix. The wording is Slack's where
 * public reports quote it: "missing required field: X" and "invalid additional property: X"
 * pointing at the object that lacks or has X, "must provide a string" (and by analogy boolean,
 * number, array, object), "must be a valid enum value", "unsupported type: X" (for block,
 * element and text object types, as blocks.validate's reference page shows it), "must define
 * either `text` or `fields`", "must define `submit` to use an `input` block in modals", and the
 * limit sentences in `limits.ts`. The duplicate-id and initial_option sentences are ours: no
 * public report quotes Slack's.
 */
import { BLOCK_TYPES, charCount, EMPTY_ARRAY, EMPTY_STRING, LIMITS, tooLong, tooMany, type BlockType, type Surface, type ViewType } from './limits.js';
import { BLOCK_SHAPES, COMPOSITION_SHAPES, ELEMENT_SHAPES, TEXT_SHAPES, VIEW_SHAPES } from './shapes.js';
import type { Shape, Value } from './rules.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = <K extends string>(table: Record<K, unknown>, key: unknown): key is K =>
  typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);

/** Collects problems, each tagged with a JSON pointer like Slack's errors. */
class Checker {
  readonly problems: string[] = [];

  constructor(private readonly surface: Surface) {}

  fail(at: string, message: string): void {
    this.problems.push(`${message} [json-pointer:${at}]`);
  }

  /** An object against its shape; `element` is the enclosing block element (for initial_option membership). */
  shape(shape: Shape, obj: Json, at: string, element?: Json): void {
    for (const [key, rule] of Object.entries(shape.fields)) {
      const value = obj[key];
      if (value === undefined) {
        if (rule.req) this.fail(at, `missing required field: ${key}`);
        continue;
      }
      this.value(rule, value, `${at}/${key}`, element);
    }
    for (const [key, value] of Object.entries(obj)) {
      // undefined never reaches Slack (JSON drops it), so only fields with a value are refused.
      if (value !== undefined && !has(shape.fields, key)) this.fail(at, `invalid additional property: ${key}`);
    }
    if (shape.anyOf && shape.anyOf.every((key) => obj[key] === undefined)) {
      this.fail(`${at}/type`, `must define either \`${shape.anyOf[0]}\` or \`${shape.anyOf[1]}\``);
    }
    if (shape.uniqueActionIds && Array.isArray(obj.elements)) this.uniqueActionIds(obj.elements, `${at}/elements`);
  }

  value(rule: Value, value: unknown, at: string, element?: Json): void {
    switch (rule.t) {
      case 'type':
      case 'any':
        return;
      case 'string':
        if (typeof value !== 'string') return this.fail(at, 'must provide a string');
        if (rule.max !== undefined && charCount(value) > rule.max) this.fail(at, tooLong(rule.max));
        return;
      case 'boolean':
      case 'number':
        if (typeof value !== rule.t) this.fail(at, `must provide a ${rule.t}`);
        return;
      case 'enum':
        if (!rule.values.includes(value as string)) this.fail(at, 'must be a valid enum value');
        return;
      case 'text':
        return this.text(value, at, rule.plain === true, rule.max);
      case 'object':
        if (!isObject(value)) return this.fail(at, 'must provide an object');
        this.shape(COMPOSITION_SHAPES[rule.shape], value, at, element);
        if (rule.memberOf && element) this.memberOfOptions(value, at, element);
        return;
      case 'element':
        return this.element(value, at, rule.allowed);
      case 'array': {
        if (!Array.isArray(value)) return this.fail(at, 'must provide an array');
        if (rule.min !== undefined && value.length < rule.min) this.fail(at, EMPTY_ARRAY);
        if (rule.max !== undefined && value.length > rule.max) this.fail(at, tooMany(rule.max));
        value.forEach((item, i) => this.value(rule.of, item, `${at}/${i}`, element));
        return;
      }
      case 'blocks':
        return this.blocks(value, at);
    }
  }

  /**
   * A text object; `plain` where Slack only takes plain_text; `max` limits its text. Where either
   * type is allowed Slack matches against both schemas, and a refusal starts with
   * "failed to match all allowed schemas" at the text object (as quoted for an over-long section text).
   */
  text(value: unknown, at: string, plain: boolean, max?: number): void {
    const before = this.problems.length;
    this.textObject(value, at, plain, max);
    if (!plain && this.problems.length > before) this.problems.splice(before, 0, `failed to match all allowed schemas [json-pointer:${at}]`);
  }

  private textObject(value: unknown, at: string, plain: boolean, max?: number): void {
    if (!isObject(value)) return this.fail(at, 'must provide an object');
    // blocks.validate's documented answer for a text object of the wrong type: "unsupported type: X" at its type.
    if (!has(TEXT_SHAPES, value.type) || (plain && value.type !== 'plain_text')) return this.fail(`${at}/type`, `unsupported type: ${String(value.type)}`);
    this.shape(TEXT_SHAPES[value.type], value, at);
    if (typeof value.text !== 'string') return;
    if (value.text.length === 0) this.fail(`${at}/text`, EMPTY_STRING);
    else if (max !== undefined && charCount(value.text) > max) this.fail(`${at}/text`, tooLong(max));
  }

  element(value: unknown, at: string, allowed: readonly string[]): void {
    if (!isObject(value)) return this.fail(at, 'must provide an object');
    if (!has(ELEMENT_SHAPES, value.type) || !allowed.includes(value.type)) {
      return this.fail(`${at}/type`, `unsupported type: ${String(value.type)}`);
    }
    if (value.type === 'plain_text' || value.type === 'mrkdwn') return this.text(value, at, false);
    this.shape(ELEMENT_SHAPES[value.type], value, at, value);
  }

  /** Slack compares an initial option with the options by value and text. */
  memberOfOptions(option: Json, at: string, element: Json): void {
    const groups = Array.isArray(element.option_groups) ? element.option_groups : [];
    const options = [...(Array.isArray(element.options) ? element.options : []), ...groups.flatMap((g) => (isObject(g) && Array.isArray(g.options) ? g.options : []))];
    const same = (o: unknown) =>
      isObject(o) && isObject(o.text) && isObject(option.text) && o.value === option.value && o.text.type === option.text.type && o.text.text === option.text.text;
    if (!options.some(same)) this.fail(at, 'must match one of the provided options (same value and text)');
  }

  uniqueActionIds(elements: unknown[], at: string): void {
    const seen = new Set<string>();
    elements.forEach((el, i) => {
      const actionId = isObject(el) ? el.action_id : undefined;
      if (typeof actionId !== 'string') return;
      if (seen.has(actionId)) this.fail(`${at}/${i}/action_id`, `action_id ${JSON.stringify(actionId)} is used more than once in this block`);
      seen.add(actionId);
    });
  }

  blocks(blocks: unknown, at: string): void {
    if (!Array.isArray(blocks)) return this.fail(at, 'must provide an array');
    const max = this.surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
    if (blocks.length > max) this.fail(at, tooMany(max));
    const blockIds = new Set<string>();
    blocks.forEach((block, i) => {
      const where = `${at}/${i}`;
      if (!isObject(block)) return this.fail(where, 'must provide an object');
      if (!isBlockType(block.type)) return this.fail(`${where}/type`, `unsupported type: ${String(block.type)}`);
      // The stand-in keeps input blocks to surfaces that can be submitted: the app never posts them in messages.
      if (block.type === 'input' && this.surface === 'message') this.fail(where, 'input blocks are only allowed in modals and home tabs');
      if (typeof block.block_id === 'string') {
        if (blockIds.has(block.block_id)) this.fail(`${where}/block_id`, `block_id ${JSON.stringify(block.block_id)} is used more than once`);
        blockIds.add(block.block_id);
      }
      this.shape(BLOCK_SHAPES[block.type], block, where);
    });
  }
}

const isBlockType = (t: unknown): t is BlockType => BLOCK_TYPES.includes(t as BlockType);

/** Problems with a list of blocks on the given surface; empty when Slack would accept it. */
export function validateBlocks(blocks: unknown, surface: Surface): string[] {
  const c = new Checker(surface);
  c.blocks(blocks, '/blocks');
  return c.problems;
}

/**
 * Problems with a view (modal or home tab); empty when Slack would accept it.
 * `expected` mirrors the method: views.open/push need a modal, views.publish a home tab.
 */
export function validateView(view: unknown, expected?: ViewType): string[] {
  const at = '/view';
  if (!isObject(view)) return [`must provide an object [json-pointer:${at}]`];
  const allowed: readonly ViewType[] = expected ? [expected] : ['modal', 'home'];
  if (!allowed.includes(view.type as ViewType)) {
    return [`must be ${allowed.join(' or ')} (got ${JSON.stringify(view.type)}) [json-pointer:${at}/type]`];
  }
  const type = view.type as ViewType;
  const c = new Checker(type);
  c.shape(VIEW_SHAPES[type], view, at);
  if (type === 'modal' && view.submit === undefined && Array.isArray(view.blocks)) {
    const input = view.blocks.findIndex((b) => isObject(b) && b.type === 'input');
    if (input >= 0) c.fail(`${at}/blocks/${input}/input`, 'must define `submit` to use an `input` block in modals');
  }
  return c.problems;
}
