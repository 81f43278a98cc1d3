/** The page's layout (the Block Kit look is the renderer's PAGE_CSS). */
export const LAYOUT_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; display: grid; grid-template: "head head" auto "side main" 1fr / 16rem 1fr; height: 100vh; }
/* Slack's aubergine: the workspace bar and the sidebar; the page's own header only (a modal's is the renderer's). */
body > header { grid-area: head; background: #350d36; color: #fff; padding: .5rem 1rem; display: flex; gap: .5rem; align-items: center; }
body > header select { font: inherit; border-radius: 4px; }
body > header .workspace { margin-left: auto; opacity: .8; }
nav { grid-area: side; background: #3f0e40; color: #cfc3cf; padding: .5rem .75rem; overflow: auto; }
nav h2 { font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: #bcabbc; margin: 1rem 0 .25rem .25rem; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav a { color: #e8dde8; text-decoration: none; display: block; padding: .2rem .5rem; border-radius: 6px; }
nav a:hover { background: #350d36; }
nav a[aria-current] { background: #1164a3; color: #fff; }
nav form.add { margin-top: .5rem; }
nav form.add label { display: block; font-size: .85rem; margin: .25rem .25rem; }
nav form.add input { width: 100%; }
nav form.add button { margin: .25rem; }
main { grid-area: main; display: flex; flex-direction: column; min-height: 0; }
#pane { flex: 1; overflow: auto; padding: 0 1rem; }
#pane h1 { font-size: 1.1rem; margin: .75rem 0; padding-bottom: .5rem; border-bottom: 1px solid #eee; }
ul.messages, ul.mail { list-style: none; padding: 0; }
ul.mail > li { border: 1px solid #ddd; border-radius: 6px; padding: .5rem 1rem; margin-bottom: .75rem; }
ul.mail h2 { font-size: 1rem; margin: .25rem 0; }
ul.mail p { margin: 0; color: #616061; font-size: .85rem; }
ul.mail pre { white-space: pre-wrap; font: inherit; margin: .5rem 0 0; }
ul.messages > li { padding: .4rem 0; border-bottom: 1px solid #eee; content-visibility: auto; contain-intrinsic-size: auto 4rem; }
.ephemeral { color: #616061; font-size: .8rem; }
.notice { background: #fde8e8; border: 1px solid #e01e5a; padding: .5rem; }
#composer { display: flex; gap: .5rem; padding: .5rem 1rem; border-top: 1px solid #ddd; }
#composer textarea { flex: 1; font: inherit; }
.composer-off { margin: 0; padding: .75rem 1rem; border-top: 1px solid #ddd; color: #616061; text-align: center; }
.overlay { position: fixed; inset: 0; background: rgba(0,0,0,.4); }
`;
