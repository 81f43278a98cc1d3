import { activitySubcommand } from './activity.js';
import { auditSubcommand } from './audit.js';
import { helpSubcommand } from './help.js';
import { inviteSubcommand } from './invite.js';
import { listSubcommand } from './list.js';
import { leaveSubcommand } from './leave.js';
import { pendingSubcommand } from './pending.js';
import { removeSubcommand } from './remove.js';
import { restoreSubcommand } from './restore.js';
import { roleSubcommand } from './role.js';
import { settingsSubcommand } from './settings.js';
import type { Subcommand } from '../deps.js';
import { webhooksSubcommand } from './webhooks.js';

/** Every `/team` subcommand, in the order the help lists them. */
export function buildSubcommands(): readonly Subcommand[] {
  const list: Subcommand[] = [];
  list.push(helpSubcommand(() => list));
  list.push(listSubcommand());
  list.push(inviteSubcommand());
  list.push(pendingSubcommand());
  list.push(roleSubcommand());
  list.push(removeSubcommand());
  list.push(restoreSubcommand());
  list.push(activitySubcommand());
  list.push(auditSubcommand());
  list.push(settingsSubcommand());
  list.push(leaveSubcommand());
  list.push(webhooksSubcommand());
  return list;
}
