/**
 * Rounds: each target runs the same kind of load, one after the other, round after round
 * (the order flipped every other round so neither side always runs on a warmer machine);
 * each round gives p50 / p99 / max / throughput, and a series reports their medians.
 */
import type { LoadRequest } from './protocol.js';
import type { Harness } from './harness.js';
import { roundStats, seriesStats, type RoundStats, type Sample, type SeriesStats } from './stats.js';
import { withRatio, type Row } from './results.js';

export interface Target {
  name: string;
  url: string;
  concurrency: number;
  metric: 'ack' | 'completion';
  /** The requests of one run (fresh trigger_ids and response_urls each time) and their completion keys. */
  make(count: number): { requests: LoadRequest[]; keys?: Array<string | undefined> };
}

export interface MeasureOptions {
  rounds: number;
  requests: number;
  /** Requests of an unmeasured first run per target (JIT, connection pools, caches). */
  warmup: number;
}

export async function runOnce(h: Harness, target: Target, count: number): Promise<{ samples: Sample[]; wallMs: number }> {
  const { requests, keys } = target.make(count);
  h.resetStandin();
  const result = await h.load(target.url, target.concurrency, requests, keys);
  // Let work that continues after the acks (listeners, jobs) finish before anything else is measured.
  await h.settle();
  return result;
}

export async function measure(h: Harness, targets: readonly Target[], options: MeasureOptions): Promise<Map<string, SeriesStats>> {
  for (const target of targets) if (options.warmup > 0) await runOnce(h, target, options.warmup);
  const rounds = new Map<string, RoundStats[]>(targets.map((t) => [t.name, []]));
  const errors = new Map<string, string[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < options.rounds; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const { samples, wallMs } = await runOnce(h, target, options.requests);
      rounds.get(target.name)!.push(roundStats(samples, target.metric, wallMs));
      errors.get(target.name)!.push(...samples.filter((s) => s.error).map((s) => s.error!));
    }
  }
  return new Map(targets.map((t) => [t.name, seriesStats(rounds.get(t.name)!, errors.get(t.name)!)]));
}

/**
 * Ours against one other target (the bare app, a floor) at one concurrency, measured in
 * alternating rounds, as a row whose ratio compares their p99s.
 */
export async function sideBySide(
  h: Harness,
  [ours, other]: readonly [Target, Target],
  options: MeasureOptions,
  row: { label: string; baselineLabel: string; target: number },
): Promise<Row> {
  const result = await measure(h, [ours, other], options);
  return withRatio({
    label: `${row.label}, c=${ours.concurrency}`,
    concurrency: ours.concurrency,
    ours: result.get(ours.name)!,
    baseline: result.get(other.name)!,
    baselineLabel: row.baselineLabel,
    ratioOf: 'p99',
    target: row.target,
  });
}
