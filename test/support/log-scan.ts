import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * Every log line the test suites produce, kept for one scan at the end of the run: the in-memory
 * loggers of in-process apps (test/support/log-capture.ts), the JSON log lines on the stdout of
 * app, worker and CLI child processes and all of their stderr (test/support/process.ts) append here when LOG_SCAN_FILE is set (the
 * suites' global setup sets it). Beside it, a second file lists the secrets the tests handed out
 * or saw (signing secrets and tokens from the environments they start, emailed accept tokens),
 * so the scan can look for each exact value as well as for the shapes every secret of ours has.
 */

export const LOG_SCAN_ENV = 'LOG_SCAN_FILE';

const file = () => process.env[LOG_SCAN_ENV];
const secretsFile = (logFile: string) => `${logFile}.secrets`;

/** Appends log text (synchronously: a test worker may exit right after). */
export function teeLogText(text: string): void {
  const f = file();
  if (f) appendFileSync(f, text);
}

/** Registers secret values (too-short ones are not worth scanning for and would match anything). */
export function registerSecrets(values: ReadonlyArray<string | undefined>): void {
  const f = file();
  const keep = values.filter((v): v is string => typeof v === 'string' && v.length >= 8 && !v.includes('\n'));
  if (f && keep.length > 0) appendFileSync(secretsFile(f), keep.join('\n') + '\n');
}

/** The secrets in an environment: every value whose name says it is one. */
export function secretsOfEnv(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name]) => /SECRET|TOKEN|PASSWORD|_KEY$|SMTP_URL/.test(name))
    .map(([, value]) => value)
    .filter((v): v is string => typeof v === 'string');
}

/**
 * The shapes of our secrets, found whatever their value: Slack bot/user/refresh/app tokens,
 * API keys (`tm_` + 43), webhook signing secrets (`whsec_`), and accept tokens inside a link.
 * Anything redacted by pino reads `[redacted]` and matches none of them.
 */
export const SECRET_SHAPES: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'Slack token', pattern: /\bxox[abpe](?:\.xox[abp])?-[A-Za-z0-9-]{6,}/g },
  { name: 'Slack app token', pattern: /\bxapp-\d-[A-Za-z0-9-]{6,}/g },
  { name: 'API key', pattern: /\btm_[A-Za-z0-9_-]{43}\b/g },
  { name: 'webhook secret', pattern: /\bwhsec_[A-Za-z0-9+/]{40,}={0,2}/g },
  { name: 'accept link token', pattern: /\/invitations\/[A-Za-z0-9_-]{43}\b/g },
];

export interface ScanResult {
  /** Log lines scanned. */
  lines: number;
  /** Distinct secret values registered and looked for. */
  known: number;
  /** What was found: the kind and a shortened sample (never the whole secret, even in a report). */
  found: Array<{ kind: string; sample: string; where: string }>;
}

const shorten = (s: string) => (s.length > 12 ? `${s.slice(0, 8)}…(${s.length})` : s);

/** Which line a secret was found in, by its message and subsystem (never the secret itself). */
function where(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  const line = text.slice(start, end === -1 ? undefined : end);
  const field = (name: string) => line.match(new RegExp(`"${name}":"([^"]{0,80})`))?.[1];
  return [field('subsystem'), field('msg') ?? line.slice(0, 40).replace(/[A-Za-z0-9_-]{20,}/g, '…')].filter(Boolean).join(': ');
}

/**
 * The one place an accept link may be logged: without SMTP_URL the email is written to
 * DATA_DIR/mail and its link logged as `localAcceptLink`, on purpose (README, local use). The
 * issue asks for accept tokens when SMTP is set; with it, that line is never written.
 */
const LOCAL_ACCEPT_LINK = /"localAcceptLink":"[^"]*"/g;

/** Scans log text for the shapes above and for every known value. */
export function scanForSecrets(logText: string, known: readonly string[]): ScanResult {
  const text = logText.replace(LOCAL_ACCEPT_LINK, '"localAcceptLink":"(no SMTP: logged on purpose)"');
  const found: ScanResult['found'] = [];
  const seen = new Set<string>();
  for (const { name, pattern } of SECRET_SHAPES) {
    for (const m of text.matchAll(pattern)) {
      if (seen.has(m[0])) continue;
      seen.add(m[0]);
      found.push({ kind: name, sample: shorten(m[0]), where: where(text, m.index) });
    }
  }
  const values = [...new Set(known.filter((k) => k.length >= 8))];
  for (const value of values) {
    if (seen.has(value) || [...seen].some((s) => s.includes(value))) continue;
    const index = text.indexOf(value);
    if (index !== -1) {
      seen.add(value);
      found.push({ kind: 'known secret', sample: shorten(value), where: where(text, index) });
    }
  }
  return { lines: text.split('\n').filter(Boolean).length, known: values.length, found };
}

/** Reads what this run captured (log text and registered secrets) and scans it. */
export function scanCapturedLogs(logFile: string, planted: { line: string; secrets: string[] } | undefined): ScanResult {
  const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  const known = existsSync(secretsFile(logFile)) ? readFileSync(secretsFile(logFile), 'utf8').split('\n').filter(Boolean) : [];
  return scanForSecrets(planted ? `${text}${planted.line}\n` : text, planted ? [...known, ...planted.secrets] : known);
}

export { secretsFile };
