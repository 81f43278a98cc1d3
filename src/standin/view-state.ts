/**
 * What Slack sends as `view.state.values` when a person submits a modal without touching a
 * field: each input's initial value, in the shape of its element type. Overrides (by
 * action_id) play the person's edits. Used by the demo and tests to submit real modals.
 */
type Block = Record<string, any>;

export function submittedState(view: { blocks?: Block[] }, overrides: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks ?? []) {
    if (block.type !== 'input' || !block.element || !block.block_id) continue;
    const el = block.element as Block;
    const actionId = String(el.action_id);
    values[block.block_id] = { [actionId]: { type: el.type, ...initialValue(el), ...(overrides[actionId] ?? {}) } };
  }
  return values;
}

function initialValue(el: Block): Record<string, unknown> {
  switch (el.type) {
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input':
      return { value: el.initial_value ?? null };
    case 'static_select':
    case 'radio_buttons':
      return { selected_option: el.initial_option ?? null };
    case 'checkboxes':
    case 'multi_static_select':
      return { selected_options: el.initial_options ?? [] };
    case 'conversations_select':
      return { selected_conversation: el.initial_conversation ?? null };
    case 'channels_select':
      return { selected_channel: el.initial_channel ?? null };
    case 'users_select':
      return { selected_user: el.initial_user ?? null };
    default:
      return {};
  }
}
