/**
 * `npm run bench`: Team Manager against a bare Bolt app, driven by signed requests from a
 * load generator in another process; see bench/README.md.
 *
 *   npm run bench                 the full run; writes bench/results.json
 *   npm run bench -- --quick      a smoke run in under a minute (CI); exits 1 on any error
 *   npm run bench -- --only=ack,growth     some scenarios (ack, completion, growth, bulk, memory, local-page, webhooks, throughput, floors, scale)
 *   npm run bench -- --cpu-prof   the app's processes write CPU profiles to bench/.profiles/
 *   npm run bench -- --separate-worker   the app as the Procfile runs it: web (RUN_WORKER=false) + worker
 *   npm run bench -- --out=FILE   where to write the results (quick: a temporary file); FILE.md and FILE.svg
 *                                 (the table and the chart, bench/report.ts) are written next to it
 *
 * Uses DATABASE_URL's server when set (a scratch database per scenario, dropped after),
 * else starts an embedded PostgreSQL. Needs nothing else.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedTempDir } from '../src/db/embedded.js';
import { Harness } from './harness.js';
import { profile } from './profile.js';
import { renderScenario, type ScenarioResult } from './results.js';
import { writeReport } from './report.js';
import { ackScenario } from './scenarios/ack.js';
import { completionScenario } from './scenarios/completion.js';
import { growthScenario } from './scenarios/growth.js';
import { bulkScenario } from './scenarios/bulk.js';
import { memoryScenario } from './scenarios/memory.js';
import { localPageScenario } from './scenarios/local-page.js';
import { webhooksScenario } from './scenarios/webhooks.js';
import { throughputScenario } from './scenarios/throughput.js';
import { floorsScenario } from './scenarios/floors.js';
import { scaleScenario } from './scenarios/scale.js';
import { prestart } from './team-app.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCENARIOS = { ack: ackScenario, completion: completionScenario, growth: growthScenario, bulk: bulkScenario, memory: memoryScenario, 'local-page': localPageScenario, webhooks: webhooksScenario, throughput: throughputScenario, floors: floorsScenario, scale: scaleScenario } as const;
type ScenarioId = keyof typeof SCENARIOS;

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const unknown = args.filter((a) => !/^--(quick|cpu-prof|separate-worker|only=.+|out=.+|concurrency=[\d,]+)$/.test(a));
if (unknown.length > 0 || flag('help')) {
  process.stderr.write(`usage: npm run bench -- [--quick] [--only=${Object.keys(SCENARIOS).join(',')}] [--concurrency=1,16,64] [--separate-worker] [--cpu-prof] [--out=FILE]\n`);
  process.exit(2);
}
const quick = flag('quick');
const only = (option('only')?.split(',') ?? Object.keys(SCENARIOS)) as ScenarioId[];
for (const id of only) {
  if (!(id in SCENARIOS)) {
    process.stderr.write(`unknown scenario "${id}"; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
    process.exit(2);
  }
}

const started = performance.now();
const say = (line: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const workDir = await embeddedTempDir('tm-bench-');
const profileDir = path.join(here, '.profiles');
if (flag('cpu-prof')) await mkdir(profileDir, { recursive: true });
const harness = new Harness({
  appExecArgv: flag('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  workDir,
  log: say,
  quietMs: quick ? 100 : 250,
  separateWorker: flag('separate-worker'),
});
const p = profile(quick, say);
const concurrency = option('concurrency')?.split(',').map(Number);
if (concurrency) {
  // Only these concurrencies in scenarios 1 and 2 (to look again at one of them).
  p.ackConcurrency = concurrency;
  p.completionConcurrency = concurrency;
}

const results: ScenarioResult[] = [];
let failure: unknown;
const onSignal = () => {
  say('interrupted; stopping');
  void harness.stop().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
try {
  say(`Team Manager benchmark${quick ? ' (quick)' : ''}: Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
  await harness.start();
  // Started now, ready by the time a scenario compares with it.
  if (only.some((id) => id !== 'growth' && id !== 'bulk' && id !== 'local-page' && id !== 'webhooks' && id !== 'scale')) void harness.baseline().catch(() => undefined);
  if (quick) {
    // Timings do not count in --quick: the apps start side by side, and the scenarios that only
    // read and ack share one.
    if (only.some((id) => id === 'ack' || id === 'completion' || id === 'memory' || id === 'throughput')) prestart(harness, 'shared', p.ackTeamSize, { share: true });
    if (only.includes('growth')) prestart(harness, 'growth', p.growthSizes[0]!);
    if (only.includes('bulk')) prestart(harness, 'bulk', 100);
  }
  for (const id of only) {
    say(`scenario ${id}…`);
    try {
      const result = await SCENARIOS[id](harness, p);
      results.push(result);
      process.stdout.write(`\n${renderScenario(result)}\n\n`);
    } catch (err) {
      failure ??= err;
      say(`scenario ${id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      results.push({ id, title: id, rows: [], facts: {}, notes: [], errors: 1, errorSamples: [String(err)], durationMs: 0 });
    }
  }
} catch (err) {
  failure ??= err;
  say(`the benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await harness.stop().catch((err: unknown) => say(`stopping: ${String(err)}`));
}

const errors = results.reduce((n, r) => n + r.errors, 0) + (failure && results.length === 0 ? 1 : 0);
const missed = results.flatMap((r) => r.rows.filter((row) => row.met === false).map((row) => `${r.id}: ${row.label}`));
if (results.some((r) => r.id === 'memory' && r.facts.met === false)) missed.push('memory: growth');
const totalMs = performance.now() - started;
const output = {
  generatedAt: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  durationMs: Math.round(totalMs),
  machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemoryMB: Math.round(os.totalmem() / 1024 / 1024) },
  database: harness.usingEmbedded ? 'embedded PostgreSQL' : "DATABASE_URL's server",
  worker: flag('separate-worker') ? 'own process (Procfile web + worker)' : 'inside the web process (npm start)',
  errors,
  missedTargets: missed,
  scenarios: results,
};
const out = option('out') ?? (quick ? path.join(os.tmpdir(), 'team-manager-bench-quick.json') : path.join(here, 'results.json'));
await writeFile(out, `${JSON.stringify(output, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v), 2)}\n`);
// The readable table and the chart, next to the results file (results.md, results.svg).
const report = await writeReport(output, out);
if (errors === 0 && !process.env.BENCH_KEEP_LOGS) await harness.cleanWorkDir();
else say(`server logs kept in ${workDir}`);

say(`done in ${(totalMs / 1000).toFixed(1)} s: ${errors} error${errors === 1 ? '' : 's'}; targets missed: ${missed.length === 0 ? 'none' : missed.join('; ')}`);
say(`results written to ${path.relative(process.cwd(), out) || out} (table: ${path.relative(process.cwd(), report.markdown)}, chart: ${path.relative(process.cwd(), report.svg)})`);
process.exit(errors > 0 ? 1 : 0);
