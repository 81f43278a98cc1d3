import { installTellers } from './events/tellers.js';
import { mailTeller } from './mail/teller.js';
import { slackTeller } from './notify/tellings/slack-teller.js';

/**
 * Who hears about changes in this app: Slack (channel posts, DMs, cards, App Homes) and email.
 * Every process that changes anything installs them when it starts (the server, the worker, the
 * command line); the webhooks are told by src/events/outbox.ts on their own.
 */
export function installTellings(): void {
  installTellers([slackTeller, mailTeller]);
}
