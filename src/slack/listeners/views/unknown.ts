import type { App } from '@slack/bolt';
import { ADD_WEBHOOK_CALLBACK_ID, EDIT_WEBHOOK_CALLBACK_ID, REDELIVER_CALLBACK_ID } from '../../blocks/webhook-modal.js';
import { INVITE_MODAL_CALLBACK_ID } from '../../blocks/invite-modal.js';
import { REJECT_REMOVAL_CALLBACK_ID } from '../../blocks/reject-removal-modal.js';
import { REMOVE_MODAL_CALLBACK_ID } from '../../blocks/remove-modal.js';
import { SETTINGS_CALLBACK_ID } from '../../blocks/settings-modal.js';

/** The modals whose submissions have a listener of their own (this folder's other modules). */
export const SUBMITTED_CALLBACK_IDS = [INVITE_MODAL_CALLBACK_ID, SETTINGS_CALLBACK_ID, REMOVE_MODAL_CALLBACK_ID, REJECT_REMOVAL_CALLBACK_ID, ADD_WEBHOOK_CALLBACK_ID, EDIT_WEBHOOK_CALLBACK_ID, REDELIVER_CALLBACK_ID];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A submission of any other view (a view-only modal such as the activity one has no submit
 * button, but a forged or stale payload can still arrive) is acknowledged at once and does
 * nothing: without a listener Bolt leaves the request unanswered for 3 s, logs an error, and
 * Slack shows the person a connection error. Bolt runs every matching listener, hence the
 * pattern that leaves out the handled ids (test/reliability/generated-inputs.test.ts).
 */
export function registerUnknownSubmission(app: App): void {
  const others = new RegExp(`^(?!(?:${SUBMITTED_CALLBACK_IDS.map(escape).join('|')})$)`);
  app.view({ type: 'view_submission', callback_id: others }, async ({ ack }) => {
    await ack();
  });
}
