/**
 * The local Slack's Block Kit and mrkdwn renderer: server-side HTML for messages, modals and
 * the Home tab (surfaces.ts → blocks.ts → elements.ts / selects.ts → text.ts → mrkdwn.ts), the
 * look (style.ts), and the browser script that reads Slack's payloads back off it (client.ts).
 */
export { BLOCK_KIT_CLIENT } from './client.js';
export type { Person, RenderContext } from './context.js';
export { renderMrkdwn } from './mrkdwn.js';
export { PAGE_CSS } from './style.js';
export { renderHome, renderMessage, renderModal, type RenderedMessage } from './surfaces.js';
