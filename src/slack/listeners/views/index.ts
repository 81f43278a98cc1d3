import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { registerInviteSubmission } from './invite.js';
import { registerSettingsSubmission } from './settings.js';
import { registerRemoveSubmission } from './remove.js';
import { registerRejectRemovalSubmission } from './reject-removal.js';
import { registerViewClosed } from './closed.js';
import { registerWebhookDialogSubmissions } from './webhook-dialogs.js';
import { registerUnknownSubmission } from './unknown.js';

/** Registers every view listener; one line per listener module. */
export function register(app: App, deps: SlackDeps): void {
  registerInviteSubmission(app, deps);
  registerSettingsSubmission(app, deps);
  registerRemoveSubmission(app, deps);
  registerRejectRemovalSubmission(app, deps);
  registerViewClosed(app);
  registerWebhookDialogSubmissions(app, deps);
  registerUnknownSubmission(app);
}
