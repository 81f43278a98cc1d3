import type { Config } from '../config.js';
import type { WebhookDeps } from './endpoints.js';
import { secretBox } from './signing.js';
import { systemResolver } from './ssrf.js';

/** The webhook parts the configuration decides: the key that seals secrets, and whether production's URL rules apply. */
export function webhookDepsOf(config: Readonly<Config>): Omit<WebhookDeps, 'db'> {
  return { box: secretBox(config.webhooks.secretKey), urls: { production: config.webhooks.production, resolve: systemResolver } };
}
