import { describe, expect, it } from 'vitest';
import { LIMITS, validateBlocks, validateView } from '../../src/standin/block-kit-limits.js';
import {
  ACTIONS,
  HOME_PAGE_SIZE,
  MESSAGE_PAGE_SIZE,
  encodePageState,
  notAMemberHomeView,
  parsePageState,
  parseRoleOptionValue,
  parseRowBlockId,
  rowBlockId,
  teamHomeView,
  teamListMessage,
  type TeamPageModel,
} from '../../src/slack/blocks/team-page.js';
import { wire, type Wire } from '../support/block-kit.js';
import { encodeCursor, MAX_SEARCH_LENGTH, type TeamPageMember } from '../../src/team/member-list.js';

/**
 * The team page's builders at the page sizes chosen, with the worst input we can make —
 * 200+-character names made of characters that mrkdwn escaping grows fivefold, 254-character
 * emails, a 100-character search, both navigation buttons, a notice — stay within Slack's limits.
 */

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const VIEWER = uuid(999_999);

function member(n: number, overrides: Partial<TeamPageMember> = {}): TeamPageMember {
  // '&' becomes '&amp;' when escaped: the worst case for section text.
  const name = `${'&<>'.repeat(100)}${n}`; // 301 characters, clipped to 200 on the page
  return {
    id: uuid(n),
    email: `${'a'.repeat(240)}${String(n).padStart(4, '0')}@ex.test`.slice(0, 254),
    display_name: name,
    slack_user_id: null,
    // Some members are guests in Slack: their row says so (and has no role dropdown), the longest text.
    slack_guest: n % 4 === 3,
    role: n % 2 === 0 ? 'owner' : 'member',
    owner_until: null,
    joined_at: new Date('2026-01-02T03:04:05Z'),
    last_sign_in_at: n % 3 === 0 ? null : new Date('2026-02-03T04:05:06Z'),
    role_rank: n % 2 === 0 ? 0 : 1,
    sort_name: name.toLowerCase(),
    ...overrides,
  };
}

/** A cursor as long as the encoder ever makes one (names long enough to be dropped from it). */
function longestCursor(): string {
  let longest = '';
  for (let length = 1; length < 1_000; length += 7) {
    const cursor = encodeCursor({ role_rank: 1, sort_name: '€'.repeat(length), id: uuid(1) });
    if (cursor.length > longest.length) longest = cursor;
  }
  return longest;
}

function model(size: number, viewerRole: 'owner' | 'member', overrides: Partial<TeamPageModel> = {}): TeamPageModel {
  const cursor = longestCursor();
  return {
    organizationName: 'O'.repeat(300),
    viewer: { id: VIEWER, role: viewerRole },
    search: '"\\&<>'.repeat(MAX_SEARCH_LENGTH / 5), // 100 characters that JSON and mrkdwn both grow
    members: Array.from({ length: size }, (_, i) => member(i + 1)),
    total: 10_000,
    nextCursor: cursor,
    prevCursor: cursor,
    notice: { kind: 'error', text: 'x'.repeat(5_000) },
    ...overrides,
  };
}

function allElements(blocks: unknown[] | undefined): Wire[] {
  return wire(blocks ?? []).flatMap((b: Wire) => [b.accessory, b.element, ...(b.elements ?? [])].filter((e): e is Wire => Boolean(e)));
}

function mrkdwnTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : [];
  return [...own, ...Object.values(o).flatMap(mrkdwnTexts)];
}

