import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandin } from '../../src/standin/index.js';
import { SIGNING_SECRET } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { ROOT, runNode, type RunningProcess } from '../support/process.js';

/**
 * What a platform runs (Heroku, the Dockerfile): `npm run build`, then the Procfile's commands —
 * release (migrations), web, worker — on the built dist/, with plain node (no tsx). Read from the
 * Procfile itself, so a Procfile that points at a file the build does not make fails here.
 */
function procfile(): Map<string, { env: Record<string, string>; args: string[] }> {
  const processes = new Map<string, { env: Record<string, string>; args: string[] }>();
  for (const line of readFileSync(path.join(ROOT, 'Procfile'), 'utf8').split('\n')) {
    const m = /^([a-z]+):\s*(.+)$/.exec(line.trim());
    if (!m) continue;
    const words = m[2]!.split(/\s+/);
    const env: Record<string, string> = {};
    while (words[0]?.includes('=')) {
      const [k, v] = words.shift()!.split('=') as [string, string];
      env[k] = v;
    }
    expect(words[0], `Procfile ${m[1]} runs node`).toBe('node');
    processes.set(m[1]!, { env, args: words.slice(1) });
  }
  return processes;
}

describe('the built app, as the Procfile runs it', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  const running: RunningProcess[] = [];

  beforeAll(async () => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    standin = await SlackStandin.start();
  }, 150_000);
  afterAll(async () => {
    for (const p of running) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    await standin?.stop();
  });

  it('release migrates, web answers /readyz and /healthz, worker starts: all from dist/ with plain node', async () => {
    const processes = procfile();
    expect([...processes.keys()].sort()).toEqual(['release', 'web', 'worker']);
    const env = {
      DATABASE_URL: t.url,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: standin.botToken,
      SLACK_API_URL: standin.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'info',
    };
    for (const p of processes.values()) for (const a of p.args) if (a.endsWith('.js')) expect(a.startsWith('dist/'), a).toBe(true);

    const release = runNode(processes.get('release')!.args, { ...env, ...processes.get('release')!.env });
    expect(await release.exited, release.stderr()).toBe(0);

    const web = runNode(processes.get('web')!.args, { ...env, ...processes.get('web')!.env });
    running.push(web);
    const listening = await web.waitForLog((l) => l.msg === 'Team Manager is listening', 30_000);
    const url = String(listening.url);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Production mode (NODE_ENV from the Procfile): the local Slack is not offered.
    expect(processes.get('web')!.env.NODE_ENV).toBe('production');

    const worker = runNode(processes.get('worker')!.args, { ...env, ...processes.get('worker')!.env });
    running.push(worker);
    await worker.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('Worker connected and looking for jobs'), 30_000);
    // Not tsx: the built JavaScript itself.
    expect(web.child.spawnargs.join(' ')).not.toContain('tsx');
  });
});
