import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDueAccessReviews } from '../../src/activity/access-review.js';
import type { Member, Organization } from '../../src/db/schema.js';
import { ACCESS_REVIEW_ACTIONS, reviewButtonValue } from '../../src/slack/blocks/access-review.js';
import { AUDIT_LOG_ACTIONS, encodeAuditNav } from '../../src/slack/blocks/audit-log.js';
import { ACCEPT_INVITATION_ACTION, DECLINE_INVITATION_ACTION } from '../../src/slack/blocks/invitation-dm.js';
import { INVITE_BLOCKS, INVITE_MODAL_CALLBACK_ID, OPEN_INVITE_MODAL_ACTION } from '../../src/slack/blocks/invite-modal.js';
import { LEAVE_ACTION_ID } from '../../src/slack/blocks/leave.js';
import { CANCEL_INVITATION_ACTION, RESEND_INVITATION_ACTION } from '../../src/slack/blocks/pending-invitations.js';
import { REJECT_REASON_ACTION, REJECT_REASON_BLOCK, REJECT_REMOVAL_CALLBACK_ID } from '../../src/slack/blocks/reject-removal-modal.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { REMOVE_MODAL_CALLBACK_ID } from '../../src/slack/blocks/remove-modal.js';
import { SETTINGS_CALLBACK_ID, SETTINGS_INPUTS } from '../../src/slack/blocks/settings-modal.js';
import { ACTIONS, encodePageState, roleOptionValue, rowBlockId } from '../../src/slack/blocks/team-page.js';
import type { DriverAction } from '../../src/standin/index.js';
import { submittedState } from '../../src/standin/view-state.js';
import { createInvitations } from '../../src/team/invitations.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';
import { record } from './support/ledger.js';
import { NOTHING_CHANGED_MESSAGE } from '../../src/slack/listeners/views/settings.js';
import { pendingJobs } from './support/slack-deliveries.js';

/**
 * Every interactive path of the app, each delivered three times: the identical payload twice at
 * once (a double click that Slack sends twice, or a proxy that repeats a request) and once more
 * with `X-Slack-Retry-Num: 1` / `X-Slack-Retry-Reason: http_timeout` (Slack retrying a request
 * it thinks timed out). Bolt's HTTP receiver does not drop retries (it passes retryNum into the
 * context), and neither does the app: a retry of something never processed must still be
 * processed. So exactly-once comes from the domain — each change is decided under the
 * organization's lock from the database, and a repeat finds it done.
 *
 * For each path: all three answered 200; state-changing ones changed something, and no audit
 * event (same action, same target) and no Slack message (same conversation, same text) exists
 * twice; read-only ones changed nothing. No error was logged along the way.
 */
