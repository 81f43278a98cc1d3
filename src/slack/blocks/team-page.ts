import { z } from 'zod';
import type { Role } from '../../db/schema.js';
import type { Cursor, TeamPageMember, TeamPageRead } from '../../team/member-list.js';
import { MAX_SEARCH_LENGTH } from '../../team/member-list.js';
import { roleLabel } from '../../team/people.js';
import { escapeMrkdwn, timeLabel } from '../mrkdwn.js';
import {
  button,
  clip,
  confirmDialog,
  context,
  divider,
  header as headerBlock,
  option,
  plain,
  section,
  type ActionsBlock,
  type Button,
  type HomeView,
  type KnownBlock,
  type SectionBlock,
  type StaticSelect,
} from './kit.js';
import type { SlackReply } from './reply.js';
import { RESTORE_ACTIONS } from './restore-undo.js';

export { clip } from './kit.js';
export type { HomeView } from './kit.js';

/**
 * The team page as Block Kit: pure functions from what was read to blocks, for the App Home
 * tab and for the `/team list` message. Sizes are chosen so the worst case fits Slack's
 * limits, and test/unit/team-page-blocks.test.ts proves it with maximal names and emails:
 *
 * - Home: 20 members a page. An owner's view spends 2 blocks a member (the text with the role
 *   dropdown, then the Activity and Remove buttons: a section has room for one accessory), so at
 *   most 8 + 2 × 20 = 48 of the 100 blocks a Home tab allows (header, notice, summary, search,
 *   clear-search, two dividers, Previous/Next). A member's view spends 1 a row: its Activity
 *   button is the section's accessory.
 * - Message: 10 members a page, at most 7 + 2 × 10 = 27 of a message's 50 blocks — a
 *   chat-sized page, with room to spare.
 * - Section text: names are clipped to 200 and emails to 254 characters before escaping
 *   (which can grow `&` fivefold), so a row stays under 2,500 of its 3,000 characters.
 * - Button values carry a page state (two cursors of ≤ 600 characters at most one of which
 *   is used, plus a search of ≤ 100 characters): well under 2,000.
 */

export const HOME_PAGE_SIZE = 20;
export const MESSAGE_PAGE_SIZE = 10;

export const ACTIONS = {
  next: 'team_page.next',
  previous: 'team_page.previous',
  search: 'team_page.search',
  clearSearch: 'team_page.clear_search',
  role: 'team_page.role',
  remove: 'team_page.remove',
  /** Opens the member's activity (src/slack/listeners/actions/member-activity.ts). */
  activity: 'team_page.activity',
} as const;

const MAX_NAME = 200;
const MAX_EMAIL = 254;


/** A line shown at the top of the page after an action: the app's own words (already mrkdwn-safe). */
export interface Notice {
  kind: 'success' | 'error';
  text: string;
  /** The audit event an Undo button beside the notice takes back (the actor's own role change). */
  undoEventId?: string;
}

// ---------------------------------------------------------------------------
// Page state: where the reader is. It rides in button values and private_metadata, so it is
// navigation only — never trusted for who may see or do what — and parsed strictly.

export interface PageState {
  /** Search (prefix of a name or email). */
  q?: string | undefined;
  /** The page after this cursor. */
  a?: Cursor | undefined;
  /** The page before this cursor. */
  b?: Cursor | undefined;
}

const pageStateSchema = z
  .object({
    q: z.string().max(MAX_SEARCH_LENGTH * 2).optional(),
    a: z.string().max(1_000).optional(),
    b: z.string().max(1_000).optional(),
  })
  .strict()
  .refine((s) => !(s.a && s.b), 'a page has one position');

export function encodePageState(state: PageState): string {
  const compact: PageState = {};
  if (state.q) compact.q = state.q;
  if (state.a) compact.a = state.a;
  else if (state.b) compact.b = state.b;
  return JSON.stringify(compact);
}

