/**
 * Slack's documented Block Kit limits, and the block types the stand-in knows.
 *
 * The numbers are used by the field table in `shapes.ts` (each limited field names its limit)
 * and by `validate.ts` for the per-surface block counts; tests and the app's own size checks read
 * them from here so there is one number per limit.
 */
import type { KnownBlock } from '@slack/types';

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
  videoTitle: 200,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  callbackId: 255,
  privateMetadata: 3000,
  externalId: 255,
} as const;

/**
 * Block types the stand-in validates. Each is one of @slack/types' `KnownBlock` types (checked
 * by `satisfies`); a block type outside this list is refused as `unsupported type`, even where
 * @slack/types knows it (alert, card, table, markdown…): the app sends none of them, and a refusal
 * is easier to notice than a shape the stand-in does not check.
 */
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
] as const satisfies readonly KnownBlock['type'][];
export type BlockType = (typeof BLOCK_TYPES)[number];

/** Slack counts characters, not UTF-16 code units. */
export const charCount = (s: string): number => [...s].length;

/*
 * Slack's wording, as seen in real `response_metadata.messages` (quoted in public bug reports and
 * SDK tests): "must be less than 3001 characters", "no more than 10 items allowed",
 * "must be more than 0 characters".
 */
export const tooLong = (max: number): string => `must be less than ${max + 1} characters`;
export const tooMany = (max: number): string => `no more than ${max} items allowed`;
export const EMPTY_STRING = 'must be more than 0 characters';
export const EMPTY_ARRAY = 'must contain at least 1 item';
