import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { runEntryPoint } from '../support/process.js';

const PICTURES = ['local-slack-team-page.png', 'local-slack-invite-modal.png', 'local-slack-approval-card.png', 'local-slack-mail.png'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The browser choice of test/support/browser.ts, passed on when the run sets it. */
const BROWSER_ENV = Object.fromEntries(['CHROMIUM_PATH'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));

/** `npm run screenshots` as its own process: the local Slack, Chromium on its page, four PNGs out. */
describe('npm run screenshots', () => {
  const t = useTestDatabase();
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('drives the page and writes the four README pictures as PNGs of the viewport', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'tm-screenshots-'));
    dirs.push(out);
    const proc = runEntryPoint(['scripts/screenshots.ts', '--out', out], { DATABASE_URL: t.url, ...BROWSER_ENV });
    const code = await proc.exited;
    expect(proc.stderr()).toBe('');
    expect(code).toBe(0);
    for (const name of PICTURES) {
      const file = path.join(out, name);
      expect(proc.stdout()).toContain(file);
      const png = await readFile(file);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      // IHDR, the first chunk: width and height, big-endian, at bytes 16 and 20.
      expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 800]);
      // A page with text on it, not a blank frame (a white 1280×800 PNG is under 10 kB).
      expect((await stat(file)).size).toBeGreaterThan(20_000);
    }
  }, 120_000);

  it('names the step that failed on stderr and exits 1', async () => {
    const proc = runEntryPoint(['scripts/screenshots.ts', '--out', '/dev/null/pictures'], { DATABASE_URL: t.url, ...BROWSER_ENV });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/^screenshots: prepare \/dev\/null\/pictures failed: .+\n$/);
  }, 30_000);
});
