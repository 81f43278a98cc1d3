import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { registerTeamPageActions } from './team-page.js';
import { registerLeaveAction } from './leave.js';

/** Registers every action listener; one line per listener module. */
export function register(app: App, deps: SlackDeps): void {
  registerLeaveAction(app, deps);
  registerTeamPageActions(app, deps);
}
