import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LEDGER_FILE } from './ledger.js';

/** Starts each run with an empty ledger, so the summary counts this run only. */
export default function setup(): void {
  mkdirSync(path.dirname(LEDGER_FILE), { recursive: true });
  writeFileSync(LEDGER_FILE, '');
}
