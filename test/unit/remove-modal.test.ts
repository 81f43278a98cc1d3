import { describe, expect, it } from 'vitest';
import { LIMITS, validateBlocks, validateView } from '../../src/standin/block-kit-limits.js';
import type { Member, RemovalRequest } from '../../src/db/schema.js';
import {
  parseRemoveMetadata,
  readRemoveForm,
  REMOVE_BLOCKS,
  REMOVE_MODAL_CALLBACK_ID,
  removedView,
  removeMetadata,
  removeModal,
  removeRefusedView,
  requestedView,
  type RemoveModalOrganization,
} from '../../src/slack/blocks/remove-modal.js';
import { HOME_REMOVALS_LIMIT, openRemovalsSection, type OpenRemovalRow } from '../../src/slack/blocks/open-removals.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { MAX_REASON_LENGTH } from '../../src/team/removals.js';

type AnyBlock = Record<string, any>;

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const NOW = new Date('2026-11-27T10:00:00Z');

function member(n: number, values: Partial<Member> = {}): Member {
  return {
    id: uuid(n),
    organization_id: uuid(999),
    email: `person${n}@acme.test`,
    slack_user_id: null,
    slack_guest: false,
    owner_until: null,
    owner_expiry_held_at: null,
    display_name: `Person ${n}`,
    role: 'member',
    status: 'active',
    joined_at: NOW,
    invited_by_member_id: null,
    removed_at: null,
    removed_by_member_id: null,
    removal_reason: null,
    restored_at: null,
    external_id: null,
    user_name: null,
    given_name: null,
    family_name: null,
    last_sign_in_at: null,
    last_slack_activity_at: null,
    role_rank: 1,
    sort_name: `person ${n}`,
    created_at: NOW,
    updated_at: NOW,
    ...values,
  };
}

function request(values: Partial<RemovalRequest> = {}): RemovalRequest {
  return {
    id: uuid(500),
    organization_id: uuid(999),
    kind: 'removal',
    owner_until: null,
    target_member_id: uuid(2),
    requested_by_member_id: uuid(1),
    requested_by_directory: null,
    reason: null,
    status: 'pending',
    decided_by_member_id: null,
    decision_reason: null,
    decided_at: null,
    expires_at: new Date(NOW.getTime() + 72 * 3600_000),
    card_channel_id: null,
    card_ts: null,
    requester_dm_channel_id: null,
    requester_dm_ts: null,
    created_at: NOW,
    updated_at: NOW,
    ...values,
  };
}

const ORG: RemoveModalOrganization = { name: 'Acme', approvals_channel_id: 'C0APPR0001', team_channel_id: 'C0TEAM0001', removal_request_expiry_hours: 72 };
const text = (view: { blocks: unknown[] }) => JSON.stringify(view.blocks);
const block = (view: { blocks: AnyBlock[] }, id: string) => view.blocks.find((b) => b.block_id === id) as AnyBlock;
const buttons = (blocks: AnyBlock[]) => blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as AnyBlock[]) : []));

