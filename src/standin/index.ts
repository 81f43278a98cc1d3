/** The Slack stand-in (fake Web API server), the driver that plays Slack's side of the Request URL, and the Block Kit rules. */
export * from './block-kit/index.js';
export * from './slack-standin.js';
export * from './slack-driver.js';
export * from './view-state.js';
