import path from 'node:path';
import { startLogScan } from '../../support/log-scan-setup.js';
import { LEDGER_FILE, record } from './ledger.js';

/**
 * The "secrets in logs" row: every log line of the reliability run (in-process apps and every app,
 * worker and CLI process the tests start) scanned for bot, app, signing, API and webhook secrets
 * and accept tokens. The planted secret counts as the injected fault; finding it is surviving it.
 */
export default function setup(): () => void {
  const scan = startLogScan(path.join(path.dirname(LEDGER_FILE), 'logs.txt'));
  return () => {
    const outcome = scan.finish();
    record({
      area: 'secrets',
      name: `secrets in logs, whole run (${outcome.lines} lines; ${outcome.known} known values + every secret shape)`,
      injected: 1,
      survived: outcome.plantedFound ? 1 : 0,
      secrets: outcome.leaks.length,
      lost: 0,
      duplicated: 0,
      unauthorised: 0,
    });
    if (outcome.leaks.length > 0) process.stderr.write(`secrets in logs: ${JSON.stringify(outcome.leaks)}\n`);
  };
}
