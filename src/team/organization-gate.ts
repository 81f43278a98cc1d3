import type { Db } from '../db/database.js';

/**
 * Lets the changes of one organization into the database one at a time within this process.
 *
 * Why: every change takes the organization's row lock first (see change.ts), so changes to one
 * organization run one after another anyway. Without this gate each waiting change would sit on
 * a pool connection while it waits for that lock; 64 people clicking at once in one workspace
 * then held every connection of the pool, and reads of other requests (and the changes' own
 * answers) waited 2 s for a connection and failed. Waiting here costs a promise, not a
 * connection. The row lock stays the rule between processes; this only spares the pool.
 *
 * Not re-entrant: a change must not start another change of the same organization from inside
 * itself (it could not anyway: the inner transaction would wait for the outer one's row lock).
 */
export class OrganizationGate {
  /** Per organization, the end of its line: the promise the next change waits for. */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(organizationId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(organizationId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => mine) : mine;
    this.tails.set(organizationId, tail);
    try {
      if (previous) await previous;
      return await work();
    } finally {
      release();
      // The last in line cleans up, so the map holds only organizations with changes waiting.
      if (this.tails.get(organizationId) === tail) this.tails.delete(organizationId);
    }
  }

  /** Organizations with a change running or waiting (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}

/** One gate per database handle: two handles on one process are two pools. */
const gates = new WeakMap<Db, OrganizationGate>();

export function organizationGate(db: Db): OrganizationGate {
  let gate = gates.get(db);
  if (!gate) {
    gate = new OrganizationGate();
    gates.set(db, gate);
  }
  return gate;
}
