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
import type { ModalView } from '../src/slack/blocks/kit.js';
import { startBareBolt } from './bare-bolt.js';
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

serveChild(() =>
  startBareBolt('baseline', (app) => {
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
  }),
);
