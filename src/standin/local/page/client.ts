/**
 * The page's script (served as /local/page.js, no build step): it sends what the person does to
 * the server, which turns it into Slack's payloads, and re-reads the pane when the server says
 * something changed (server-sent events).
 */
export const PAGE_SCRIPT = `(() => {
  const page = document.body.dataset;
  const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: page.as, c: page.c, ...body }) });
  const pane = document.getElementById('pane');
  let pending = false;
  async function refresh() {
    if (pending) return;
    pending = true;
    await new Promise((r) => setTimeout(r, 30));
    pending = false;
    const res = await fetch('/local/pane?as=' + encodeURIComponent(page.as) + '&c=' + encodeURIComponent(page.c));
    const focused = document.activeElement && document.activeElement.closest('#pane') ? document.activeElement : null;
    if (focused && focused.matches('input, textarea, select')) return setTimeout(refresh, 500);
    pane.innerHTML = await res.text();
    const list = pane.querySelector('ul.messages');
    if (list) list.scrollTop = list.scrollHeight;
    const dialog = pane.querySelector('[role=dialog] input, [role=dialog] textarea, [role=dialog] select, [role=dialog] button');
    if (dialog && !document.activeElement.closest('[role=dialog]')) dialog.focus();
  }
  new EventSource('/local/events').addEventListener('update', refresh);
  if (page.c === 'mail') setInterval(refresh, 1000);
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
    if (action.confirm && !window.confirm([action.confirm.title && action.confirm.title.text, action.confirm.text && action.confirm.text.text].filter(Boolean).join('\\n'))) return;
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
    // Inputs of input blocks are read on submit; only elements outside them send block_actions.
    if (el && el.tagName !== 'BUTTON' && !el.closest('[data-input-block], .input, [data-block-type=input]')) act(el);
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
  const list = pane.querySelector('ul.messages');
  if (list) list.scrollTop = list.scrollHeight;
})();`;