describe('team page blocks', () => {
  it('chooses page sizes that fit: 20 on Home, 10 in a message', () => {
    expect(HOME_PAGE_SIZE).toBe(20);
    expect(MESSAGE_PAGE_SIZE).toBe(10);
  });

  it("an owner's Home tab at 20 members with maximal names, search and both buttons is within Slack's limits", () => {
    const m = model(HOME_PAGE_SIZE, 'owner');
    const view = teamHomeView(m, { q: m.search, a: m.nextCursor! });
    expect(validateView(view, 'home')).toEqual([]);
    expect(view.blocks.length).toBe(8 + 2 * HOME_PAGE_SIZE);
    expect(view.blocks.length).toBeLessThanOrEqual(LIMITS.viewBlocks);
    expect(view.private_metadata!.length).toBeLessThanOrEqual(LIMITS.privateMetadata);

    const selects = allElements(view.blocks).filter((e) => e.action_id === ACTIONS.role);
    const removes = allElements(view.blocks).filter((e) => e.action_id === ACTIONS.remove);
    // A guest who is a member has no dropdown (guests cannot be owners); every row can be removed.
    const guests = m.members.filter((row) => row.slack_guest && row.role === 'member');
    expect(guests.length).toBeGreaterThan(0);
    expect(selects).toHaveLength(HOME_PAGE_SIZE - guests.length);
    const guestRows = wire(view).blocks.filter((b: Wire) => b.type === 'section' && String(b.text.text).includes(' · guest in Slack · '));
    expect(guestRows).toHaveLength(m.members.filter((row) => row.slack_guest).length);
    expect(removes).toHaveLength(HOME_PAGE_SIZE);
    // Every row has an Activity button, first in its actions block `tpx|<member id>`, naming that member.
    for (const row of m.members) {
      const actions = wire(view).blocks.find((b: Wire) => b.block_id === `tpx|${row.id}`)!;
      const [activity, remove] = actions.elements;
      expect(activity).toMatchObject({ type: 'button', action_id: ACTIONS.activity, value: row.id, text: { text: 'Activity' } });
      expect(remove).toMatchObject({ action_id: ACTIONS.remove, value: row.id });
    }
    const sections = wire(view).blocks.filter((b: Wire) => b.type === 'section');
    const longest = Math.max(...sections.map((b: Wire) => [...String(b.text.text)].length));
    expect(longest).toBeLessThanOrEqual(LIMITS.sectionText);
    const values = allElements(view.blocks).map((e) => String(e.value ?? ''));
    expect(Math.max(...values.map((v) => v.length))).toBeLessThanOrEqual(LIMITS.buttonValue);
  });

  it('stays within limits at the worst case the renderer can meet: 100 blocks is far away', () => {
    // Blocks on an owner's Home: header, notice, summary, search, clear, divider, 2 a member, divider, nav.
    const worst = 8 + 2 * HOME_PAGE_SIZE;
    expect(worst).toBeLessThanOrEqual(LIMITS.viewBlocks / 2);
    // In a message: header, notice, summary, divider, 2 a member, divider, nav, help.
    expect(7 + 2 * MESSAGE_PAGE_SIZE).toBeLessThanOrEqual(LIMITS.messageBlocks);
  });

  it("a member's Home tab is read-only: no dropdowns, no Remove; Activity on their own row only, one block a row", () => {
    const view = teamHomeView(model(HOME_PAGE_SIZE, 'member'), {});
    expect(validateView(view, 'home')).toEqual([]);
    const ids = allElements(view.blocks).map((e) => e.action_id);
    expect(ids).not.toContain(ACTIONS.role);
    expect(ids).not.toContain(ACTIONS.remove);
    expect(ids).not.toContain(ACTIONS.activity); // the viewer is not on this page
    expect(ids).toContain(ACTIONS.next);
    expect(ids).toContain(ACTIONS.search);
    expect(view.blocks.length).toBe(8 + HOME_PAGE_SIZE);

    const me = member(4, { id: VIEWER });
    const own = teamHomeView(model(HOME_PAGE_SIZE, 'member', { members: [member(1), me, member(2)] }), {});
    expect(validateView(own, 'home')).toEqual([]);
    const activity = allElements(own.blocks).filter((e) => e.action_id === ACTIONS.activity);
    expect(activity).toEqual([{ type: 'button', action_id: ACTIONS.activity, text: { type: 'plain_text', text: 'Activity' }, value: VIEWER }]);
    expect(wire(own).blocks.find((b: Wire) => b.accessory?.action_id === ACTIONS.activity)?.block_id).toMatch(new RegExp(`^tpr\\|${VIEWER}\\|`));
  });

  it("the /team list message at 10 members is within a message's limits, for owners and members", () => {
    for (const role of ['owner', 'member'] as const) {
      const reply = teamListMessage(model(MESSAGE_PAGE_SIZE, role), '/team');
      expect(validateBlocks(reply.blocks, 'message')).toEqual([]);
      expect(reply.blocks!.length).toBeLessThanOrEqual(7 + 2 * MESSAGE_PAGE_SIZE);
      // No input blocks in a message: search is `/team list <text>`.
      expect(reply.blocks!.some((b) => b.type === 'input')).toBe(false);
      expect(reply.text).not.toContain('<');
    }
  });

  it('the role dropdown is preset to the current role and confirms naming the person and the new role', () => {
    const bob = member(1, { display_name: 'Bob <!channel> Baker', role: 'member', role_rank: 1 });
    const view = teamHomeView(model(1, 'owner', { members: [bob], search: undefined }), {});
    const select = allElements(view.blocks).find((e) => e.action_id === ACTIONS.role)!;
    expect(select.type).toBe('static_select');
    expect(select.initial_option).toEqual({ text: { type: 'plain_text', text: 'Member' }, value: `member|${bob.id}` });
    expect((select.options as Array<{ text: { text: string } }>).map((o) => o.text.text)).toEqual(['Owner', 'Owner for 1 day', 'Owner for 7 days', 'Member']);
    const confirm = select.confirm as Record<string, { text: string }>;
    expect(confirm.text!.text).toBe("Change Bob <!channel> Baker's role from Member to Owner?"); // plain_text: shown literally
    expect(confirm.confirm!.text).toBe('Make owner');
    expect(parseRoleOptionValue(`owner|${bob.id}`)).toEqual({ role: 'owner', memberId: bob.id });
    expect(parseRoleOptionValue(`admin|${bob.id}`)).toBeUndefined();
    expect(parseRoleOptionValue(`owner-7d|${bob.id}`)).toEqual({ role: 'owner', memberId: bob.id, ownerForDays: 7 });
    expect(parseRoleOptionValue(`member-7d|${bob.id}`)).toBeUndefined();
  });

  it('escapes names, emails and the search in mrkdwn', () => {
    const sneaky = member(1, { display_name: '<!channel> <https://evil|click>', email: 'x&y@ex.test' });
    const view = teamHomeView(model(1, 'owner', { members: [sneaky], search: '<!here>', notice: undefined }), {});
    // Every mrkdwn text object (plain_text, values and ids are not parsed by Slack).
    const json = JSON.stringify(mrkdwnTexts(view.blocks));
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('&lt;https://evil|click&gt;');
    expect(json).toContain('x&amp;y@ex.test');
    expect(json).toContain('&lt;!here&gt;');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<!here>');
  });

  it('shows "never" for a member who never signed in, and marks the viewer', () => {
    const me = member(3, { id: VIEWER, display_name: 'Me', last_sign_in_at: null });
    const view = teamHomeView(model(1, 'owner', { members: [me], notice: undefined }), {});
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('last sign-in never');
    expect(text).toContain('_(you)_');
    // An owner cannot remove themselves here (that is /team leave), but sees their own Activity.
    expect(allElements(view.blocks).some((e) => e.action_id === ACTIONS.remove)).toBe(false);
    expect(wire(view).blocks.find((b: Wire) => b.block_id === `tpx|${VIEWER}`)?.elements).toEqual([
      { type: 'button', action_id: ACTIONS.activity, text: { type: 'plain_text', text: 'Activity' }, value: VIEWER },
    ]);
  });

  it('round-trips page state and row block ids, and refuses what it did not write', () => {
    const state = { q: 'bo', a: 'abc' };
    expect(parsePageState(encodePageState(state))).toEqual(state);
    expect(parsePageState('{"q":"x","a":"1","b":"2"}')).toBeUndefined();
    expect(parsePageState('{"admin":true}')).toBeUndefined();
    expect(parsePageState('not json')).toBeUndefined();
    const id = rowBlockId(uuid(1), uuid(2), 'a|b c');
    expect(id.length).toBeLessThanOrEqual(LIMITS.blockId);
    expect(rowBlockId(uuid(1), uuid(2), 'é'.repeat(MAX_SEARCH_LENGTH)).length).toBeLessThanOrEqual(LIMITS.blockId);
    expect(parseRowBlockId(id)).toEqual({ memberId: uuid(1), anchorId: uuid(2), search: 'a|b c' });
    expect(parseRowBlockId('something else')).toBeUndefined();
  });

  it('the not-a-member page is one sentence', () => {
    const view = notAMemberHomeView('Acme');
    expect(validateView(view, 'home')).toEqual([]);
    const sentence = String(wire(view).blocks[1].text.text);
    expect(sentence.split(/[.!?]\s/).length).toBe(1);
  });

  it('an empty search result says so', () => {
    const view = teamHomeView(model(0, 'owner', { members: [], total: 0, search: 'zz', nextCursor: null, prevCursor: null, notice: undefined }), {});
    expect(validateView(view, 'home')).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('starts with “zz”');
  });
});
