/**
 * Child process: the baseline, a bare Bolt app built the way src/slack/app.ts builds ours (the
 * same ExpressReceiver on an Express app, the same endpoint, processBeforeResponse, token, bot
 * ids and Web API client options) with listeners that do nothing but answer:
 *
 * - slash commands: ack, then `views.open` with one fixed modal (the round trip every
 *   completion figure is compared with);
 * - block_actions and view_submission: ack;
 * - app_home_opened: nothing (Bolt acks events itself).
 *
 * No database, no middleware, no logging of ours: what remains is Bolt, Express, signature
 * checking, body parsing and the Web API client, the floor under anything built on Bolt.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import type { ModalView } from '../src/slack/blocks/kit.js';
import { serveChild } from './server-child.js';

const FIXED_VIEW: ModalView = {
  type: 'modal',
  callback_id: 'bench.fixed',
  title: { type: 'plain_text', text: 'Baseline' },
  close: { type: 'plain_text', text: 'Close' },
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'A fixed view' } },
    { type: 'section', text: { type: 'mrkdwn', text: 'The bare Bolt app opens this view for every slash command.' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing here is read from a database.' }] },
  ],
};

serveChild(async () => {
  const env = process.env;
  const web = express();
  const receiver = new ExpressReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET!,
    app: web,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logLevel: LogLevel.WARN,
  });
  const app = new App({
    receiver,
    token: env.SLACK_BOT_TOKEN!,
    botId: env.BENCH_BOT_ID!,
    botUserId: env.BENCH_BOT_USER_ID!,
    logLevel: LogLevel.WARN,
    // As in src/slack/app.ts.
    clientOptions: {
      slackApiUrl: env.SLACK_API_URL!,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 },
      timeout: 5_000,
    },
  });
  app.command(/.*/, async ({ ack, command, client }) => {
    await ack();
    await client.views.open({ trigger_id: command.trigger_id, view: FIXED_VIEW });
  });
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  app.view(/.*/, async ({ ack }) => {
    await ack();
  });
  app.event('app_home_opened', async () => undefined);
  app.error(async (err) => {
    process.stderr.write(`baseline: ${err.stack ?? err.message}\n`);
  });

  const server = http.createServer(web);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
});
