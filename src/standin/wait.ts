import type { EventEmitter } from 'node:events';

/**
 * Resolves with the first value emitted as `event` that matches, or rejects after the
 * timeout with a message that describes what was seen instead (the stand-in's waits).
 */
export function waitForEmitted<T>(
  events: EventEmitter,
  event: string,
  matches: (value: T) => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (value: T) => {
      if (!matches(value)) return;
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(describe()));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      events.off(event, onEvent);
    };
    events.on(event, onEvent);
  });
}
