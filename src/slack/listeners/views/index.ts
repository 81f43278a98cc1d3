import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';

/** Registers every view listener; one line per listener module. */
export function register(app: App, deps: SlackDeps): void {
  void app;
  void deps;
}
