/**
 * THE definition of what Slack accepts in Block Kit: one entry per block, block element, text
 * object, composition object and view, each typed `shape<SlackType>(…)` so tsc holds it to the
 * fields of @slack/types (see `rules.ts`). The stand-in validates with it (`validate.ts`), the unit
 * tests read it, and a local Slack page can render from it.
 *
 * Sources: @slack/types 3.2 (the types) and Slack's Block Kit reference
 * (docs.slack.dev/reference/block-kit/…) for what the types cannot say: limits, plain_text-only
 * places and fields Slack requires that the types leave optional. Each such deviation says so.
 */
import type * as S from '@slack/types';
import { LIMITS, type BlockType } from './limits.js';
import { allOf, shape, type CompositionName, type OptionalRule, type RequiredRule, type Shape } from './rules.js';

const TYPE: RequiredRule = { req: true, t: 'type' };
const STRING: OptionalRule = { t: 'string' };
const REQUIRED_STRING: RequiredRule = { req: true, t: 'string' };
const BOOLEAN: OptionalRule = { t: 'boolean' };
const NUMBER: OptionalRule = { t: 'number' };
const STRINGS: OptionalRule = { t: 'array', of: { t: 'string' } };
const BLOCK_ID: OptionalRule = { t: 'string', max: LIMITS.blockId };
const ACTION_ID: OptionalRule = { t: 'string', max: LIMITS.actionId };
const CONFIRM: OptionalRule = { t: 'object', shape: 'confirm' };
const DISPATCH: OptionalRule = { t: 'object', shape: 'dispatch_action_config' };
const PLACEHOLDER: OptionalRule = { t: 'text', plain: true, max: LIMITS.placeholder };
const STYLE: OptionalRule = { t: 'enum', values: ['primary', 'danger'] satisfies S.ColorScheme[] };
const FILTER: OptionalRule = { t: 'object', shape: 'conversation_filter' };
const SLACK_FILE: OptionalRule = { t: 'object', shape: 'slack_file' };
const RICH_TEXT: OptionalRule = { t: 'any', why: 'rich text content is not checked: the app sends none' };

// Option lists. Selects and overflow menus take plain_text options only (PlainTextOption in the types).
const plainOptions = (max: number): RequiredRule => ({ req: true, t: 'array', of: { t: 'object', shape: 'plain_option' }, max, min: 1 });
const SELECT_OPTIONS: OptionalRule = { t: 'array', of: { t: 'object', shape: 'plain_option' }, max: LIMITS.selectOptions, min: 1 };
const OPTION_GROUPS: OptionalRule = { t: 'array', of: { t: 'object', shape: 'option_group' }, max: LIMITS.selectOptionGroups, min: 1 };
const INITIAL_PLAIN_OPTION: OptionalRule = { t: 'object', shape: 'plain_option', memberOf: true };
const INITIAL_PLAIN_OPTIONS: OptionalRule = { t: 'array', of: INITIAL_PLAIN_OPTION };
const CHOICE_OPTIONS: RequiredRule = { req: true, t: 'array', of: { t: 'object', shape: 'option' }, max: LIMITS.choiceOptions, min: 1 };
const STATIC_OPTIONS = { anyOf: ['options', 'option_groups'] } as const;

// ---------------------------------------------------------------------------
// Element types allowed in each place, held to @slack/types' unions by allOf.

export const ACTIONS_ELEMENTS = allOf<S.ActionsBlockElement['type']>()([
  'button', 'checkboxes', 'datepicker', 'datetimepicker', 'overflow', 'radio_buttons', 'timepicker', 'workflow_button', 'rich_text_input',
  'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select',
  'multi_static_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select',
]);
export const ACCESSORY_ELEMENTS = allOf<S.SectionBlockAccessory['type']>()([
  'button', 'checkboxes', 'datepicker', 'image', 'overflow', 'radio_buttons', 'timepicker', 'workflow_button',
  'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select',
  'multi_static_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select',
]);
export const INPUT_ELEMENTS = allOf<S.InputBlockElement['type']>()([
  'checkboxes', 'datepicker', 'datetimepicker', 'email_text_input', 'file_input', 'number_input', 'plain_text_input', 'radio_buttons',
  'rich_text_input', 'timepicker', 'url_text_input',
  'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select',
  'multi_static_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select',
]);
export const CONTEXT_ELEMENTS = allOf<S.ContextBlockElement['type']>()(['image', 'plain_text', 'mrkdwn']);

