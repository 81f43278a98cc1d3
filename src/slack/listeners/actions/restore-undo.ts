import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { Member } from '../../../db/schema.js';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { roleLabel } from '../../../team/people.js';
import { restoreMember } from '../../../team/restore.js';
import { undoChange } from '../../../team/undo.js';
import { undoneView } from '../../blocks/remove-modal.js';
import { RESTORE_ACTIONS } from '../../blocks/restore-undo.js';
import { parsePageState } from '../../blocks/team-page.js';
import { restoredText } from '../../commands/restore.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';
import { renderHome } from '../../home/home-view.js';
import { memberLabel, slackMessage } from '../../mrkdwn.js';

/**
 * The Restore button (removal posts, audit rows) and the Undo button (the actor's confirmation:
 * the `/team role` reply, the Home notice, the Remove modal's result). Values only name a member
 * or an audit event; src/team/restore.ts and src/team/undo.ts decide from the database whether
 * the clicker may, now. Each answer goes back where the click came from.
 */
export function registerRestoreUndoActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(RESTORE_ACTIONS.restore, async ({ ack, body, action, context, respond }) => {
    await ack();
    const organization = organizationOf(context);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    const memberId = z.uuid().safeParse(action.value);
    let text: string;
    try {
      if (!memberId.success) throw new AppError('not_found', 'That button is out of date. Nothing was changed.');
      const { member } = await restoreMember(deps.db, { organizationId: organization.id, actorMemberId: actor?.id ?? null, targetMemberId: memberId.data, source: 'slack' });
      text = restoredText(member);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      text = `:warning: ${slackMessage(err)}`;
    }
    // A new message for the clicker only: the post in the channel stays as the record of the removal.
    if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
  });

  app.action<BlockButtonAction>(RESTORE_ACTIONS.undo, async ({ ack, body, action, context, respond, client }) => {
    await ack();
    const organization = organizationOf(context);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    let text: string;
    let ok = false;
    try {
      const result = await undoChange(deps.db, { organizationId: organization.id, actorMemberId: actor?.id ?? null, eventId: action.value ?? '', source: 'slack' });
      text = result.kind === 'restored' ? `:leftwards_arrow_with_hook: Undone. ${restoredText(result.member).replace(/^:white_check_mark: /, '')}` : undoneRoleText(result.member);
      ok = true;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      text = slackMessage(err);
    }
    if (body.view?.type === 'home') {
      const viewer = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
      const view = await renderHome(deps.db, organization, viewer, parsePageState(body.view.private_metadata) ?? {}, { kind: ok ? 'success' : 'error', text });
      await client.views.publish({ user_id: body.user.id, view });
    } else if (body.view?.type === 'modal') {
      await client.views.update({ view_id: body.view.id, view: undoneView(ok ? text : `:warning: ${text}`) });
    } else if (body.response_url) {
      // The confirmation is replaced: its Undo button is spent either way.
      await respond({ response_type: 'ephemeral', replace_original: true, text: ok ? text : `:warning: ${text}` });
    }
  });
}

function undoneRoleText(member: Member): string {
  return `:leftwards_arrow_with_hook: Undone: ${memberLabel(member)} is ${member.role === 'owner' ? 'an' : 'a'} ${roleLabel(member.role)} again.`;
}
