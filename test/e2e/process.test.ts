import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackDriver, SlackStandin } from '../../src/standin/index.js';
import { useTestDatabase } from '../support/database.js';
import { SIGNING_SECRET } from '../support/app.js';
import { runEntryPoint } from '../support/process.js';

/** The real entry points as separate processes: what `npm start` does with bad config and with SIGTERM. */
describe('npm start', () => {
  it('in production without Slack credentials exits 1, naming the missing variables and pointing to the demo and the README', async () => {
    const proc = runEntryPoint('src/main.ts', { NODE_ENV: 'production' });
    expect(await proc.exited).toBe(1);
    const stderr = proc.stderr();
    expect(stderr).toContain('SLACK_SIGNING_SECRET: required');
    expect(stderr).toContain('SLACK_BOT_TOKEN: required');
    expect(stderr).toContain('npm run demo');
    expect(stderr).toContain('README.md');
  });

  it('with a bad value exits 1 with one line naming that variable', async () => {
    const proc = runEntryPoint('src/main.ts', { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', PORT: 'http' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr().split('\n').filter((l) => l.includes('PORT:'))).toEqual(['  PORT: expected a TCP port number (got "http")']);
  });

  it('exits 1 with a clear line when Slack refuses the bot token', async () => {
    const standin = await SlackStandin.start();
    try {
      const proc = runEntryPoint('src/main.ts', {
        SLACK_SIGNING_SECRET: 's',
        SLACK_BOT_TOKEN: 'xoxb-not-the-right-one',
        SLACK_API_URL: standin.apiUrl,
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      });
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toContain('Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    } finally {
      await standin.stop();
    }
  });

  describe('on SIGTERM', () => {
    const t = useTestDatabase();
    let standin: SlackStandin;
    beforeAll(async () => {
      standin = await SlackStandin.start();
    });
    afterAll(async () => standin?.stop());

    it('finishes the request in flight, stops the worker and the pool, and exits 0', async () => {
      const proc = runEntryPoint('src/main.ts', {
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: standin.botToken,
        SLACK_API_URL: standin.apiUrl,
        DATABASE_URL: t.url,
        PORT: '0',
        LOG_LEVEL: 'info',
      });
      const listening = await proc.waitForLog((l) => l.msg === 'Team Manager is listening');
      const driver = new SlackDriver({ appUrl: `${listening.url}/slack/events`, signingSecret: SIGNING_SECRET, standin });

      const inFlight = driver.command('U0ALICE001', '/team', 'help');
      await new Promise((r) => setTimeout(r, 5));
      proc.child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.json.text).toContain('Usage');

      expect(await proc.exited).toBe(0);
      const lines = proc.stdout();
      expect(lines).toContain('"msg":"stopping"');
      expect(lines).toContain('"msg":"Team Manager stopped"');
      await expect(fetch(`${listening.url}/healthz`)).rejects.toThrow();
    });
  });
});
