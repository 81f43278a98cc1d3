import type { App, ReceiverEvent } from '@slack/bolt';

/** Where the ack times go (src/web/metrics.ts when METRICS_ENABLED, else nowhere). */
export interface AckTimer {
  slackAck(listener: string, seconds: number): void;
  /** The label for a request body, e.g. `command:/team`. */
  labelOf(body: unknown): string;
}

/**
 * Times every Slack request from the moment Bolt hands it to the app (signature checked, body
 * parsed) to its acknowledgement, whoever acks it (ack-clicks-first.ts, a listener, Bolt). Like
 * ackClicksFirst, it wraps this App instance's processEvent, the one hook before the middleware;
 * it is installed after it, so it sees the receiver's own ack.
 */
export function timeAcks(app: App, timer: AckTimer): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    const started = performance.now();
    let timed = false;
    const ack: ReceiverEvent['ack'] = async (response) => {
      if (!timed) {
        timed = true;
        timer.slackAck(timer.labelOf(event.body), (performance.now() - started) / 1000);
      }
      return event.ack(response);
    };
    return processEvent({ ...event, ack });
  };
}
