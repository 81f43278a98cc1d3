import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/**
 * The query log, for tests only: with QUERY_LOG_FILE set, every statement a pool of ours sends is
 * appended to that file (one JSON line per distinct statement and origin), so that a test can check
 * over a whole e2e run that every query is filtered by organization_id (the Citus readiness check,
 * test/support/tenant-filter.ts). Only the statement text is written, never the parameter values
 * (they carry tokens and e-mail addresses). Off, it costs nothing: the pool is not touched.
 *
 * Each line says where the statement came from: `origin`, the first frame of the (async) call stack
 * in this repository outside node_modules — `src/team/members.ts:120` for the app's queries,
 * `test/…` for a test's own reads and seeds, `migrations/…` for schema changes — and `source`,
 * the test file (QUERY_LOG_SOURCE, set by test/support/query-log-source.ts) or the process's script.
 */
export const QUERY_LOG_ENV = 'QUERY_LOG_FILE';

export interface QueryLogEntry {
  sql: string;
  origin: string;
  source: string;
  pid: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Records what `pool`'s connections send, when QUERY_LOG_FILE is set; otherwise does nothing. */
export function attachQueryLog(pool: pg.Pool, file = process.env[QUERY_LOG_ENV]): void {
  if (!file) return;
  const seen = new Set<string>();
  pool.on('connect', (client) => {
    const query = client.query as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = function (this: pg.PoolClient, ...args: unknown[]) {
      const first = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
      if (typeof text === 'string') record(file, seen, text);
      return query.apply(this, args);
    };
  });
}

function record(file: string, seen: Set<string>, sql: string): void {
  const origin = callerOrigin();
  const source = process.env.QUERY_LOG_SOURCE ?? path.relative(ROOT, process.argv[1] ?? '');
  const key = `${source}\0${origin}\0${sql}`;
  if (seen.has(key)) return;
  seen.add(key);
  const entry: QueryLogEntry = { sql, origin, source, pid: process.pid };
  try {
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
  } catch {
    // A test's log that cannot be written must not fail the query it records.
  }
}

/** The first frame of the current (async) stack that is ours: a path relative to the repository, and a line. */
function callerOrigin(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!match) continue;
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (!file.startsWith(ROOT + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const relative = path.relative(ROOT, file);
    if (relative === path.join('src', 'db', 'query-log.ts')) continue;
    return `${relative}:${match[2]}`;
  }
  return 'unknown';
}