describe('Slack retries and double clicks on every interactive path', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  const SLACK = { alice: 'U0ALICE001', bob: 'U0BOB00001', carol: 'U0CAROL001', dave: 'U0DAVE0001', erin: 'U0ERIN0001', finn: 'U0FINN0001' } as const;
  const people = {} as Record<'alice' | 'bob' | 'carol', Member>;
  const RETRY = { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' };

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    h.standin.users.push(
      { id: SLACK.erin, name: 'erin', realName: 'Erin Eve', email: 'erin@acme.test' },
      { id: SLACK.finn, name: 'finn', realName: 'Finn Fox', email: 'finn@acme.test' },
    );
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: 'C0APPR0001' }).where('id', '=', org.id).execute();
    people.alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: SLACK.alice });
    people.carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { slackUserId: SLACK.carol });
    people.bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: SLACK.bob });
  });
  afterAll(async () => h?.stop());

  // ---------------------------------------------------------------------------
  // Helpers

  /**
   * Waits until everything the requests set off is done: Bolt answers (acks) before a listener
   * finishes, so the listeners' work, the jobs they queue and the worker's Slack calls come
   * after the HTTP answers. Settled = no job queued and nothing new (audit events, Web API
   * calls, response_url posts) for half a second.
   */
  async function drained(): Promise<void> {
    const deadline = Date.now() + 30_000;
    const snapshot = async () => `${await maxAuditId()}|${h.standin.calls.length}|${h.standin.responseUrlPosts.length}|${(await pendingJobs(t.db)).length}`;
    let last = '';
    let stableSince = Date.now();
    for (;;) {
      const now = await snapshot();
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (now.endsWith('|0') && Date.now() - stableSince >= 500) {
        return;
      }
      if (Date.now() > deadline) throw new Error(`not settled: ${now}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const maxAuditId = async () => Number((await sql<{ n: string }>`select coalesce(max(id), 0)::text as n from audit_events`.execute(t.db)).rows[0]!.n);
  const auditSince = async (mark: number) =>
    (await sql<{ action: string; target_id: string | null }>`select action, target_id::text from audit_events where id > ${mark} order by id`.execute(t.db)).rows;

  let newMembers = 0;
  const newMember = (role: 'owner' | 'member' = 'member') => seedMember(t.db, org, `person${++newMembers}@example.org`, role);

  /** A bot message holding nothing in particular: the message a button was clicked on. */
  const someMessage = (channel: string) => ({ type: 'message', text: 'x', user: h.standin.botUserId, bot_id: h.standin.botId, blocks: [], channel });

  const actionRaw = (userId: string, action: DriverAction, opts: Parameters<TestApp['driver']['blockActionsPayload']>[2] = {}) =>
    new URLSearchParams({ payload: JSON.stringify(h.driver.blockActionsPayload(userId, [action], opts).payload) }).toString();
  const viewRaw = (userId: string, view: Parameters<TestApp['driver']['viewSubmissionPayload']>[1]) =>
    new URLSearchParams({ payload: JSON.stringify(h.driver.viewSubmissionPayload(userId, view).payload) }).toString();

  /** Opens a modal the way a person does (a command), and returns the view Slack stored for it. */
  async function openedView(open: () => Promise<{ triggerId: string }>) {
    const { triggerId } = await open();
    const call = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === triggerId);
    return h.standin.views.get((call.response.view as { id: string }).id)!;
  }

  interface Outcome {
    name: string;
    changesState: boolean;
    statuses: number[];
    changed: number;
    duplicatedEvents: string[];
    duplicatedPosts: string[];
    modalsOpened: number;
    errors: string[];
  }
  const outcomes: Outcome[] = [];

  /** Sends `raw` twice at once and once as a retry; measures what changed. */
  async function thrice(name: string, changesState: boolean, payload: string | (() => string), contentType?: string): Promise<Outcome> {
    await drained();
    // Payloads that may open a modal are built now: their trigger_id lives 3 s.
    const raw = typeof payload === 'string' ? payload : payload();
    const auditMark = await maxAuditId();
    const messageMark = h.standin.messages.length;
    const callMark = h.standin.calls.length;
    const logMark = h.logs.lines().length;
    const opts = contentType ? { contentType } : {};
    const sent = await Promise.all([h.driver.send(raw, opts), h.driver.send(raw, opts)]);
    const retry = await h.driver.send(raw, { ...opts, headers: RETRY });
    await drained();

    const events = await auditSince(auditMark);
    const eventKeys = events.map((e) => `${e.action} ${e.target_id ?? ''}`);
    // Effects, not answers: the settings dialog answers a submission that changed nothing with a
    // DM saying so, so each repeat gets one (a reply to that delivery, like the "already approved"
    // ones; checked in its own test).
    const posts = h.standin.messages
      .slice(messageMark)
      .filter((m) => m.text !== NOTHING_CHANGED_MESSAGE)
      .map((m) => `${m.channel} ${m.text}`);
    const dup = (keys: string[]) => [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
    const outcome: Outcome = {
      name,
      changesState,
      statuses: [...sent, retry].map((r) => r.status),
      changed: events.length,
      duplicatedEvents: dup(eventKeys),
      duplicatedPosts: dup(posts),
      modalsOpened: h.standin.calls.slice(callMark).filter((c) => c.method === 'views.open' && c.response.ok === true).length,
      errors: h.logs
        .lines()
        .slice(logMark)
        .filter((l) => Number(l.level) >= 50)
        .map((l) => `${String(l.msg)}: ${String((l.err as { message?: string } | undefined)?.message ?? '')}`),
    };
    outcomes.push(outcome);
    return outcome;
  }

  /**
   * A payload that opens a modal carries one trigger_id, good for one views.open: the repeats'
   * views.open is refused (expired_trigger_id); the app logs a warning (not an error) and asks
   * the clicker to click again. No error-level line is tolerated on any path.
   */

  function expectOnce(o: Outcome, opts: { modal?: boolean } = {}): void {
    expect(o.statuses).toEqual([200, 200, 200]);
    const errors = o.errors;
    expect({ duplicatedEvents: o.duplicatedEvents, duplicatedPosts: o.duplicatedPosts, errors }).toEqual({ duplicatedEvents: [], duplicatedPosts: [], errors: [] });
    if (o.changesState) expect(o.changed).toBeGreaterThan(0);
    else expect(o.changed).toBe(0);
    if (opts.modal) expect(o.modalsOpened).toBe(1);
  }

  // ---------------------------------------------------------------------------
  // State-changing paths

  it('role dropdown (team page message): one role change', async () => {
    const o = await thrice(
      'team_page.role',
      true,
      actionRaw(SLACK.alice, { action_id: ACTIONS.role, block_id: rowBlockId(people.bob.id, people.bob.id, undefined), selected_option: { value: roleOptionValue('owner', people.bob.id) } }, { message: someMessage('C0GENERAL1') }),
    );
    expectOnce(o);
    expect(o.changed).toBe(1);
  });

  it('Approve on a removal card: one removal', async () => {
    const target = await newMember();
    const requested = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: target.id, source: 'slack' });
    if (requested.kind !== 'requested') throw new Error('expected a request');
    const o = await thrice('removal.approve', true, actionRaw(SLACK.carol, { action_id: REMOVAL_ACTIONS.approve, value: requested.request.id }, { message: someMessage('C0APPR0001') }));
    expectOnce(o);
  });

  it('Withdraw on the requester\'s DM: one withdrawal', async () => {
    const target = await newMember();
    const requested = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: target.id, source: 'slack' });
    if (requested.kind !== 'requested') throw new Error('expected a request');
    await drained();
    const o = await thrice('removal.withdraw', true, actionRaw(SLACK.alice, { action_id: REMOVAL_ACTIONS.withdraw, value: requested.request.id }, { message: someMessage(h.standin.dmIdFor([SLACK.alice])) }));
    expectOnce(o);
  });

  it('Reject (opens the reason dialog) and the reason\'s submission: one dialog, one rejection', async () => {
    const target = await newMember();
    const requested = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: target.id, source: 'slack' });
    if (requested.kind !== 'requested') throw new Error('expected a request');
    const click = await thrice('removal.reject', false, () => actionRaw(SLACK.carol, { action_id: REMOVAL_ACTIONS.reject, value: requested.request.id }, { message: someMessage('C0APPR0001') }));
    expectOnce(click, { modal: true });
    const dialog = [...h.standin.views.values()].reverse().find((v) => v.callback_id === REJECT_REMOVAL_CALLBACK_ID)!;
    const o = await thrice(
      'removal.reject_modal submission',
      true,
      viewRaw(SLACK.carol, { id: dialog.id, callback_id: REJECT_REMOVAL_CALLBACK_ID, values: { [REJECT_REASON_BLOCK]: { [REJECT_REASON_ACTION]: { type: 'plain_text_input', value: 'still needed' } } } }),
    );
    expectOnce(o);
  });

  it('Remove dialog submission (from /team remove): one removal request', async () => {
    const target = await newMember();
    const view = await openedView(() => h.driver.command(SLACK.alice, '/team', `remove ${target.email}`));
    expect(view.callback_id).toBe(REMOVE_MODAL_CALLBACK_ID);
    const o = await thrice('team.remove submission', true, viewRaw(SLACK.alice, { id: view.id, callback_id: REMOVE_MODAL_CALLBACK_ID, private_metadata: String(view.private_metadata), values: submittedState(view as never, { reason: { value: 'left the company' } }) }));
    expectOnce(o);
    expect(await t.db.selectFrom('removal_requests').select('id').where('target_member_id', '=', target.id).execute()).toHaveLength(1);
  });

  it('invite dialog submission: one invitation per address', async () => {
    const view = await openedView(() => h.driver.command(SLACK.alice, '/team', 'invite'));
    const o = await thrice(
      'invitation.invite_modal submission',
      true,
      viewRaw(SLACK.alice, {
        id: view.id,
        callback_id: INVITE_MODAL_CALLBACK_ID,
        values: {
          ...submittedState(view as never),
          [INVITE_BLOCKS.addresses]: { addresses: { type: 'plain_text_input', value: 'newcomer1@example.org, newcomer2@example.org' } },
        },
      }),
    );
    expectOnce(o);
    expect(await t.db.selectFrom('invitations').select('id').where('email', 'in', ['newcomer1@example.org', 'newcomer2@example.org']).execute()).toHaveLength(2);
  });

  it('settings dialog submission: one settings change', async () => {
    const view = await openedView(() => h.driver.command(SLACK.alice, '/team', 'settings'));
    const messageMark = h.standin.messages.length;
    const o = await thrice(
      'team.settings submission',
      true,
      viewRaw(SLACK.alice, { id: view.id, callback_id: SETTINGS_CALLBACK_ID, values: submittedState(view as never, { [SETTINGS_INPUTS.invitation_expiry_days.actionId]: { value: '9' } }) }),
    );
    expectOnce(o);
    expect(o.changed).toBe(1);
    // The repeats find nothing left to change, and each is answered with the app's "Nothing changed"
    // DM (reported: an answer in the ack, e.g. a view saying so, would not leave a message per repeat).
    const nothingChanged = h.standin.messages.slice(messageMark).filter((m) => m.text === NOTHING_CHANGED_MESSAGE);
    expect(nothingChanged.length).toBeLessThanOrEqual(2);
  });

  it('Accept and Decline in the invitation DM: one member, one declined invitation', async () => {
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: people.alice.id, addresses: ['erin@acme.test', 'finn@acme.test'], role: 'member', source: 'slack' });
    await drained();
    const erin = invitations.find((i) => i.email === 'erin@acme.test')!;
    const finn = invitations.find((i) => i.email === 'finn@acme.test')!;
    const accept = await thrice('invitation.accept', true, actionRaw(SLACK.erin, { action_id: ACCEPT_INVITATION_ACTION, value: erin.id }, { message: someMessage(h.standin.dmIdFor([SLACK.erin])) }));
    expectOnce(accept);
    expect(await t.db.selectFrom('members').select('id').where('email', '=', 'erin@acme.test').execute()).toHaveLength(1);
    const decline = await thrice('invitation.decline', true, actionRaw(SLACK.finn, { action_id: DECLINE_INVITATION_ACTION, value: finn.id }, { message: someMessage(h.standin.dmIdFor([SLACK.finn])) }));
    expectOnce(decline);
  });

  it('Resend and Cancel on /team pending: one resend, one cancellation', async () => {
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: people.alice.id, addresses: ['later1@example.org', 'later2@example.org'], role: 'member', source: 'slack' });
    // Past the resend cooldown.
    await t.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - 120_000) }).where('id', 'in', invitations.map((i) => i.id)).execute();
    await drained();
    const resend = await thrice('invitation.resend', true, actionRaw(SLACK.alice, { action_id: RESEND_INVITATION_ACTION, value: invitations[0]!.id }, { message: someMessage('C0GENERAL1') }));
    expectOnce(resend);
    const row = await t.db.selectFrom('invitations').select('send_count').where('id', '=', invitations[0]!.id).executeTakeFirstOrThrow();
    expect(row.send_count).toBe(2);
    const cancel = await thrice('invitation.cancel', true, actionRaw(SLACK.alice, { action_id: CANCEL_INVITATION_ACTION, value: invitations[1]!.id }, { message: someMessage('C0GENERAL1') }));
    expectOnce(cancel);
  });

  it('Keep and Remove on the access review digest: one decision each, one Remove dialog', async () => {
    const stale1 = await newMember();
    const stale2 = await newMember();
    await t.db.updateTable('members').set({ joined_at: new Date(Date.now() - 400 * 86_400_000) }).where('id', 'in', [stale1.id, stale2.id]).execute();
    expect(await startDueAccessReviews(t.db, new Date())).toBe(1);
    const review = await t.db.selectFrom('access_reviews').select('id').where('organization_id', '=', org.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    await drained();
    const keep = await thrice('access_review.keep', true, actionRaw(SLACK.carol, { action_id: ACCESS_REVIEW_ACTIONS.keep, value: reviewButtonValue(review.id, stale1.id) }, { message: someMessage('C0APPR0001') }));
    expectOnce(keep);
    const remove = await thrice('access_review.remove', true, () => actionRaw(SLACK.carol, { action_id: ACCESS_REVIEW_ACTIONS.remove, value: reviewButtonValue(review.id, stale2.id) }, { message: someMessage('C0APPR0001') }));
    expectOnce(remove, { modal: true });
  });

  it('Leave (confirmed): one departure', async () => {
    const o = await thrice('team.leave.confirm', true, actionRaw(SLACK.bob, { action_id: LEAVE_ACTION_ID }, { message: someMessage('C0GENERAL1') }));
    expectOnce(o);
  });

  // ---------------------------------------------------------------------------
  // Read-only paths: they must answer each time, change nothing, and not fail

  it('read-only: Next / Previous / search / clear search / Activity / Remove dialog / Invite dialog / audit Older / Newer / app_home_opened', async () => {
    const target = await newMember();
    // Built when sent: a trigger_id lives 3 s.
    const cases: Array<[string, () => string, { modal?: boolean }?]> = [
      ['team_page.next', () => actionRaw(SLACK.alice, { action_id: ACTIONS.next, block_id: 'tp.nav', value: encodePageState({}) }, { message: someMessage('C0GENERAL1') })],
      ['team_page.previous', () => actionRaw(SLACK.alice, { action_id: ACTIONS.previous, block_id: 'tp.nav', value: encodePageState({}) }, { message: someMessage('C0GENERAL1') })],
      ['team_page.search', () => actionRaw(SLACK.alice, { action_id: ACTIONS.search, type: 'plain_text_input', value: 'car' }, { view: { id: 'V0HOMEALICE', callback_id: '', type: 'home' } })],
      ['team_page.clear_search', () => actionRaw(SLACK.alice, { action_id: ACTIONS.clearSearch }, { view: { id: 'V0HOMEALICE', callback_id: '', type: 'home' } })],
      ['team_page.activity', () => actionRaw(SLACK.alice, { action_id: ACTIONS.activity, value: target.id }, { message: someMessage('C0GENERAL1') }), { modal: true }],
      ['team_page.remove (opens the dialog)', () => actionRaw(SLACK.alice, { action_id: ACTIONS.remove, value: target.id }, { message: someMessage('C0GENERAL1') }), { modal: true }],
      ['invitation.open_modal', () => actionRaw(SLACK.alice, { action_id: OPEN_INVITE_MODAL_ACTION }, { message: someMessage('C0GENERAL1') }), { modal: true }],
      ['audit_log.older', () => actionRaw(SLACK.alice, { action_id: AUDIT_LOG_ACTIONS.older, value: encodeAuditNav({ c: 'not-a-cursor' }) }, { message: someMessage('C0GENERAL1') })],
      ['audit_log.newer', () => actionRaw(SLACK.alice, { action_id: AUDIT_LOG_ACTIONS.newer, value: encodeAuditNav({ c: 'not-a-cursor' }) }, { message: someMessage('C0GENERAL1') })],
    ];
    for (const [name, raw, opts] of cases) expectOnce(await thrice(name, false, raw), opts);
    const home = JSON.stringify(h.driver.eventCallback(h.driver.appHomeOpenedEvent(SLACK.alice)));
    expectOnce(await thrice('app_home_opened event', false, home, 'application/json'));
  });

  it('records the figures', () => {
    const stateChanging = outcomes.filter((o) => o.changesState);
    const readOnly = outcomes.filter((o) => !o.changesState);
    const figures = (list: Outcome[], name: string) =>
      record({
        area: 'fault',
        name,
        // Each path met two repeats: the same payload again at once, and Slack's retry.
        injected: list.length * 2,
        survived:
          list.filter(
            (o) =>
              o.statuses.every((s) => s === 200) &&
              o.errors.length === 0 &&
              o.duplicatedEvents.length === 0 &&
              o.duplicatedPosts.length === 0,
          ).length * 2,
        inputs: list.length * 3,
        lost: list.filter((o) => o.changesState && o.changed === 0).length,
        duplicated: list.reduce((n, o) => n + o.duplicatedEvents.length + o.duplicatedPosts.length, 0),
        unauthorised: 0,
      });
    figures(stateChanging, 'Slack retries and double clicks: state-changing paths');
    figures(readOnly, 'Slack retries and double clicks: read-only paths');
    expect(stateChanging.length).toBeGreaterThanOrEqual(13);
    expect(readOnly.length).toBeGreaterThanOrEqual(11);
  });
});
