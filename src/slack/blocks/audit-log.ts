import { z } from 'zod';
import type { AuditPage } from '../../activity/audit-log.js';
import { ACTION_PREFIXES } from '../../events/audit-actions.js';
import { auditSentence, sourceLabel } from './audit-sentences.js';
import { withRestoreButton } from './restore-undo.js';
import { memberLabel, timeLabel } from '../mrkdwn.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, clip, context, divider, header, section, type Button, type KnownBlock } from './kit.js';
import type { SlackReply } from './reply.js';

/**
 * The `/team audit` page as an ephemeral message: one section per event (its sentence, then
 * when and from where), newest first, with Newer / Older buttons that replace the message in
 * place. Pure. With AUDIT_PAGE_SIZE (20) events a page is at most 6 + 20 = 26 of a message's 50
 * blocks; each sentence is short by construction (./audit-sentences.ts clips every
 * piece of user text) and each section is clipped to 3,000 characters all the same.
 *
 * The buttons' value carries the position and the filters: navigation only, never trusted for
 * who may read — every click reads the reader from the database and authorises again.
 */

export const AUDIT_LOG_ACTIONS = {
  older: 'audit_log.older',
  newer: 'audit_log.newer',
} as const;


/** What a Newer / Older button carries: where to go, and the filters to keep. */
export interface AuditNavValue {
  /** The cursor (an opaque event position). */
  c: string;
  /** The member filter (a member id). */
  t?: string | undefined;
  /** The action filter as typed. */
  a?: string | undefined;
}

const navSchema = z
  .object({
    c: z.string().min(1).max(200),
    t: z.uuid().optional(),
    a: z.string().min(1).max(100).optional(),
  })
  .strict();

export function encodeAuditNav(value: AuditNavValue): string {
  return JSON.stringify({ c: value.c, ...(value.t ? { t: value.t } : {}), ...(value.a ? { a: value.a } : {}) });
}

/** The value of a button we wrote; undefined for anything else. */
export function parseAuditNav(raw: string | null | undefined): AuditNavValue | undefined {
  if (!raw) return undefined;
  try {
    const parsed = navSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function auditLogMessage(page: AuditPage, command: string): SlackReply {
  const blocks: KnownBlock[] = [header('Audit log'), context(filterLine(page)), divider()];
  if (page.events.length === 0) {
    blocks.push(section(page.target || page.action ? 'No events match these filters.' : 'No events yet.'));
  }
  for (const event of page.events) {
    const sentence = auditSentence(event, page.lookup);
    const line = `${sentence}\n_${timeLabel(event.occurred_at)} · ${sourceLabel(event.source)}_`;
    // A membership that ended can be restored from its row; src/team/restore.ts decides at the click (window, since restored…).
    const ended = (event.action === 'member.removed' || event.action === 'member.left') && event.target_type === 'member' && event.target_id;
    blocks.push(ended ? withRestoreButton(line, event.target_id!) : section(line));
  }
  const filters = { t: page.target?.id, a: page.action };
  const buttons: Button[] = [];
  if (page.newerCursor) buttons.push(button(AUDIT_LOG_ACTIONS.newer, '← Newer', encodeAuditNav({ c: page.newerCursor, ...filters })));
  if (page.olderCursor) buttons.push(button(AUDIT_LOG_ACTIONS.older, 'Older →', encodeAuditNav({ c: page.olderCursor, ...filters })));
  if (buttons.length > 0) blocks.push(divider(), { type: 'actions', block_id: 'audit.nav', elements: buttons });
  blocks.push(
    context(
      `Filter with \`${escapeMrkdwn(command)} audit @person\` and/or a kind of event: ` +
        `${ACTION_PREFIXES.map((p) => `\`${p}\``).join(', ')}, or one action such as \`member.role_changed\`.`,
    ),
  );
  const text = `Audit log: ${page.events.length} ${page.events.length === 1 ? 'event' : 'events'}${page.newerCursor ? '' : ', latest first'}`;
  return { text, blocks };
}

function filterLine(page: AuditPage): string {
  const parts: string[] = [];
  if (page.target) {
    const t = page.target;
    parts.push(`about ${memberLabel({ slack_user_id: t.slack_user_id, display_name: t.display_name && clip(t.display_name, 100), email: clip(t.email, 254) })}`);
  }
  if (page.action) parts.push(`of kind \`${escapeMrkdwn(page.action)}\``);
  const which = parts.length > 0 ? `Events ${parts.join(', ')}` : 'Every event';
  return `${which}, newest first${page.newerCursor ? ' (an earlier page)' : ''}. Only owners can read the audit log.`;
}
