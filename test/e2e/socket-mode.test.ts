import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandin } from '../../src/standin/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';

/**
 * The real app (startTeamManager) in Socket Mode: it opens a connection to the stand-in
 * with its app-level token, and `/team` arrives as a `slash_commands` envelope over the
 * WebSocket and is answered in the ack, as with Slack.
 */
describe('/team over Socket Mode', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  let h: TestApp | undefined;

  /**
   * startTeamManager only resolves once the socket said hello, so an app that asks
   * somewhere else than the stand-in for its connection would just hang: fail fast instead,
   * saying why.
   */
  async function startInSocketMode(): Promise<TestApp> {
    const starting = startTestApp({ databaseUrl: t.url, standin, env: { SLACK_APP_TOKEN: standin.appToken } });
    const connected = standin
      .waitForCall('apps.connections.open', (c) => c.token === standin.appToken, 15_000)
      .catch((err: unknown) => {
        throw new Error(
          'The app started in Socket Mode but never called apps.connections.open on the stand-in within 15 s, so it ' +
          'cannot connect: its Socket Mode client must be sending that call somewhere else (https://slack.com/api/ ' +
          'when SLACK_API_URL is not passed to the SocketModeReceiver), or with another token.\n' +
          (err instanceof Error ? err.message : String(err)),
        );
      });
    await Promise.race([starting, connected.then(() => starting)]);
    return starting;
  }

  beforeAll(async () => {
    standin = await SlackStandin.start();
    h = await startInSocketMode();
  });
  afterAll(async () => {
    await h?.stop();
    await standin?.stop();
  });

  const app = () => {
    if (!h) throw new Error('the app did not start');
    return h;
  };

  it('opened a Socket Mode connection with the app-level token, and uses the bot token for everything else', async () => {
    const opens = standin.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]!.token).toBe(standin.appToken);
    expect(standin.calls.filter((c) => c.method !== 'apps.connections.open').every((c) => c.token === standin.botToken)).toBe(true);

    expect(standin.socket.openConnections).toHaveLength(1);
    const [hello] = standin.socket.frames;
    expect(hello).toMatchObject({ direction: 'to_app', data: { type: 'hello', connection_info: { app_id: standin.appId } } });
    expect(app().logs.text()).not.toContain(standin.appToken);
  });

  it('answers /team help in the ack, only to the person who typed it', async () => {
    const ack = await app().driver.socketCommand('U0ALICE001', '/team', 'help');
    expect(ack.payload?.response_type).toBe('ephemeral');
    expect(ack.payload?.text).toContain('Usage: /team <subcommand>');
    const blocksText = JSON.stringify(ack.payload?.blocks);
    expect(blocksText).toContain('/team help');
    expect(blocksText).not.toContain('Unknown subcommand');
    // Answered in the ack: nothing went to the response URL or to chat.postEphemeral.
    expect(standin.responseUrlPosts.filter((p) => p.id === ack.responseUrlId)).toEqual([]);
    expect(standin.callsTo('chat.postEphemeral')).toEqual([]);
  });

  it('names an unknown subcommand and adds the usage', async () => {
    const ack = await app().driver.socketCommand('U0BOB00001', '/team', 'frobnicate now');
    expect(ack.payload?.response_type).toBe('ephemeral');
    expect(ack.payload?.text).toContain('Unknown subcommand `frobnicate`');
    expect(ack.payload?.text).toContain('Usage: /team <subcommand>');
  });

  it('still serves its web routes over HTTP, but not /slack/events', async () => {
    const health = await fetch(`${app().app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    // Even a correctly signed request: in Socket Mode Slack's traffic comes over the socket only.
    const res = await app().driver.command('U0ALICE001', '/team', 'help');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('Usage');
  });

  it('closes the socket when the app stops, and does not reconnect', async () => {
    const opened = standin.socket.connections.length;
    await app().stop();
    await standin.socket.waitForAllClosed(5_000);
    const last = standin.socket.connections.at(-1)!;
    expect(last.closeCode).toBe(1000);
    expect(standin.socket.connections).toHaveLength(opened);
    expect(standin.callsTo('apps.connections.open')).toHaveLength(1);
    await expect(standin.socket.send('slash_commands', { command: '/team', text: 'help' }, { timeoutMs: 200 }))
      .rejects.toThrow(/no app connected over Socket Mode/);
  });
});
