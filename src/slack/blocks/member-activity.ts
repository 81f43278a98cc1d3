import { settingsChangeSummary, sourceLabel } from './audit-sentences.js';
import type { ActivityPerson, ConfigChange, MemberActivity, RoleHistoryEntry } from '../../activity/member-activity.js';
import type { Member } from '../../db/schema.js';
import { roleLabel } from '../../team/people.js';
import { memberLabel, timeLabel } from '../mrkdwn.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { clip, context, divider, mrkdwn, plain, section, type KnownBlock, type ModalView, type MrkdwnElement } from './kit.js';
import type { SlackReply } from './reply.js';

/**
 * A member's activity as Block Kit, for the `/team activity` message and the modal the team
 * page's Activity button opens. Pure. At most 9 blocks whatever the data (a message allows 50,
 * a modal 100), and every section is kept under Slack's 3,000 characters: names and summaries
 * are clipped before they are escaped, and a list that would not fit is cut with "and N more".
 */

export const ACTIVITY_MODAL_CALLBACK_ID = 'member.activity';

const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const MAX_NAME = 100;
const MAX_EMAIL = 254;
const MAX_SUMMARY = 200;

export function memberActivityBlocks(activity: MemberActivity): KnownBlock[] {
  const m = activity.member;
  return [
    section(`${heading(m)}${activity.viewerIsMember ? ' _(you)_' : ''}\n${roleLabel(m.role)} · ${status(m)}`),
    {
      type: 'section',
      fields: [
        field('Joined', timeLabel(m.joined_at)),
        field('Invited by', activity.invitedBy ? person(activity.invitedBy) : 'nobody (added directly, not invited)'),
        field('Last sign-in', activity.lastSignInAt ? timeLabel(activity.lastSignInAt) : 'never reported'),
        field('Last activity in Slack', activity.lastSlackActivityAt ? timeLabel(activity.lastSlackActivityAt) : 'not seen yet'),
      ],
    },
    divider(),
    section(
      withinLimit(
        '*Role history*',
        activity.roleHistory.map(roleLine),
        activity.roleHistory.length === 0 ? 'No role changes recorded.' : undefined,
        activity.moreRoleHistory ? '…and earlier changes (`/team audit @person member` lists them all).' : undefined,
      ),
    ),
    section(
      withinLimit(
        '*Recent configuration changes*',
        activity.configChanges.map(configLine),
        activity.configChanges.length === 0 ? 'None reported.' : undefined,
      ),
    ),
    context(
      'Sign-ins and configuration changes are reported by your product through the Team Manager API; activity in Slack is updated at most every 5 minutes.',
    ),
  ];
}

/** The `/team activity` answer (ephemeral). */
export function memberActivityMessage(activity: MemberActivity): SlackReply {
  const name = activity.member.display_name ?? activity.member.email;
  return { text: escapeMrkdwn(`Activity of ${clip(name, MAX_NAME)}`), blocks: memberActivityBlocks(activity) };
}

/** The modal the Activity button opens. */
export function memberActivityModal(activity: MemberActivity): ModalView {
  return {
    type: 'modal',
    callback_id: ACTIVITY_MODAL_CALLBACK_ID,
    title: plain('Activity'),
    close: plain('Close'),
    blocks: memberActivityBlocks(activity),
  };
}

/** The modal shown instead when the activity cannot be shown to this person. */
export function activityRefusedModal(message: string): ModalView {
  return {
    type: 'modal',
    callback_id: ACTIVITY_MODAL_CALLBACK_ID,
    title: plain('Activity'),
    close: plain('Close'),
    blocks: [section(`:no_entry: ${message}`)],
  };
}

// ---------------------------------------------------------------------------
// Pieces

function heading(m: Member): string {
  const email = escapeMrkdwn(clip(m.email, MAX_EMAIL));
  const name = m.display_name ? `*${escapeMrkdwn(clip(m.display_name, MAX_NAME))}* (${email})` : `*${email}*`;
  return m.slack_user_id ? `${name} <@${m.slack_user_id}>` : name;
}

function status(m: Member): string {
  if (m.status === 'active') return 'active member';
  // The reason says where it came from: "deactivated in Slack", "…in your identity provider", or the owner's words.
  const why = m.removal_reason ? ` (${escapeMrkdwn(clip(oneLine(m.removal_reason), MAX_SUMMARY))})` : '';
  return `removed${m.removed_at ? ` ${timeLabel(m.removed_at)}` : ''}${why}`;
}

function person(p: ActivityPerson): string {
  const label = memberLabel({ slack_user_id: p.slack_user_id, display_name: p.display_name && clip(p.display_name, MAX_NAME), email: clip(p.email, MAX_EMAIL) });
  return p.status === 'active' ? label : `${label} (no longer a member)`;
}

function roleLine(entry: RoleHistoryEntry): string {
  const change = entry.fromRole === null ? `joined as ${roleLabel(entry.toRole)}` : `${roleLabel(entry.fromRole)} → ${roleLabel(entry.toRole)}`;
  const by = entry.changedBy ? `, by ${person(entry.changedBy)}` : entry.source === 'cli' ? ', by the command line' : entry.source === 'system' ? ', by Team Manager' : entry.source === 'scim' ? ', by your identity provider' : '';
  return `• ${timeLabel(entry.changedAt)}: ${change}${by} (${sourceLabel(entry.source)})`;
}

function configLine(change: ConfigChange): string {
  if (change.kind === 'reported') return `• ${timeLabel(change.occurredAt)}: ${escapeMrkdwn(clip(oneLine(change.summary), MAX_SUMMARY))}`;
  const summary = settingsChangeSummary(change.before, change.after);
  return `• ${timeLabel(change.occurredAt)}: changed the team settings${summary ? `: ${summary}` : ''} (${sourceLabel(change.source)})`;
}

/** A heading and lines, as many as fit in one section, then "and N more". */
function withinLimit(title: string, lines: string[], empty?: string, footer?: string): string {
  if (lines.length === 0) return `${title}\n${empty ?? ''}`;
  let text = title;
  const tail = footer ? `\n${footer}` : '';
  for (let i = 0; i < lines.length; i++) {
    const more = `\n…and ${lines.length - i} more`;
    const line = `\n${lines[i]}`;
    if ([...text].length + [...line].length + more.length + tail.length > SECTION_MAX) return text + more + tail;
    text += line;
  }
  return text + tail;
}

function field(label: string, value: string): MrkdwnElement {
  return mrkdwn(clip(`*${label}*\n${value}`, FIELD_MAX));
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
