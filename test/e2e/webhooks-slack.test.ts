import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/db/schema.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { secretBox } from '../../src/webhooks/signing.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { validateBlocks, validateView } from '../../src/standin/index.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedMember } from '../support/seed.js';

/** `/team webhooks` through signed requests into the real app: owners see and change endpoints; members are refused. */
describe('/team webhooks', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let endpointId: string;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    const alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
    ({ endpoint: { id: endpointId } } = await createEndpoint(
      { db: t.db, box: secretBox(undefined), urls: { production: false, resolve: async () => [{ address: '127.0.0.1', family: 4 }] } },
      { organizationId: org.id, actor: { kind: 'member', memberId: alice.id }, source: 'api', endpoint: { url: 'http://localhost:9/hook', event_types: ['member.removed'], description: 'the product' } },
    ));
  });
  afterAll(async () => h?.stop());

  const click = (userId: string, actionId: string, value: string, message: { text?: unknown; blocks?: unknown }) =>
    h.driver.blockActions(userId, [{ action_id: actionId, value }], { message: { ts: '1.1', ...message }, channelId: 'C0GENERAL1' });

  it('lists endpoints for owners with Pause / Rotate / Delete, refuses members, and the buttons act from the database', async () => {
    const member = await h.driver.command('U0CAROL001', '/team', 'webhooks');
    expect(JSON.stringify(member.json)).toContain('Only owners');
    const list = await h.driver.command('U0ALICE001', '/team', 'webhooks');
    const text = JSON.stringify(list.json.blocks);
    expect(text).toContain('http://localhost:9/hook');
    expect(text).toContain('active');
    expect(validateBlocks(list.json.blocks, 'message')).toEqual([]);

    // A member's forged click changes nothing.
    const answer = async (clicked: { responseUrlId: string }) => JSON.stringify((await h.standin.waitForResponseUrlPost(clicked.responseUrlId)).body);
    const forged = await click('U0CAROL001', 'webhook.pause', endpointId, { text: list.json.text, blocks: list.json.blocks });
    expect(await answer(forged)).toContain('Only owners');
    expect((await t.db.selectFrom('webhook_endpoints').select('status').executeTakeFirstOrThrow()).status).toBe('active');
    const paused = await click('U0ALICE001', 'webhook.pause', endpointId, { text: list.json.text, blocks: list.json.blocks });
    expect(await answer(paused)).toContain('Paused');
    expect((await t.db.selectFrom('webhook_endpoints').select('status').executeTakeFirstOrThrow()).status).toBe('paused');
    const rotated = await click('U0ALICE001', 'webhook.rotate', endpointId, { text: list.json.text, blocks: list.json.blocks });
    expect(await answer(rotated)).toMatch(/whsec_[A-Za-z0-9+/=]{40,}/);
    expect(await answer(await click('U0ALICE001', 'webhook.delete', endpointId, { text: list.json.text, blocks: list.json.blocks }))).toContain('Deleted the endpoint');
    expect(await t.db.selectFrom('webhook_endpoints').select('id').execute()).toEqual([]);
    expect((await auditActions(t.db, org.id)).filter((a) => a.startsWith('webhook.'))).toEqual(['webhook.endpoint_created', 'webhook.endpoint_updated', 'webhook.secret_rotated', 'webhook.endpoint_deleted']);
  });

  it('Add endpoint opens a dialog; a refused URL shows under its input; saving shows the secret once', async () => {
    const list = await h.driver.command('U0ALICE001', '/team', 'webhooks');
    const from = h.standin.calls.length;
    await h.driver.blockActions('U0ALICE001', [{ action_id: 'webhook.add', value: 'add' }], { message: { ts: '1.1', text: list.json.text, blocks: list.json.blocks }, channelId: 'C0GENERAL1' });
    const opened = await h.standin.waitForCall('views.open', (c) => h.standin.calls.indexOf(c) >= from);
    expect(validateView(opened.args.view, 'modal')).toEqual([]);
    const values = (url: string, events: string[]) => ({
      'webhook.add.url': { value: { type: 'url_text_input', value: url } },
      'webhook.add.events': { value: { type: 'multi_static_select', selected_options: events.map((e) => ({ text: { type: 'plain_text', text: e }, value: e })) } },
      'webhook.add.description': { value: { type: 'plain_text_input', value: 'from Slack' } },
    });
    const bad = await h.driver.viewSubmission('U0ALICE001', { callback_id: 'webhook.add_modal', values: values('http://example.com/h', ['member.removed']) } as never);
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { 'webhook.add.url': expect.stringContaining('https') } });
    const member = await h.driver.viewSubmission('U0CAROL001', { callback_id: 'webhook.add_modal', values: values('http://localhost:9/h', ['member.removed']) } as never);
    expect(JSON.stringify(member.json)).toContain('Only owners');
    const ok = await h.driver.viewSubmission('U0ALICE001', { callback_id: 'webhook.add_modal', values: values('http://localhost:9/slack-added', ['member.removed', 'member.left']) } as never);
    expect(ok.json.response_action).toBe('update');
    expect(JSON.stringify(ok.json.view)).toMatch(/whsec_[A-Za-z0-9+/=]{40,}/);
    expect(validateView(ok.json.view, 'modal')).toEqual([]);
    const saved = await t.db.selectFrom('webhook_endpoints').selectAll().where('url', '=', 'http://localhost:9/slack-added').executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ event_types: ['member.removed', 'member.left'], description: 'from Slack', status: 'active' });
  });

  it('Edit opens the form filled in and saves; Redeliver queues the events again with their ids; members cannot open either', async () => {
    const deps = { db: t.db, box: secretBox(undefined), urls: { production: false, resolve: async () => [{ address: '127.0.0.1' as const, family: 4 as const }] } };
    const alice = await t.db.selectFrom('members').select('id').where('organization_id', '=', org.id).where('email', '=', 'alice@acme.test').executeTakeFirstOrThrow();
    const { endpoint } = await createEndpoint(deps as never, {
      organizationId: org.id, actor: { kind: 'member', memberId: alice.id }, source: 'api',
      endpoint: { url: 'http://localhost:9/edit-me', event_types: ['member.role_changed'], description: 'before' },
    });
    // A real change, through Slack, so the endpoint has one delivery (the worker is off: it waits).
    const promoted = await h.driver.command('U0ALICE001', '/team', 'role carol@acme.test owner');
    expect(JSON.stringify(promoted.json)).toContain('Owner');
    const deliveries = () => t.db.selectFrom('webhook_deliveries').select(['event_id', 'event_type', 'seq']).where('endpoint_id', '=', endpoint.id).orderBy('seq').execute();
    const [original] = await deliveries();
    expect(original).toMatchObject({ event_type: 'member.role_changed' });

    const list = await h.driver.command('U0ALICE001', '/team', 'webhooks');
    const open = async (userId: string, actionId: string) => {
      const from = h.standin.calls.length;
      const clicked = await h.driver.blockActions(userId, [{ action_id: actionId, value: endpoint.id }], { message: { ts: '1.1', text: list.json.text, blocks: list.json.blocks }, channelId: 'C0GENERAL1' });
      return { from, clicked };
    };
    // Carol is an owner now; demote her back first so a member's click is tested.
    await h.driver.command('U0ALICE001', '/team', 'role carol@acme.test member');
    const forged = await open('U0CAROL001', 'webhook.edit');
    expect(JSON.stringify((await h.standin.waitForResponseUrlPost(forged.clicked.responseUrlId)).body)).toContain('Only owners');
    expect(h.standin.calls.slice(forged.from).some((c) => c.method === 'views.open')).toBe(false);

    const edit = await open('U0ALICE001', 'webhook.edit');
    const editView = (await h.standin.waitForCall('views.open', (c) => h.standin.calls.indexOf(c) >= edit.from)).args.view as { private_metadata: string; blocks: unknown[] };
    expect(validateView(editView, 'modal')).toEqual([]);
    expect(editView.private_metadata).toBe(endpoint.id);
    expect(JSON.stringify(editView.blocks)).toContain('http://localhost:9/edit-me');
    const form = (url: string) => ({
      'webhook.add.url': { value: { type: 'url_text_input', value: url } },
      'webhook.add.events': { value: { type: 'multi_static_select', selected_options: ['member.role_changed', 'member.removed'].map((e) => ({ text: { type: 'plain_text', text: e }, value: e })) } },
      'webhook.add.description': { value: { type: 'plain_text_input', value: 'after' } },
    });
    const badUrl = await h.driver.viewSubmission('U0ALICE001', { callback_id: 'webhook.edit_modal', private_metadata: endpoint.id, values: form('ftp://x') } as never);
    expect(badUrl.json).toMatchObject({ response_action: 'errors', errors: { 'webhook.add.url': expect.any(String) } });
    const byMember = await h.driver.viewSubmission('U0CAROL001', { callback_id: 'webhook.edit_modal', private_metadata: endpoint.id, values: form('http://localhost:9/edited') } as never);
    expect(JSON.stringify(byMember.json)).toContain('Only owners');
    const saved = await h.driver.viewSubmission('U0ALICE001', { callback_id: 'webhook.edit_modal', private_metadata: endpoint.id, values: form('http://localhost:9/edited') } as never);
    expect(saved.json.response_action).toBe('update');
    expect(validateView(saved.json.view, 'modal')).toEqual([]);
    expect(await t.db.selectFrom('webhook_endpoints').select(['url', 'event_types', 'description']).where('id', '=', endpoint.id).executeTakeFirstOrThrow())
      .toEqual({ url: 'http://localhost:9/edited', event_types: ['member.role_changed', 'member.removed'], description: 'after' });

    const again = await open('U0ALICE001', 'webhook.redeliver');
    const redeliverView = (await h.standin.waitForCall('views.open', (c) => h.standin.calls.indexOf(c) >= again.from)).args.view;
    expect(validateView(redeliverView, 'modal')).toEqual([]);
    const pick = (since?: string, eventId?: string) => ({
      'webhook.redeliver.since': { value: { type: 'static_select', selected_option: since ? { text: { type: 'plain_text', text: since }, value: since } : null } },
      'webhook.redeliver.event': { value: { type: 'plain_text_input', value: eventId ?? null } },
    });
    const submit = (values: object, userId = 'U0ALICE001') => h.driver.viewSubmission(userId, { callback_id: 'webhook.redeliver_modal', private_metadata: endpoint.id, values } as never);
    expect((await submit(pick())).json).toMatchObject({ response_action: 'errors', errors: { 'webhook.redeliver.since': expect.stringContaining('Choose') } });
    expect((await submit(pick('1h', original!.event_id))).json).toMatchObject({ response_action: 'errors', errors: { 'webhook.redeliver.event': expect.stringContaining('not both') } });
    expect((await submit(pick(undefined, 'evt_nope'))).json).toMatchObject({ response_action: 'errors', errors: { 'webhook.redeliver.event': expect.stringContaining('No delivery') } });
    expect(JSON.stringify((await submit(pick(undefined, original!.event_id), 'U0CAROL001')).json)).toContain('Only owners');
    const one = await submit(pick(undefined, original!.event_id));
    expect(JSON.stringify(one.json.view)).toContain('Queued 1 event again');
    const since = await submit(pick('1h'));
    // The promotion and the demotion: two events in the last hour (a redelivered copy is the same event, not a third).
    expect(JSON.stringify(since.json.view)).toContain('Queued 2 events again');
    const after = await deliveries();
    expect(after.filter((d) => d.event_id === original!.event_id)).toHaveLength(3);
    expect(after).toHaveLength(5);
    expect(after.map((d) => Number(d.seq))).toEqual([...after.map((d) => Number(d.seq))].sort((a, b) => a - b));
    expect((await auditActions(t.db, org.id)).filter((a) => a === 'webhook.redelivery_requested')).toHaveLength(2);
  });
});
