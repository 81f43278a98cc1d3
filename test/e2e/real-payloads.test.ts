import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import type { SlackHttpResult, StoredMessage } from '../../src/standin/index.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { NOT_A_MEMBER_MESSAGE } from '../../src/team/policy.js';
import { requestRemoval } from '../../src/team/removals.js';
import { FOREIGN_WORKSPACE_MESSAGE } from '../../src/slack/tenancy.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

/**
 * Real Slack payloads in. Our other tests send what our own driver builds, so they prove the app
 * handles what we think Slack sends; these send what Slack sent: payloads from Slack's SDK test
 * suites (bolt-python, python-slack-sdk, bolt-js), from bug reports that quote real requests, and
 * captures from real workspaces, kept in test/fixtures/slack-payloads/ with where each came from
 * (`source`) and what was adapted to this test workspace (`changed`: team, user and channel ids,
 * the app's action and callback ids, and the live response_url / trigger_id / view the stand-in
 * minted, filled in below).
 *
 * Each is signed as Slack signs it (v0 HMAC of the raw body; interactivity as form-encoded
 * `payload=`, slash commands as form fields, events as JSON) and posted over HTTP into the real
 * app (real PostgreSQL, the Slack stand-in behind the Web API). Each must get its correct answer
 * within Slack's 3 seconds: the status and body, and what it changed in the database and in Slack.
 *
 * The workspace (T0TEAM0001, "Acme"): alice and carol owners; bob, erin, frank and gina members
 * (erin, frank and gina are not Slack users of the stand-in, linked by id where it matters);
 * dave is in the workspace but not on the team.
 */

