/**
 * What every scenario runs on: a PostgreSQL server (DATABASE_URL's, or an embedded one), a
 * migrated template database to copy, the Slack stand-in and an SMTP peer in this process,
 * and child processes for the servers under test and the load generator.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createDatabaseIfMissing } from '../src/db/connect.js';
import { embeddedTempDir, startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { createScratchDatabase, dropDatabase, type ScratchDatabase } from '../src/db/scratch.js';
import { configSchema } from '../src/config.js';
import { DEFAULT_USERS, SlackStandin, SlackDriver, type RecordedCall, type ResponseUrlPost, type StandinUser } from '../src/standin/index.js';
import type { LoadRequest, LoadToParent, MemoryReport, ParentToLoad, ServerToParent } from './protocol.js';
import type { Sample } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const TEAM_CHANNEL = 'C0TEAM0001';
export const COMMAND_CHANNEL = 'C0GENERAL1';
/** Owners who act in the scenarios, one per concurrent "person" (Slack users of the stand-in, linked members). */
export const BENCH_USERS: StandinUser[] = Array.from({ length: 64 }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  return { id: `U0BENCH0${n}`, name: `bench${n}`, realName: `Bench Owner ${n}`, email: `bench${n}@acme.test`, tz: 'Europe/Paris' };
});

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface HarnessOptions {
  /** Node flags for the app's process, e.g. --cpu-prof. */
  appExecArgv: string[];
  workDir: string;
  log: (line: string) => void;
  /** How long the stand-in must be quiet before the next run (work after the acks has settled). */
  quietMs?: number;
  /** Run the app with RUN_WORKER=false and its job worker in a process of its own (Procfile web + worker). */
  separateWorker?: boolean;
}

export interface ServerChild {
  url: string;
  pid: number;
  logFile: string;
  memory(gc?: boolean): Promise<MemoryReport>;
  /** SQL statements the process has sent so far (-1: it does not count them). */
  statements(): Promise<number>;
  /** CPU time (user + system) the process has used so far, ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
  /** Lines the process logged at warn or above (pino JSON), or any non-JSON line (stack traces). */
  problems(): string[];
}

/** One Web API call or response_url post as a key a pending request waits for. */
function keysOf(call: RecordedCall): string | undefined {
  const a = call.args;
  switch (call.method) {
    case 'views.publish':
      return `publish:${String(a.user_id)}`;
    case 'views.open':
      return `open:${String(a.trigger_id)}`;
    case 'views.update':
      return `update:${String(a.view_id ?? a.external_id)}`;
    case 'chat.postEphemeral':
      return `ephemeral:${String(a.user)}`;
    default:
      return undefined;
  }
}

/** An array that tells us about each element pushed (the stand-in pushes every call it records). */
class Tap<T> extends Array<T> {
  static override get [Symbol.species]() {
    return Array;
  }
  constructor(private readonly onPush: (item: T) => void) {
    super();
  }
  override push(...items: T[]): number {
    const n = super.push(...items);
    for (const item of items) this.onPush(item);
    return n;
  }
}

export class Harness {
  standin!: SlackStandin;
  driver!: SlackDriver;
  /** Emails the SMTP peer received, by recipient. */
  readonly mail = new Map<string, number>();
  mailEvents: Array<{ to: string; at: number }> = [];
  private smtp!: SMTPServer;
  private smtpPort = 0;
  private serverUrl = '';
  private embedded: EmbeddedServer | undefined;
  private template: ScratchDatabase | undefined;
  private scratches: ScratchDatabase[] = [];
  private loadChild!: ChildProcess;
  private loadWaiters = new Map<number, (m: LoadToParent) => void>();
  private runIds = 0;
  private currentRun = 0;
  private pending = new Map<string, number[]>();
  private children: ServerChild[] = [];
  private baselineChild: Promise<ServerChild> | undefined;
  private stopHooks: Array<() => Promise<void>> = [];

  constructor(readonly options: HarnessOptions) {}

  get usingEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  async start(): Promise<void> {
    // The load generator and the stand-in start while the database does.
    const loadReady = this.startLoadChild();
    await Promise.all([this.startDatabase(), this.startSlack(), loadReady]);
  }

