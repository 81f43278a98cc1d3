import type { ViewOutput, ViewStateValue } from '@slack/bolt';
import type {
  Button,
  ColorScheme,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  HomeView as SlackHomeView,
  KnownBlock,
  ModalView as SlackModalView,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';

/**
 * Block Kit as Slack defines it. The types are Slack's own (`@slack/types`, the package Bolt and
 * the Web API client are built on), so `tsc` refuses a field Slack does not know, a required
 * field left out, or a text type where Slack allows only `plain_text`: the settings modal once
 * sent `is_decimal_input` where Slack's field is the required `is_decimal_allowed`, and real
 * Slack refused `/team settings` while our tests passed. Every builder in this folder returns
 * these types; test/unit/block-kit-types.test.ts shows a misspelled field failing to compile.
 *
 * The constructors below are the pieces every builder shares, typed once.
 */

export type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  Checkboxes,
  ContextBlock,
  ConversationsSelect,
  InputBlock,
  KnownBlock,
  MrkdwnElement,
  NumberInput,
  PlainTextInput,
  PlainTextOption,
  RadioButtons,
  SectionBlock,
  StaticSelect,
} from '@slack/types';
export type { ViewStateValue };

/**
 * Slack's views, with `blocks` narrowed to the blocks Slack documents: @slack/types also admits
 * a bare `{ type: string }` there (for blocks it has no type for yet), which would let any shape
 * through. Assignable to the Web API's `View` as they are.
 */
export type ModalView = Omit<SlackModalView, 'blocks'> & { blocks: KnownBlock[] };
export type HomeView = Omit<SlackHomeView, 'blocks'> & { blocks: KnownBlock[] };

/** What Slack sends back of a view's inputs, `view.state.values` (Bolt's type of it). */
export type FormValues = ViewOutput['state']['values'];

/** Slack's documented limits that the builders size their text to. */
export const SECTION_TEXT_MAX = 3000;
export const HEADER_TEXT_MAX = 150;

/** At most `max` characters (Slack counts code points), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

export const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text });
export const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });

/** A mrkdwn section, clipped to Slack's 3,000 characters. */
export function section(text: string, blockId?: string): SectionBlock {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: mrkdwn(clip(text, SECTION_TEXT_MAX)) };
}

/** A section of plain text (nothing in it is read as mrkdwn), clipped to 3,000 characters. */
export function plainSection(text: string, blockId?: string): SectionBlock {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: plain(clip(text, SECTION_TEXT_MAX)) };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(clip(text, HEADER_TEXT_MAX)) };
}

export const divider = (): DividerBlock => ({ type: 'divider' });

/** A context line of mrkdwn texts. */
export function context(...texts: string[]): ContextBlock {
  return { type: 'context', elements: texts.map(mrkdwn) };
}

export function button(actionId: string, text: string, value: string, extra: { style?: ColorScheme; confirm?: ConfirmationDialog } = {}): Button {
  return { type: 'button', action_id: actionId, text: plain(text), value, ...extra };
}

/** Slack's confirm dialog: all four texts, as Slack requires them (plain text). */
export function confirmDialog(input: { title: string; text: string; confirm: string; deny: string; style?: ColorScheme }): ConfirmationDialog {
  return {
    title: plain(input.title),
    text: plain(input.text),
    confirm: plain(input.confirm),
    deny: plain(input.deny),
    ...(input.style ? { style: input.style } : {}),
  };
}

/** An option of a select, radio buttons or checkboxes (their texts are plain text). */
export function option(value: string, text: string, description?: string): PlainTextOption {
  return { text: plain(text), value, ...(description ? { description: plain(description) } : {}) };
}
