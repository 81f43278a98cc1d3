/**
 * Slack's look in miniature for what the renderer draws (the page's own layout is
 * page/style.ts): messages with an avatar and a bold name, green primary and red danger
 * buttons, small grey context, fields in two columns, a modal with a header and a footer.
 */
export const PAGE_CSS = `
.bk-message { display: flex; gap: .5rem; align-items: flex-start; padding: .5rem .25rem; }
.bk-message:hover { background: #f8f8f8; }
.bk-ephemeral { background: #f4f8fb; }
.bk-avatar { flex: 0 0 2.25rem; height: 2.25rem; border-radius: 6px; background: #4a154b; color: #fff; display: flex; align-items: center; justify-content: center; font-weight: 700; }
.bk-avatar::before { content: attr(data-initial); }
.bk-message-main { flex: 1; min-width: 0; }
.bk-meta .who { font-weight: 900; color: #1d1c1d; }
.bk-time, .ephemeral, .edited { color: #616061; font-size: .75rem; margin-left: .35rem; }
.body { overflow-wrap: anywhere; }
.bk-header { font-size: 1.125rem; font-weight: 900; margin: .5rem 0 .25rem; }
.bk-section { display: flex; gap: .75rem; justify-content: space-between; align-items: flex-start; margin: .25rem 0; }
.bk-section-main { flex: 1; min-width: 0; }
.bk-fields { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem 1rem; margin-top: .25rem; }
.bk-accessory { flex: 0 0 auto; }
.bk-context { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem; color: #616061; font-size: .8rem; margin: .25rem 0; }
.bk-context-image { width: 1.25rem; height: 1.25rem; border-radius: 3px; }
.bk-actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
.bk-divider { border: 0; border-top: 1px solid #ddd; margin: .75rem 0; }
.bk-button { font: inherit; font-size: .9rem; font-weight: 700; padding: .3rem .8rem; border: 1px solid #bbb; border-radius: 4px; background: #fff; color: #1d1c1d; cursor: pointer; text-decoration: none; display: inline-block; }
.bk-button:hover { background: #f6f6f6; }
.bk-button:focus-visible, .bk-select:focus-visible, .bk-text:focus-visible, .bk-textarea:focus-visible { outline: 3px solid #1264a3; outline-offset: 1px; }
.bk-primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.bk-primary:hover { background: #148567; }
.bk-danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.bk-danger:hover { background: #e8416f; }
.bk-select, .bk-text, .bk-textarea, .bk-picker { font: inherit; font-size: .9rem; padding: .3rem .5rem; border: 1px solid #bbb; border-radius: 4px; background: #fff; }
.bk-text, .bk-textarea { width: 100%; }
.bk-input { margin: .75rem 0; }
.bk-label-row { margin-bottom: .25rem; }
.bk-label { font-weight: 700; }
.bk-optional { color: #616061; font-weight: 400; margin-left: .35rem; }
.bk-hint { color: #616061; font-size: .8rem; margin: .25rem 0 0; }
.bk-error { color: #e01e5a; font-size: .85rem; margin: .25rem 0 0; }
[aria-invalid="true"] { border-color: #e01e5a; }
.bk-choices { border: 0; padding: 0; margin: 0; }
.bk-choices legend { padding: 0; margin-bottom: .25rem; }
.bk-choice { display: grid; grid-template-columns: auto 1fr; column-gap: .4rem; margin: .2rem 0; }
.bk-choice .bk-description { grid-column: 2; color: #616061; font-size: .8rem; }
.bk-quote { border-left: 4px solid #ddd; margin: .25rem 0; padding-left: .6rem; }
.bk-pre { background: #f8f8f8; border: 1px solid #ddd; border-radius: 4px; padding: .5rem; white-space: pre-wrap; font-size: .85rem; margin: .25rem 0; }
.body code { color: #e01e5a; background: #f8f8f8; border: 1px solid #e5e5e5; border-radius: 3px; padding: 0 .2rem; font-size: .85em; }
.bk-mention, .bk-channel { color: #1264a3; background: #e8f5fa; border-radius: 3px; padding: 0 .1rem; }
.bk-broadcast { background: #fcefd5; color: #1d1c1d; }
.body a { color: #1264a3; }
.bk-image { margin: .5rem 0; }
.bk-image-block { max-width: 360px; max-height: 360px; border-radius: 6px; }
.bk-accessory-image { width: 5.5rem; height: 5.5rem; border-radius: 6px; object-fit: cover; }
.bk-image-missing { display: inline-block; color: #616061; border: 1px dashed #bbb; padding: .2rem .4rem; font-size: .8rem; }
.bk-unsupported { color: #616061; font-style: italic; }
.bk-rt-list { margin: .25rem 0; padding-left: 1.5rem; }
.bk-indent-1 { margin-left: 1.5rem; } .bk-indent-2 { margin-left: 3rem; } .bk-indent-3 { margin-left: 4.5rem; }
.modal { position: fixed; top: 8vh; left: 50%; transform: translateX(-50%); width: min(32rem, 94vw); max-height: 84vh; display: flex; flex-direction: column; background: #fff; border-radius: 8px; box-shadow: 0 18px 48px rgba(0,0,0,.35); padding: 1rem 1.25rem; overflow: auto; }
.bk-modal { padding: 0; overflow: hidden; }
.bk-modal form { display: flex; flex-direction: column; min-height: 0; max-height: 84vh; }
.bk-modal-header { grid-area: auto; padding: 1rem 1.25rem; border-bottom: 1px solid #ddd; background: #fff; color: #1d1c1d; }
.bk-modal-header h2 { font-size: 1.25rem; margin: 0; }
.bk-modal-body { padding: .25rem 1.25rem 1rem; overflow: auto; flex: 1; }
.bk-modal-footer { display: flex; justify-content: flex-end; gap: .5rem; padding: .75rem 1.25rem; border-top: 1px solid #ddd; }
.modal[role="alertdialog"] button { margin-left: .5rem; }
.bk-home { max-width: 48rem; }
`;
