import { helpSubcommand } from './help.js';
import { inviteSubcommand } from './invite.js';
import { leaveSubcommand } from './leave.js';
import { pendingSubcommand } from './pending.js';
import { roleSubcommand } from './role.js';
import type { Subcommand } from './subcommand.js';

/** Every `/team` subcommand, in the order the help lists them. */
export function buildSubcommands(): readonly Subcommand[] {
  const list: Subcommand[] = [];
  list.push(helpSubcommand(() => list));
  list.push(inviteSubcommand());
  list.push(pendingSubcommand());
  list.push(roleSubcommand());
  list.push(leaveSubcommand());
  return list;
}
