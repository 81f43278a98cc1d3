import type { Member } from '../../db/schema.js';
import { withRestoreButton } from '../../slack/blocks/restore-undo.js';
import type { Telling } from './context.js';

/**
 * The team channel's word that a membership ended (removed, left, deactivated), with a Restore
 * button while restore is on; src/team/restore.ts decides at the click whether it still applies.
 */
export function restorable(t: Telling, words: string, member: Pick<Member, 'id'>): void {
  t.teamChannel(words, t.organization.team_channel_id, t.organization.restore_window_days > 0 ? [withRestoreButton(words, member.id)] : undefined);
}
