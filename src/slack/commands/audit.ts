import { AUDIT_PAGE_SIZE, readAuditPage } from '../../activity/audit-log.js';
import { decide } from '../../team/policy.js';
import { auditLogMessage } from '../blocks/audit-log.js';
import type { Member, Organization } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { findMemberByEmail, findMemberBySlackUser } from '../../team/member-repository.js';
import type { SlackDeps } from '../deps.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { parsePersonRef, type PersonRef } from './person-ref.js';
import type { Subcommand } from '../deps.js';

/**
 * `/team audit [@person] [action]`: the latest audit events as sentences, newest first, with
 * Older / Newer buttons. A person (mention or email) narrows it to events by or about them; a
 * word narrows it to a kind of event (`member`, `removal`, … or one action). Owners only: the
 * service authorises (and says which kinds exist when the word is none of them); the early
 * check here only spares a member the lookup of whoever they named.
 */
export function auditSubcommand(): Subcommand {
  return {
    name: 'audit',
    usage: '[@person] [action]',
    summary: 'the audit log, newest first; narrow it to a person and/or a kind of event such as `member` or `removal`',
    audience: 'members',
    ownersOnly: true,
    async run(ctx) {
      const decision = decide(ctx.actor, 'audit.read', ctx.organization.id);
      if (!decision.allowed) return { text: decision.reason! };

      const usage = {
        text: `Usage: \`${ctx.command} audit [@person] [action]\` (a mention or an email address, and/or a kind of event), e.g. \`${ctx.command} audit @alice member\` or \`${ctx.command} audit removal\`.`,
      };
      if (ctx.parsed.args.length > 2) return usage;
      let person: PersonRef | undefined;
      let action: string | undefined;
      for (const word of ctx.parsed.args) {
        if (word.includes('@') || word.startsWith('<')) {
          // A mention or an email names a person; anything else that looks like one is a typo.
          const ref = parsePersonRef(word);
          if (!ref || person) return usage;
          person = ref;
        } else {
          if (action !== undefined) return usage;
          action = word;
        }
      }
      const target = person ? await findPersonOnRecord(ctx.deps, ctx.organization, person) : undefined;
      const page = await readAuditPage(ctx.deps.db, {
        organizationId: ctx.organization.id,
        viewerMemberId: ctx.actor?.id ?? null,
        targetMemberId: target?.id,
        action,
        limit: AUDIT_PAGE_SIZE,
      });
      return auditLogMessage(page, ctx.command);
    },
  };
}

/**
 * The member a mention or an email names, whether still active or not: the audit log and the
 * activity view are where owners look up people who have left. A read, with no side effect: a
 * mention of someone not linked to Slack yet is matched by their Slack profile email, not linked.
 */
export async function findPersonOnRecord(deps: Pick<SlackDeps, 'db' | 'peopleFor'>, organization: Organization, ref: PersonRef): Promise<Member> {
  let member: Member | undefined;
  if (ref.kind === 'email') member = await findMemberByEmail(deps.db, organization.id, ref.email);
  else {
    member = await findMemberBySlackUser(deps.db, organization.id, ref.userId);
    if (!member) {
      const profile = await deps.peopleFor(organization.id).profile(ref.userId);
      if (profile?.email) member = await findMemberByEmail(deps.db, organization.id, profile.email);
      // Someone else's row already linked to another Slack account is not this person.
      if (member?.slack_user_id && member.slack_user_id !== ref.userId) member = undefined;
    }
  }
  if (!member) {
    const who = ref.kind === 'slack' ? `<@${ref.userId}>` : escapeMrkdwn(ref.email);
    throw new AppError('not_found', `${who} has never been a member of this team.`);
  }
  return member;
}
