/** The Block Kit / mrkdwn renderer the page uses. */
export { BLOCK_KIT_CLIENT, PAGE_CSS, renderHome, renderMessage, renderModal, renderMrkdwn, type RenderContext } from '../render/index.js';
