import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { registerAppHomeOpened } from './app-home-opened.js';
import { registerAppUninstalled } from './app-uninstalled.js';
import { registerTeamJoin } from './team-join.js';
import { registerUserChange } from './user-change.js';

/** Registers every event listener; one line per listener module. */
export function register(app: App, deps: SlackDeps): void {
  registerAppHomeOpened(app, deps);
  registerAppUninstalled(app, deps);
  registerUserChange(app, deps);
  registerTeamJoin(app, deps);
}
