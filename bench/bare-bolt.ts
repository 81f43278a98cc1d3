/**
 * A bare Bolt app built the way src/slack/app.ts builds ours (the same ExpressReceiver on an
 * Express app, the same endpoint, processBeforeResponse, token, bot ids and Web API client
 * options), with no middleware, database or logging of ours: the base of the baseline
 * (bench/baseline.ts) and of the floors (bench/floor.ts), which differ only in their listeners.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import type { RunningServer } from './server-child.js';

export async function startBareBolt(name: string, listen: (app: App) => void): Promise<RunningServer> {
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
  listen(app);
  app.error(async (err) => {
    process.stderr.write(`${name}: ${err.stack ?? err.message}\n`);
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
}
