import { readFileSync } from 'node:fs';
import { LEDGER_FILE, type LedgerEntry } from './support/ledger.js';

/**
 * Prints the reliability table from the ledger the tests wrote, and exits 1 when anything was
 * lost, duplicated or let through, or when the ledger is empty (the tests did not run).
 */
const entries: LedgerEntry[] = readFileSync(LEDGER_FILE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as LedgerEntry);

type Row = { area: string; name: string; injected: number; survived: number; inputs: number; secrets: number; lost: number; duplicated: number; unauthorised: number };
const rows = new Map<string, Row>();
for (const e of entries) {
  const key = `${e.area}\u0000${e.name}`;
  const row = rows.get(key) ?? { area: e.area, name: e.name, injected: 0, survived: 0, inputs: 0, secrets: 0, lost: 0, duplicated: 0, unauthorised: 0 };
  row.injected += e.injected ?? 0;
  row.survived += e.survived ?? 0;
  row.inputs += e.inputs ?? 0;
  row.secrets += e.secrets ?? 0;
  row.lost += e.lost;
  row.duplicated += e.duplicated;
  row.unauthorised += e.unauthorised;
  rows.set(key, row);
}
const order = ['fault', 'input', 'authz', 'property', 'secrets'];
const sorted = [...rows.values()].sort((a, b) => order.indexOf(a.area) - order.indexOf(b.area) || a.name.localeCompare(b.name));
const total = sorted.reduce(
  (t, r) => ({ ...t, injected: t.injected + r.injected, survived: t.survived + r.survived, inputs: t.inputs + r.inputs, secrets: t.secrets + r.secrets, lost: t.lost + r.lost, duplicated: t.duplicated + r.duplicated, unauthorised: t.unauthorised + r.unauthorised }),
  { area: 'total', name: '', injected: 0, survived: 0, inputs: 0, secrets: 0, lost: 0, duplicated: 0, unauthorised: 0 },
);

const header = ['area', 'check', 'faults injected', 'survived', 'inputs tried', 'secrets in logs', 'lost', 'duplicated', 'unauthorised'];
const line = (r: Row) => [r.area, r.name, r.injected, r.survived, r.inputs, r.secrets, r.lost, r.duplicated, r.unauthorised].map(String);
const table = [header, ...sorted.map(line), line(total)];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
const fmt = (r: string[]) => '| ' + r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
process.stdout.write('\nReliability and security summary\n');
process.stdout.write(fmt(table[0]!) + '\n');
process.stdout.write('|' + widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|\n');
for (const r of table.slice(1)) process.stdout.write(fmt(r) + '\n');

const bad = total.lost + total.duplicated + total.unauthorised + total.secrets;
if (sorted.length === 0) {
  process.stderr.write('reliability summary: the ledger is empty; did the tests run?\n');
  process.exit(1);
}
if (!sorted.some((r) => r.area === 'secrets')) {
  process.stderr.write('reliability summary: no "secrets in logs" row; did the log scan (support/secrets-setup.ts) run?\n');
  process.exit(1);
}
// Issue 21: at least 10,000 generated and hand-written bad inputs over a whole run.
const MIN_INPUTS = 10_000;
if (total.inputs < MIN_INPUTS && process.env.RELIABILITY_PARTIAL !== 'true') {
  process.stderr.write(`reliability summary: ${total.inputs} inputs tried, fewer than ${MIN_INPUTS} (a partial run? set RELIABILITY_PARTIAL=true)\n`);
  process.exit(1);
}
if (bad > 0 || total.survived < total.injected) {
  process.stderr.write(`reliability summary: secrets in logs ${total.secrets}, lost ${total.lost}, duplicated ${total.duplicated}, unauthorised ${total.unauthorised}, faults not survived ${total.injected - total.survived}\n`);
  process.exit(1);
}
