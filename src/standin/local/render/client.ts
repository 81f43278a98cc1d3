/**
 * The browser half of the renderer (served as /local/block-kit.js, no build step):
 * `window.blockKit.readState(root)` builds Slack's `state.values` of a surface and
 * `readAction(el)` the `actions[]` entry of a click or change, from the data-* attributes the
 * server-side renderer wrote: the shapes Bolt's types (ViewStateValue, BlockAction) describe —
 * `selected_option` with text and value as the app defined them, `selected_options`, `value`
 * null when empty, a number as a string, the picked user, conversation, date or time.
 *
 * `reset(el)` puts an element back as rendered (a denied confirm). It also plays Slack's dispatch_action for input blocks: a text input sends block_actions on
 * Enter (or as characters are typed, when configured so) — a `change` event the page's script
 * acts on — and not when it merely loses focus.
 */
export const BLOCK_KIT_CLIENT = `(() => {
  const option = (el) => (el && el.dataset.option ? JSON.parse(el.dataset.option) : null);
  const picked = (select) => [...select.selectedOptions].filter((o) => o.value !== '');
  const first = (select) => picked(select)[0] || null;
  const TEXT = new Set(['plain_text_input', 'email_text_input', 'url_text_input', 'number_input']);
  function stateOf(el) {
    const type = el.dataset.element;
    if (TEXT.has(type)) return { type, value: el.value === '' ? null : el.value };
    switch (type) {
      case 'static_select': case 'external_select': return { type, selected_option: option(first(el)) };
      case 'multi_static_select': case 'multi_external_select': return { type, selected_options: picked(el).map(option) };
      case 'users_select': return { type, selected_user: el.value || null };
      case 'multi_users_select': return { type, selected_users: picked(el).map((o) => o.value) };
      case 'conversations_select': return { type, selected_conversation: el.value || null };
      case 'multi_conversations_select': return { type, selected_conversations: picked(el).map((o) => o.value) };
      case 'channels_select': return { type, selected_channel: el.value || null };
      case 'multi_channels_select': return { type, selected_channels: picked(el).map((o) => o.value) };
      case 'radio_buttons': return { type, selected_option: option(el.querySelector('input:checked')) };
      case 'checkboxes': return { type, selected_options: [...el.querySelectorAll('input:checked')].map(option) };
      case 'datepicker': return { type, selected_date: el.value || null };
      case 'timepicker': return { type, selected_time: el.value || null };
      case 'datetimepicker': return { type, selected_date_time: el.value ? Math.floor(Date.parse(el.value + ':00Z') / 1000) : null };
      case 'rich_text_input': return { type, rich_text_value: { type: 'rich_text', elements: el.value ? [{ type: 'rich_text_section', elements: [{ type: 'text', text: el.value }] }] : [] } };
      default: return null; // buttons and overflow menus hold no state
    }
  }
  function readState(root) {
    const values = {};
    for (const el of root.querySelectorAll('[data-action-id]')) {
      const state = stateOf(el);
      if (!state) continue;
      (values[el.dataset.blockId] ??= {})[el.dataset.actionId] = state;
    }
    return values;
  }
  function readAction(el) {
    const d = el.dataset;
    const type = d.element;
    const action = { type, block_id: d.blockId, action_id: d.actionId };
    if (d.confirm) action.confirm = JSON.parse(d.confirm);
    if (type === 'button' || type === 'workflow_button') {
      action.text = { type: 'plain_text', text: d.text ?? el.textContent, emoji: true };
      if (d.value !== undefined) action.value = d.value;
      if (d.style) action.style = d.style;
      if (el.href) action.url = el.getAttribute('href');
      return action;
    }
    if (type === 'overflow') return { ...action, selected_option: option(first(el)) };
    const state = stateOf(el) || {};
    return { ...state, ...action };
  }
  // Back to what was rendered (a menu whose confirm was denied shows its old choice again, as in Slack).
  function reset(el) {
    for (const o of el.querySelectorAll('option')) o.selected = o.defaultSelected;
    for (const c of el.querySelectorAll('input')) c.checked = c.defaultChecked;
    if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') el.value = el.defaultValue;
  }
  // dispatch_action: Enter (or typing) in a dispatching text input is a change the page acts on.
  const dispatching = new WeakSet();
  const dispatch = (el) => { dispatching.add(el); el.dispatchEvent(new Event('change', { bubbles: true })); dispatching.delete(el); };
  const triggers = (el) => (el.dataset.dispatch || '').split(' ');
  document.addEventListener('keydown', (e) => {
    const el = e.target instanceof Element ? e.target.closest('[data-dispatch]') : null;
    if (!el || e.key !== 'Enter' || e.shiftKey || !triggers(el).includes('on_enter_pressed')) return;
    e.preventDefault();
    dispatch(el);
  });
  const timers = new WeakMap();
  document.addEventListener('input', (e) => {
    const el = e.target instanceof Element ? e.target.closest('[data-dispatch]') : null;
    if (!el || !triggers(el).includes('on_character_entered')) return;
    clearTimeout(timers.get(el));
    timers.set(el, setTimeout(() => dispatch(el), 400));
  });
  // A dispatching text input that merely loses focus sends nothing (Slack waits for its trigger).
  document.addEventListener('change', (e) => {
    const el = e.target instanceof Element ? e.target.closest('[data-dispatch]') : null;
    if (el && !triggers(el).includes('on_change') && !dispatching.has(el)) e.stopPropagation();
  }, true);
  window.blockKit = { readState, readAction, reset };
})();`;
