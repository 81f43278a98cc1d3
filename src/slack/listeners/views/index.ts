import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { registerInviteSubmission } from './invite.js';

/** Registers every view listener; one line per listener module. */
export function register(app: App, deps: SlackDeps): void {
  registerInviteSubmission(app, deps);
}
