import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * What one reliability or security test found, in the figures trusted systems report: faults
 * injected and survived, inputs tried, and changes lost, duplicated or let through without
 * authority (each must be 0). Tests append one entry per check; the summary adds them up.
 */
export interface LedgerEntry {
  /** 'fault' (something broken on purpose), 'input' (bad input or attacks), 'authz', 'property', 'secrets'. */
  area: 'fault' | 'input' | 'authz' | 'property' | 'secrets';
  /** What was checked, e.g. "database restart under load". */
  name: string;
  /** Faults injected (restarts, kills, Slack errors…) and how many the app came through. */
  injected?: number;
  survived?: number;
  /** Inputs tried (requests, payloads, generated cases). */
  inputs?: number;
  /** Secrets found in log lines (the log scan, test/reliability/support/secrets-setup.ts). */
  secrets?: number;
  lost: number;
  duplicated: number;
  unauthorised: number;
}

export const LEDGER_FILE = path.resolve(process.env.RELIABILITY_LEDGER ?? '.reliability/ledger.jsonl');

export function record(entry: LedgerEntry): void {
  mkdirSync(path.dirname(LEDGER_FILE), { recursive: true });
  appendFileSync(LEDGER_FILE, JSON.stringify(entry) + '\n');
}
