/**
 * A seeded team on a database of its own, and Team Manager running on it. In the full run every
 * scenario gets its own (no scenario's leftover work — queued channel posts, say — can slow
 * another's figures); in --quick, scenarios that only read and ack may share one, to save the
 * app's start-up time.
 */
import type { Db } from '../src/db/database.js';
import type { Harness, ServerChild } from './harness.js';
import { seedTeam, type SeededTeam } from './seed.js';

export interface TeamApp {
  database: { url: string; db: Db };
  team: SeededTeam;
  app: ServerChild;
  /** Stops the app and closes the database, unless it is shared (then the harness does, at the end). */
  release(): Promise<void>;
}

const shared = new Map<string, Promise<TeamApp>>();
const prestarted = new Map<string, Promise<TeamApp>>();

/** Starts a scenario's app ahead of time (--quick: start-ups overlap the other scenarios). */
export function prestart(h: Harness, name: string, size: number, options: { share?: boolean } = {}): void {
  const started = teamApp(h, name, size, options);
  started.catch(() => undefined);
  if (!options.share) {
    prestarted.set(name, started);
    h.onStop(async () => {
      if (prestarted.get(name) === started) await (await started).release();
    });
  }
}

export async function teamApp(h: Harness, name: string, size: number, options: { share?: boolean; separateWorker?: boolean } = {}): Promise<TeamApp> {
  const early = prestarted.get(name);
  if (early) {
    prestarted.delete(name);
    return early;
  }
  const key = `${size}`;
  if (options.share) {
    let existing = shared.get(key);
    if (!existing) {
      existing = start(h, `shared-${size}`, size).then((t) => {
        h.onStop(async () => {
          await t.app.stop();
          await close.get(t)?.();
        });
        return { ...t, release: async () => undefined };
      });
      shared.set(key, existing);
    }
    return existing;
  }
  return start(h, name, size, options.separateWorker);
}

const close = new WeakMap<object, () => Promise<void>>();

async function start(h: Harness, name: string, size: number, separateWorker?: boolean): Promise<TeamApp> {
  const database = await h.freshDatabase();
  const team = await seedTeam(database.db, h.standin, size);
  const app = await h.startApp(name, database.url, {}, { separateWorker });
  const result: TeamApp = {
    database,
    team,
    app,
    release: async () => {
      await app.stop();
      await database.close();
    },
  };
  close.set(result, () => database.close());
  return result;
}
