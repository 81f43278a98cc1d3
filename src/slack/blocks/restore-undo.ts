import { button, section, type KnownBlock, type SectionBlock } from './kit.js';

/**
 * The Restore and Undo buttons (src/team/restore.ts, src/team/undo.ts). Their values only say
 * which member (Restore) or which audit event (Undo); the services decide from the database
 * whether the clicker may, at the moment of the click.
 */
export const RESTORE_ACTIONS = {
  restore: 'member.restore',
  undo: 'change.undo',
} as const;

/** A line with a Restore button beside it: the removal post in the team channel, an audit row. */
export function withRestoreButton(text: string, memberId: string): SectionBlock {
  return { ...section(text), accessory: button(RESTORE_ACTIONS.restore, 'Restore', memberId) };
}

/** An actor's confirmation with the Undo button beside it (valid for 5 minutes; the service checks). */
export function withUndoButton(text: string, eventId: string): KnownBlock[] {
  return [{ ...section(text), accessory: button(RESTORE_ACTIONS.undo, 'Undo', eventId) }];
}
