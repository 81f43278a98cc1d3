import type { Db } from '../db/database.js';
import type { SlackDriver, SlackStandin } from '../standin/index.js';
import type { Narrator } from './narrator.js';

export interface SceneContext {
  standin: SlackStandin;
  driver: SlackDriver;
  narrator: Narrator;
  db: Db;
  organizationId: string;
  teamChannel: string;
  /** The app's base URL (web pages, the REST API). */
  appUrl: string;
  /** Where the app writes emails (no SMTP in the demo). */
  mailDir: string;
}

/** One part of the scripted conversation; each feature adds its own in scenes/. */
export interface Scene {
  title: string;
  run(ctx: SceneContext): Promise<void>;
}
