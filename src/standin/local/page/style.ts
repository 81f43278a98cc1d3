/** The page's layout (the Block Kit look is the renderer's PAGE_CSS). */
export const LAYOUT_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; display: grid; grid-template: "head head" auto "side main" 1fr / 16rem 1fr; height: 100vh; }
header { grid-area: head; background: #3f0e40; color: #fff; padding: .5rem 1rem; }
header select { font: inherit; }
nav { grid-area: side; background: #f4ede4; padding: .5rem 1rem; overflow: auto; }
nav h2 { font-size: .8rem; text-transform: uppercase; margin: 1rem 0 .25rem; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav a { color: #1d1c1d; text-decoration: none; display: block; padding: .1rem .25rem; }
nav a[aria-current] { background: #1164a3; color: #fff; border-radius: 4px; }
nav form.add label { display: block; font-size: .85rem; }
nav form.add input { width: 100%; }
main { grid-area: main; display: flex; flex-direction: column; min-height: 0; }
#pane { flex: 1; overflow: auto; padding: 0 1rem; }
#pane h1 { font-size: 1.1rem; }
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
