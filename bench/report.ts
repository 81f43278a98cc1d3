/**
 * The readable report of a bench run: `results.md` (one table, a line per measured row with its
 * figure, the figure it is compared with, the ratio, the target and met / missed) and
 * `results.svg` (a chart of p50 and p99 per row, ours next to the baseline's, on a log scale),
 * written next to the results file. Hand-written SVG: no dependency, readable in any browser
 * and on GitHub.
 *
 * Both read the results as they are stored (JSON, where a NaN became null), so the report of
 * an old results.json is regenerated the same way:
 *
 *   node --import tsx bench/report.ts bench/results.json [more.json …]
 *
 * With several files, a scenario of a later file replaces the one with the same id of an
 * earlier file (e.g. a `--only=scale` run added to the last full run); the report is written
 * next to the first file and names every source.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A series as stored: any figure may be null (NaN in the run). */
export interface StoredSeries {
  p50: number | null;
  p99: number | null;
  max?: number | null;
  throughput?: number | null;
  errors?: number;
}

export interface StoredRow {
  label: string;
  ours: StoredSeries;
  baseline?: StoredSeries;
  baselineLabel?: string;
  ratioOf?: 'p50' | 'p99' | 'req/s';
  ratio?: number | null;
  target?: number;
  targetText?: string;
  met?: boolean;
}

export interface StoredScenario {
  id: string;
  title: string;
  rows: StoredRow[];
}

