import net from 'node:net';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedTempDir, freePort } from '../../src/db/embedded.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** With no DATABASE_URL the app runs its own PostgreSQL under DATA_DIR, and stops it with itself. */
describe('without DATABASE_URL', () => {
  let dir: string;
  let h: TestApp | undefined;
  afterAll(async () => {
    await h?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts the embedded server under DATA_DIR, migrates it, serves, and stops it on stop()', async () => {
    dir = await embeddedTempDir('tm-embedded-app-');
    const port = await freePort();
    h = await startTestApp({ env: { DATA_DIR: dir, EMBEDDED_PG_PORT: String(port), RUN_MIGRATIONS: 'true' } });

    expect(h.app.database.embedded?.port).toBe(port);
    expect((await fetch(`${h.app.url}/readyz`)).status).toBe(200);
    const res = await h.driver.command('U0ALICE001', '/team', 'help');
    expect(res.json.text).toContain('Usage');
    const org = await h.app.database.db.selectFrom('organizations').select('slack_team_id').execute();
    expect(org).toEqual([{ slack_team_id: h.standin.teamId }]);

    await h.stop();
    h = undefined;
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
