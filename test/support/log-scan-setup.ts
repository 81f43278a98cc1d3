import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOG_SCAN_ENV, scanCapturedLogs, secretsFile, type ScanResult } from './log-scan.js';

/**
 * Global setup of both suites: every log line of the run goes to one file (LOG_SCAN_FILE, which
 * the test workers and the processes they start inherit), scanned for secrets when the run ends.
 */
export function startLogScan(file?: string): { file: string; finish(): ScanOutcome; remove(): void } {
  const dir = file ? undefined : mkdtempSync(path.join(tmpdir(), 'tm-log-scan-'));
  const logFile = file ?? path.join(dir!, 'logs.txt');
  writeFileSync(logFile, '');
  writeFileSync(secretsFile(logFile), '');
  process.env[LOG_SCAN_ENV] = logFile;
  return {
    file: logFile,
    finish: () => finishScan(logFile),
    remove() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ScanOutcome extends ScanResult {
  /** Whether the secrets planted for the check were both found (the scanner works). */
  plantedFound: boolean;
  /** What was found besides the planted ones: leaks. */
  leaks: ScanResult['found'];
}

/**
 * Scans with two secrets planted in a line of their own, one by shape (a Slack bot token) and one
 * by registered value (an accept token, which has no prefix): a scanner that misses them is broken.
 */
function finishScan(logFile: string): ScanOutcome {
  const byShape = `xoxb-9999999999-${randomBytes(12).toString('hex')}`;
  const byValue = randomBytes(32).toString('base64url');
  const line = JSON.stringify({ level: 30, msg: 'planted by the log scan', detail: `${byShape} ${byValue}` });
  const result = scanCapturedLogs(logFile, { line, secrets: [byValue] });
  const plantedSamples = new Set([byShape, byValue].map((s) => `${s.slice(0, 8)}…(${s.length})`));
  const leaks = result.found.filter((f) => !plantedSamples.has(f.sample));
  const plantedFound = result.found.filter((f) => plantedSamples.has(f.sample)).length === 2;
  return { ...result, lines: result.lines - 1, plantedFound, leaks };
}

/**
 * The main suite: the run fails when a secret reached a log line (or the scanner is broken). A
 * teardown that throws is only logged by vitest (exit 0) and skips the other teardowns, so the
 * failure is an exit code instead.
 */
export default function setup(): () => void {
  const scan = startLogScan();
  return () => {
    const outcome = scan.finish();
    scan.remove();
    process.stdout.write(`log scan: ${outcome.lines} log lines, ${outcome.known} known secrets, ${outcome.leaks.length} found in logs; planted secret ${outcome.plantedFound ? 'found' : 'MISSED'}\n`);
    if (outcome.leaks.length > 0 || !outcome.plantedFound) {
      process.stderr.write(`secrets in logs: ${JSON.stringify(outcome.leaks)}${outcome.plantedFound ? '' : '; the scanner missed the planted secret'}\n`);
      process.exitCode = 1;
    }
  };
}
