/** The shape of bench/results.json, and the table printed from it. */
import type { SeriesStats } from './stats.js';
import { ms, table, x } from './stats.js';

export interface Row {
  /** What was measured, e.g. "/team list, c=16". */
  label: string;
  concurrency?: number;
  ours: SeriesStats;
  /** The figure compared with (the bare app's at the same concurrency, or our own at the smallest team). */
  baseline?: SeriesStats;
  baselineLabel?: string;
  /** Which percentile the ratio compares. */
  ratioOf?: 'p50' | 'p99' | 'req/s';
  ratio?: number;
  /** The ratio must be at most this. */
  target?: number;
  /** A target that is not "ratio ≤ n" (a rate to reach, say), as printed. */
  targetText?: string;
  met?: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  rows: Row[];
  /** Facts that are not latency rows (counts, memory, plans). */
  facts: Record<string, unknown>;
  notes: string[];
  /** Errors seen in this scenario (requests, missing answers, lost or duplicate messages, app error logs). */
  errors: number;
  errorSamples: string[];
  durationMs: number;
}

export function withRatio(row: Omit<Row, 'ratio' | 'met' | 'ratioOf'> & { ratioOf?: 'p50' | 'p99' }): Row {
  const of = row.ratioOf ?? 'p99';
  const base = row.baseline?.[of];
  const ratio = base !== undefined && base > 0 ? row.ours[of] / base : undefined;
  return {
    ...row,
    ratioOf: of,
    ...(ratio !== undefined && Number.isFinite(ratio) ? { ratio } : {}),
    ...(ratio !== undefined && row.target !== undefined ? { met: ratio <= row.target && row.ours.errors === 0 } : {}),
  };
}

export function renderScenario(s: ScenarioResult): string {
  const header = ['', 'p50 ms', 'p99 ms', 'p99 of rounds', 'max ms', 'req/s', 'err', 'base p50', 'base p99', 'ratio', 'target', ''];
  const range = (v: Row['ours'] | undefined) => (v?.p99Range ? `${ms(v.p99Range[0])}–${ms(v.p99Range[1])}` : '');
  const rows = s.rows.map((r) => [
    r.label,
    ms(r.ours.p50),
    ms(r.ours.p99),
    range(r.ours),
    ms(r.ours.max),
    Number.isFinite(r.ours.throughput) ? r.ours.throughput.toFixed(0) : '–',
    String(r.ours.errors),
    r.baseline ? ms(r.baseline.p50) : '',
    r.baseline ? ms(r.baseline.p99) : '',
    r.ratio !== undefined ? `${x(r.ratio)} ${r.ratioOf}` : '',
    r.targetText ?? (r.target !== undefined ? `≤ ${r.target}×` : ''),
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const lines = [`${s.title}  (${(s.durationMs / 1000).toFixed(1)} s, ${s.errors} error${s.errors === 1 ? '' : 's'})`];
  if (rows.length > 0) lines.push(table(header, rows));
  for (const note of s.notes) lines.push(`  ${note}`);
  for (const e of s.errorSamples) lines.push(`  error: ${e.length > 300 ? `${e.slice(0, 300)}…` : e}`);
  return lines.join('\n');
}
