import { readMemberActivity } from '../../activity/member-activity.js';
import { memberActivityMessage } from '../blocks/member-activity.js';
import { findPersonOnRecord } from './audit.js';
import { parsePersonRef } from './person-ref.js';
import type { Subcommand } from '../deps.js';

/**
 * `/team activity [@person]`: a member's activity (joined, invited by, role history, last
 * sign-in, recent configuration changes, last activity in Slack) as an ephemeral message.
 * Without a person, your own. Members may see only their own; the service decides. People who
 * have left can be named too (by email, or by mention).
 */
export function activitySubcommand(): Subcommand {
  return {
    name: 'activity',
    usage: '[@person]',
    summary: "a member's activity: joined, invited by, role history, sign-ins, configuration changes (members: their own)",
    audience: 'members',
    async run(ctx) {
      const [who, ...extra] = ctx.parsed.args;
      const ref = who === undefined ? undefined : parsePersonRef(who);
      if (extra.length > 0 || (who !== undefined && !ref)) {
        return { text: `Usage: \`${ctx.command} activity [@person]\` (a mention or an email address; without one, your own activity).` };
      }
      const target = ref ? await findPersonOnRecord(ctx.deps, ctx.organization, ref) : ctx.actor!;
      const activity = await readMemberActivity(ctx.deps.db, {
        organizationId: ctx.organization.id,
        viewerMemberId: ctx.actor?.id ?? null,
        targetMemberId: target.id,
      });
      return memberActivityMessage(activity);
    },
  };
}
