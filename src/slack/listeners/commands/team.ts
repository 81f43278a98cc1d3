import type { App } from '@slack/bolt';
import { organizationOf } from '../../context.js';
import { parseCommandText } from '../../commands/parse.js';
import { ephemeral } from '../../blocks/reply.js';
import { usageMessage } from '../../blocks/usage.js';
import { actingContext, noOwnerMessage } from '../../acting.js';
import { NOT_A_MEMBER_MESSAGE } from '../../../team/policy.js';
import type { SlackDeps } from '../../deps.js';

/**
 * `/team <subcommand>`: find the subcommand, check the person may use it at all (the team
 * has an owner; they are an active member), run it, answer in the ack (only they see it).
 * What each subcommand may change is decided again by its service.
 */
export function registerTeamCommand(app: App, deps: SlackDeps): void {
  app.command(deps.command, async ({ command, ack, context, client }) => {
    const parsed = parseCommandText(command.text);
    const name = parsed.subcommand === '' ? 'help' : parsed.subcommand;
    const subcommand = deps.subcommands.find((s) => s.name === name);
    if (!subcommand) {
      await ack(ephemeral(usageMessage(command.command, deps.subcommands, parsed.subcommand)));
      return;
    }
    const organization = organizationOf(context);
    let actor = null;
    if (subcommand.audience !== 'everyone') {
      const acting = await actingContext(deps, organization, command.user_id);
      if (!acting.hasOwner) {
        await ack(ephemeral({ text: noOwnerMessage(organization.name) }));
        return;
      }
      if (!acting.actor) {
        await ack(ephemeral({ text: NOT_A_MEMBER_MESSAGE }));
        return;
      }
      actor = acting.actor;
    }
    const reply = await subcommand.run({
      organization,
      actor,
      userId: command.user_id,
      channelId: command.channel_id,
      command: command.command,
      parsed,
      triggerId: command.trigger_id,
      client,
      deps,
    });
    await ack(reply ? ephemeral(reply) : undefined);
  });
}