describe('remove modal', () => {
  const bob = member(2, { display_name: 'Bob Baker', email: 'bob@acme.test' });

  it('without approval: names the person, says access ends immediately, optional reason prefilled, submit "Remove"', () => {
    const view = removeModal({ preview: { target: bob, needsApproval: false }, organization: ORG, reason: 'too many logins' });
    expect(validateView(view, 'modal')).toEqual([]);
    expect(view.callback_id).toBe(REMOVE_MODAL_CALLBACK_ID);
    expect(view.submit?.text).toBe('Remove');
    expect(text(view)).toContain('*Bob Baker* (bob@acme.test), a *member*');
    expect(text(view)).toContain('access ends immediately');
    expect(text(view)).not.toContain('approve');
    const reason = block(view, REMOVE_BLOCKS.reason);
    expect(reason).toMatchObject({ type: 'input', optional: true, element: { type: 'plain_text_input', multiline: true, max_length: MAX_REASON_LENGTH } });
    expect(reason.element.initial_value).toBe('too many logins');
    expect(parseRemoveMetadata(view.private_metadata)).toBe(bob.id);
  });

  it('with approval: another owner must approve, the card goes to the approvals channel, submit "Ask for approval"', () => {
    const view = removeModal({ preview: { target: bob, needsApproval: true }, organization: ORG });
    expect(validateView(view, 'modal')).toEqual([]);
    expect(view.submit?.text).toBe('Ask for approval');
    expect(text(view)).toContain('Another owner must approve first');
    expect(text(view)).toContain('<#C0APPR0001>');
    expect(text(view)).toContain('expires after 3 days');
    expect(block(view, REMOVE_BLOCKS.reason).element.initial_value).toBeUndefined();
    // No approvals channel: the card goes to the team channel.
    expect(text(removeModal({ preview: { target: bob, needsApproval: true }, organization: { ...ORG, approvals_channel_id: null } }))).toContain('<#C0TEAM0001>');
  });

  it('escapes names and emails (no <!channel> ping, no forged link), and a member without a name by email', () => {
    const sneaky = member(3, { display_name: '<!channel> & <https://evil.test|click>', email: 'x<y>@acme.test' });
    const view = removeModal({ preview: { target: sneaky, needsApproval: false }, organization: { ...ORG, name: 'Acme <!here>' } });
    const t = text(view);
    expect(t).toContain('&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;');
    expect(t).not.toContain('<!channel>');
    expect(t).not.toContain('<!here>');
    expect(t).not.toContain('<https://evil');
    expect(t).toContain('x&lt;y&gt;@acme.test');
    expect(text(removedView(sneaky))).not.toContain('<!channel>');
    expect(text(removeModal({ preview: { target: member(4, { display_name: null }), needsApproval: false }, organization: ORG }))).toContain('*person4@acme.test*');
  });

  it('stays within Slack limits with maximal names, emails and a reason longer than the input allows', () => {
    const huge = member(5, { display_name: '&'.repeat(2000), email: `${'<'.repeat(300)}@acme.test`, role: 'owner' });
    const view = removeModal({ preview: { target: huge, needsApproval: true }, organization: { ...ORG, name: '&'.repeat(500) }, reason: 'é'.repeat(5000) });
    expect(validateView(view, 'modal')).toEqual([]);
    expect([...block(view, REMOVE_BLOCKS.reason).element.initial_value].length).toBe(MAX_REASON_LENGTH);
    expect([...view.title.text].length).toBeLessThanOrEqual(LIMITS.viewTitle);
    for (const v of [removedView(huge), removeRefusedView('x'.repeat(5000)), requestedView({ target: huge, requester: huge, request: request(), viewerMemberId: huge.id, alreadyPending: false, organization: ORG })]) {
      expect(validateView(v, 'modal')).toEqual([]);
    }
  });

  it('a request already waiting: says so instead of a form, with nothing to submit', () => {
    const pending = request({ requested_by_member_id: uuid(1) });
    const view = removeModal({ preview: { target: bob, needsApproval: true, pending }, organization: ORG, viewerMemberId: uuid(1), reason: 'ignored' });
    expect(validateView(view, 'modal')).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(view.blocks.some((b) => b.type === 'input')).toBe(false);
    expect(text(view)).toContain('already waiting');
    expect(text(view)).toContain('You asked for it: you can withdraw it');
    const someoneElse = removeModal({ preview: { target: bob, needsApproval: true, pending }, organization: ORG, viewerMemberId: uuid(7) });
    expect(text(someoneElse)).not.toContain('You asked for it');
    expect(text(someoneElse)).toContain('Another owner can approve or reject it');
  });

  it('result views: removed, waiting for approval (with where and how to withdraw), already waiting, refused', () => {
    expect(text(removedView(bob))).toContain('*Bob Baker* (bob@acme.test) was removed; their access has ended.');
    const alice = member(1, { slack_user_id: 'U0ALICE001' });
    const waiting = requestedView({ target: bob, requester: alice, request: request(), viewerMemberId: alice.id, alreadyPending: false, organization: ORG });
    expect(waiting.title.text).toBe('Waiting for approval');
    expect(text(waiting)).toContain('your request to remove *Bob Baker* (bob@acme.test) is in <#C0APPR0001>; you can withdraw it from your DM from Team Manager or the App Home.');
    const again = requestedView({ target: bob, requester: alice, request: request(), viewerMemberId: uuid(8), alreadyPending: true, organization: ORG });
    expect(text(again)).toContain('was already waiting for approval in <#C0APPR0001>, asked by <@U0ALICE001>.');
    expect(text(again)).not.toContain('withdraw');
    const refused = removeRefusedView('Only owners can remove people. Nothing was changed.');
    expect(refused.submit).toBeUndefined();
    expect(text(refused)).toContain('Only owners can remove people. Nothing was changed.');
  });

  it('reads the reason back (empty as null) and accepts only metadata it wrote', () => {
    expect(readRemoveForm({ [REMOVE_BLOCKS.reason]: { reason: { type: 'plain_text_input', value: 'left the company' } } })).toEqual({ reason: 'left the company' });
    expect(readRemoveForm({ [REMOVE_BLOCKS.reason]: { reason: { type: 'plain_text_input', value: '   ' } } })).toEqual({ reason: null });
    expect(readRemoveForm({})).toEqual({ reason: null });
    expect(parseRemoveMetadata(removeMetadata(uuid(2)))).toBe(uuid(2));
    expect(parseRemoveMetadata('{"member":"not-a-uuid"}')).toBeUndefined();
    expect(parseRemoveMetadata('{"member":"' + uuid(2) + '","admin":true}')).toBeUndefined();
    expect(parseRemoveMetadata('nonsense')).toBeUndefined();
    expect(parseRemoveMetadata(undefined)).toBeUndefined();
  });
});

