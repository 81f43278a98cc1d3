/**
 * The page's script (served as /local/page.js, no build step): it sends what the person does to
 * the server, which turns it into Slack's payloads, and re-reads the pane when the server says
 * something changed (server-sent events).
 */
export const PAGE_SCRIPT = `(() => {
  const page = document.body.dataset;
  const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: page.as, c: page.c, ...body }) });
  const pane = document.getElementById('pane');
  // One refresh at a time, in order: an update during a fetch fetches again after it, so an
  // older pane never replaces a newer one. What the person typed in the input blocks of an open
  // modal or the Home tab (same view id, block and action) and where the focus was survive the
  // re-render, as Slack keeps input values across views.update; an element outside input blocks
  // already sent its value, so the app's new view says what it shows.
  let dirty = false;
  let running = false;
  const last = {};
  for (const part of pane.children) last[part.id] = part.innerHTML;
  const keyOf = (el) => {
    const view = el.closest('[data-view-id]');
    return view ? view.dataset.viewId + '|' + el.dataset.blockId + '|' + el.dataset.actionId + '|' + (el.value || '') : null;
  };
  // A field's key leaves its value out (that is what is kept); a radio or checkbox is one of its group by value.
  const fieldKey = (holder, el) => {
    const view = holder.closest('[data-view-id]');
    return view && view.dataset.viewId + '|' + holder.dataset.blockId + '|' + holder.dataset.actionId + '|' + (el.type === 'radio' || el.type === 'checkbox' ? el.value : '');
  };
  function capture() {
    const values = new Map();
    for (const el of pane.querySelectorAll('[data-input-block] input, [data-input-block] textarea, [data-input-block] select')) {
      const holder = el.closest('[data-action-id]');
      const key = holder && fieldKey(holder, el);
      if (!key) continue;
      values.set(key, el.type === 'radio' || el.type === 'checkbox' ? el.checked : el.value);
    }
    const focused = document.activeElement && pane.contains(document.activeElement) && document.activeElement.closest('[data-action-id]');
    return { values, focus: focused ? keyOf(focused) : null };
  }
  function restore(saved) {
    for (const el of pane.querySelectorAll('[data-input-block] input, [data-input-block] textarea, [data-input-block] select')) {
      const holder = el.closest('[data-action-id]');
      const key = holder && fieldKey(holder, el);
      if (!key) continue;
      if (!saved.values.has(key)) continue;
      if (el.type === 'radio' || el.type === 'checkbox') el.checked = saved.values.get(key);
      else el.value = saved.values.get(key);
    }
    if (saved.focus) for (const el of pane.querySelectorAll('[data-action-id]')) if (keyOf(el) === saved.focus) { el.focus(); return true; }
    return false;
  }
  function refresh() {
    dirty = true;
    if (!running) run();
  }
  async function run() {
    running = true;
    while (dirty) {
      dirty = false;
      await new Promise((r) => setTimeout(r, 30));
      const res = await fetch('/local/pane?as=' + encodeURIComponent(page.as) + '&c=' + encodeURIComponent(page.c));
      const html = await res.text();
      const saved = capture();
      const hadDialog = !!pane.querySelector('[role=dialog]');
      const next = document.createElement('template');
      next.innerHTML = html;
      for (const part of [...next.content.children]) {
        const current = document.getElementById(part.id);
        if (current && last[part.id] === part.innerHTML) continue;
        last[part.id] = part.innerHTML;
        if (current) current.replaceWith(part); else pane.append(part);
      }
      const refocused = restore(saved);
      if (pane.querySelector('ul.messages')) pane.scrollTop = pane.scrollHeight;
      const first = pane.querySelector('[role=dialog] input, [role=dialog] textarea, [role=dialog] select, [role=dialog] button');
      if (first && !refocused && !hadDialog) first.focus();
    }
    running = false;
  }
  // An update names whom and where it concerns (none: everyone); other people's and other
  // conversations' changes leave this pane alone.
  const concerns = (s) => (!s.user || s.user === page.as) && (!s.channel || s.channel === page.c) && (!s.mail || page.c === 'mail');
  const events = new EventSource('/local/events');
  // An update sent before the stream was open (the Home the app published while this page was
  // loading) or while it was reconnecting was missed: each (re)connection fetches the pane once.
  events.addEventListener('open', () => refresh());
  events.addEventListener('update', (e) => {
    let scope = {};
    try { scope = JSON.parse(e.data) || {}; } catch { /* an update without a scope concerns every page */ }
    if (concerns(scope)) refresh();
  });
  document.getElementById('you-are').addEventListener('change', (e) => { location.search = '?as=' + encodeURIComponent(e.target.value) + '&c=' + encodeURIComponent(page.c); });
  const composer = document.getElementById('composer');
  if (composer) {
    const box = composer.querySelector('textarea');
    box.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); } });
    composer.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = box.value;
      if (!text.trim()) return;
      box.value = '';
      await post('/local/compose', { text });
    });
  }
  if (page.c === 'home') post('/local/home', {});
  // Slack's confirm dialog of an element, in the page (an alertdialog named by its title), not the browser's.
  function confirmDialog(confirm) {
    return new Promise((resolve) => {
      const text = (t, fallback) => (t && t.text) || fallback;
      const box = document.createElement('div');
      box.className = 'overlay confirm';
      const dialog = document.createElement('div');
      dialog.setAttribute('role', 'alertdialog');
      dialog.setAttribute('aria-modal', 'true');
      dialog.setAttribute('aria-label', text(confirm.title, 'Are you sure?'));
      dialog.className = 'modal';
      const h = document.createElement('h2');
      h.textContent = text(confirm.title, 'Are you sure?');
      const p = document.createElement('p');
      p.textContent = text(confirm.text, '');
      const deny = document.createElement('button');
      deny.type = 'button';
      deny.textContent = text(confirm.deny, 'Cancel');
      const ok = document.createElement('button');
      ok.type = 'button';
      ok.textContent = text(confirm.confirm, 'Yes');
      const done = (answer) => { box.remove(); document.removeEventListener('keydown', onKey, true); resolve(answer); };
      const onKey = (e) => { if (e.key === 'Escape') { e.stopPropagation(); done(false); } };
      deny.addEventListener('click', () => done(false));
      ok.addEventListener('click', () => done(true));
      document.addEventListener('keydown', onKey, true);
      dialog.append(h, p, deny, ok);
      box.append(dialog);
      document.body.append(box);
      ok.focus();
    });
  }
  function surface(el) {
    const form = el.closest('form[data-view-id]');
    if (form) return { root: form, viewId: form.dataset.viewId };
    const home = el.closest('[data-view-id]');
    if (home) return { root: home, viewId: home.dataset.viewId };
    const li = el.closest('li[data-ts]');
    return { root: li, messageTs: li && li.dataset.ts };
  }
  async function act(el) {
    const action = window.blockKit.readAction(el);
    if (action.confirm && !(await confirmDialog(action.confirm))) return window.blockKit.reset(el);
    const where = surface(el);
    if (!where.root) return;
    await post('/local/action', { action, viewId: where.viewId, messageTs: where.messageTs, state: window.blockKit.readState(where.root) });
  }
  pane.addEventListener('click', (e) => {
    const close = e.target.closest('[data-view-close]');
    if (close) { post('/local/close', { viewId: close.closest('form[data-view-id]').dataset.viewId }); return; }
    const el = e.target.closest('button[data-action-id]');
    if (el) act(el);
  });
  pane.addEventListener('change', (e) => {
    const el = e.target.closest('[data-action-id]');
    // Inputs of input blocks are read on submit; only elements outside them, or of a block with
    // dispatch_action (data-dispatch, see ../render/client.ts), send block_actions.
    if (el && el.tagName !== 'BUTTON' && (el.dataset.dispatch || !el.closest('[data-input-block], .input, [data-block-type=input]'))) act(el);
  });
  pane.addEventListener('submit', (e) => {
    const form = e.target.closest('form[data-view-id]');
    if (!form) return;
    e.preventDefault();
    post('/local/submit', { viewId: form.dataset.viewId, state: window.blockKit.readState(form) });
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    const forms = pane.querySelectorAll('[role=dialog] form[data-view-id]');
    const top = forms[forms.length - 1];
    if (top) post('/local/close', { viewId: top.dataset.viewId });
  });
  if (pane.querySelector('ul.messages')) pane.scrollTop = pane.scrollHeight;
})();`;
