import type { DbOrTrx } from '../db/database.js';
import type { AuditEvent } from '../db/schema.js';
import { enqueueAll, type JobSpec } from '../jobs/queue.js';

/**
 * Who hears about a change besides the webhooks: the Slack channel posts and DMs, the App Home
 * refreshes, the card rewrites, the emails. Each is a teller, living in its own adapter
 * (src/notify, src/mail), and it reads the change from the audit events it wrote — the record of
 * what happened — never from words the domain made up. The domain knows only this port.
 *
 * A teller runs inside the change's transaction, right after its audit events are appended,
 * and answers with the deliveries to queue; tellChange queues every teller's in one statement
 * there (src/jobs/queue.ts): a rolled-back change tells nobody, a committed one tells exactly
 * once, by the same jobs and delivery ids as any other post.
 * Rendering at append time rather than in a later job keeps one job hop between commit and post.
 */
export interface Teller {
  /** A name for logs and errors, e.g. "slack". */
  name: string;
  /**
   * What this adapter says about these freshly appended events (one append call's worth), as
   * jobs; it may read in `trx`, and queues nothing itself. Job keys must not repeat across
   * tellers (one statement cannot hold a key twice): each prefixes its own.
   */
  tell(trx: DbOrTrx, events: readonly AuditEvent[]): Promise<readonly JobSpec[]>;
}

let installed: readonly Teller[] | undefined;

/**
 * Sets who is told, once per process at its composition (src/tellings.ts: the server, the worker,
 * the command line). Installing nobody (`[]`) is a decision, e.g. the domain's own test suite.
 */
export function installTellers(tellers: readonly Teller[]): void {
  installed = tellers;
}

/**
 * Hands the events to every teller and queues what they answer, all in one statement (an
 * invitation used to take one per teller). A process that never decided who is told refuses to
 * change anything, rather than changing it and telling nobody.
 */
export async function tellChange(trx: DbOrTrx, events: readonly AuditEvent[]): Promise<void> {
  if (!installed) throw new Error('No tellers are installed: call installTellings() (src/tellings.ts) when the process starts, or installTellers([]) to tell nobody.');
  if (events.length === 0) return;
  const jobs: JobSpec[] = [];
  for (const teller of installed) jobs.push(...(await teller.tell(trx, events)));
  await enqueueAll(trx, jobs);
}
