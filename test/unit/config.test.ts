import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const valid = { SLACK_SIGNING_SECRET: 'secret-value', SLACK_BOT_TOKEN: 'xoxb-123-456-abc' };

function problems(env: Record<string, string>, options?: { requireSlack?: boolean; allowLocalSlack?: boolean }): string[] {
  try {
    loadConfig(env, options);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('has working defaults for everything but the Slack credentials', () => {
    const config = loadConfig(valid);
    expect(config.http.port).toBe(3000);
    expect(config.dataDir).toBe('.data');
    expect(config.database.url).toBeUndefined();
    expect(config.database.runMigrations).toBe(true);
    expect(config.worker.enabled).toBe(true);
    expect(config.slack.socketMode).toBe(false);
    expect(config.http.publicUrl).toBe('http://localhost:3000');
    expect(Object.isFrozen(config) && Object.isFrozen(config.slack)).toBe(true);
  });

  it('names each missing Slack variable on its own line', () => {
    const lines = problems({});
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^SLACK_SIGNING_SECRET: required/);
    expect(lines[1]).toMatch(/^SLACK_BOT_TOKEN: required/);
  });

  describe('distributed mode (SLACK_CLIENT_ID: many workspaces through Add to Slack)', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const oauth = {
      SLACK_SIGNING_SECRET: 'secret-value',
      SLACK_CLIENT_ID: '1234567890.1234567890',
      SLACK_CLIENT_SECRET: 'client-secret-0123456789abcdef',
      SLACK_STATE_SECRET: 'state-secret-0123456789abcdef-0123456789',
      TOKEN_ENCRYPTION_KEY: key,
    };

    it('runs without a bot token, with the OAuth settings and the 32-byte key', () => {
      const config = loadConfig(oauth);
      expect(config.slack.oauth).toMatchObject({ clientId: '1234567890.1234567890', directInstall: false });
      expect(config.slack.oauth!.tokenKey!.equals(Buffer.alloc(32, 7))).toBe(true);
      expect(config.slack.botToken).toBe('');
      expect(loadConfig(valid).slack.oauth).toBeUndefined();
    });

    it('refuses a bot token and a client id together, in one line', () => {
      const lines = problems({ ...oauth, SLACK_BOT_TOKEN: 'xoxb-123-456-abc' });
      expect(lines).toEqual([expect.stringMatching(/^SLACK_CLIENT_ID: set either SLACK_BOT_TOKEN .* not both$/)]);
    });

    it('names each missing OAuth secret, and a short encryption key, never echoing a secret', () => {
      const missing = problems({ SLACK_SIGNING_SECRET: 'secret-value', SLACK_CLIENT_ID: '1234567890.1234567890' });
      expect(missing.map((l) => l.split(':')[0])).toEqual(['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'TOKEN_ENCRYPTION_KEY']);
      const short = problems({ ...oauth, TOKEN_ENCRYPTION_KEY: 'too-short-a-key' });
      expect(short).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: expected 32 random bytes/)]);
      expect(short.join('\n')).not.toContain('too-short-a-key');
      expect(problems({ ...oauth, SLACK_STATE_SECRET: 'short' })[0]).toMatch(/^SLACK_STATE_SECRET: expected at least 32/);
    });
  });

  it('treats empty values as unset', () => {
    expect(problems({ SLACK_SIGNING_SECRET: '  ', SLACK_BOT_TOKEN: '' })).toHaveLength(2);
  });

  it('the API rate limit comes from the environment (defaults: bursts of 100, then 10 a second)', () => {
    expect(loadConfig(valid).api.rateLimit).toEqual({ burst: 100, perSecond: 10, shared: true });
    expect(loadConfig({ ...valid, API_RATE_LIMIT_BURST: '5', API_RATE_LIMIT_PER_SECOND: '0.5', API_RATE_LIMIT_SHARED: 'false' }).api.rateLimit).toEqual({ burst: 5, perSecond: 0.5, shared: false });
    expect(problems({ ...valid, API_RATE_LIMIT_BURST: '0', API_RATE_LIMIT_PER_SECOND: '0' }).map((l) => l.split(':')[0])).toEqual(['API_RATE_LIMIT_BURST', 'API_RATE_LIMIT_PER_SECOND']);
  });

  it('names the variable and what is expected for each bad value, all at once', () => {
    const lines = problems({ ...valid, PORT: 'eighty', LOG_LEVEL: 'loud', PUBLIC_URL: 'not a url', RUN_WORKER: 'maybe' });
    expect(lines).toEqual([
      'PORT: expected a TCP port number (got "eighty")',
      'PUBLIC_URL: expected the public base URL of this app, e.g. https://team.example.com (got "not a url")',
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'RUN_WORKER: expected true or false (got "maybe")',
    ]);
  });

  it('never repeats a secret value in a message', () => {
    const lines = problems({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxp-user-token-secret', DATABASE_URL: 'mysql://u:pw@h/db' });
    expect(lines.join('\n')).toMatch(/SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/);
    expect(lines.join('\n')).toMatch(/DATABASE_URL: expected a postgres:\/\/ connection URL/);
    expect(lines.join('\n')).not.toContain('xoxp-user-token-secret');
    expect(lines.join('\n')).not.toContain('pw@h');
  });

  it('switches to Socket Mode with an app token, where no signing secret is needed', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-abc' });
    expect(config.slack.socketMode).toBe(true);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-wrong' })).toEqual([
      'SLACK_APP_TOKEN: expected an app-level token starting with xapp- (Socket Mode)',
    ]);
  });

  it('lets the admin command line run without Slack credentials', () => {
    expect(problems({}, { requireSlack: false })).toEqual([]);
  });

  it('checks the team channel id and the port range', () => {
    expect(problems({ ...valid, SLACK_TEAM_CHANNEL: '#general' })[0]).toMatch(/^SLACK_TEAM_CHANNEL: expected a Slack channel id/);
    expect(problems({ ...valid, PORT: '70000' })[0]).toMatch(/^PORT: expected a TCP port number between 0 and 65535/);
  });

  describe('local mode (npm start with nothing of Slack set, outside production)', () => {
    it('is the mode when the entry point offers it and no Slack variable is set', () => {
      expect(loadConfig({}, { allowLocalSlack: true }).slack.local).toBe(true);
      expect(loadConfig({ NODE_ENV: 'development', SLACK_APP_TOKEN: '' }, { allowLocalSlack: true }).slack.local).toBe(true);
      expect(loadConfig(valid, { allowLocalSlack: true }).slack.local).toBe(false);
    });

    it('is never the mode in production, or with any Slack variable, or where the entry point does not offer it', () => {
      expect(problems({ NODE_ENV: 'production' }, { allowLocalSlack: true })).toHaveLength(2);
      expect(problems({ SLACK_SIGNING_SECRET: 'secret-value' }, { allowLocalSlack: true })[0]).toMatch(/^SLACK_BOT_TOKEN: required/);
      expect(problems({})).toHaveLength(2);
    });
  });
});
