import os from 'node:os';
import type pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * graphile-worker 0.17 holds a job (and its named queue) locked for 4 hours when the worker
 * that took it dies without a word (SIGKILL, OOM, a lost host): the invitation or post it
 * carried waits that long. So each worker of ours records a heartbeat (a row per worker pool id, the
 * id graphile-worker locks jobs with, in job_worker_heartbeats, touched every deadAfter/4), and every live worker, on each beat,
 * declares dead the workers that hold jobs or queues and have not beaten for `deadAfterMs`,
 * and frees what they held with graphile-worker's own force_unlock_workers (what
 * WorkerUtils.forceUnlockWorkers runs). The jobs then run again; a job that had already
 * reached Slack is not posted twice (the delivery id lookup in src/notify/exactly-once.ts).
 *
 * A worker cut off from the database for longer than the threshold can be declared dead
 * while its job still runs; that job may then run twice, and the same lookup keeps its
 * effect single. Locks older than the threshold held by a worker with no heartbeat at all
 * (an older version of the app) are freed too.
 */
export interface Heartbeat {
  /** Adds a worker pool of this process (graphile-worker's 'pool:create'; jobs are locked by its id). */
  add(workerId: string): void;
  /** One beat now: touch ours, free the dead's (also what the timer runs). */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

export function startHeartbeat(options: { pool: pg.Pool; deadAfterMs: number; log: Logger }): Heartbeat {
  const { pool, deadAfterMs } = options;
  const log = options.log.child({ subsystem: 'worker-heartbeat' });
  const mine = new Set<string>();
  const processName = `${os.hostname()}:${process.pid}`;
  let running: Promise<void> | undefined;

  const once = async () => {
    const ids = [...mine];
    if (ids.length > 0) {
      await pool.query(
        `insert into job_worker_heartbeats (worker_id, process, beat_at)
         select unnest($1::text[]), $2, now()
         on conflict (worker_id) do update set beat_at = now(), process = excluded.process`,
        [ids, processName],
      );
    }
    const threshold = `${Math.ceil(deadAfterMs)} milliseconds`;
    const client = await pool.connect();
    try {
      await client.query('begin');
      // One reaper at a time across all workers; the others skip this beat.
      const { rows: lock } = await client.query<{ ok: boolean }>("select pg_try_advisory_xact_lock(hashtext('team-manager:reap-dead-workers')) as ok");
      if (lock[0]?.ok) {
        const { rows } = await client.query<{ worker_id: string }>(
          `with holders as (
             select locked_by as worker_id, min(locked_at) as since from graphile_worker._private_jobs where locked_by is not null group by locked_by
             union all
             select locked_by, min(locked_at) from graphile_worker._private_job_queues where locked_by is not null group by locked_by
           )
           select distinct h.worker_id from holders h
           left join job_worker_heartbeats b on b.worker_id = h.worker_id
           where not (h.worker_id = any($1::text[]))
             and case when b.worker_id is null then h.since < now() - $2::interval else b.beat_at < now() - $2::interval end`,
          [ids, threshold],
        );
        const dead = rows.map((r) => r.worker_id);
        if (dead.length > 0) {
          await client.query('select graphile_worker.force_unlock_workers($1::text[])', [dead]);
          await client.query('delete from job_worker_heartbeats where worker_id = any($1::text[])', [dead]);
          log.warn({ workers: dead, deadAfterMs }, 'declared workers dead (no heartbeat) and freed their jobs to run again');
        }
        // Rows of workers long gone that held nothing.
        await client.query(`delete from job_worker_heartbeats where beat_at < now() - $1::interval * 10`, [threshold]);
      }
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };
  const beat = () =>
    (running ??= once()
      .catch((err: unknown) => log.warn({ error: err instanceof Error ? err.message : String(err) }, 'worker heartbeat failed; trying again'))
      .finally(() => (running = undefined)));

  const every = Math.max(250, Math.floor(deadAfterMs / 4));
  const timer = setInterval(() => void beat(), every);
  timer.unref();
  return {
    add: (id) => {
      mine.add(id);
    },
    beat,
    async stop() {
      clearInterval(timer);
      await running;
      const ids = [...mine];
      mine.clear();
      if (ids.length > 0) await pool.query('delete from job_worker_heartbeats where worker_id = any($1::text[])', [ids]).catch(() => undefined);
    },
  };
}
