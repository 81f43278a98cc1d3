import type { App } from '@slack/bolt';

/**
 * `view_closed`: someone cancelled a modal. Slack sends it only for views opened with
 * `notify_on_close` (ours are not, today), yet it must still be acknowledged like any
 * interaction: without a listener Bolt leaves the request unanswered and writes 404 after
 * 3 s. Nothing was submitted, so there is nothing to do but say so at once, for every
 * modal (test/e2e/real-payloads.test.ts replays one of Slack's).
 */
export function registerViewClosed(app: App): void {
  app.view({ type: 'view_closed' }, async ({ ack }) => {
    await ack();
  });
}
