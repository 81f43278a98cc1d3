import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/**
 * A headless Chromium on any machine with Node: the one shipped inside the npm package
 * @sparticuz/chromium (unpacked to the temp dir on first use; no apt, no download), so every
 * machine runs the browser tests on the same build whatever it has installed. CHROMIUM_PATH
 * names another binary on purpose (a developer's own Chrome); a path that is not there is an
 * error, not a silent fallback.
 */

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
  kind: 'chosen' | 'bundled';
  args: string[];
}

export async function chooseChromium(env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`CHROMIUM_PATH: no browser at ${chosen} (unset it to use the Chromium of @sparticuz/chromium)`);
    return { executablePath: chosen, kind: 'chosen', args: ['--headless', ...COMMON_ARGS] };
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
