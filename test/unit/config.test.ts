import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const valid = { SLACK_SIGNING_SECRET: 'secret-value', SLACK_BOT_TOKEN: 'xoxb-123-456-abc' };

function problems(env: Record<string, string>, options?: { requireSlack?: boolean }): string[] {
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

  it('treats empty values as unset', () => {
    expect(problems({ SLACK_SIGNING_SECRET: '  ', SLACK_BOT_TOKEN: '' })).toHaveLength(2);
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
});
