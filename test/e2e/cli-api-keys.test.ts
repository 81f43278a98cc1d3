import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { authenticateApiKey } from '../../src/api/api-keys.js';
import { openDatabase } from '../../src/db/database.js';
import type { ScratchDatabase } from '../../src/db/scratch.js';
import { createEmptyDatabase } from '../support/database.js';
import { runEntryPoint } from '../support/process.js';

/** `npm run cli -- api-keys …` as a separate process, the way an operator runs it. */
describe('npm run cli -- api-keys create / list / revoke', () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(async () => scratch?.drop());

  it('creates keys (read-only by default) shown once, lists them without the secret, revokes them, with the documented exit codes', async () => {
    scratch = await createEmptyDatabase();
    const env = { DATABASE_URL: scratch.url, USER: 'ops' };
    const client = new pg.Client({ connectionString: scratch.url });
    const { db } = openDatabase(scratch.url);
    try {
      // Usage errors are caught before the database is touched: exit 2 with the usage.
      const usage = [['api-keys'], ['api-keys', 'create'], ['api-keys', 'create', 'a', 'b'], ['api-keys', 'create', 'x', '--read-only', '--read-write'], ['api-keys', 'list', '--read-write'], ['api-keys', 'revoke'], ['members', 'list', '--read-only']];
      const procs = usage.map((args) => runCli(args, env));
      for (const [i, proc] of procs.entries()) {
        expect(await proc.exited, usage[i]!.join(' ')).toBe(2);
        expect(proc.stderr(), usage[i]!.join(' ')).toMatch(/^(api-keys|members): .+\nUsage: npm run cli -- <command>/);
      }
      expect(await client.connect().then(() => client.query("select to_regclass('api_keys') as t"))).toMatchObject({ rows: [{ t: null }] });

      const migrate = runCli(['migrate'], env);
      expect(await migrate.exited).toBe(0);
      await client.query("insert into organizations (slack_team_id, name) values ('T0CLI00001', 'Acme')");

      const created = runCli(['api-keys', 'create', 'Billing sync'], env);
      expect(await created.exited).toBe(0);
      const readKey = keyIn(created.stdout());
      expect(created.stdout()).toMatch(/^Created API key [0-9a-f-]{36} "Billing sync" \(read-only\) for Acme:$/m);
      expect(created.stdout()).toContain('it will not be shown again');
      const [writer, badName] = [runCli(['api-keys', 'create', 'Ingest', '--read-write'], env), runCli(['api-keys', 'create', 'x'.repeat(101)], env)];
      expect(await writer.exited).toBe(0);
      const writeKey = keyIn(writer.stdout());
      expect(writer.stdout()).toContain('"Ingest" (read-write)');

      const { rows: stored } = await client.query('select id, name, scope, prefix, key_hash, created_by from api_keys order by created_at');
      expect(stored.map((r) => [r.name, r.scope, r.prefix, r.created_by])).toEqual([
        ['Billing sync', 'read', readKey.slice(0, 10), 'ops'],
        ['Ingest', 'read-write', writeKey.slice(0, 10), 'ops'],
      ]);
      expect(stored[0].key_hash.equals(createHash('sha256').update(readKey).digest())).toBe(true);
      expect(await authenticateApiKey(db, readKey)).toMatchObject({ scope: 'read', name: 'Billing sync' });
      expect(await authenticateApiKey(db, writeKey)).toMatchObject({ scope: 'read-write' });

      expect(await badName.exited).toBe(2);
      expect(badName.stderr()).toBe('api-keys: an API key name is 1 to 100 characters without control characters\n');

      const list = runCli(['api-keys', 'list'], env);
      expect(await list.exited).toBe(0);
      const out = list.stdout();
      expect(out).toMatch(/^ID\s+NAME\s+SCOPE\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED$/m);
      expect(out).toMatch(new RegExp(`^${stored[0].id}\\s+Billing sync\\s+read\\s+${escape(readKey.slice(0, 10))}\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ\\s+-$`, 'm'));
      expect(out).toMatch(new RegExp(`^${stored[1].id}\\s+Ingest\\s+read-write\\s+`, 'm'));
      expect(out).toContain('2 active of 2 API keys in Acme');
      // The list never shows a secret: only the 10-character prefix.
      expect(out).not.toContain(readKey.slice(10));
      expect(out).not.toContain(writeKey.slice(10));

      const revoke = runCli(['api-keys', 'revoke', stored[0].id], env);
      expect(await revoke.exited).toBe(0);
      expect(revoke.stdout()).toContain(`Revoked API key ${stored[0].id} "Billing sync"`);
      expect(await authenticateApiKey(db, readKey)).toBeUndefined();
      expect(await authenticateApiKey(db, writeKey)).toBeDefined();
      const [again, unknown, notAnId, after] = [
        runCli(['api-keys', 'revoke', stored[0].id], env),
        runCli(['api-keys', 'revoke', '00000000-0000-4000-8000-000000000000'], env),
        runCli(['api-keys', 'revoke', readKey.slice(0, 10)], env),
        runCli(['api-keys', 'list'], env),
      ];
      expect(await again.exited).toBe(0);
      expect(again.stdout()).toContain('was already revoked; nothing changed.');
      expect(await unknown.exited).toBe(1);
      expect(unknown.stderr()).toBe('api-keys failed: no API key 00000000-0000-4000-8000-000000000000 in this organization\n');
      expect(await notAnId.exited).toBe(2);
      expect(notAnId.stderr()).toMatch(/^api-keys: ".+" is not an API key id/);
      expect(await after.exited).toBe(0);
      expect(after.stdout()).toMatch(new RegExp(`^${stored[0].id}\\s+Billing sync\\s+read\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ$`, 'm'));
      expect(after.stdout()).toContain('1 active of 2 API keys in Acme');

      // One audit event per change, from the CLI; none for the no-op revoke or the refusals.
      const { rows: audit } = await client.query('select action, actor_type, actor_id, source, target_id from audit_events order by id');
      expect(audit).toEqual([
        { action: 'api_key.created', actor_type: 'cli', actor_id: 'ops', source: 'cli', target_id: stored[0].id },
        { action: 'api_key.created', actor_type: 'cli', actor_id: 'ops', source: 'cli', target_id: stored[1].id },
        { action: 'api_key.revoked', actor_type: 'cli', actor_id: 'ops', source: 'cli', target_id: stored[0].id },
      ]);

      // --team picks the workspace; a key made for one is refused from the other.
      await client.query("insert into organizations (slack_team_id, name) values ('T0CLI00002', 'Beta')");
      const ambiguous = runCli(['api-keys', 'list'], env);
      expect(await ambiguous.exited).toBe(1);
      expect(ambiguous.stderr()).toContain('pass --team <id>');
      const beta = runCli(['api-keys', 'revoke', stored[1].id, '--team', 'T0CLI00002'], env);
      expect(await beta.exited).toBe(1);
      expect(await authenticateApiKey(db, writeKey)).toBeDefined();
    } finally {
      await client.end();
      await db.destroy();
    }
  }, 120_000);
});

function runCli(args: string[], env: Record<string, string>) {
  return runEntryPoint(['src/cli.ts', ...args], env);
}

function keyIn(stdout: string): string {
  const match = /^(tm_[A-Za-z0-9_-]{43})$/m.exec(stdout);
  if (!match) throw new Error(`no key in:\n${stdout}`);
  return match[1]!;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
