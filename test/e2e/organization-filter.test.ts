import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import {
  NOT_DISTRIBUTED,
  checkQueryLog,
  loadParser,
  readDistributedTables,
  readQueryLog,
  readUndistributedTables,
} from '../support/tenant-filter.js';

/**
 * Citus readiness (docs/operations.md): every statement the app sends during a representative
 * part of the e2e suite names its organization — each distributed table (every table with an
 * organization_id column) is filtered by organization_id, or joined on it to one that is. The
 * files run in a vitest of their own with the query log on (QUERY_LOG_FILE, src/db/query-log.ts);
 * the log is then checked with PostgreSQL's own parser (test/support/tenant-filter.ts).
 */
const E2E_FILES = [
  'test/e2e/members.test.ts',
  'test/e2e/tenancy.test.ts',
  'test/e2e/api.test.ts',
  'test/e2e/removal-requests.test.ts',
  'test/e2e/webhooks-api.test.ts',
];

const ROOT = path.resolve(import.meta.dirname, '../..');

function runVitest(files: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'app', ...files], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('every query is filtered by organization_id (Citus readiness)', () => {
  const t = useTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'tm-query-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every table is keyed by organization_id, or listed with the reason it is not', async () => {
    expect(await readUndistributedTables(t.db)).toEqual(Object.keys(NOT_DISTRIBUTED).sort());
  });

  it('the statements of a representative e2e run', { timeout: 150_000 }, async () => {
    const file = path.join(dir, 'queries.jsonl');
    // A vitest of its own: none of this run's worker variables, the query log on.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'QUERY_LOG_SOURCE'));
    const run = await runVitest(E2E_FILES, { ...env, QUERY_LOG_FILE: file, FORCE_COLOR: '0' });
    expect(run.code, run.output.slice(-4000)).toBe(0);

    await loadParser();
    const entries = readQueryLog(file);
    const result = checkQueryLog(entries, await readDistributedTables(t.db));
    // The run did reach the app's code from every file: the check saw its statements.
    for (const f of E2E_FILES) expect(entries.some((e) => e.source === f && e.origin.startsWith('src/')), f).toBe(true);
    expect(result.checked).toBeGreaterThan(50);
    const report = result.violations
      .map((v) => `${v.problems.join('; ')}\n  from ${v.origin} (${v.source})\n  ${v.sql.replace(/\s+/g, ' ')}`)
      .join('\n\n');
    expect(result.violations, `statements not filtered by organization_id:\n\n${report}`).toEqual([]);
  });
});
