import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';

/**
 * Counts the Slack requests still being worked on. Bolt answers Slack (ack) before a
 * listener finishes, so an HTTP server that has closed can still have listeners running;
 * graceful shutdown waits for this count to reach zero before closing the database.
 */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  readonly middleware: Middleware<AnyMiddlewareArgs> = async ({ next }) => {
    this.count++;
    try {
      await next();
    } finally {
      this.count--;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  };

  get size(): number {
    return this.count;
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`, whichever comes first. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
