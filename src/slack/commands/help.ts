import { usageMessage } from '../blocks/usage.js';
import type { Subcommand } from '../deps.js';

export function helpSubcommand(all: () => readonly Subcommand[]): Subcommand {
  return {
    name: 'help',
    usage: '',
    summary: 'show this list',
    audience: 'everyone',
    run: async (ctx) => usageMessage(ctx.command, all()),
  };
}
