/**
 * A process-wide hook for Slack Web API errors, by Slack's error code: the calls are made deep
 * inside deliveries (src/slack/delivery.ts), the counter lives with the metrics
 * (src/web/metrics.ts). No listener, no cost.
 */
type Listener = (code: string) => void;
const listeners = new Set<Listener>();

export function onSlackApiError(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportSlackApiError(code: string): void {
  for (const l of listeners) l(code);
}