export type ElementType = (typeof ACTIONS_ELEMENTS | typeof ACCESSORY_ELEMENTS | typeof INPUT_ELEMENTS | typeof CONTEXT_ELEMENTS)[number];

// ---------------------------------------------------------------------------
// Text objects

export const TEXT_SHAPES = {
  // Slack refuses an empty text ("must be more than 0 characters"); validate.ts checks that for every text object.
  plain_text: shape<S.PlainTextElement>({ type: TYPE, text: REQUIRED_STRING, emoji: BOOLEAN }),
  mrkdwn: shape<S.MrkdwnElement>({ type: TYPE, text: REQUIRED_STRING, verbatim: BOOLEAN }),
} satisfies Record<S.TextObject['type'], Shape>;

// ---------------------------------------------------------------------------
// Composition objects

const OPTION_VALUE = {
  req: 'slack',
  why: 'Slack\'s option object reference lists value as required; @slack/types leaves it optional (overflow options may carry a url too)',
  t: 'string',
  max: LIMITS.optionValue,
} as const;

type WorkflowTrigger = S.WorkflowButton['workflow']['trigger'];

export const COMPOSITION_SHAPES = {
  option: shape<S.Option>({
    text: { req: true, t: 'text', max: LIMITS.optionText },
    value: OPTION_VALUE,
    url: { t: 'string', max: LIMITS.buttonUrl },
    description: { t: 'text', plain: true, max: LIMITS.optionDescription },
  }),
  plain_option: shape<S.PlainTextOption>({
    text: { req: true, t: 'text', plain: true, max: LIMITS.optionText },
    value: OPTION_VALUE,
    url: { t: 'string', max: LIMITS.buttonUrl },
    description: { t: 'text', plain: true, max: LIMITS.optionDescription },
  }),
  option_group: shape<S.OptionGroup>({
    label: { req: true, t: 'text', plain: true, max: LIMITS.optionGroupLabel },
    // OptionGroup allows mrkdwn options, but option groups only exist in static selects, whose options are plain_text.
    options: plainOptions(LIMITS.selectOptions),
  }),
  confirm: shape<S.ConfirmationDialog>({
    title: { req: 'slack', why: 'Slack\'s confirmation dialog reference requires title', t: 'text', plain: true, max: LIMITS.confirmTitle },
    text: { req: true, t: 'text', max: LIMITS.confirmText },
    confirm: { req: 'slack', why: 'Slack\'s confirmation dialog reference requires confirm', t: 'text', plain: true, max: LIMITS.confirmButton },
    deny: { req: 'slack', why: 'Slack\'s confirmation dialog reference requires deny', t: 'text', plain: true, max: LIMITS.confirmButton },
    style: STYLE,
  }),
  dispatch_action_config: shape<S.DispatchActionConfig>({
    trigger_actions_on: { t: 'array', of: { t: 'enum', values: ['on_enter_pressed', 'on_character_entered'] }, min: 1 },
  }),
  conversation_filter: shape<NonNullable<S.ConversationsSelect['filter']>>({
    include: { t: 'array', of: { t: 'enum', values: ['im', 'mpim', 'private', 'public'] satisfies S.ConversationType[] }, min: 1 },
    exclude_external_shared_channels: BOOLEAN,
    exclude_bot_users: BOOLEAN,
  }),
  slack_file: shape<S.SlackFile>({ url: STRING, id: STRING }, { anyOf: ['url', 'id'] }),
  workflow: shape<S.WorkflowButton['workflow']>({ trigger: { req: true, t: 'object', shape: 'workflow_trigger' } }),
  workflow_trigger: shape<WorkflowTrigger>({
    url: REQUIRED_STRING,
    customizable_input_parameters: { t: 'array', of: { t: 'object', shape: 'workflow_input_parameter' } },
  }),
  workflow_input_parameter: shape<NonNullable<WorkflowTrigger['customizable_input_parameters']>[number]>({
    name: REQUIRED_STRING,
    value: REQUIRED_STRING,
  }),
} satisfies Record<CompositionName, Shape>;

