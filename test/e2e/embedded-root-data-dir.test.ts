import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { freePort } from '../../src/db/embedded.js';
import { createLogger } from '../../src/logger.js';

/**
 * A DATA_DIR made by someone else, private (0700, as mkdtemp makes it). As root (containers,
 * these machines) the embedded server runs as the `postgres` OS user and must get in; as any
 * other user the server runs as that user and nothing needs to change.
 */
describe('an existing private DATA_DIR the app did not create', () => {
  const root = process.getuid?.() === 0;
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const log = createLogger({ level: 'silent', pretty: false });

  it('runs the embedded server there, opening DATA_DIR no more than the search bit for others', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tm-private-'));
    dirs.push(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const database = await connectDatabase({ dataDir: dir, database: { url: undefined, embeddedPort: await freePort(), runMigrations: true } }, log);
    try {
      const { rows } = await database.pool.query<{ n: number }>('select count(*)::int as n from organizations');
      expect(rows[0]!.n).toBe(0);
      // Root: only o+x added (others may enter, not list or read); else untouched.
      expect((await stat(dir)).mode & 0o777).toBe(root ? 0o701 : 0o700);
      const cluster = await stat(path.join(dir, 'postgres'));
      expect(cluster.mode & 0o077).toBe(0);
      if (root) expect(cluster.uid).toBe(Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
    } finally {
      await database.close();
    }
  }, 120_000);

  it('as root, stops with a message naming DATA_DIR and the fix when a parent shuts the postgres user out', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'tm-private-parent-'));
    dirs.push(parent);
    const dir = path.join(parent, 'data');
    await mkdir(dir, { mode: 0o700 });
    const opening = connectDatabase({ dataDir: dir, database: { url: undefined, embeddedPort: await freePort(), runMigrations: true } }, log);
    if (root) {
      await expect(opening).rejects.toThrow(`DATA_DIR ${dir} is inside a directory the "postgres" OS user cannot enter`);
      await expect(opening).rejects.toThrow(/Fix: set DATA_DIR to a directory outside it/);
      expect((await stat(parent)).mode & 0o777).toBe(0o700);
    } else {
      const database = await opening; // not root: the server runs as us and gets in
      await database.close();
    }
  }, 120_000);
});