export interface StoredResults {
  generatedAt: string;
  mode: string;
  machine?: { node?: string; cpus?: number; cpuModel?: string };
  errors?: number;
  missedTargets?: string[];
  scenarios: StoredScenario[];
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const ms = (v: number | null | undefined): string => (finite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : '–');
/** A table cell: pipes escaped, and < > & as entities (GitHub would take `<email>` for an HTML tag and drop it). */
const cell = (s: string): string =>
  s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function figure(s: StoredSeries | undefined, ratioOf: StoredRow['ratioOf']): string {
  if (!s) return '–';
  if (ratioOf === 'req/s') return finite(s.throughput) ? `${s.throughput.toFixed(0)} req/s` : '–';
  return `${ms(s.p50)} / ${ms(s.p99)} ms`;
}

export function verdict(row: StoredRow): 'met' | 'missed' | '' {
  return row.met === undefined ? '' : row.met ? 'met' : 'missed';
}

/** The results as one Markdown table (GitHub-flavoured), with the chart linked at the top. */
export function renderMarkdown(results: StoredResults, options: { chart?: string; sources?: string[] } = {}): string {
  const lines: string[] = ['# Benchmark results', ''];
  const machine = results.machine ? `, Node ${results.machine.node ?? '?'} on ${results.machine.cpus ?? '?'} CPUs (${results.machine.cpuModel ?? 'unknown'})` : '';
  lines.push(`Run of ${results.generatedAt} (${results.mode}${machine}); ${results.errors ?? 0} error${results.errors === 1 ? '' : 's'}; targets missed: ${results.missedTargets?.length ?? 0}.`);
  if (options.sources && options.sources.length > 1) lines.push('', `Merged from ${options.sources.join(', ')} (a scenario of a later file replaces the same scenario of an earlier one).`);
  lines.push('', 'Figures are p50 / p99 in ms (req/s where the ratio compares throughput); ratio = ours / the baseline or floor, measured in the same run (see bench/README.md).', '');
  if (options.chart) lines.push(`![p50 and p99 latency per row, ours and baseline](${options.chart})`, '');
  lines.push('| Scenario | Row | Ours | Baseline / floor | Ratio | Target | Result |', '|---|---|---|---|---|---|---|');
  for (const s of results.scenarios) {
    for (const row of s.rows) {
      const ratio = finite(row.ratio) ? `${row.ratio.toFixed(2)}× ${row.ratioOf ?? ''}`.trim() : '';
      const target = row.targetText ?? (row.target !== undefined ? `≤ ${row.target}×` : '');
      const result = verdict(row);
      lines.push(`| ${cell(s.id)} | ${cell(row.label)} | ${figure(row.ours, row.ratioOf)} | ${row.baseline ? figure(row.baseline, row.ratioOf) : ''} | ${ratio} | ${cell(target)} | ${result === 'missed' ? '**missed**' : result} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

const BARS = [
  { key: 'ours-p50', name: 'ours p50', colour: '#1f5fa8' },
  { key: 'ours-p99', name: 'ours p99', colour: '#8ab8e6' },
  { key: 'base-p50', name: 'baseline p50', colour: '#b5581c' },
  { key: 'base-p99', name: 'baseline p99', colour: '#f2c185' },
] as const;

/**
 * p50 and p99 per row as horizontal bars on a log scale (latencies here run from a millisecond
 * to tens of seconds): one `<g class="row">` per row of the results, ours above the baseline.
 */
export function renderSvg(results: StoredResults): string {
  const width = 1000;
  const labelWidth = 440;
  const plotLeft = labelWidth + 10;
  const plotWidth = width - plotLeft - 60;
  const barHeight = 6;
  const rowHeight = BARS.length * barHeight + 10;
  const headerHeight = 24;
  const top = 78;
  const values = results.scenarios.flatMap((s) => s.rows.flatMap((r) => [r.ours.p50, r.ours.p99, r.baseline?.p50, r.baseline?.p99])).filter((v): v is number => finite(v) && v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(1, ...values))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(10, ...values))));
  const scale = (v: number) => (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotWidth;

  const body: string[] = [];
  let y = top;
  for (const s of results.scenarios) {
    body.push(`<text class="scenario" x="8" y="${y + 16}">${escapeXml(s.title)}</text>`);
    y += headerHeight;
    for (const row of s.rows) {
      const bars: Array<{ key: string; value: number | null | undefined }> = [
        { key: 'ours-p50', value: row.ours.p50 },
        { key: 'ours-p99', value: row.ours.p99 },
        ...(row.baseline ? [{ key: 'base-p50', value: row.baseline.p50 }, { key: 'base-p99', value: row.baseline.p99 }] : []),
      ];
      const result = verdict(row);
      const parts = [`<g class="row" data-scenario="${escapeXml(s.id)}" transform="translate(0,${y})">`];
      // About 6 px a character at 11 px: a longer label is shortened (in full in its tooltip).
      const label = `${row.label}${result ? ` (${result})` : ''}`;
      const shown = label.length > 70 ? `${label.slice(0, 48)}…${label.slice(-21)}` : label;
      parts.push(`<text class="label" x="${labelWidth}" y="${rowHeight / 2 + 4}" text-anchor="end"><title>${escapeXml(label)}</title>${escapeXml(shown)}</text>`);
      bars.forEach((b, i) => {
        const style = BARS.find((x) => x.key === b.key)!;
        const by = 3 + i * barHeight;
        if (finite(b.value) && b.value > 0) {
          const w = Math.max(1, scale(b.value));
          parts.push(`<rect class="${b.key}" x="${plotLeft}" y="${by}" width="${w.toFixed(1)}" height="${barHeight - 1}" fill="${style.colour}"><title>${escapeXml(`${style.name}: ${ms(b.value)} ms`)}</title></rect>`);
          if (b.key.endsWith('p99')) parts.push(`<text class="value" x="${(plotLeft + w + 4).toFixed(1)}" y="${by + barHeight - 1}">${ms(b.value)}</text>`);
        }
      });
      if (!bars.some((b) => finite(b.value))) parts.push(`<text class="value" x="${plotLeft + 4}" y="${rowHeight / 2 + 4}">no latency figures</text>`);
      parts.push('</g>');
      body.push(parts.join(''));
      y += rowHeight;
    }
  }
  const height = y + 16;
  const grid: string[] = [];
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    const x = plotLeft + scale(v);
    grid.push(`<line x1="${x.toFixed(1)}" y1="${top - 6}" x2="${x.toFixed(1)}" y2="${height - 16}" stroke="#ddd"/>`);
    grid.push(`<text class="tick" x="${x.toFixed(1)}" y="${top - 10}" text-anchor="middle">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  const legend = BARS.map((b, i) => `<rect x="${plotLeft + i * 130}" y="32" width="12" height="12" fill="${b.colour}"/><text class="legend" x="${plotLeft + i * 130 + 16}" y="42">${b.name}</text>`).join('');
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<style>.scenario{font-weight:bold;font-size:12px}.tick,.value{fill:#555;font-size:10px}</style>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text class="scenario" x="8" y="24">${escapeXml(`Latency p50 / p99, log scale — run of ${results.generatedAt} (${results.mode})`)}</text>`,
    legend,
    ...grid,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Scenarios of later runs replace those with the same id of earlier ones (the first run's header is kept). */
export function mergeResults(runs: readonly StoredResults[]): StoredResults {
  const [first, ...rest] = runs;
  if (!first) throw new Error('no results to merge');
  const scenarios = [...first.scenarios];
  const missed = new Set(first.missedTargets ?? []);
  for (const run of rest) {
    for (const s of run.scenarios) {
      const at = scenarios.findIndex((x) => x.id === s.id);
      for (const m of [...missed]) if (m.startsWith(`${s.id}: `)) missed.delete(m);
      if (at >= 0) scenarios[at] = s;
      else scenarios.push(s);
    }
    for (const m of run.missedTargets ?? []) missed.add(m);
  }
  return { ...first, scenarios, missedTargets: [...missed], errors: runs.reduce((n, r) => n + (r.errors ?? 0), 0) };
}

/** Writes `<name>.md` and `<name>.svg` next to `<name>.json`; returns their paths. `sources`: the files merged, as the table's header names them. */
export async function writeReport(results: StoredResults, jsonPath: string, sources?: string[]): Promise<{ markdown: string; svg: string }> {
  const stem = jsonPath.replace(/\.json$/, '');
  const markdown = `${stem}.md`;
  const svg = `${stem}.svg`;
  // Through JSON, as a later regeneration from the file would see it (NaN → null).
  const stored = JSON.parse(JSON.stringify(results)) as StoredResults;
  await writeFile(markdown, renderMarkdown(stored, { chart: path.basename(svg), ...(sources ? { sources } : {}) }));
  await writeFile(svg, renderSvg(stored));
  return { markdown, svg };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node --import tsx bench/report.ts results.json [more.json …]\n');
    process.exit(2);
  }
  const runs = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as StoredResults));
  const sources = files.map((f, i) => `\`${path.relative(path.dirname(files[0]!), f) || path.basename(f)}\` (run of ${runs[i]!.generatedAt}, ${runs[i]!.mode})`);
  const written = await writeReport(mergeResults(runs), files[0]!, sources);
  process.stdout.write(`wrote ${written.markdown} and ${written.svg}\n`);
}
