import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { AUDIT_PAGE_SIZE, INVALID_AUDIT_CURSOR_MESSAGE, readAuditPage } from '../../../activity/audit-log.js';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { AUDIT_LOG_ACTIONS, auditLogMessage, parseAuditNav } from '../../blocks/audit-log.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

/**
 * The audit page's Older / Newer buttons (on the `/team audit` message): the button carries
 * where to go and the filters; the reader is read from the database and authorised again on
 * every click, so someone demoted since the page was shown gets the refusal instead of a page.
 * The answer replaces the message in place through its response_url.
 */
export function registerAuditLogActions(app: App, deps: SlackDeps): void {
  const navigate =
    (direction: 'older' | 'newer') =>
    async ({ ack, body, action, context, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
      await ack();
      if (!body.response_url) return; // only ever shown in a message
      const organization = organizationOf(context);
      const nav = parseAuditNav(action.value);
      const viewer = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
      try {
        if (!nav) throw new AppError('invalid_cursor', INVALID_AUDIT_CURSOR_MESSAGE);
        const page = await readAuditPage(deps.db, {
          organizationId: organization.id,
          viewerMemberId: viewer?.id ?? null,
          targetMemberId: nav.t,
          action: nav.a,
          ...(direction === 'older' ? { before: nav.c } : { after: nav.c }),
          limit: AUDIT_PAGE_SIZE,
        });
        const reply = auditLogMessage(page, deps.command);
        await respond({ replace_original: true, response_type: 'ephemeral', text: reply.text, blocks: reply.blocks });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        await respond({ replace_original: true, response_type: 'ephemeral', text: `:warning: ${slackMessage(err)}` });
      }
    };
  app.action<BlockButtonAction>(AUDIT_LOG_ACTIONS.older, navigate('older'));
  app.action<BlockButtonAction>(AUDIT_LOG_ACTIONS.newer, navigate('newer'));
}
