import { createApiKey } from '../../api/api-keys.js';
import type { Scene } from '../scene.js';

/**
 * The product whose team this is talks to Team Manager over the REST API: it reports Bob's
 * sign-in and a configuration change, asks who Bob is, and learns that Dave (removed in the
 * previous scene) is gone. Then Alice looks at Bob's activity in Slack.
 */
export const apiScene: Scene = {
  title: 'The product reports a sign-in over the API; Alice looks at Bob’s activity',
  async run({ driver, narrator, db, organizationId, appUrl }) {
    narrator.operator('npm run cli -- api-keys create product --read-write');
    // The same service the command line calls; the key is shown once.
    const { key, apiKey } = await createApiKey(db, { organizationId, name: 'product', scope: 'read-write', actor: { type: 'cli', id: 'demo' }, source: 'cli' });
    narrator.note(`a key starting ${apiKey.prefix}… is printed once; only its hash is stored`);

    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${appUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      narrator.http(`${method} ${path}`, res.status, await res.text());
    };
    const signIn = { type: 'sign_in', email: 'bob@acme.test', occurred_at: new Date(Date.now() - 60_000).toISOString(), summary: 'Signed in from Firefox' };
    await call('POST', '/api/v1/events', signIn, { 'idempotency-key': 'signin-bob-1' });
    narrator.note('the product retries the same request (same Idempotency-Key): accepted, not stored twice');
    await call('POST', '/api/v1/events', signIn, { 'idempotency-key': 'signin-bob-1' });
    await call(
      'POST',
      '/api/v1/events',
      { type: 'config_change', email: 'bob@acme.test', occurred_at: new Date().toISOString(), summary: 'Turned on two-factor sign-in for the billing project' },
      { 'idempotency-key': 'config-bob-1' },
    );
    await call('GET', '/api/v1/members/bob@acme.test');
    narrator.note('Dave was removed in the previous scene: the product asks, and he is gone');
    await call('GET', '/api/v1/members/dave@acme.test');

    narrator.typed('U0ALICE001', '/team', 'activity @bob');
    narrator.showEphemeral((await driver.command('U0ALICE001', '/team', 'activity <@U0BOB00001|bob>')).json);
  },
};
