import net from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTempDir, freePort, processAlive } from '../../src/db/embedded.js';
import { SlackDriver, SlackStandin } from '../../src/standin/index.js';
import { SIGNING_SECRET, startTestApp } from '../support/app.js';
import { runEntryPoint, type RunningProcess } from '../support/process.js';

/**
 * One embedded PostgreSQL per DATA_DIR, with real processes as on a terminal: `npm start` in
 * one, `npm run cli` in another; a crash's leftovers; a second `npm start` on the same folder.
 */
describe('one database per data directory (no DATABASE_URL)', () => {
  let standin: SlackStandin;
  const dirs: string[] = [];
  const procs: RunningProcess[] = [];
  beforeAll(async () => {
    standin = await SlackStandin.start();
  });
  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    await standin?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function dataDir(): Promise<{ dir: string; env: Record<string, string> }> {
    const dir = await embeddedTempDir('tm-one-server-');
    dirs.push(dir);
    return {
      dir,
      env: {
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: standin.botToken,
        SLACK_API_URL: standin.apiUrl,
        DATA_DIR: dir,
        EMBEDDED_PG_PORT: String(await freePort()),
        PORT: '0',
        LOG_LEVEL: 'info',
      },
    };
  }
  function start(env: Record<string, string>): RunningProcess {
    const proc = runEntryPoint('src/main.ts', env);
    procs.push(proc);
    return proc;
  }

  it('npm run cli beside a running app uses its server: the owner it adds is one the app then sees', async () => {
    const { env } = await dataDir();
    const app = start(env);
    const listening = await app.waitForLog((l) => l.msg === 'Team Manager is listening', 60_000);
    const driver = new SlackDriver({ appUrl: `${listening.url}/slack/events`, signingSecret: SIGNING_SECRET, standin });
    expect((await driver.command('U0ALICE001', '/team', 'list')).json.text).toMatch(/no owner/i);

    const cli = runEntryPoint(['src/cli.ts', 'owners', 'add', 'alice@acme.test'], env);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain('added alice@acme.test as an owner');
    expect(cli.stderr()).toBe('');

    // The app still runs on its server (the CLI did not stop it) and sees the new owner.
    const list = await driver.command('U0ALICE001', '/team', 'list');
    expect(JSON.stringify(list.json)).toContain('alice@acme.test');
    expect(JSON.stringify(list.json)).not.toMatch(/no owner/i);

    const migrate = runEntryPoint(['src/cli.ts', 'migrate'], env);
    expect(await migrate.exited).toBe(0);
    expect((await fetch(`${listening.url}/readyz`)).status).toBe(200);

    // The second `npm start` on the same DATA_DIR is refused, naming the first.
    const second = start(env);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`Another Team Manager (pid ${app.child.pid}) already runs on DATA_DIR ${env.DATA_DIR}`);
    expect((await fetch(`${listening.url}/readyz`)).status).toBe(200);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 120_000);

  it('a postmaster.pid left by a crash (the server killed) is recognised and the server started again', async () => {
    const { dir, env } = await dataDir();
    const app = start(env);
    await app.waitForLog((l) => l.msg === 'Team Manager is listening', 60_000);
    const postmaster = Number((await readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    // A crash: the app and its server die at once, with no chance to clean up.
    app.child.kill('SIGKILL');
    process.kill(postmaster, 'SIGKILL');
    await app.exited;
    for (let i = 0; i < 100 && processAlive(postmaster); i++) await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(postmaster)).toBe(false);
    await expect(readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8')).resolves.toMatch(new RegExp(`^${postmaster}\\n`));

    const h = await startTestApp({ standin, env: { DATA_DIR: dir, EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT!, RUN_MIGRATIONS: 'true' } });
    try {
      expect(h.app.database.embedded?.owned).toBe(true);
      expect(h.logs.lines().some((l) => String(l.msg).includes('left from a server that is gone'))).toBe(true);
      expect((await h.driver.command('U0ALICE001', '/team', 'help')).json.text).toContain('Usage');
    } finally {
      await h.stop();
    }
  }, 120_000);

  it('when another program holds the port, says so and names EMBEDDED_PG_PORT; no "undefined"', async () => {
    const { env } = await dataDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.EMBEDDED_PG_PORT), '127.0.0.1', resolve));
    try {
      const app = start(env);
      expect(await app.exited).toBe(1);
      expect(app.stderr()).toContain(`Another program is using port ${env.EMBEDDED_PG_PORT}: set EMBEDDED_PG_PORT to a free port`);
      expect(app.stderr()).toMatch(/could not bind|Address already in use/i);
      expect(app.stderr()).not.toContain('undefined');
    } finally {
      blocker.close();
    }
  }, 120_000);
});
