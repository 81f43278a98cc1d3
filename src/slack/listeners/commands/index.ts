import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { registerTeamCommand } from './team.js';

export function register(app: App, deps: SlackDeps): void {
  registerTeamCommand(app, deps);
}
