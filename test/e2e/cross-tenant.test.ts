import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/api/api-keys.js';
import type { TeamManager } from '../../src/app.js';
import { ACCEPT_INVITATION_ACTION } from '../../src/slack/blocks/invitation-dm.js';
import { INVITE_BLOCKS, INVITE_MODAL_CALLBACK_ID } from '../../src/slack/blocks/invite-modal.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { REMOVE_BLOCKS, REMOVE_MODAL_CALLBACK_ID, removeMetadata } from '../../src/slack/blocks/remove-modal.js';
import { SETTINGS_CALLBACK_ID, SETTINGS_INPUTS } from '../../src/slack/blocks/settings-modal.js';
import { SlackDriver, SlackStandin, type SlackHttpResult } from '../../src/standin/index.js';
import { commandForm, payloadForm, sendForm } from '../reliability/support/attack-kit.js';
import { startDistributedApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';
import { installThroughBrowser } from '../support/oauth-install.js';

/**
 * Two workspaces installed in one distributed deployment, with the same Slack user ids and the
 * same emails, each running the same capabilities side by side: settings, invite, accept in
 * Slack, role change, removal with another owner's approval, activity, audit, the REST API.
 * Each tenant's words are marked ("from Acme" / "from Second"): no answer, post, DM, email or
 * API response of one names anything of the other, and every Web API call made for a tenant
 * carries that tenant's token.
 */
describe('zero cross-tenant reads (distributed mode)', () => {
  const t = useTestDatabase();
  const logs = captureLogs();
  let standin: SlackStandin;
  let app: TeamManager;
  let driver: SlackDriver;
  let dataDir: string;
  const tenants = [
    { team: 'T0TEAM0001', name: 'Acme', channel: 'C0TEAM0001' },
    { team: 'T0SECOND01', name: 'Second', channel: 'C0SECOND01' },
  ] as const;
  const other = (name: string) => (name === 'Acme' ? 'Second' : 'Acme');
  /** Every answer the app gave over HTTP, by tenant. */
  const answers: Record<string, string[]> = { Acme: [], Second: [] };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tm-tenants-'));
    standin = await SlackStandin.start({ workspaces: [{ teamId: 'T0SECOND01', teamName: 'Second', channels: ['C0SECOND01'] }], postMessageIntervalMs: 0 });
    ({ app, driver } = await startDistributedApp({ databaseUrl: t.url, standin, log: logs.log, env: { DATA_DIR: dataDir, LOG_LEVEL: 'info' } }));
  });
  afterAll(async () => {
    await app?.stop();
    await standin?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const remember = (name: string, res: SlackHttpResult) => {
    expect(res.status).toBe(200);
    answers[name]!.push(res.text);
    return res;
  };
  const command = async (tenant: (typeof tenants)[number], user: string, text: string) => {
    const { fields } = driver.commandFields(user, '/team', text);
    return remember(tenant.name, await sendForm(driver, commandForm(fields, tenant.team)));
  };
  const submit = async (tenant: (typeof tenants)[number], user: string, view: { callback_id: string; private_metadata?: string; values: Record<string, Record<string, unknown>> }) => {
    const { payload } = driver.viewSubmissionPayload(user, view);
    return remember(tenant.name, await sendForm(driver, payloadForm(payload, tenant.team)));
  };
  const click = async (tenant: (typeof tenants)[number], user: string, actionId: string, value: string, channelId: string) => {
    const { payload, responseUrlId } = driver.blockActionsPayload(user, [{ action_id: actionId, value }], { message: { ts: '1700000000.000100', text: 'x', blocks: [] }, channelId });
    remember(tenant.name, await sendForm(driver, payloadForm(payload, tenant.team)));
    const post = await standin.waitForResponseUrlPost(responseUrlId, 10_000);
    answers[tenant.name]!.push(JSON.stringify(post.body));
  };
  const orgOf = (team: string) => t.db.selectFrom('organizations').selectAll().where('slack_team_id', '=', team).executeTakeFirstOrThrow();
  const memberOf = async (team: string, email: string) => {
    const org = await orgOf(team);
    return t.db.selectFrom('members').selectAll().where('organization_id', '=', org.id).where('email', '=', email).executeTakeFirstOrThrow();
  };

  it('runs every capability in both workspaces; nothing of one reaches the other', async () => {
    for (const tenant of tenants) expect((await installThroughBrowser(app.url, tenant.team)).status).toBeLessThan(400);

    for (const tenant of tenants) {
      const mark = `from ${tenant.name}`;
      await submit(tenant, 'U0ALICE001', { callback_id: SETTINGS_CALLBACK_ID, values: { [SETTINGS_INPUTS.team_channel_id.blockId]: { [SETTINGS_INPUTS.team_channel_id.actionId]: { type: 'conversations_select', selected_conversation: tenant.channel } } } });
      await submit(tenant, 'U0ALICE001', {
        callback_id: INVITE_MODAL_CALLBACK_ID,
        values: {
          [INVITE_BLOCKS.addresses]: { addresses: { type: 'plain_text_input', value: 'bob@acme.test carol@acme.test' } },
          [INVITE_BLOCKS.role]: { role: { type: 'radio_buttons', selected_option: { value: 'member', text: { type: 'plain_text', text: 'Member' } } } },
          [INVITE_BLOCKS.message]: { message: { type: 'plain_text_input', value: `Hello ${mark}` } },
        },
      });
      const org = await orgOf(tenant.team);
      const invitations = await t.db.selectFrom('invitations').selectAll().where('organization_id', '=', org.id).orderBy('email').execute();
      expect(invitations.map((i) => i.email)).toEqual(['bob@acme.test', 'carol@acme.test']);
      await click(tenant, 'U0BOB00001', ACCEPT_INVITATION_ACTION, invitations[0]!.id, 'D0BOB00001');
      await click(tenant, 'U0CAROL001', ACCEPT_INVITATION_ACTION, invitations[1]!.id, 'D0CAROL001');
      await command(tenant, 'U0ALICE001', 'role <@U0BOB00001> owner');
      const carol = await memberOf(tenant.team, 'carol@acme.test');
      await submit(tenant, 'U0ALICE001', { callback_id: REMOVE_MODAL_CALLBACK_ID, private_metadata: removeMetadata(carol.id), values: { [REMOVE_BLOCKS.reason]: { reason: { type: 'plain_text_input', value: `Reason ${mark}` } } } });
      const request = await t.db.selectFrom('removal_requests').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
      await click(tenant, 'U0BOB00001', REMOVAL_ACTIONS.approve, request.id, tenant.channel);
      expect(JSON.stringify((await command(tenant, 'U0ALICE001', 'activity <@U0BOB00001>')).json)).toContain('Role history');
      await command(tenant, 'U0ALICE001', 'audit');
      await command(tenant, 'U0ALICE001', 'list');
    }

    // Each tenant's own state, separately: carol removed in both, bob owner in both.
    for (const tenant of tenants) {
      expect((await memberOf(tenant.team, 'carol@acme.test')).status).toBe('removed');
      expect((await memberOf(tenant.team, 'bob@acme.test')).role).toBe('owner');
    }

    // The REST API, each with its own key: only its own members, by id.
    for (const tenant of tenants) {
      const org = await orgOf(tenant.team);
      const { key } = await createApiKey(t.db, { organizationId: org.id, name: 'product', scope: 'read', actor: { type: 'cli', id: 'test' }, source: 'cli' });
      const res = await fetch(`${app.url}/api/v1/members`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ id: string }> };
      const own = await t.db.selectFrom('members').select('id').where('organization_id', '=', org.id).where('status', '=', 'active').execute();
      expect(body.data.map((m) => m.id).sort()).toEqual(own.map((m) => m.id).sort());
      answers[tenant.name]!.push(JSON.stringify(body));
    }

    // Let the worker deliver every DM, post and email.
    await expect.poll(async () => Number((await t.pool.query('select count(*) as n from graphile_worker._private_jobs')).rows[0].n), { timeout: 30_000, interval: 200 }).toBe(0);

    const idsOf = async (team: string) => {
      const org = await orgOf(team);
      const members = await t.db.selectFrom('members').select('id').where('organization_id', '=', org.id).execute();
      return [org.id, ...members.map((m) => m.id)];
    };
    for (const tenant of tenants) {
      const foreign = [`from ${other(tenant.name)}`, `${other(tenant.name)} team`, `${other(tenant.name)}'s team`, ...(await idsOf(tenants.find((x) => x.name === other(tenant.name))!.team))];
      const said = answers[tenant.name]!.join('\n');
      for (const word of foreign) expect(said, `an answer in ${tenant.name} names ${word}`).not.toContain(word);
      expect(said).toContain(`${tenant.name}`);

      // Every Web API call made with this tenant's token names nothing of the other.
      const token = [...standin.oauth.tokens.values()].find((i) => i.workspace.teamId === tenant.team)!.token;
      const calls = standin.calls.filter((c) => c.token === token);
      expect(calls.filter((c) => c.method === 'chat.postMessage').length).toBeGreaterThan(3);
      for (const call of calls) {
        const args = JSON.stringify(call.args);
        for (const word of foreign) expect(args, `${call.method} for ${tenant.name} names ${word}`).not.toContain(word);
      }
      // A post that names this tenant's words was made with this tenant's token.
      const marked = standin.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(`from ${tenant.name}`));
      expect(marked.length).toBeGreaterThan(0);
      expect(marked.every((c) => c.token === token)).toBe(true);
    }
    // Each workspace's channel posts went to its own channel, and a token never reached the other's.
    expect(standin.calls.filter((c) => c.response.error === 'channel_not_found').map((c) => `${c.method} ${String(c.args.channel)} ${c.token}`)).toEqual([]);
    for (const tenant of tenants) {
      const token = [...standin.oauth.tokens.values()].find((i) => i.workspace.teamId === tenant.team)!.token;
      const channels = new Set(standin.calls.filter((c) => c.token === token && /^C/.test(String(c.args.channel ?? ''))).map((c) => c.args.channel));
      expect([...channels]).toEqual([tenant.channel]);
    }
    // As in Slack, a workspace's token cannot reach another workspace's channel.
    const acmeToken = [...standin.oauth.tokens.values()].find((i) => i.workspace.teamId === 'T0TEAM0001')!.token;
    const crossed = await new WebClient(acmeToken, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } }).chat.postMessage({ channel: 'C0SECOND01', text: 'x' }).catch((err: { data?: { error?: string } }) => err.data?.error);
    expect(crossed).toBe('channel_not_found');
    // No call at all was made with a token that was not an installation's.
    expect(standin.calls.filter((c) => c.token && !standin.oauth.tokens.has(c.token)).map((c) => c.method)).toEqual([]);

    // Emails: each names one team, with its own message.
    const mailDir = path.join(dataDir, 'mail');
    // The emails are the worker's: on a loaded machine the last one may still be on its way.
    await expect.poll(async () => (await readdir(mailDir).catch(() => [])).length, { timeout: 15_000 }).toBe(4);
    const emails = await Promise.all((await readdir(mailDir)).map((f) => readFile(path.join(mailDir, f), 'utf8')));
    expect(emails).toHaveLength(4);
    for (const email of emails) {
      const from = email.includes('Hello from Acme') ? 'Acme' : 'Second';
      expect(email).toContain(`Hello from ${from}`);
      expect(email).not.toContain(`from ${other(from)}`);
    }
  }, 90_000);
});