type Fixture = { name: string; source: string; changed: string[]; payload?: any; form?: Record<string, string> };
const fixtures = (file: string): Fixture[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/slack-payloads/${file}`, import.meta.url), 'utf8')) as Fixture[];
const fixture = (file: string, name: string): Fixture => {
  const found = fixtures(file).find((f) => f.name.startsWith(name));
  if (!found) throw new Error(`no fixture "${name}" in ${file}`);
  expect(found.source.length, `${file}: "${found.name}" says where it came from`).toBeGreaterThan(10);
  return structuredClone(found);
};

const FORM = 'application/x-www-form-urlencoded';
/** Slack's deadline for an answer (Bolt answers 404 itself after 3001 ms). */
const SLACK_DEADLINE_MS = 3_000;

describe('real Slack payloads into the real app', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  const people = {} as Record<'alice' | 'carol' | 'bob' | 'erin' | 'frank' | 'gina', Member>;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    people.alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    people.carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { slackUserId: 'U0CAROL001' });
    people.bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001' });
    people.erin = await seedMember(t.db, org, 'erin@acme.test', 'member', { slackUserId: 'U0ERIN0001', displayName: 'Erin' });
    people.frank = await seedMember(t.db, org, 'frank@example.org', 'member', { displayName: 'Frank' });
    people.gina = await seedMember(t.db, org, 'gina@example.org', 'member', { displayName: 'Gina' });
  });
  afterAll(async () => h?.stop());

  // -------------------------------------------------------------------------
  // Sending, as Slack does

  /** Every answer must come within Slack's deadline, with a status Slack accepts. */
  function inTime(res: SlackHttpResult, status = 200): SlackHttpResult {
    expect(res.status, res.text).toBe(status);
    expect(res.ms).toBeLessThan(SLACK_DEADLINE_MS);
    return res;
  }
  const sendForm = async (fields: Record<string, string>) => inTime(await h.driver.send(new URLSearchParams(fields).toString(), { contentType: FORM }));
  const sendInteraction = async (payload: unknown) =>
    inTime(await h.driver.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { contentType: FORM }));
  const sendEvent = async (payload: unknown) => inTime(await h.driver.send(JSON.stringify(payload), { contentType: 'application/json' }));

  /** The live response_url and trigger_id a payload must carry to be answerable through the stand-in. */
  function live<T extends { response_url?: string; trigger_id?: string }>(p: T): T & { responseUrlId: string } {
    const { id, url } = h.standin.newResponseUrl();
    if ('response_url' in p) p.response_url = url;
    if ('trigger_id' in p) p.trigger_id = h.standin.newTriggerId();
    return Object.assign(p, { responseUrlId: id });
  }
  const liveForm = (form: Record<string, string>) => {
    const { id, url } = h.standin.newResponseUrl();
    return { fields: { ...form, response_url: url, trigger_id: h.standin.newTriggerId() }, responseUrlId: id };
  };
  const withoutExtras = <T extends { responseUrlId?: string }>({ responseUrlId: _id, ...p }: T) => p;

  const member = (id: string) => t.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const organizationOf = (slackTeamId: string) => findOrganizationBySlackTeam(t.db, slackTeamId);
  const organizationCount = async () => Number((await t.db.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  /** Jobs due now, waiting or running (the periodic ones wait for their hour). */
  const dueJobs = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from graphile_worker._private_jobs where run_at <= now()`.execute(t.db)).rows[0]!.n);
  /** Lets what runs after an ack (events, clicks) finish before asserting that it did nothing. */
  const settle = () => new Promise((r) => setTimeout(r, 400));

  // -------------------------------------------------------------------------
  // The Request URL itself

  it('url_verification: the challenge is echoed, as JSON, at once', async () => {
    const res = await sendEvent(fixture('url-verification.json', 'url_verification').payload);
    expect(res.json).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('ssl_check: 200 with an empty body, and nothing else happens', async () => {
    const organizations = await organizationCount();
    const res = await sendForm(fixture('ssl-check.json', 'ssl_check').form!);
    expect(res.text).toBe('');
    expect(await organizationCount()).toBe(organizations);
  });

  // -------------------------------------------------------------------------
  // Slash commands

  it('a slash command from a workspace of an Enterprise Grid org (enterprise_id, no api_app_id): normal service, the team list in the ack', async () => {
    const { fields } = liveForm(fixture('slash-commands.json', '/team list by a member').form!);
    const res = await sendForm(fields);
    expect(res.json.response_type).toBe('ephemeral');
    const shown = JSON.stringify(res.json.blocks);
    for (const email of ['alice@acme.test', 'carol@acme.test', 'bob@acme.test']) expect(shown).toContain(email);
    // Grid's enterprise_id did not make a second organization: the team id decides.
    expect(await organizationCount()).toBe(1);
  });

  it("a slash command with today's fields (api_app_id, is_enterprise_install=false): /team settings opens the modal with the command's trigger_id", async () => {
    const { fields } = liveForm(fixture('slash-commands.json', '/team settings by an owner').form!);
    const res = await sendForm(fields);
    expect(res.text).toBe('');
    const open = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === fields.trigger_id);
    expect(open.response.ok).toBe(true);
    expect((open.args.view as { callback_id: string }).callback_id).toBe('team.settings');
  });

  it('a slash command from someone of the workspace who is not on the team: the non-member sentence, nothing else', async () => {
    const { fields } = liveForm(fixture('slash-commands.json', '/team list by someone').form!);
    const res = await sendForm(fields);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: NOT_A_MEMBER_MESSAGE });
  });

  // -------------------------------------------------------------------------
  // Events

  let carolsHome: Record<string, any>;

  it('app_home_opened with authorizations (Grid workspace): the Home tab is published for that person', async () => {
    const before = h.standin.calls.length;
    await sendEvent(fixture('events.json', 'app_home_opened (Home tab)').payload);
    const publish = await h.standin.waitForCall('views.publish', (c) => c.args.user_id === 'U0CAROL001' && h.standin.calls.indexOf(c) >= before);
    expect(publish.response.ok).toBe(true);
    carolsHome = publish.response.view as Record<string, any>;
    expect(carolsHome.type).toBe('home');
    // An owner's Home: each other member's row has the role dropdown.
    expect(JSON.stringify(carolsHome.blocks)).toContain(`owner|${people.gina.id}`);
  });

  it('app_home_opened on the Messages tab, from an org-wide install (is_enterprise_install, authorizations team_id null): 200 and nothing published', async () => {
    const before = h.standin.calls.length;
    await sendEvent(fixture('events.json', 'app_home_opened (Messages tab)').payload);
    await settle();
    expect(h.standin.calls.slice(before).filter((c) => c.method === 'views.publish')).toEqual([]);
    expect(await organizationCount()).toBe(1);
  });

  it("Slack Connect: an event carrying the other organization's team_id is served as our workspace's (authorizations decide); no organization for the other team", async () => {
    await sendEvent(fixture('events.json', 'Slack Connect').payload);
    await settle();
    expect(await organizationOf('T_SOURCE')).toBeUndefined();
    expect(await organizationCount()).toBe(1);
  });

  // -------------------------------------------------------------------------
  // block_actions

  it('Leave, clicked in an ephemeral message (no `message` in the payload): erin leaves, and is told through the response_url', async () => {
    const p = live(fixture('block-actions.json', 'Leave the team').payload);
    const res = await sendInteraction(withoutExtras(p));
    expect(res.text).toBe('');
    const answer = await h.standin.waitForResponseUrlPost(p.responseUrlId);
    expect(answer.body).toMatchObject({ replace_original: true, text: "You left Acme's team. Your access has ended." });
    expect((await member(people.erin.id)).status).not.toBe('active');
  });

  /** The fixture, pointed at carol's Home as Slack would send it: the view, and gina's role dropdown set to `role`. */
  function onCarolsHome(p: Record<string, any>, role: 'owner' | 'member') {
    const row = (carolsHome.blocks as Array<Record<string, any>>).find((b) => b.accessory?.action_id === 'team_page.role' && String(b.block_id).includes(people.gina.id));
    expect(row, "gina has a row with a role dropdown on carol's Home").toBeDefined();
    p.view = carolsHome;
    p.container.view_id = carolsHome.id;
    p.actions[0].block_id = row!.block_id;
    p.actions[0].selected_option = row!.accessory.options.find((o: { value: string }) => o.value.startsWith(`${role}|`));
    return p;
  }
  /**
   * Sends a Home click by carol and waits for the Home it publishes again, with `notice` at the
   * top (the refresh jobs a role change queues publish her Home too, without it); keeps it.
   */
  async function clickOnCarolsHome(p: Record<string, any>, notice: string): Promise<void> {
    const before = h.standin.calls.length;
    const res = await sendInteraction(withoutExtras(p));
    expect(res.text).toBe('');
    const publish = await h.standin.waitForCall(
      'views.publish',
      (c) => c.args.user_id === 'U0CAROL001' && h.standin.calls.indexOf(c) >= before && JSON.stringify(c.args.view).includes(notice),
    );
    carolsHome = publish.response.view as Record<string, any>;
  }

  it('the role dropdown on the Home tab: carol makes gina an owner; the Home is published again', async () => {
    const p = live(onCarolsHome(fixture('block-actions.json', 'Role dropdown on the App Home').payload, 'owner'));
    await clickOnCarolsHome(p, 'Gina is now an *owner*.');
    expect((await member(people.gina.id)).role).toBe('owner');
  });

  it('an org-wide install (team null, enterprise, is_enterprise_install true): the workspace comes from user.team_id, normal service', async () => {
    const p = live(onCarolsHome(fixture('block-actions.json', 'Org-wide install').payload, 'member'));
    await clickOnCarolsHome(p, 'Gina is now a *member*.');
    expect((await member(people.gina.id)).role).toBe('member');
    // Neither the enterprise id nor the missing team made an organization.
    expect(await organizationOf('E0776TLA88G')).toBeUndefined();
    expect(await organizationCount()).toBe(1);
  });

  describe('the removal card in the approvals channel', () => {
    let requestId: string;
    let card: StoredMessage;

    beforeAll(async () => {
      await t.db.updateTable('organizations').set({ approvals_channel_id: 'C0APPR0001' }).where('id', '=', org.id).execute();
      const result = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: people.frank.id, reason: null, source: 'slack' });
      if (result.kind !== 'requested') throw new Error(`expected a request waiting for approval, got ${result.kind}`);
      requestId = result.request.id;
      const row = await vi.waitFor(
        async () => {
          const r = await t.db.selectFrom('removal_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
          if (!r.card_ts) throw new Error('card not posted yet');
          return r;
        },
        { timeout: 10_000, interval: 100 },
      );
      card = structuredClone(h.standin.getMessage(row.card_channel_id!, row.card_ts!)!);
    });

    /** The fixture, pointed at the card as Slack would send it: the message, its ts, the Approve button's block and value. */
    function onTheCard(p: Record<string, any>) {
      const { channel: _channel, ...message } = card;
      const block = (card.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions' && b.elements.some((e: any) => e.action_id === 'removal.approve'))!;
      p.message = message;
      p.container.message_ts = card.ts;
      p.actions[0].block_id = block.block_id;
      p.actions[0].value = requestId;
      return p;
    }
    const requestStatus = async () => (await t.db.selectFrom('removal_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status;

    it('Slack Connect: Approve clicked by a user of another organization gets what a non-member gets, and nothing changes', async () => {
      // Correct answer: the team is the installing workspace's members; this clicker (user.team_id
      // T03U1JC8EN4, not ours) is none of them — not linked to a member, and not a user of our
      // workspace whose profile could be matched — so they get the non-member sentence, shown to
      // them alone through the response_url, and the request stays waiting for an owner.
      const p = live(onTheCard(fixture('block-actions.json', 'Slack Connect: Approve').payload));
      const res = await sendInteraction(withoutExtras(p));
      expect(res.text).toBe('');
      const answer = await h.standin.waitForResponseUrlPost(p.responseUrlId);
      expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: NOT_A_MEMBER_MESSAGE });
      expect(await requestStatus()).toBe('pending');
      expect((await member(people.frank.id)).status).toBe('active');
      expect(await organizationOf('T03U1JC8EN4')).toBeUndefined();
    });

    it('Approve clicked by an owner (a channel message with `message` and `state`): the removal happens; the owner is told', async () => {
      const p = live(onTheCard(fixture('block-actions.json', 'Approve on the removal card').payload));
      const res = await sendInteraction(withoutExtras(p));
      expect(res.text).toBe('');
      const answer = await h.standin.waitForResponseUrlPost(p.responseUrlId);
      expect(String(answer.body.text)).toContain('You approved the removal: Frank was removed');
      expect(await requestStatus()).toBe('approved');
      expect((await member(people.frank.id)).status).toBe('removed');
    });
  });

  it('a select inside a modal that is not one of ours: acknowledged at once, and nothing is called or changed', async () => {
    const p = live(fixture('block-actions.json', 'A select inside a modal').payload);
    // The jobs earlier tests queued (card rewrites, DMs, Home refreshes) finish first, so that any call now is this click's.
    await vi.waitFor(async () => expect(await dueJobs()).toBe(0), { timeout: 10_000, interval: 100 });
    const before = h.standin.calls.length;
    const res = await sendInteraction(withoutExtras(p));
    expect(res.text).toBe('');
    await settle();
    expect(h.standin.calls.slice(before).map((c) => c.method)).toEqual([]);
  });

  // -------------------------------------------------------------------------
  // view_submission and view_closed

  /** `/team <text>` by alice, and the modal it opened as Slack stored it. */
  async function openedModal(text: string): Promise<Record<string, any>> {
    const res = await h.driver.command('U0ALICE001', '/team', text);
    expect(res.status).toBe(200);
    const open = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === res.triggerId);
    return open.response.view as Record<string, any>;
  }
  /** The fixture's view, made the modal Slack would be submitting: its id and blocks. */
  function submitting(p: Record<string, any>, modal: Record<string, any>) {
    p.view.id = modal.id;
    p.view.root_view_id = modal.id;
    p.view.blocks = modal.blocks;
    return p;
  }

  it('the invite modal (multiline addresses, radio buttons, an empty optional input as null, no checkbox): invitations made, the modal replaced', async () => {
    const p = live(submitting(fixture('view-submissions.json', 'Invite modal').payload, await openedModal('invite')));
    const res = await sendInteraction(withoutExtras(p));
    expect(res.json.response_action).toBe('update');
    expect(res.json.view.title.text).toBe('Invitations sent');
    const invited = await t.db.selectFrom('invitations').select(['email', 'role', 'status', 'message']).where('organization_id', '=', org.id).orderBy('email').execute();
    expect(invited).toEqual([
      { email: 'ana@acme.test', role: 'member', status: 'pending', message: null },
      { email: 'ben@acme.test', role: 'member', status: 'pending', message: null },
    ]);
  });

  const settingsNow = async () =>
    t.db
      .selectFrom('organizations')
      .select([
        'team_channel_id',
        'approvals_channel_id',
        'removal_approval_policy',
        'removal_request_expiry_hours',
        'notify_removed_member',
        'invitation_expiry_days',
        'allowed_email_domains',
        'require_sso',
        'access_review_cadence',
        'inactivity_threshold_days',
      ])
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();

  it('the settings modal with a domain Slack cannot check: `errors` under that field in the HTTP answer, nothing saved', async () => {
    const before = await settingsNow();
    const p = live(submitting(fixture('view-submissions.json', 'Settings modal with a domain').payload, await openedModal('settings')));
    const res = await sendInteraction(withoutExtras(p));
    expect(res.json.response_action).toBe('errors');
    expect(Object.keys(res.json.errors)).toEqual(['settings.allowed_domains']);
    expect(res.json.errors['settings.allowed_domains']).toContain('exa mple.com');
    expect(await settingsNow()).toEqual(before);
  });

  it('the settings modal with every input type it has, numbers as Slack sends them ({ type: number_input, value: "7" }): saved as typed', async () => {
    const p = live(submitting(fixture('view-submissions.json', 'Settings modal saved by an owner').payload, await openedModal('settings')));
    const res = await sendInteraction(withoutExtras(p));
    expect(res.text).toBe('');
    expect(await settingsNow()).toEqual({
      team_channel_id: 'C0TEAM0001',
      approvals_channel_id: 'C0APPR0001',
      removal_approval_policy: 'none',
      removal_request_expiry_hours: 7,
      notify_removed_member: false,
      invitation_expiry_days: 14,
      allowed_email_domains: ['acme.test', 'example.org'],
      require_sso: true,
      access_review_cadence: 'monthly',
      inactivity_threshold_days: 30,
    });
    const audit = await t.db.selectFrom('audit_events').select('action').where('organization_id', '=', org.id).where('action', '=', 'settings.changed').execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('Slack Connect: the settings modal submitted by a user of another organization is refused as for a non-member; nothing changes', async () => {
    // Correct answer: Bolt takes the workspace from view.app_installed_team_id (ours), not from
    // `team` (theirs), so this is our organization's form; its submitter W111 of T-other-side is
    // not a member of it, so saving is refused the way it is for any non-member (the modal is
    // replaced by the refusal), no setting changes and no organization is made for their team.
    const before = await settingsNow();
    const p = live(fixture('view-submissions.json', 'Slack Connect').payload);
    const res = await sendInteraction(withoutExtras(p));
    expect(res.json.response_action).toBe('update');
    expect(JSON.stringify(res.json.view.blocks)).toContain('Nothing was changed.');
    expect(await settingsNow()).toEqual(before);
    expect(await organizationOf('T-other-side')).toBeUndefined();
    expect(await organizationCount()).toBe(1);
  });

  it('view_closed (a modal cancelled): acknowledged with 200 at once, nothing changes', async () => {
    const before = await settingsNow();
    const res = await sendInteraction(fixture('view-closed.json', 'The settings modal closed').payload);
    expect(res.text).toBe('');
    expect(await settingsNow()).toEqual(before);
  });

  // -------------------------------------------------------------------------
  // Another workspace of the Grid org (single-workspace mode; issue 16 adds installs)

  it('a payload from ANOTHER workspace (team T111 of the same Grid org): refused in the ack, and nothing is created', async () => {
    // This deployment serves the one workspace of its bot token (T0TEAM0001). A signed request
    // naming another team id used to get an organization of its own (named after the id,
    // adopting the configured team channel, announced there). Single-workspace tenancy now
    // refuses it: T111 can only be served through an installation of its own (issue 16).
    const { fields } = liveForm(fixture('slash-commands.json', '/team list from ANOTHER workspace').form!);
    const calls = h.standin.calls.length;
    const res = await sendForm(fields);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: FOREIGN_WORKSPACE_MESSAGE });
    expect(await organizationOf('T111')).toBeUndefined();
    expect(h.standin.calls.length).toBe(calls);
  });
});
