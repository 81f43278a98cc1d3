import type { Subcommand } from '../deps.js';
import { leaveConfirmation } from '../blocks/leave.js';

/** `/team leave`: shows a Leave button behind a confirm dialog; the click does the leaving. */
export function leaveSubcommand(): Subcommand {
  return {
    name: 'leave',
    usage: '',
    summary: 'leave the team (asks to confirm)',
    audience: 'members',
    async run(ctx) {
      return leaveConfirmation(ctx.organization.name, ctx.actor?.role === 'owner');
    },
  };
}
