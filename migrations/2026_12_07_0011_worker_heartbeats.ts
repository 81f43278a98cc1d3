import { sql, type Kysely } from 'kysely';

/**
 * One row per graphile-worker worker (its workerId), touched every few seconds while it runs:
 * a worker whose row is older than the configured threshold is dead (SIGKILL, OOM, a host
 * gone), and any live worker frees the jobs and queues it held (src/jobs/heartbeat.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table job_worker_heartbeats (
      worker_id text primary key,
      process text not null,
      beat_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table job_worker_heartbeats`.execute(db);
}
