import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseIfMissing } from '../../src/db/connect.js';
import { embeddedTempDir, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../src/errors.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The database goes away under a running app: readiness says so, people get a clear
 * "try again", and everything works again once the server is back, without a restart.
 * Uses a PostgreSQL server of its own, since it stops it.
 */
describe('when the database is down', () => {
  let dir: string;
  let server: EmbeddedServer;
  let h: TestApp;

  beforeAll(async () => {
    dir = await embeddedTempDir('tm-outage-');
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: 0 });
    await createDatabaseIfMissing(server.url('postgres'), 'teammanager');
    h = await startTestApp({ databaseUrl: server.url('teammanager'), env: { RUN_MIGRATIONS: 'true', RUN_WORKER: 'false' } });
  });
  afterAll(async () => {
    await h?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports 503 on /readyz and tells a /team user to try again, then recovers', async () => {
    expect((await fetch(`${h.app.url}/readyz`)).status).toBe(200);

    await server.stop();
    const ready = await fetch(`${h.app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', checks: { database: 'unreachable' } });
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);

    const res = await h.driver.command('U0ALICE001', '/team', 'help');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3_000);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: DATABASE_UNAVAILABLE_MESSAGE });

    await server.start();
    await expect.poll(async () => (await fetch(`${h.app.url}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    const again = await h.driver.command('U0ALICE001', '/team', 'help');
    expect(again.json.text).toContain('Usage: /team <subcommand>');
  });
});