  private async startDatabase(): Promise<void> {
    const log = this.options.log;
    if (process.env.DATABASE_URL) {
      this.serverUrl = process.env.DATABASE_URL;
      log(`PostgreSQL: DATABASE_URL's server (a scratch database per scenario)`);
    } else {
      const started = now();
      const dir = await embeddedTempDir('tm-bench-pg-');
      this.embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: 0, ephemeral: true });
      await createDatabaseIfMissing(this.embedded.url('postgres'), 'teammanager');
      this.serverUrl = this.embedded.url('teammanager');
      log(`PostgreSQL: embedded, started in ${Math.round(now() - started)} ms (no DATABASE_URL)`);
    }
    // One migrated template; each scenario gets a copy (CREATE DATABASE ... TEMPLATE).
    this.template = await createScratchDatabase(this.serverUrl, { prefix: 'tm_bench_tpl' });
    const { db, pool } = openDatabase(this.template.url);
    try {
      await migrateToLatest(db, pool);
    } finally {
      await db.destroy();
    }
  }

  private async startSlack(): Promise<void> {
    this.standin = await SlackStandin.start({
      users: [...DEFAULT_USERS, ...BENCH_USERS],
      // Request bodies are built a round ahead of being sent: their trigger_ids must outlive that.
      triggerTtlMs: 10 * 60_000,
      postMessageIntervalMs: 1000,
    });
    this.tapStandin();
    this.driver = new SlackDriver({ appUrl: 'http://unused.invalid/', signingSecret: SIGNING_SECRET, standin: this.standin });

    this.smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          for (const r of session.envelope.rcptTo) {
            this.mail.set(r.address, (this.mail.get(r.address) ?? 0) + 1);
            this.mailEvents.push({ to: r.address, at: now() });
          }
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.smtp.once('error', reject);
      this.smtp.listen(0, '127.0.0.1', () => resolve());
    });
    this.smtpPort = (this.smtp.server.address() as AddressInfo).port;
  }

  private async startLoadChild(): Promise<void> {
    this.loadChild = fork(path.join(here, 'load.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.loadChild.on('message', (m: LoadToParent) => {
      if (m.type === 'ready') this.loadWaiters.get(-1)?.(m);
      else this.loadWaiters.get(m.runId)?.(m);
    });
    await new Promise<void>((resolve) => this.loadWaiters.set(-1, () => resolve()));
  }

  /** A database of its own for a scenario, copied from the migrated template. */
  async freshDatabase(): Promise<{ url: string; db: Db; close(): Promise<void> }> {
    const scratch = await createScratchDatabase(this.serverUrl, { prefix: 'tm_bench', template: this.template!.name });
    this.scratches.push(scratch);
    const { db } = openDatabase(scratch.url, { maxConnections: 4 });
    return { url: scratch.url, db, close: () => db.destroy() };
  }

  /**
   * Team Manager in a child process on the given database: its web process, with its job worker
   * inside (as `npm start` runs it) or, with separateWorker, in a second process (as the Procfile
   * runs it). Memory readings are the web process's. `layout.separateWorker` overrides the run's
   * --separate-worker for one app (the floors scenario always separates it).
   */
  async startApp(name: string, databaseUrl: string, env: Record<string, string> = {}, layout: { separateWorker?: boolean | undefined } = {}): Promise<ServerChild> {
    const appEnv = {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: this.standin.botToken,
      SLACK_API_URL: this.standin.apiUrl,
      SLACK_TEAM_CHANNEL: TEAM_CHANNEL,
      DATABASE_URL: databaseUrl,
      RUN_MIGRATIONS: 'false',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATA_DIR: path.join(this.options.workDir, `data-${name}`),
      SMTP_URL: `smtp://127.0.0.1:${this.smtpPort}?ignoreTLS=true`,
      ...env,
    };
    if (!(layout.separateWorker ?? this.options.separateWorker)) return this.startChild(name, 'app-server.ts', this.options.appExecArgv, appEnv);
    const [web, worker] = await Promise.all([
      this.startChild(name, 'app-server.ts', this.options.appExecArgv, { ...appEnv, RUN_WORKER: 'false' }),
      this.startChild(`${name}-worker`, 'worker-server.ts', this.options.appExecArgv, appEnv),
    ]);
    return {
      ...web,
      stop: async () => {
        await Promise.all([web.stop(), worker.stop()]);
      },
      statements: async () => (await web.statements()) + (await worker.statements()),
      cpuMs: async () => (await web.cpuMs()) + (await worker.cpuMs()),
      problems: () => [...web.problems(), ...worker.problems()],
    };
  }

  /** Runs before the harness stops its children (shared apps, their databases). */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** The bare Bolt app; one for the whole run (it keeps no state). */
  baseline(): Promise<ServerChild> {
    this.baselineChild ??= this.startChild('baseline', 'baseline.ts', [], this.bareBoltEnv());
    return this.baselineChild;
  }

  /** The floors (bench/floor.ts): a bare Bolt app doing only the unavoidable work, on an app's database. */
  floor(name: string, databaseUrl: string, organizationId: string): Promise<ServerChild> {
    return this.startChild(name, 'floor.ts', [], { ...this.bareBoltEnv(), DATABASE_URL: databaseUrl, BENCH_ORGANIZATION_ID: organizationId });
  }

  private bareBoltEnv(): Record<string, string> {
    return {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: this.standin.botToken,
      SLACK_API_URL: this.standin.apiUrl,
      BENCH_BOT_ID: this.standin.botId,
      BENCH_BOT_USER_ID: this.standin.botUserId,
    };
  }

  private async startChild(name: string, entry: string, execArgv: string[], env: Record<string, string>): Promise<ServerChild> {
    const startedAt = now();
    const logFile = path.join(this.options.workDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    // Nothing of the caller's Team Manager configuration leaks in (a SLACK_APP_TOKEN would mean Socket Mode).
    const base: Record<string, string> = {};
    const ours = new Set(Object.keys(configSchema.in.shape));
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !ours.has(k)) base[k] = v;
    const child = fork(path.join(here, entry), [], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...execArgv],
      env: { ...base, ...env },
      stdio: ['ignore', fd, fd, 'ipc'],
    });
    closeSync(fd);
    let stopRequested = false;
    let exitNote: string | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => {
        // Dying on its own (not asked to stop) is the worst error a server can make: say so.
        if (!stopRequested) {
          exitNote = `${name}: the process exited by itself (code ${code}${signal ? `, ${signal}` : ''}); see ${logFile}`;
          this.options.log(exitNote);
        }
        resolve(code);
      }),
    );
    const url = await new Promise<string>((resolve, reject) => {
      const onMessage = (m: ServerToParent) => {
        if (m.type === 'ready') resolve(m.url);
        if (m.type === 'failed') reject(new Error(`${name} failed to start: ${m.error}`));
      };
      child.on('message', onMessage);
      void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready; see ${logFile}:\n${tail(logFile)}`)));
    });
    this.options.log(`${name}: listening after ${Math.round(now() - startedAt)} ms`);
    const memoryWaiters: Array<(m: MemoryReport) => void> = [];
    const statementWaiters: Array<(n: number) => void> = [];
    const cpuWaiters: Array<(ms: number) => void> = [];
    child.on('message', (m: ServerToParent) => {
      if (m.type === 'memory') memoryWaiters.shift()?.(m.memory);
      if (m.type === 'statements') statementWaiters.shift()?.(m.count);
      if (m.type === 'cpu') cpuWaiters.shift()?.(m.micros / 1000);
    });
    let stopped: Promise<void> | undefined;
    const server: ServerChild = {
      url,
      pid: child.pid!,
      logFile,
      memory: (gc = true) =>
        new Promise<MemoryReport>((resolve) => {
          memoryWaiters.push(resolve);
          child.send({ type: 'memory', gc });
        }),
      statements: () =>
        new Promise<number>((resolve) => {
          statementWaiters.push(resolve);
          child.send({ type: 'statements' });
        }),
      cpuMs: () =>
        new Promise<number>((resolve) => {
          cpuWaiters.push(resolve);
          child.send({ type: 'cpu' });
        }),
      stop: () =>
        (stopped ??= (async () => {
          stopRequested = true;
          if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          await exited;
          clearTimeout(timer);
        })()),
      problems: () => [...(exitNote ? [exitNote] : []), ...problemLines(logFile)],
    };
    this.children.push(server);
    return server;
  }

  // ---------------------------------------------------------------------------
  // Load

  /**
   * Sends the requests from the load generator with `concurrency` in flight. `keys[i]`, when
   * given, names the stand-in call that completes request i (the generator then waits for it).
   */
  async load(url: string, concurrency: number, requests: LoadRequest[], keys?: Array<string | undefined>): Promise<{ samples: Sample[]; wallMs: number }> {
    const runId = ++this.runIds;
    this.currentRun = runId;
    this.pending.clear();
    if (keys) {
      keys.forEach((key, id) => {
        if (!key) return;
        const queue = this.pending.get(key) ?? [];
        queue.push(id);
        this.pending.set(key, queue);
      });
    }
    const result = new Promise<LoadToParent>((resolve) => this.loadWaiters.set(runId, resolve));
    this.sendLoad({ type: 'run', runId, url, signingSecret: SIGNING_SECRET, concurrency, requests });
    const m = await result;
    this.loadWaiters.delete(runId);
    this.pending.clear();
    if (m.type === 'failed') throw new Error(`load generator failed: ${m.error}`);
    if (m.type !== 'result') throw new Error(`unexpected message from the load generator: ${m.type}`);
    return { samples: m.samples, wallMs: m.wallMs };
  }

  private sendLoad(message: ParentToLoad): void {
    this.loadChild.send(message);
  }

  private complete(key: string, t1: number, error?: string): void {
    const queue = this.pending.get(key);
    const id = queue?.shift();
    if (id === undefined) return;
    if (queue!.length === 0) this.pending.delete(key);
    this.sendLoad({ type: 'done', runId: this.currentRun, id, t1, ...(error ? { error } : {}) });
  }

  /** Forget what the stand-in recorded (keeps memory flat between rounds) and tap it again. */
  resetStandin(): void {
    this.standin.reset();
    this.standin.views.clear();
    this.standin.homeViews.clear();
    this.standin.messages = [];
    this.tapStandin();
  }

  /** Waits until the stand-in has heard nothing for `quietMs` (work after the acks has finished), at most `maxMs`. */
  async settle(quietMs = this.options.quietMs ?? 250, maxMs = 5_000): Promise<void> {
    const until = now() + maxMs;
    while (now() < until && now() - this.lastCallAt < quietMs) await sleep(50);
  }

  private lastCallAt = 0;

  private tapStandin(): void {
    this.standin.calls = new Tap<RecordedCall>((call) => {
      const key = keysOf(call);
      // Answers to requests count as activity; the worker's paced channel posts never stop for long.
      if (key) this.lastCallAt = now();
      if (!key || this.pending.size === 0) return;
      const t1 = now();
      this.complete(key, t1, call.response.ok === true ? undefined : `${call.method} answered ${String(call.response.error)}`);
    });
    this.standin.responseUrlPosts = new Tap<ResponseUrlPost>((post) => {
      this.lastCallAt = now();
      if (this.pending.size === 0) return;
      const t1 = now();
      const text = JSON.stringify(post.body);
      this.complete(`response:${post.id}`, t1, text.includes('Something went wrong') ? `response_url got an error: ${text.slice(0, 160)}` : undefined);
    });
  }

  async stop(): Promise<void> {
    for (const hook of this.stopHooks.splice(0)) await hook().catch(() => undefined);
    await Promise.allSettled(this.children.map((c) => c.stop()));
    if (this.loadChild?.connected) this.sendLoad({ type: 'exit' });
    await this.standin?.stop().catch(() => undefined);
    if (this.smtp) await new Promise<void>((resolve) => this.smtp.close(() => resolve()));
    for (const s of this.scratches) await s.drop().catch(() => undefined);
    if (this.template) await dropDatabase(this.serverUrl, this.template.name).catch(() => undefined);
    await this.embedded?.stop();
  }

  async cleanWorkDir(): Promise<void> {
    await rm(this.options.workDir, { recursive: true, force: true });
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Log lines at warn (40) or above, and lines that are not pino JSON (uncaught errors, stack traces). */
function problemLines(file: string): string[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as { level?: number };
      if ((parsed.level ?? 0) >= 40) problems.push(line);
    } catch {
      problems.push(line);
    }
  }
  return problems;
}
