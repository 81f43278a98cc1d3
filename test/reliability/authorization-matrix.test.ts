import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization, RemovalRequest } from '../../src/db/schema.js';
import { createApiKey, revokeApiKey } from '../../src/api/api-keys.js';
import { ACCESS_REVIEW_ACTIONS } from '../../src/slack/blocks/access-review.js';
import { INVITE_BLOCKS, INVITE_MODAL_CALLBACK_ID } from '../../src/slack/blocks/invite-modal.js';
import { LEAVE_ACTION_ID } from '../../src/slack/blocks/leave.js';
import { CANCEL_INVITATION_ACTION, RESEND_INVITATION_ACTION } from '../../src/slack/blocks/pending-invitations.js';
import { REJECT_REASON_ACTION, REJECT_REASON_BLOCK, REJECT_REMOVAL_CALLBACK_ID } from '../../src/slack/blocks/reject-removal-modal.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { REMOVE_BLOCKS, REMOVE_MODAL_CALLBACK_ID, removeMetadata } from '../../src/slack/blocks/remove-modal.js';
import { SETTINGS_CALLBACK_ID, SETTINGS_INPUTS } from '../../src/slack/blocks/settings-modal.js';
import { ACTIONS, roleOptionValue } from '../../src/slack/blocks/team-page.js';
import { createInvitations } from '../../src/team/invitations.js';
import { findOrganizationById, findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { decide, type Action, type Actor } from '../../src/team/policy.js';
import { decisionRefusal, requestRemoval } from '../../src/team/removals.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';
import { record } from './support/ledger.js';
import { commandForm, errorLines, orgFingerprint, payloadForm, sendForm } from './support/attack-kit.js';

/**
 * Who may do what, through the real HTTP surface: every action of the product's Roles table ×
 * every kind of actor, each run against a fresh cast of people in organization A, with a second
 * organization B in the same database.
 *
 * Two organizations: the app serves one workspace's bot token, but resolves the organization of
 * every Slack request from the team id the (signed) request carries, creating it on first sight
 * (src/slack/middleware/organization.ts). So organization B is exercised through the real HTTP
 * surface with payloads whose team ids are B's: B's owner clicks buttons and submits forms that
 * name A's members, invitations, removal requests and reviews. B's owner is also tried inside
 * A's workspace (where they are nobody). The API is tried with A's and B's keys.
 *
 * Expected outcome of each case comes from the permission table itself (`decide` and
 * `decisionRefusal` in src/team/policy.ts / src/team/removals.ts, fed with the actor and target
 * as the database has them), plus "the resource belongs to the request's organization".
 * Observed: did the organization's state change (orgFingerprint), or, for reads, was the content
 * shown. unauthorised = cases expected refused that changed state or showed content.
 */

const TEAM_A = 'T0TEAM0001';
const TEAM_B = 'T0BETA0001';
const HOUR = 3_600_000;

type ActorKind = 'owner' | 'member' | 'removed' | 'non-member' | 'other-org owner (B workspace)' | 'other-org owner (in A workspace)';
const ACTOR_KINDS: ActorKind[] = ['owner', 'member', 'removed', 'non-member', 'other-org owner (B workspace)', 'other-org owner (in A workspace)'];

interface Cast {
  n: number;
  owner: Member;
  owner2: Member;
  member: Member;
  removed: Member;
  /** Role changes, activity, Approve / Reject (request by owner2). */
  target: Member;
  /** Withdraw (request by owner). */
  target2: Member;
  /** Request removal (no request pending). */
  target3: Member;
  /** Listed in the access review. */
  target4: Member;
  nonMemberSlackId: string;
  invitationId: string;
  requestByOwner2: RemovalRequest;
  requestByOwner: RemovalRequest;
  reviewId: string;
  ownerB: Member;
}

describe('authorisation matrix: actions × roles × organizations over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let orgA: Organization;
  let orgB: Organization;
  let seq = 0;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    orgA = (await findOrganizationBySlackTeam(t.db, TEAM_A))!;
    orgB = await seedOrganization(t.db, TEAM_B, { name: 'Beta', team_channel_id: 'C0TEAM0001' });
    // A permanent owner in each organization, so nobody in a cast is ever the last owner.
    await seedMember(t.db, orgA, 'anchor@acme.test', 'owner', { slackUserId: 'U0ANCHORA1' });
    await seedMember(t.db, orgB, 'anchor@beta.test', 'owner', { slackUserId: 'U0ANCHORB1' });
  });
  afterAll(async () => h?.stop());

  /** A fresh set of people and things in A (and a fresh owner in B), so each case starts clean. */
  async function newCast(): Promise<Cast> {
    const n = ++seq;
    const id = (tag: string) => `U0${tag}${String(n).padStart(4, '0')}`;
    const seed = (tag: string, role: 'owner' | 'member', removed = false) =>
      seedMember(t.db, orgA, `${tag.toLowerCase()}${n}@acme.test`, role, { slackUserId: id(tag), displayName: `${tag} ${n}`, removed });
    const owner = await seed('OWN', 'owner');
    const owner2 = await seed('OWT', 'owner');
    const member = await seed('MEM', 'member');
    const removed = await seed('REM', 'member', true);
    const target = await seed('TGA', 'member');
    const target2 = await seed('TGB', 'member');
    const target3 = await seed('TGC', 'member');
    const target4 = await seed('TGD', 'member');
    const nonMemberSlackId = id('NON');
    h.standin.users.push({ id: nonMemberSlackId, name: `non${n}`, realName: `Non ${n}`, email: `non${n}@elsewhere.test` });
    const ownerB = await seedMember(t.db, orgB, `ownerb${n}@beta.test`, 'owner', { slackUserId: id('BOW') });
    h.standin.users.push({ id: id('BOW'), name: `ownerb${n}`, realName: `Owner B ${n}`, email: `ownerb${n}@beta.test` });

    const { invitations } = await createInvitations(t.db, {
      organizationId: orgA.id,
      actorMemberId: owner2.id,
      addresses: [`invitee${n}@example.org`],
      role: 'member',
      source: 'cli',
    });
    // Past the resend cooldown, so an owner's Resend is allowed.
    await t.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - HOUR) }).where('id', '=', invitations[0]!.id).execute();
    const r1 = await requestRemoval(t.db, { organizationId: orgA.id, actorMemberId: owner2.id, targetMemberId: target.id, reason: 'matrix', source: 'cli' });
    const r2 = await requestRemoval(t.db, { organizationId: orgA.id, actorMemberId: owner.id, targetMemberId: target2.id, reason: 'matrix', source: 'cli' });
    if (r1.kind !== 'requested' || r2.kind !== 'requested') throw new Error('the cast needs pending removal requests');
    // created_at from the app's clock, as startDueAccessReviews writes it (millisecond precision:
    // nextReview compares against the JS Date it read back; see the report).
    const review = await t.db.insertInto('access_reviews').values({ organization_id: orgA.id, threshold_days: 90, channel_id: 'C0APPR0001', message_ts: null, created_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    await t.db.insertInto('access_review_items').values({ review_id: review.id, member_id: target4.id, decision: null, decided_by_member_id: null, decided_at: null }).execute();
    return {
      n,
      owner,
      owner2,
      member,
      removed,
      target,
      target2,
      target3,
      target4,
      nonMemberSlackId,
      invitationId: invitations[0]!.id,
      requestByOwner2: r1.request,
      requestByOwner: r2.request,
      reviewId: review.id,
      ownerB,
    };
  }

  /** Who acts, from which workspace, and who they are for the policy (as the database has them). */
  function actorOf(kind: ActorKind, c: Cast): { slackId: string; teamId: string; org: Organization; actor: Actor } {
    switch (kind) {
      case 'owner':
        return { slackId: c.owner.slack_user_id!, teamId: TEAM_A, org: orgA, actor: c.owner };
      case 'member':
        return { slackId: c.member.slack_user_id!, teamId: TEAM_A, org: orgA, actor: c.member };
      case 'removed':
        return { slackId: c.removed.slack_user_id!, teamId: TEAM_A, org: orgA, actor: c.removed };
      case 'non-member':
        return { slackId: c.nonMemberSlackId, teamId: TEAM_A, org: orgA, actor: null };
      case 'other-org owner (B workspace)':
        return { slackId: c.ownerB.slack_user_id!, teamId: TEAM_B, org: orgB, actor: c.ownerB };
      case 'other-org owner (in A workspace)':
        return { slackId: c.ownerB.slack_user_id!, teamId: TEAM_A, org: orgA, actor: null };
    }
  }

  interface Attempt {
    /** The request(s) sent; returns whether content was shown (reads only). */
    send(slackId: string, teamId: string, c: Cast): Promise<{ status: number; shown?: boolean }>;
    /** Whether the policy allows it: the permission table, fed what the database holds. */
    allowed(actor: Actor, org: Organization, c: Cast): boolean;
    /** A read: allowed shows content and changes nothing. */
    read?: boolean;
  }

  const policy = (actor: Actor, action: Action, org: Organization, target?: Member) => decide(actor, action, org.id, target).allowed;
  /** The thing a button names must belong to the organization of the request. */
  const inOrg = (org: Organization) => org.id === orgA.id;

  /**
   * A button click. Action listeners ack first and work afterwards; each ends by answering the
   * clicker (the response_url, or a dialog opened with the trigger_id), so the click counts as
   * done once that answer has reached the stand-in.
   */
  const click = async (slackId: string, teamId: string, actionId: string, value: string, extra: Record<string, unknown> = {}) => {
    const { payload, responseUrlId, triggerId } = h.driver.blockActionsPayload(slackId, [{ action_id: actionId, value, ...extra }], {
      message: { ts: '1700000000.000100', text: 'card', blocks: [] },
      channelId: 'C0GENERAL1',
    });
    const res = await sendForm(h.driver, payloadForm(payload, teamId));
    // Workspace B is not this deployment's (single-workspace mode): its clicks are acked and
    // dropped before any listener runs, so no answer comes (src/slack/tenancy.ts).
    lastAnswer = teamId === TEAM_B ? '' : await answered(responseUrlId, triggerId);
    return res;
  };
  let lastAnswer = '';
  async function answered(responseUrlId: string, triggerId: string): Promise<string> {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const post = h.standin.responseUrlPosts.find((p) => p.id === responseUrlId);
      if (post) return String(post.body.text ?? '');
      const open = h.standin.calls.find((call) => call.method === 'views.open' && call.args.trigger_id === triggerId);
      if (open) return JSON.stringify(open.args.view).slice(0, 300);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the click was never answered');
  }
  const submit = async (slackId: string, teamId: string, view: { callback_id: string; private_metadata?: string; values: Record<string, Record<string, unknown>> }) => {
    const { payload } = h.driver.viewSubmissionPayload(slackId, view);
    return sendForm(h.driver, payloadForm(payload, teamId));
  };
  const command = async (slackId: string, teamId: string, text: string) => {
    const { fields, triggerId } = h.driver.commandFields(slackId, '/team', text);
    return { res: await sendForm(h.driver, commandForm(fields, teamId)), triggerId };
  };
  const modalOpenedWith = async (triggerId: string) => (await h.standin.waitForCall('views.open', (call) => call.args.trigger_id === triggerId, 5_000)).args.view as Record<string, any>;
  const viewJson = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

  const ATTEMPTS: Record<string, Attempt> = {
    'invite (invite modal submission)': {
      send: (s, team, c) =>
        submit(s, team, {
          callback_id: INVITE_MODAL_CALLBACK_ID,
          values: {
            [INVITE_BLOCKS.addresses]: { addresses: { type: 'plain_text_input', value: `fresh${c.n}-${team}@example.org` } },
            [INVITE_BLOCKS.role]: { role: { type: 'radio_buttons', selected_option: { value: 'member' } } },
          },
        }),
      allowed: (actor, org) => policy(actor, 'member.invite', org),
    },
    'resend invitation': {
      send: (s, team, c) => click(s, team, RESEND_INVITATION_ACTION, c.invitationId),
      allowed: (actor, org) => policy(actor, 'member.invite', org) && inOrg(org),
    },
    'cancel invitation': {
      send: (s, team, c) => click(s, team, CANCEL_INVITATION_ACTION, c.invitationId),
      allowed: (actor, org) => policy(actor, 'member.invite', org) && inOrg(org),
    },
    'change role (team page dropdown)': {
      send: (s, team, c) => click(s, team, ACTIONS.role, '', { type: 'static_select', selected_option: { value: roleOptionValue('owner', c.target.id) } }),
      allowed: (actor, org, c) => policy(actor, 'member.change_role', org, c.target),
    },
    'change role (/team role command)': {
      send: async (s, team, c) => (await command(s, team, `role <@${c.target.slack_user_id}> owner`)).res,
      allowed: (actor, org, c) => policy(actor, 'member.change_role', org, c.target),
    },
    'request removal (Remove dialog submission)': {
      send: (s, team, c) =>
        submit(s, team, {
          callback_id: REMOVE_MODAL_CALLBACK_ID,
          private_metadata: removeMetadata(c.target3.id),
          values: { [REMOVE_BLOCKS.reason]: { reason: { type: 'plain_text_input', value: 'matrix' } } },
        }),
      allowed: (actor, org, c) => policy(actor, 'member.request_removal', org, c.target3),
    },
    'approve removal': {
      send: (s, team, c) => click(s, team, REMOVAL_ACTIONS.approve, c.requestByOwner2.id),
      allowed: (actor, org, c) => inOrg(org) && policy(actor, 'removal.decide', org) && decisionRefusal(actor, 'approve', c.requestByOwner2, { requester: c.owner2, target: c.target, decider: null }) === undefined,
    },
    'reject removal (reason dialog submission)': {
      send: (s, team, c) =>
        submit(s, team, {
          callback_id: REJECT_REMOVAL_CALLBACK_ID,
          private_metadata: c.requestByOwner2.id,
          values: { [REJECT_REASON_BLOCK]: { [REJECT_REASON_ACTION]: { type: 'plain_text_input', value: 'not now' } } },
        }),
      allowed: (actor, org, c) => inOrg(org) && decisionRefusal(actor, 'reject', c.requestByOwner2, { requester: c.owner2, target: c.target, decider: null }) === undefined,
    },
    'withdraw removal': {
      send: (s, team, c) => click(s, team, REMOVAL_ACTIONS.withdraw, c.requestByOwner.id),
      allowed: (actor, org, c) => inOrg(org) && decisionRefusal(actor, 'withdraw', c.requestByOwner, { requester: c.owner, target: c.target2, decider: null }) === undefined,
    },
    'change settings (settings modal submission)': {
      send: async (s, team) => {
        const org = (await findOrganizationBySlackTeam(t.db, team))!;
        const next = org.invitation_expiry_days === 7 ? '8' : '7';
        const ids = SETTINGS_INPUTS.invitation_expiry_days;
        return submit(s, team, { callback_id: SETTINGS_CALLBACK_ID, values: { [ids.blockId]: { [ids.actionId]: { type: 'number_input', value: next } } } });
      },
      allowed: (actor, org) => policy(actor, 'settings.change', org),
    },
    'leave (confirmed Leave click)': {
      send: (s, team) => click(s, team, LEAVE_ACTION_ID, 'leave'),
      allowed: (actor, org) => policy(actor, 'team.leave', org),
    },
    'read the audit log (/team audit)': {
      read: true,
      send: async (s, team) => {
        const { res } = await command(s, team, 'audit');
        return { status: res.status, shown: JSON.stringify(res.json?.blocks ?? []).includes('Audit log') };
      },
      allowed: (actor, org) => policy(actor, 'audit.read', org),
    },
    "see someone else's activity (Activity button)": {
      read: true,
      send: async (s, team, c) => {
        const { payload, triggerId } = h.driver.blockActionsPayload(s, [{ action_id: ACTIONS.activity, value: c.target.id }], {
          message: { ts: '1700000000.000200', text: 'team', blocks: [] },
          channelId: 'C0GENERAL1',
        });
        const res = await sendForm(h.driver, payloadForm(payload, team));
        if (team === TEAM_B) return { status: res.status, shown: false }; // dropped by tenancy: no dialog opens
        const view = await modalOpenedWith(triggerId);
        return { status: res.status, shown: !viewJson(view).includes(':no_entry:') && viewJson(view).includes(c.target.email) };
      },
      allowed: (actor, org, c) => policy(actor, 'activity.view', org, c.target),
    },
    'see the team (/team list)': {
      read: true,
      send: async (s, team, c) => {
        const { res } = await command(s, team, `list ${c.target.email}`);
        // A's list shows the cast's target (its row names their member id); B's list (B's own data) never does.
        return { status: res.status, shown: JSON.stringify(res.json ?? {}).includes(c.target.id) };
      },
      allowed: (actor, org) => policy(actor, 'team.view', org) && inOrg(org),
    },
    'access review: Keep': {
      send: (s, team, c) => click(s, team, ACCESS_REVIEW_ACTIONS.keep, `${c.reviewId}:${c.target4.id}`),
      allowed: (actor, org) => inOrg(org) && policy(actor, 'member.request_removal', org),
    },
    'access review: Remove': {
      send: (s, team, c) => click(s, team, ACCESS_REVIEW_ACTIONS.remove, `${c.reviewId}:${c.target4.id}`),
      allowed: (actor, org, c) => inOrg(org) && policy(actor, 'member.request_removal', org, c.target4),
    },
  };

  it('every Slack action × every actor: allowed ⇔ policy; refused ones change nothing in either organization', async () => {
    const logFrom = h.logs.lines().length;
    const rows: string[] = [];
    const unauthorised: string[] = [];
    const wronglyRefused: string[] = [];
    let inputs = 0;

    for (const [name, attempt] of Object.entries(ATTEMPTS)) {
      for (const kind of ACTOR_KINDS) {
        const c = await newCast();
        const who = actorOf(kind, c);
        // The policy's verdict, from the actor and the organization of the request as stored now.
        const org = (await findOrganizationById(t.db, who.org.id))!;
        // Single-workspace mode serves workspace A only: B's requests are refused by tenancy
        // before any policy is asked, whoever sends them (they would be B's own organization's
        // business once B is an installation of a distributed deployment, issue 16).
        const expected = who.teamId === TEAM_B ? false : attempt.allowed(who.actor, org, c);
        const beforeA = await orgFingerprint(t.db, orgA.id);
        const beforeB = await orgFingerprint(t.db, orgB.id);

        lastAnswer = '';
        const res = await attempt.send(who.slackId, who.teamId, c);
        inputs++;
        expect(res.status, `${name} by ${kind}: HTTP status`).toBe(200);

        const changedA = (await orgFingerprint(t.db, orgA.id)) !== beforeA;
        const changedB = (await orgFingerprint(t.db, orgB.id)) !== beforeB;
        const observed = attempt.read ? Boolean(res.shown) : changedA || changedB;
        rows.push(`${expected ? 'allow' : 'deny '} ${observed ? 'did ' : 'no  '} ${name} — ${kind}${changedA ? ' [A changed]' : ''}${changedB ? ' [B changed]' : ''}${lastAnswer ? ` → ${lastAnswer.slice(0, 160)}` : ''}`);
        if (!expected && (observed || changedA || changedB)) unauthorised.push(`${name} by ${kind}`);
        if (attempt.read && (changedA || changedB)) unauthorised.push(`${name} by ${kind} (a read changed state)`);
        if (expected && !observed) wronglyRefused.push(`${name} by ${kind}`);
        // A request in B's workspace must never change A, whatever it names.
        if (who.teamId === TEAM_B && changedA) unauthorised.push(`${name} by ${kind}: changed organization A`);
      }
    }

    record({ area: 'authz', name: 'Slack actions × actors × organizations', inputs, lost: 0, duplicated: 0, unauthorised: unauthorised.length });
    expect(unauthorised, rows.join('\n')).toEqual([]);
    expect(wronglyRefused, rows.join('\n')).toEqual([]);
    // Refusals are answers, not crashes.
    expect(errorLines(h.logs, logFrom)).toEqual([]);
    // The matrix really contains both outcomes for every actor kind that is anyone at all.
    expect(rows.filter((r) => r.startsWith('allow')).length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.startsWith('deny')).length).toBeGreaterThan(50);
  });

  it('the REST API: read-only, read-write, other organization, revoked and missing keys', async () => {
    const cli = { type: 'cli' as const, id: 'matrix' };
    const readA = await createApiKey(t.db, { organizationId: orgA.id, name: 'A read', scope: 'read', actor: cli, source: 'cli' });
    const writeA = await createApiKey(t.db, { organizationId: orgA.id, name: 'A write', scope: 'read-write', actor: cli, source: 'cli' });
    const readB = await createApiKey(t.db, { organizationId: orgB.id, name: 'B read', scope: 'read', actor: cli, source: 'cli' });
    const writeB = await createApiKey(t.db, { organizationId: orgB.id, name: 'B write', scope: 'read-write', actor: cli, source: 'cli' });
    const revokedA = await createApiKey(t.db, { organizationId: orgA.id, name: 'A revoked', scope: 'read-write', actor: cli, source: 'cli' });
    await revokeApiKey(t.db, { organizationId: orgA.id, id: revokedA.apiKey.id, actor: cli, source: 'cli' });
    const c = await newCast();
    const base = `${h.app.url}/api/v1`;
    let n = 0;
    const call = async (key: string | null, method: 'GET' | 'POST', path: string, body?: unknown) => {
      const headers: Record<string, string> = {};
      if (key) headers.authorization = `Bearer ${key}`;
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['idempotency-key'] = `matrix-${++n}`;
      }
      const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, text: await res.text() };
    };
    const event = (email: string) => ({ type: 'sign_in', email, occurred_at: new Date().toISOString(), summary: 'matrix' });

    const keys = { 'A read-only': readA.key, 'A read-write': writeA.key, 'B read-only': readB.key, 'B read-write': writeB.key, 'A revoked': revokedA.key, none: null } as const;
    const expected: Record<keyof typeof keys, { list: number; lookup: number; write: number; writeChangesA: boolean }> = {
      'A read-only': { list: 200, lookup: 200, write: 403, writeChangesA: false },
      'A read-write': { list: 200, lookup: 200, write: 201, writeChangesA: true },
      'B read-only': { list: 200, lookup: 404, write: 403, writeChangesA: false },
      'B read-write': { list: 200, lookup: 404, write: 404, writeChangesA: false },
      'A revoked': { list: 401, lookup: 401, write: 401, writeChangesA: false },
      none: { list: 401, lookup: 401, write: 401, writeChangesA: false },
    };
    let unauthorised = 0;
    let inputs = 0;
    const problems: string[] = [];
    for (const [label, key] of Object.entries(keys) as Array<[keyof typeof keys, string | null]>) {
      const want = expected[label];
      const list = await call(key, 'GET', '/members?limit=500');
      const lookup = await call(key, 'GET', `/members/${encodeURIComponent(c.target.email)}`);
      const audit = await call(key, 'GET', '/audit?limit=500');
      const beforeA = await orgFingerprint(t.db, orgA.id);
      const beforeB = await orgFingerprint(t.db, orgB.id);
      const write = await call(key, 'POST', '/events', event(c.target.email));
      const changedA = (await orgFingerprint(t.db, orgA.id)) !== beforeA;
      const changedB = (await orgFingerprint(t.db, orgB.id)) !== beforeB;
      inputs += 4;
      if (list.status !== want.list) problems.push(`${label}: list ${list.status}`);
      if (lookup.status !== want.lookup) problems.push(`${label}: lookup ${lookup.status}`);
      if (write.status !== want.write) problems.push(`${label}: write ${write.status}`);
      // B's keys never see A's people or A's audit log.
      if (label.startsWith('B') && (list.text.includes(c.target.email) || lookup.text.includes(c.target.id) || audit.text.includes(c.target.id))) unauthorised++;
      if (!want.writeChangesA && changedA) unauthorised++;
      if (changedB) unauthorised++;
      if (want.writeChangesA && !changedA) problems.push(`${label}: allowed write changed nothing`);
      // Refusals say the same thing whatever the key was.
      if (want.list === 401) expect(list.text).toBe((await call('tm_' + 'x'.repeat(43), 'GET', '/members')).text);
    }
    record({ area: 'authz', name: 'API keys × organizations', inputs, lost: 0, duplicated: 0, unauthorised });
    expect(problems).toEqual([]);
    expect(unauthorised).toBe(0);
  });
});
