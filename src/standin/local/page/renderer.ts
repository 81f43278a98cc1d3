/** The Block Kit / mrkdwn renderer the page uses (see fallback-render.ts until ../render/ is merged). */
export { BLOCK_KIT_CLIENT, PAGE_CSS, renderHome, renderMessage, renderModal, renderMrkdwn, type RenderContext } from './fallback-render.js';
