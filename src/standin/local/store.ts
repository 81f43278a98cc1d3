/**
 * The local Slack's own state (people, channels, messages, views, DMs) in one JSON file in
 * DATA_DIR, next to the embedded database. It is Slack's side, not the app's schema, so it is
 * not a migration: a file written whole, atomically (temp file + rename, so a crash leaves the
 * old or the new file, never half of one) and debounced (a burst of posts is one write).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkspaceModel, WorkspaceSnapshot } from '../workspace/model.js';

export interface LocalSlackFile {
  version: 1;
  /** The signing secret between this local Slack and the app, kept so a restart keeps signing the same way. */
  signingSecret: string;
  /** Whether the app's channels and first owner were set up (done once, on the first start). */
  seeded: boolean;
  workspace?: WorkspaceSnapshot;
}

export const STORE_FILE = 'local-slack.json';

export class LocalSlackStore {
  readonly file: string;
  data: LocalSlackFile;
  private timer: NodeJS.Timeout | undefined;
  private model: WorkspaceModel | undefined;

  constructor(dataDir: string, private readonly debounceMs = 100) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.file = path.resolve(dataDir, STORE_FILE);
    this.data = readStore(this.file) ?? { version: 1, signingSecret: randomBytes(24).toString('hex'), seeded: false };
  }

  /** Saves the model after every change it reports, and now. */
  attach(model: WorkspaceModel): void {
    this.model = model;
    model.events.on('change', () => this.schedule());
    this.flush();
  }

  schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.debounceMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.model) this.data.workspace = this.model.snapshot();
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function readStore(file: string): LocalSlackFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as LocalSlackFile;
  if (parsed.version !== 1) throw new Error(`${file}: unknown version ${String(parsed.version)}; move it away to start a fresh local Slack`);
  return parsed;
}
