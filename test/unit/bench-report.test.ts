import { describe, expect, it } from 'vitest';
import { mergeResults, renderMarkdown, renderSvg, type StoredResults } from '../../bench/report.js';

const series = (p50: number | null, p99: number | null, throughput = 100) => ({ p50, p99, max: p99, throughput, errors: 0 });

const results: StoredResults = {
  generatedAt: '2026-12-07T12:00:00.000Z',
  mode: 'full',
  machine: { node: 'v20', cpus: 2, cpuModel: 'test CPU' },
  errors: 0,
  missedTargets: ['ack: invite submission, c=16'],
  scenarios: [
    {
      id: 'ack',
      title: '1. Ack latency',
      rows: [
        { label: '/team list, c=16', ours: series(4, 12), baseline: series(2, 10), ratioOf: 'p99', ratio: 1.2, target: 1.5, met: true },
        { label: 'invite submission, c=16', ours: series(30, 90), baseline: series(2, 10), ratioOf: 'p99', ratio: 9, target: 1.5, met: false },
      ],
    },
    {
      id: 'scale',
      title: 'Scale',
      rows: [
        { label: 'GET /api/v1/members/<email> & co, 100 members', ours: series(5, 8) },
        // A run where a figure was NaN: stored as null.
        { label: 'bulk deliveries', ours: series(null, null) },
        { label: 'mixed load | rate', ours: series(3, 9, 420), baseline: series(1, 3, 800), ratioOf: 'req/s', targetText: '≥ 400 req/s', met: true },
      ],
    },
  ],
};

/** Tags balanced and properly nested, attributes quoted, no bare & or < in text: what an XML parser needs. */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let roots = 0;
  while ((m = token.exec(body)) !== null) {
    const [, closing, name, , selfClosing, text, stray] = m;
    if (stray) throw new Error(`malformed tag at ${m.index}: ${body.slice(m.index, m.index + 60)}`);
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bare & in text: ${text}`);
      if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`);
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

describe('bench report', () => {
  it('writes one table line per row with its figures, ratio, target and met / missed', () => {
    const md = renderMarkdown(results, { chart: 'results.svg' });
    const lines = md.split('\n').filter((l) => l.startsWith('| '));
    expect(lines[0]).toBe('| Scenario | Row | Ours | Baseline / floor | Ratio | Target | Result |');
    const rows = lines.slice(1);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toBe('| ack | /team list, c=16 | 4.00 / 12.0 ms | 2.00 / 10.0 ms | 1.20× p99 | ≤ 1.5× | met |');
    expect(rows[1]).toBe('| ack | invite submission, c=16 | 30.0 / 90.0 ms | 2.00 / 10.0 ms | 9.00× p99 | ≤ 1.5× | **missed** |');
    // No target: no verdict; < > & escaped so GitHub shows them.
    expect(rows[2]).toBe('| scale | GET /api/v1/members/&lt;email&gt; &amp; co, 100 members | 5.00 / 8.00 ms |  |  |  |  |');
    expect(rows[3]).toBe('| scale | bulk deliveries | – / – ms |  |  |  |  |');
    // A throughput row shows rates; a pipe in a label does not split the cell.
    expect(rows[4]).toBe('| scale | mixed load \\| rate | 420 req/s | 800 req/s |  | ≥ 400 req/s | met |');
    expect(md).toContain('![p50 and p99 latency per row, ours and baseline](results.svg)');
    expect(md).toContain('targets missed: 1');
  });

  it('draws a well-formed SVG with one bar group per row, baseline bars only where there is a baseline', () => {
    const svg = renderSvg(results);
    assertWellFormedXml(svg);
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const groups = svg.match(/<g class="row"[^>]*>.*?<\/g>/g) ?? [];
    expect(groups).toHaveLength(5);
    expect(groups.map((g) => /data-scenario="(\w+)"/.exec(g)![1])).toEqual(['ack', 'ack', 'scale', 'scale', 'scale']);
    const bars = (g: string) => (g.match(/<rect class="([\w-]+)"/g) ?? []).map((r) => r.slice(13, -1));
    expect(bars(groups[0]!)).toEqual(['ours-p50', 'ours-p99', 'base-p50', 'base-p99']);
    expect(bars(groups[2]!)).toEqual(['ours-p50', 'ours-p99']);
    expect(bars(groups[3]!)).toEqual([]);
    expect(groups[3]).toContain('no latency figures');
    expect(groups[2]).toContain('&lt;email&gt; &amp; co');
    // Log scale: p99 of 90 ms is drawn wider than p50 of 30 ms, which is wider than 4 ms.
    const width = (g: string, cls: string) => Number(new RegExp(`class="${cls}"[^>]*width="([\\d.]+)"`).exec(g)![1]);
    expect(width(groups[1]!, 'ours-p99')).toBeGreaterThan(width(groups[1]!, 'ours-p50'));
    expect(width(groups[1]!, 'ours-p50')).toBeGreaterThan(width(groups[0]!, 'ours-p50'));
  });

  it('merges a later run: its scenarios replace those with the same id, its missed targets replace theirs', () => {
    const later: StoredResults = {
      generatedAt: '2026-12-08T00:00:00.000Z',
      mode: 'full',
      errors: 0,
      missedTargets: [],
      scenarios: [
        { id: 'ack', title: '1. Ack latency (again)', rows: [] },
        { id: 'growth', title: '3. Growth', rows: [] },
      ],
    };
    const merged = mergeResults([results, later]);
    expect(merged.scenarios.map((s) => s.title)).toEqual(['1. Ack latency (again)', 'Scale', '3. Growth']);
    expect(merged.missedTargets).toEqual([]);
  });
});
