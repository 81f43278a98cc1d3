import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { registerSettingsSubmission } from './settings.js';

/** Registers every view listener; one line per listener module. */
export function register(app: App, deps: SlackDeps): void {
  registerSettingsSubmission(app, deps);
}
