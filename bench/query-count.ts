/**
 * Counts the SQL statements a bench server process sends (every `pg` client in the process:
 * the app's pool and graphile-worker's), so the bench can report round trips per request type.
 * Instrumentation of the process under test, installed by bench/app-server.ts before the app
 * starts; the app's own code is not touched. A statement is one round trip to PostgreSQL
 * (pg sends each query as one extended-protocol exchange).
 */
import { appendFileSync } from 'node:fs';
import pg from 'pg';

let statements = 0;
/** BENCH_QUERY_TRACE=<file>: also append each statement's text there (slow; to read, not to time). */
const trace = process.env.BENCH_QUERY_TRACE;

export function countQueries(): void {
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    // The backend's pid first: statements of one connection (one transaction) read together.
    if (trace) appendFileSync(trace, `${(this as unknown as { processID?: number }).processID ?? '?'} ${JSON.stringify(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '?')}\n`);
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

export const statementsSoFar = (): number => statements;