/** The state in a value; undefined when it is not one we wrote (the caller decides how to answer). */
export function parsePageState(raw: string | undefined | null): PageState | undefined {
  if (!raw) return undefined;
  try {
    const parsed = pageStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A member row's block_id: the member, and how to show this page again when all a control
 * sends back is its own block (a message has no private_metadata): the page's first member and
 * the search. `|` separates; the search comes last, so it needs no escaping. ≤ 3+1+36+1+36+1+100.
 */
export function rowBlockId(memberId: string, anchorId: string, search: string | undefined): string {
  return `tpr|${memberId}|${anchorId}|${search ?? ''}`;
}

export function parseRowBlockId(blockId: string | undefined): { memberId: string; anchorId: string; search: string | undefined } | undefined {
  const match = /^tpr\|([0-9a-f-]{36})\|([0-9a-f-]{36})\|([\s\S]*)$/.exec(blockId ?? '');
  if (!match) return undefined;
  return { memberId: match[1]!, anchorId: match[2]!, search: match[3] === '' ? undefined : match[3] };
}

/** The role dropdown's option value: which role, for which member. The service decides whether it may happen. */
export function roleOptionValue(role: Role, memberId: string): string {
  return `${role}|${memberId}`;
}

/** A temporary ownership offered by the dropdown: owner for this many days. */
export const OWNER_FOR_DAYS = [1, 7] as const;

export function ownerForOptionValue(days: (typeof OWNER_FOR_DAYS)[number], memberId: string): string {
  return `owner-${days}d|${memberId}`;
}

export function parseRoleOptionValue(value: string | undefined): { role: Role; memberId: string; ownerForDays?: number } | undefined {
  const match = /^(owner|member)(?:-(1|7)d)?\|([0-9a-f-]{36})$/.exec(value ?? '');
  if (!match || (match[2] && match[1] !== 'owner')) return undefined;
  return { role: match[1] as Role, memberId: match[3]!, ...(match[2] ? { ownerForDays: Number(match[2]) } : {}) };
}

// ---------------------------------------------------------------------------
// The page

export interface TeamPageModel {
  organizationName: string;
  viewer: { id: string; role: Role };
  search: string | undefined;
  members: readonly TeamPageMember[];
  total: number;
  nextCursor: Cursor | null;
  prevCursor: Cursor | null;
  notice?: Notice | undefined;
}

/** The model of one page, from what readTeamPage returned for an allowed viewer. */
export function teamPageModel(organizationName: string, read: Extract<TeamPageRead, { allowed: true }>, notice?: Notice): TeamPageModel {
  return {
    organizationName,
    viewer: read.viewer,
    search: read.search,
    members: read.page.members,
    total: read.total,
    nextCursor: read.page.nextCursor,
    prevCursor: read.page.prevCursor,
    notice,
  };
}

/** The App Home tab of an active member. `state` is what re-renders this same page (kept in private_metadata). */
export function teamHomeView(model: TeamPageModel, state: PageState): HomeView {
  const blocks: KnownBlock[] = [header(model.organizationName)];
  if (model.notice) blocks.push(noticeBlock(model.notice));
  blocks.push(summary(model, 'home'));
  blocks.push({
    type: 'input',
    block_id: 'tp.search',
    dispatch_action: true,
    optional: true,
    label: plain('Search by name or email'),
    element: {
      type: 'plain_text_input',
      action_id: ACTIONS.search,
      max_length: MAX_SEARCH_LENGTH,
      placeholder: plain('Type the start of a name or email, then press Enter'),
      dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
      ...(model.search ? { initial_value: model.search } : {}),
    },
  });
  if (model.search) {
    blocks.push({ type: 'actions', block_id: 'tp.clear', elements: [button(ACTIONS.clearSearch, 'Show everyone', encodePageState({}))] });
  }
  blocks.push(divider(), ...memberRows(model), divider());
  const nav = navigation(model);
  if (nav) blocks.push(nav);
  return { type: 'home', blocks, private_metadata: encodePageState(state) };
}

/** The `/team list` answer (ephemeral): the same page, sized for a message, searched with `/team list <text>`. */
export function teamListMessage(model: TeamPageModel, command: string): SlackReply {
  const blocks: KnownBlock[] = [header(model.organizationName)];
  if (model.notice) blocks.push(noticeBlock(model.notice));
  blocks.push(summary(model, 'message'), divider(), ...memberRows(model));
  const nav = navigation(model);
  if (nav) blocks.push(divider(), nav);
  blocks.push(context(`Search with \`${escapeMrkdwn(command)} list <name or email>\`. The App Home tab shows the same page.`));
  const text = model.search
    ? `${model.organizationName} team: ${model.total} ${plural(model.total, 'member')} matching "${model.search}"`
    : `${model.organizationName} team: ${model.total} ${plural(model.total, 'member')}`;
  return { text: escapeMrkdwn(text), blocks };
}

/** The one-sentence page for someone who is not an active member. */
export function notAMemberHomeView(organizationName: string, notice?: Notice): HomeView {
  return {
    type: 'home',
    blocks: [
      header(organizationName),
      ...(notice ? [noticeBlock(notice)] : []),
      section(NOT_A_MEMBER_SENTENCE),
    ],
  };
}

export const NOT_A_MEMBER_SENTENCE = "You're not an active member of this team in Team Manager; ask an owner to invite you.";

// ---------------------------------------------------------------------------
// Pieces

function header(organizationName: string): KnownBlock {
  return headerBlock(`${organizationName} team`);
}

function noticeBlock(notice: Notice): KnownBlock {
  const icon = notice.kind === 'success' ? ':white_check_mark:' : ':warning:';
  const block = section(`${icon} ${notice.text}`, 'tp.notice');
  return notice.undoEventId ? { ...block, accessory: button(RESTORE_ACTIONS.undo, 'Undo', notice.undoEventId) } : block;
}

function summary(model: TeamPageModel, surface: 'home' | 'message'): KnownBlock {
  const count = `${model.total.toLocaleString('en-US')} active ${plural(model.total, 'member')}`;
  const what = model.search ? `${count} whose name or email starts with “${escapeMrkdwn(model.search)}”` : count;
  const shown = model.members.length < model.total ? ` · showing ${model.members.length}` : '';
  const you = model.viewer.role === 'owner' ? 'You are an *owner*: you can change roles here.' : 'You are a *member*: this page is read-only.';
  const order = surface === 'home' ? ' Owners first, then by name.' : '';
  return context(`${what}${shown}. ${you}${order}`);
}

function memberRows(model: TeamPageModel): KnownBlock[] {
  if (model.members.length === 0) {
    const text = model.search
      ? `Nobody's name or email starts with “${escapeMrkdwn(model.search)}”.`
      : 'Nobody is on this page any more. Go back to the first page.';
    return [section(text)];
  }
  const anchorId = model.members[0]!.id;
  const owner = model.viewer.role === 'owner';
  return model.members.flatMap((member): KnownBlock[] => {
    const isViewer = member.id === model.viewer.id;
    const activity = button(ACTIONS.activity, 'Activity', member.id);
    const row: SectionBlock = {
      type: 'section',
      block_id: rowBlockId(member.id, anchorId, model.search),
      text: { type: 'mrkdwn', text: memberText(member, isViewer) },
      // A member's row: Activity is the accessory, on their own row only — members may see
      // their own activity, owners anyone's (policy 'activity.view'), so no button is shown
      // that could only be refused. Owners: the role dropdown, and Activity below.
      // A guest who is a member has no role to pick (guests cannot be owners): no dropdown to be refused.
      ...(owner && !(member.slack_guest && member.role === 'member') ? { accessory: roleSelect(member) } : isViewer ? { accessory: activity } : {}),
    };
    if (!owner) return [row];
    // Removing yourself is `/team leave`, so an owner's own row has Activity and no Remove.
    const buttons: ActionsBlock = {
      type: 'actions',
      block_id: `tpx|${member.id}`,
      elements: isViewer ? [activity] : [activity, button(ACTIONS.remove, 'Remove', member.id, { style: 'danger' })],
    };
    return [row, buttons];
  });
}

function memberText(member: TeamPageMember, isViewer: boolean): string {
  const name = member.display_name ?? member.email;
  const lines = [`*${escapeMrkdwn(clip(name, MAX_NAME))}*${isViewer ? ' _(you)_' : ''}`];
  if (member.display_name !== null) lines.push(escapeMrkdwn(clip(member.email, MAX_EMAIL)));
  lines.push(
    `${roleLabel(member.role)}${member.owner_until ? ` until ${timeLabel(member.owner_until)}` : ''}${member.slack_guest ? ' · guest in Slack' : ''} · joined ${slackDate(member.joined_at)} · last sign-in ${member.last_sign_in_at ? slackDate(member.last_sign_in_at) : 'never'}`,
  );
  return lines.join('\n');
}

/** Owner/Member, preset to the current role; Slack shows the confirm dialog when the other role is picked. */
function roleSelect(member: TeamPageMember): StaticSelect {
  const roleOption = (role: Role) => option(roleOptionValue(role, member.id), roleLabel(role));
  const other: Role = member.role === 'owner' ? 'member' : 'owner';
  return {
    type: 'static_select',
    action_id: ACTIONS.role,
    // Owner for a day or a week: least privilege without a command (the clock makes them a member again).
    options: [roleOption('owner'), ...OWNER_FOR_DAYS.map((d) => option(ownerForOptionValue(d, member.id), `Owner for ${d === 1 ? '1 day' : `${d} days`}`)), roleOption('member')],
    initial_option: roleOption(member.role),
    confirm: confirmDialog({
      title: 'Change role?',
      // One dialog for every option: for an owner it may be the end of their ownership or a new end time.
      text:
        member.role === 'owner'
          ? `Change ${clip(member.display_name ?? member.email, 150)}'s role or how long they stay an owner?`
          : `Change ${clip(member.display_name ?? member.email, 150)}'s role from ${roleLabel(member.role)} to ${roleLabel(other)}?`,
      confirm: `Make ${roleLabel(other).toLowerCase()}`,
      deny: 'Cancel',
    }),
  };
}

function navigation(model: TeamPageModel): ActionsBlock | undefined {
  const elements: Button[] = [];
  if (model.prevCursor) elements.push(button(ACTIONS.previous, '← Previous', encodePageState({ q: model.search, b: model.prevCursor })));
  if (model.nextCursor) elements.push(button(ACTIONS.next, 'Next →', encodePageState({ q: model.search, a: model.nextCursor })));
  return elements.length > 0 ? { type: 'actions', block_id: 'tp.nav', elements } : undefined;
}

/** Slack renders the date in the reader's time zone; the fallback is the UTC date. */
function slackDate(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short}|${date.toISOString().slice(0, 10)}>`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
