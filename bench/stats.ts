/**
 * Latency statistics: percentiles of one round, medians over rounds, ratios, and the table.
 */

export interface Sample {
  id: number;
  /** Absolute send time (performance.timeOrigin + performance.now()) in the load generator. */
  t0: number;
  /** HTTP response time (request written → response read), ms. */
  ackMs: number;
  /** Request → the stand-in received the call that answers the user, ms (undefined: not measured). */
  completionMs?: number;
  status: number;
  /** Set when the request failed: transport error, non-200, wrong ack body, missing completion. */
  error?: string;
}

/** One round's figures (ms, requests per second). */
export interface RoundStats {
  n: number;
  p50: number;
  p99: number;
  max: number;
  throughput: number;
  errors: number;
}

/** Medians over the rounds of one series, plus the errors summed. */
export interface SeriesStats {
  rounds: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  throughput: number;
  errors: number;
  /** The first few distinct error messages, to say what went wrong. */
  errorSamples: string[];
  /** The lowest and highest p99 of the rounds: how noisy the median is. */
  p99Range?: [number, number];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

export function roundStats(samples: readonly Sample[], metric: 'ack' | 'completion', wallMs: number): RoundStats {
  // A failed request still took its time to answer (Bolt's 404 after 3 s, say): acks count
  // every request; a completion that never came has no time and is only an error.
  const values = samples
    .map((s) => (metric === 'ack' ? s.ackMs : s.error ? undefined : s.completionMs))
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  return {
    n: samples.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length > 0 ? values[values.length - 1]! : NaN,
    throughput: wallMs > 0 ? (samples.length / wallMs) * 1000 : NaN,
    errors: samples.filter((s) => s.error).length,
  };
}

export function seriesStats(rounds: readonly RoundStats[], errorMessages: readonly string[] = []): SeriesStats {
  return {
    rounds: rounds.length,
    requests: rounds.reduce((sum, r) => sum + r.n, 0),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    max: median(rounds.map((r) => r.max)),
    throughput: median(rounds.map((r) => r.throughput)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    errorSamples: [...new Set(errorMessages)].slice(0, 5),
    ...(rounds.length > 1 ? { p99Range: [Math.min(...rounds.map((r) => r.p99)), Math.max(...rounds.map((r) => r.p99))] as [number, number] } : {}),
  };
}

export const ratio = (ours: number, base: number): number => (base > 0 && Number.isFinite(ours) ? ours / base : NaN);

export const ms = (v: number): string => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : '–');
export const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');

/** A plain-text table with a header row, columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
