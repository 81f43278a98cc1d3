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

describe('npm run cli -- owners add / members list', () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(async () => scratch?.drop());

  it('creates the first owner of the only organization, lists the team, and refuses bad input with exit 2', async () => {
    scratch = await createEmptyDatabase();
    const env = { DATABASE_URL: scratch.url };
    // A fresh database without a bot token: nobody knows the workspace yet.
    const early = runCli(['owners', 'add', 'ada@example.com'], env);
    expect(await early.exited).toBe(1);
    expect(early.stderr()).toMatch(/^owners failed: no organization yet: start the app once/m);

    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query("insert into organizations (slack_team_id, name) values ('T0CLI00001', 'Acme')");

    const add = runCli(['owners', 'add', 'Ada@Example.com'], env);
    expect(await add.exited).toBe(0);
    expect(add.stdout()).toContain('added ada@example.com as an owner of Acme.');
    const again = runCli(['owners', 'add', 'ada@example.com'], env);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toContain('already an owner');

    const bad = runCli(['owners', 'add', 'not-an-email'], env);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toBe('owners: "not-an-email" is not an email address.\n');
    const usage = runCli(['owners', 'remove', 'x@y.z'], env);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain('owners: expected: owners add <email>');

    const list = runCli(['members', 'list'], env);
    expect(await list.exited).toBe(0);
    expect(list.stdout()).toMatch(/^EMAIL\s+ROLE\s+STATUS\s+SLACK\s+JOINED$/m);
    expect(list.stdout()).toMatch(/^ada@example.com\s+owner\s+active\s+-\s+\d{4}-\d{2}-\d{2}$/m);
    expect(list.stdout()).toContain('1 active of 1 in Acme');

    const { rows } = await client.query("select action, actor_type, source from audit_events");
    await client.end();
    expect(rows).toEqual([{ action: 'member.added', actor_type: 'cli', source: 'cli' }]);

    const unknownTeam = runCli(['members', 'list', '--team', 'T0NOPE'], env);
    expect(await unknownTeam.exited).toBe(1);
    expect(unknownTeam.stderr()).toContain('no organization for workspace T0NOPE');
  }, 60_000);
});

describe('npm run cli -- organizations purge', () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(async () => scratch?.drop());

  it('needs --team and --yes (exit 2), then deletes the team and says what went (exit 0); an unknown team exits 1', async () => {
    scratch = await createEmptyDatabase();
    const env = { DATABASE_URL: scratch.url };
    expect(await runCli(['migrate'], env).exited).toBe(0);
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query("insert into organizations (slack_team_id, name) values ('T0GONE0001', 'Gone'), ('T0STAY0001', 'Stay')");
    expect(await runCli(['owners', 'add', 'ada@example.com', '--team', 'T0GONE0001'], env).exited).toBe(0);

    const noTeam = runCli(['organizations', 'purge', '--yes'], env);
    expect(await noTeam.exited).toBe(2);
    expect(noTeam.stderr()).toContain('organizations purge needs --team');
    const unconfirmed = runCli(['organizations', 'purge', '--team', 'T0GONE0001'], env);
    expect(await unconfirmed.exited).toBe(2);
    expect(unconfirmed.stderr()).toContain('add --yes to confirm');

    const purge = runCli(['organizations', 'purge', '--team', 'T0GONE0001', '--yes'], env);
    expect(await purge.exited).toBe(0);
    expect(purge.stdout()).toMatch(/^Purged Gone \(T0GONE0001\): .*members 1, .*audit_events 1, .*organizations 1\./m);
    const { rows } = await client.query('select slack_team_id from organizations');
    const purges = await client.query('select slack_team_id, purged_by from organization_purges');
    await client.end();
    expect(rows).toEqual([{ slack_team_id: 'T0STAY0001' }]);
    expect(purges.rows).toEqual([{ slack_team_id: 'T0GONE0001', purged_by: expect.stringMatching(/^cli:/) }]);

    const again = runCli(['organizations', 'purge', '--team', 'T0GONE0001', '--yes'], env);
    expect(await again.exited).toBe(1);
    expect(again.stderr()).toContain('no organization for workspace T0GONE0001');
  }, 60_000);
});

function runCli(args: string[], env: Record<string, string>) {
  return runEntryPoint(['src/cli.ts', ...args], env);
}
