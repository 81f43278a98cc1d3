import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import * as commands from './commands/index.js';

/** One `register(app, deps)` per folder of listeners (commands, actions, views, events). */
export function registerListeners(app: App, deps: SlackDeps): void {
  commands.register(app, deps);
}