// ---------------------------------------------------------------------------
// Block elements (interactive elements, the image element and, in context blocks, text objects)

const IMAGE_ELEMENT = shape<S.ImageElement>(
  { type: TYPE, alt_text: { req: true, t: 'string', max: LIMITS.imageAltText }, image_url: { t: 'string', max: LIMITS.imageUrl }, slack_file: SLACK_FILE },
  { anyOf: ['image_url', 'slack_file'] },
);

export const ELEMENT_SHAPES = {
  ...TEXT_SHAPES,
  image: IMAGE_ELEMENT,
  button: shape<S.Button>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    text: { req: true, t: 'text', plain: true, max: LIMITS.buttonText },
    value: { t: 'string', max: LIMITS.buttonValue },
    url: { t: 'string', max: LIMITS.buttonUrl },
    style: STYLE,
    accessibility_label: { t: 'string', max: LIMITS.buttonAccessibilityLabel },
  }),
  workflow_button: shape<S.WorkflowButton>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    text: { req: true, t: 'text', plain: true, max: LIMITS.buttonText },
    workflow: { req: true, t: 'object', shape: 'workflow' },
    style: STYLE,
    accessibility_label: { t: 'string', max: LIMITS.buttonAccessibilityLabel },
  }),
  overflow: shape<S.Overflow>({ type: TYPE, action_id: ACTION_ID, confirm: CONFIRM, options: plainOptions(LIMITS.overflowOptions) }),
  checkboxes: shape<S.Checkboxes>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    initial_options: { t: 'array', of: { t: 'object', shape: 'option', memberOf: true } },
    options: CHOICE_OPTIONS,
  }),
  radio_buttons: shape<S.RadioButtons>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    initial_option: { t: 'object', shape: 'option', memberOf: true },
    options: CHOICE_OPTIONS,
  }),
  datepicker: shape<S.Datepicker>({ type: TYPE, action_id: ACTION_ID, confirm: CONFIRM, focus_on_load: BOOLEAN, placeholder: PLACEHOLDER, initial_date: STRING }),
  datetimepicker: shape<S.DateTimepicker>({ type: TYPE, action_id: ACTION_ID, confirm: CONFIRM, focus_on_load: BOOLEAN, initial_date_time: NUMBER }),
  timepicker: shape<S.Timepicker>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    initial_time: STRING,
    timezone: STRING,
  }),
  static_select: shape<S.StaticSelect>(
    {
      type: TYPE,
      action_id: ACTION_ID,
      confirm: CONFIRM,
      focus_on_load: BOOLEAN,
      placeholder: PLACEHOLDER,
      initial_option: INITIAL_PLAIN_OPTION,
      options: SELECT_OPTIONS,
      option_groups: OPTION_GROUPS,
    },
    STATIC_OPTIONS,
  ),
  multi_static_select: shape<S.MultiStaticSelect>(
    {
      type: TYPE,
      action_id: ACTION_ID,
      confirm: CONFIRM,
      focus_on_load: BOOLEAN,
      placeholder: PLACEHOLDER,
      max_selected_items: NUMBER,
      initial_options: INITIAL_PLAIN_OPTIONS,
      options: SELECT_OPTIONS,
      option_groups: OPTION_GROUPS,
    },
    STATIC_OPTIONS,
  ),
  external_select: shape<S.ExternalSelect>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    // The options come from the app's options endpoint, so there is nothing to be a member of here.
    initial_option: { t: 'object', shape: 'plain_option' },
    min_query_length: NUMBER,
  }),
  multi_external_select: shape<S.MultiExternalSelect>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    max_selected_items: NUMBER,
    initial_options: { t: 'array', of: { t: 'object', shape: 'plain_option' } },
    min_query_length: NUMBER,
  }),
  users_select: shape<S.UsersSelect>({ type: TYPE, action_id: ACTION_ID, confirm: CONFIRM, focus_on_load: BOOLEAN, placeholder: PLACEHOLDER, initial_user: STRING }),
  multi_users_select: shape<S.MultiUsersSelect>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    max_selected_items: NUMBER,
    initial_users: STRINGS,
  }),
  conversations_select: shape<S.ConversationsSelect>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    response_url_enabled: BOOLEAN,
    initial_conversation: STRING,
    default_to_current_conversation: BOOLEAN,
    filter: FILTER,
  }),
  multi_conversations_select: shape<S.MultiConversationsSelect>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    max_selected_items: NUMBER,
    initial_conversations: STRINGS,
    default_to_current_conversation: BOOLEAN,
    filter: FILTER,
  }),
  channels_select: shape<S.ChannelsSelect>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    response_url_enabled: BOOLEAN,
    initial_channel: STRING,
  }),
  multi_channels_select: shape<S.MultiChannelsSelect>({
    type: TYPE,
    action_id: ACTION_ID,
    confirm: CONFIRM,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    max_selected_items: NUMBER,
    initial_channels: STRINGS,
  }),
  plain_text_input: shape<S.PlainTextInput>({
    type: TYPE,
    action_id: ACTION_ID,
    dispatch_action_config: DISPATCH,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    initial_value: STRING,
    multiline: BOOLEAN,
    min_length: NUMBER,
    max_length: NUMBER,
  }),
  email_text_input: shape<S.EmailInput>({ type: TYPE, action_id: ACTION_ID, dispatch_action_config: DISPATCH, focus_on_load: BOOLEAN, placeholder: PLACEHOLDER, initial_value: STRING }),
  url_text_input: shape<S.URLInput>({ type: TYPE, action_id: ACTION_ID, dispatch_action_config: DISPATCH, focus_on_load: BOOLEAN, placeholder: PLACEHOLDER, initial_value: STRING }),
  number_input: shape<S.NumberInput>({
    type: TYPE,
    action_id: ACTION_ID,
    dispatch_action_config: DISPATCH,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    is_decimal_allowed: { req: true, t: 'boolean' },
    initial_value: STRING,
    min_value: STRING,
    max_value: STRING,
  }),
  file_input: shape<S.FileInput>({ type: TYPE, action_id: ACTION_ID, filetypes: STRINGS, max_files: NUMBER }),
  rich_text_input: shape<S.RichTextInput>({
    type: TYPE,
    action_id: ACTION_ID,
    dispatch_action_config: DISPATCH,
    focus_on_load: BOOLEAN,
    placeholder: PLACEHOLDER,
    initial_value: RICH_TEXT,
    min_lines: NUMBER,
    max_lines: NUMBER,
  }),
} satisfies Record<ElementType, Shape>;

