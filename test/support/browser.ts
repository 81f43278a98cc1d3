import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/**
 * A headless Chromium on any machine with Node: the system's (Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH) when there is one, else the Chromium shipped inside the npm package
 * @sparticuz/chromium (unpacked to the temp dir on first use; no apt, no download).
 * TM_BROWSER=bundled forces the packaged one, TM_BROWSER=system the system one (then a missing
 * binary is an error), so both paths can be tested on one machine.
 */
const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags for a headless run in a container: no sandbox (often root), no GPU, nothing phoning home. */
const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface BrowserChoice {
  executablePath: string;
  kind: 'system' | 'bundled';
  args: string[];
}

export async function chooseChromium(env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const wanted = env.TM_BROWSER;
  if (wanted !== undefined && wanted !== '' && wanted !== 'system' && wanted !== 'bundled') {
    throw new Error(`TM_BROWSER: expected system or bundled (got "${wanted}")`);
  }
  if (wanted !== 'bundled') {
    const system = [env.CHROMIUM_PATH, ...SYSTEM_CANDIDATES].find((p): p is string => !!p && existsSync(p));
    if (system) return { executablePath: system, kind: 'system', args: ['--headless', ...COMMON_ARGS] };
    if (wanted === 'system') throw new Error(`TM_BROWSER=system but no Chromium at ${SYSTEM_CANDIDATES.join(', ')} (or CHROMIUM_PATH)`);
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  // The package's own flags minus the ones that weaken the page's security (the tests check its CSP).
  const weakening = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--single-process']);
  const args = [...new Set([...packaged.args.filter((a) => !weakening.has(a)), ...COMMON_ARGS])];
  return { executablePath: await packaged.executablePath(), kind: 'bundled', args };
}

/** Launches the chosen Chromium headless; `kind` says which one ran. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser & { kind: BrowserChoice['kind'] }> {
  const choice = await chooseChromium();
  const browser = await chromium.launch({ headless: true, ...options, executablePath: choice.executablePath, args: [...choice.args, ...(options.args ?? [])] });
  return Object.assign(browser, { kind: choice.kind });
}