describe('App Home "Waiting for approval"', () => {
  const alice = member(1, { slack_user_id: 'U0ALICE001', display_name: 'Alice', role: 'owner' });
  const carol = member(3, { slack_user_id: 'U0CAROL001', display_name: 'Carol', role: 'owner' });
  const row = (n: number, requester: Member, target: Member, reason: string | null = null): OpenRemovalRow => ({
    request: request({ id: uuid(600 + n), requested_by_member_id: requester.id, target_member_id: target.id, reason }),
    requester,
    target,
  });

  it('is empty without requests', () => {
    expect(openRemovalsSection([], alice.id)).toEqual([]);
  });

  it("Approve (danger, confirmed) and Reject on others' requests; Withdraw on the viewer's own; nothing on a request about the viewer", () => {
    const bob = member(2, { display_name: 'Bob <!channel>', email: 'bob@acme.test' });
    const dave = member(4, { display_name: 'Dave' });
    const rows = [row(1, carol, bob, 'left <!here> the company'), row(2, alice, dave), row(3, carol, alice)];
    const blocks = openRemovalsSection(rows, alice.id) as AnyBlock[];
    expect(validateBlocks(blocks, 'home')).toEqual([]);
    expect(blocks.find((b) => b.type === 'header')!.text.text).toBe('Waiting for approval');
    const t = JSON.stringify(blocks);
    // What Slack parses (mrkdwn) is escaped; plain_text (the confirm dialog) is shown literally anyway.
    const mrkdwn = JSON.stringify(blocks.flatMap((b) => [b.text, ...(b.elements ?? [])]).filter((x) => x?.type === 'mrkdwn'));
    expect(mrkdwn).toContain('Bob &lt;!channel&gt;');
    expect(mrkdwn).toContain('left &lt;!here&gt; the company');
    expect(mrkdwn).not.toContain('<!channel>');
    expect(mrkdwn).not.toContain('<!here>');
    expect(t).toContain('Asked by <@U0CAROL001>');

    const forRow = (n: number) => buttons(blocks.filter((b) => b.block_id === `removal-actions|${uuid(600 + n)}`));
    const [approve, reject] = forRow(1);
    expect(approve).toMatchObject({ action_id: REMOVAL_ACTIONS.approve, style: 'danger', value: uuid(601), confirm: { style: 'danger' } });
    expect(reject).toMatchObject({ action_id: REMOVAL_ACTIONS.reject, value: uuid(601) });
    expect(forRow(2).map((b) => b.action_id)).toEqual([REMOVAL_ACTIONS.withdraw]);
    expect(forRow(2)[0]!.value).toBe(uuid(602));
    expect(forRow(3)).toEqual([]);
    expect(t).toContain('This request is about you');
  });

  it(`shows at most ${HOME_REMOVALS_LIMIT} and says there are more, within a Home's limits with maximal names and reasons`, () => {
    const huge = member(9, { display_name: '&'.repeat(2000), email: `${'<'.repeat(300)}@acme.test` });
    const rows = Array.from({ length: HOME_REMOVALS_LIMIT + 1 }, (_, i) => row(i, carol, huge, '&'.repeat(MAX_REASON_LENGTH)));
    const blocks = openRemovalsSection(rows, alice.id);
    expect(validateBlocks(blocks, 'home')).toEqual([]);
    expect(blocks.filter((b) => String(b.block_id ?? '').startsWith('removal|'))).toHaveLength(HOME_REMOVALS_LIMIT);
    expect(blocks.length).toBeLessThanOrEqual(3 + 2 * HOME_REMOVALS_LIMIT);
    expect(JSON.stringify(blocks)).toContain('more are waiting');
    // Cut at whole characters: never inside an entity such as &amp;.
    const section = blocks.find((b) => String(b.block_id ?? '').startsWith('removal|')) as AnyBlock;
    expect(section.text.text).toMatch(/(&amp;)+…/);
    expect(section.text.text).not.toMatch(/&(a|am|amp)?…/);
  });
});
