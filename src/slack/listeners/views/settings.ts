import type { App, ViewSubmitAction } from '@slack/bolt';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { InvalidSettingsError, settingsIssues, settingsSchema, updateSettings } from '../../../team/settings.js';
import { organizationOf } from '../../context.js';
import {
  readSettingsForm,
  SETTINGS_CALLBACK_ID,
  settingsBlockErrors,
  settingsRefusedView,
} from '../../blocks/settings-modal.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

export const NOTHING_CHANGED_MESSAGE = 'Nothing changed: the team settings already had those values.';

/**
 * Saving the settings modal: judge the form (inline errors under each bad input), then one
 * service call that re-reads and re-authorises the actor under the organization lock. Acks last,
 * so that whatever the service says can still travel in the ack.
 */
export function registerSettingsSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(SETTINGS_CALLBACK_ID, async ({ ack, body, view, context, client }) => {
    const form = readSettingsForm(view.state.values);
    // Checked here first, without touching the database, so typos come back at once.
    const parsed = settingsSchema.partial().safeParse(form);
    if (!parsed.success) {
      await ack({ response_action: 'errors', errors: settingsBlockErrors(settingsIssues(parsed.error)) });
      return;
    }

    const organization = organizationOf(context);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    let changed: readonly string[];
    try {
      ({ changed } = await updateSettings(deps.db, {
        organizationId: organization.id,
        actorMemberId: actor?.id ?? null,
        changes: form,
        source: 'slack',
      }));
    } catch (err) {
      if (err instanceof InvalidSettingsError) {
        await ack({ response_action: 'errors', errors: settingsBlockErrors(err.issues) });
        return;
      }
      // A refusal (e.g. demoted while the modal was open): the form is of no use any more.
      if (err instanceof AppError) {
        deps.log.info({ code: err.code }, `settings refused: ${slackMessage(err)}`);
        await ack({ response_action: 'update', view: settingsRefusedView(`${slackMessage(err)} Nothing was changed.`) });
        return;
      }
      throw err;
    }

    await ack();
    // The modal is gone and a view submission has no channel: the app's DM says it.
    if (changed.length === 0) await client.chat.postMessage({ channel: body.user.id, text: NOTHING_CHANGED_MESSAGE });
  });
}