// ---------------------------------------------------------------------------
// Blocks

export const BLOCK_SHAPES = {
  section: shape<S.SectionBlock>(
    {
      type: TYPE,
      block_id: BLOCK_ID,
      text: { t: 'text', max: LIMITS.sectionText },
      fields: { t: 'array', of: { t: 'text', max: LIMITS.sectionFieldText }, max: LIMITS.sectionFields, min: 1 },
      accessory: { t: 'element', allowed: ACCESSORY_ELEMENTS },
      expand: BOOLEAN,
    },
    { anyOf: ['text', 'fields'] },
  ),
  header: shape<S.HeaderBlock>({ type: TYPE, block_id: BLOCK_ID, text: { req: true, t: 'text', plain: true, max: LIMITS.headerText } }),
  divider: shape<S.DividerBlock>({ type: TYPE, block_id: BLOCK_ID }),
  actions: shape<S.ActionsBlock>(
    {
      type: TYPE,
      block_id: BLOCK_ID,
      elements: { req: true, t: 'array', of: { t: 'element', allowed: ACTIONS_ELEMENTS }, max: LIMITS.actionsElements, min: 1 },
    },
    { uniqueActionIds: true },
  ),
  context: shape<S.ContextBlock>({
    type: TYPE,
    block_id: BLOCK_ID,
    elements: { req: true, t: 'array', of: { t: 'element', allowed: CONTEXT_ELEMENTS }, max: LIMITS.contextElements, min: 1 },
  }),
  input: shape<S.InputBlock>({
    type: TYPE,
    block_id: BLOCK_ID,
    label: { req: true, t: 'text', plain: true, max: LIMITS.inputLabel },
    hint: { t: 'text', plain: true, max: LIMITS.inputHint },
    optional: BOOLEAN,
    element: { req: true, t: 'element', allowed: INPUT_ELEMENTS },
    dispatch_action: BOOLEAN,
  }),
  image: shape<S.ImageBlock>(
    {
      type: TYPE,
      block_id: BLOCK_ID,
      alt_text: { req: true, t: 'string', max: LIMITS.imageAltText },
      title: { t: 'text', plain: true, max: LIMITS.imageTitle },
      image_url: { t: 'string', max: LIMITS.imageUrl },
      slack_file: SLACK_FILE,
    },
    { anyOf: ['image_url', 'slack_file'] },
  ),
  rich_text: shape<S.RichTextBlock>({ type: TYPE, block_id: BLOCK_ID, elements: { req: true, t: 'array', of: RICH_TEXT } }),
  video: shape<S.VideoBlock>({
    type: TYPE,
    block_id: BLOCK_ID,
    video_url: { req: true, t: 'string', max: LIMITS.imageUrl },
    thumbnail_url: { req: true, t: 'string', max: LIMITS.imageUrl },
    alt_text: { req: true, t: 'string', max: LIMITS.imageAltText },
    title: { req: true, t: 'text', plain: true, max: LIMITS.videoTitle },
    title_url: STRING,
    author_name: STRING,
    provider_name: STRING,
    provider_icon_url: STRING,
    description: { t: 'text', plain: true },
  }),
  file: shape<S.FileBlock>({ type: TYPE, block_id: BLOCK_ID, source: REQUIRED_STRING, external_id: { req: true, t: 'string', max: LIMITS.externalId } }),
} satisfies Record<BlockType, Shape>;

// ---------------------------------------------------------------------------
// Views

const VIEW_COMMON = {
  type: TYPE,
  blocks: { req: true, t: 'blocks' },
  private_metadata: { t: 'string', max: LIMITS.privateMetadata },
  callback_id: { t: 'string', max: LIMITS.callbackId },
  external_id: { t: 'string', max: LIMITS.externalId },
} as const;

export const VIEW_SHAPES = {
  modal: shape<S.ModalView, 'submit_disabled'>({
    ...VIEW_COMMON,
    title: { req: true, t: 'text', plain: true, max: LIMITS.viewTitle },
    close: { t: 'text', plain: true, max: LIMITS.viewClose },
    submit: { t: 'text', plain: true, max: LIMITS.viewSubmit },
    clear_on_close: BOOLEAN,
    notify_on_close: BOOLEAN,
    submit_disabled: {
      t: 'boolean',
      why: 'Slack\'s view object reference lists submit_disabled for modals (configuration modals); @slack/types 3.2 only has it on WorkflowStepView',
    },
  }),
  home: shape<S.HomeView>(VIEW_COMMON),
} satisfies Record<S.View['type'] & ('modal' | 'home'), Shape>;
