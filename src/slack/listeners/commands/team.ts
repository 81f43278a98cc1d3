import type { App } from '@slack/bolt';
import { organizationOf } from '../../context.js';
import { parseCommandText } from '../../commands/parse.js';
import type { Subcommand } from '../../commands/subcommand.js';
import { ephemeral } from '../../blocks/reply.js';
import { usageMessage } from '../../blocks/usage.js';

/** `/team <subcommand>`: find the subcommand, run it, answer in the ack (only the typer sees it). */
export function registerTeamCommand(app: App, deps: { command: string; subcommands: readonly Subcommand[] }): void {
  app.command(deps.command, async ({ command, ack, context }) => {
    const parsed = parseCommandText(command.text);
    const name = parsed.subcommand === '' ? 'help' : parsed.subcommand;
    const subcommand = deps.subcommands.find((s) => s.name === name);
    if (!subcommand) {
      await ack(ephemeral(usageMessage(command.command, deps.subcommands, parsed.subcommand)));
      return;
    }
    const reply = await subcommand.run({
      organization: organizationOf(context),
      userId: command.user_id,
      channelId: command.channel_id,
      command: command.command,
      parsed,
    });
    await ack(ephemeral(reply));
  });
}
