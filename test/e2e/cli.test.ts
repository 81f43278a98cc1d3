import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { ScratchDatabase } from '../../src/db/scratch.js';
import { createEmptyDatabase } from '../support/database.js';
import { runEntryPoint } from '../support/process.js';

describe('npm run migrate (the admin command line)', () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(async () => scratch?.drop());

  it('applies the migrations to an empty database, says so, and exits 0; a second run too', async () => {
    scratch = await createEmptyDatabase();
    const migrate = runCli(['migrate'], { DATABASE_URL: scratch.url });
    expect(await migrate.exited).toBe(0);
    expect(migrate.stdout()).toContain('Database schema is up to date.');
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    const { rows } = await client.query("select count(*)::int as n from information_schema.tables where table_name in ('organizations','members','audit_events')");
    await client.end();
    expect(rows[0].n).toBe(3);
    const again = runCli(['migrate'], { DATABASE_URL: scratch.url });
    expect(await again.exited).toBe(0);
  });

  it('exits 1 with one line on stderr when the database cannot be reached', async () => {
    const proc = runCli(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/^migrate failed: .*ECONNREFUSED/m);
  });

  it('exits 2 with the usage for an unknown command', async () => {
    const proc = runCli(['frobnicate'], {});
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain('unknown command "frobnicate"');
    expect(proc.stderr()).toContain('Usage: npm run cli -- <command>');
  });
});

function runCli(args: string[], env: Record<string, string>) {
  return runEntryPoint(['src/cli.ts', ...args], env);
}
