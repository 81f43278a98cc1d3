import type { App, ReceiverEvent } from '@slack/bolt';

/**
 * Acknowledges every click (`block_actions`) the moment Bolt hands it over, before any
 * middleware runs.
 *
 * Why: a click's acknowledgement carries nothing (Slack ignores its body), so nothing it could
 * say depends on the database; yet the global middleware reads the organization (and a busy
 * pool can make that wait) before any listener gets to call `ack()`. Acking here makes a
 * click's HTTP answer as fast as a bare Bolt app's (bench scenario 1) and keeps it fast when the
 * database is slow or down; what the click does still runs after it, exactly as before, and its
 * answer (a refreshed page, a refusal, "try again") reaches the person through the response_url,
 * views.* or an ephemeral message, as error-replies.ts does for clicks.
 *
 * Slash commands and form submissions are left alone: their answer travels in the ack body
 * (the page for `/team list`, inline errors for a form), so their listeners ack last.
 *
 * Bolt has no hook between the receiver and the middleware chain; wrapping this App instance's
 * processEvent is that hook. Listeners and middleware still call `ack()`: for a click it is a
 * no-op from here on (rather than Bolt's "already acknowledged" error).
 */
export function ackClicksFirst(app: App): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    if (!isClick(event.body)) return processEvent(event);
    await event.ack();
    return processEvent({ ...event, ack: async () => undefined });
  };
}

function isClick(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'block_actions';
}
