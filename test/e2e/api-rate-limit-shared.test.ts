import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/api/api-keys.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';

/**
 * Two web instances on one database: the API rate limit is one bucket per key for both
 * (src/api/shared-rate-limit.ts). A key with a burst of 10 gets 10 requests in all, not 10 from
 * each; with API_RATE_LIMIT_SHARED=false each process counts its own (the old behaviour).
 */
describe('API rate limit shared through PostgreSQL', () => {
  const t = useTestDatabase();
  const apps: TestApp[] = [];
  let key: string;
  const env = { RUN_WORKER: 'false', API_RATE_LIMIT_BURST: '10', API_RATE_LIMIT_PER_SECOND: '0.01' };

  beforeAll(async () => {
    apps.push(await startTestApp({ databaseUrl: t.url, env }));
    apps.push(await startTestApp({ databaseUrl: t.url, env, standin: apps[0]!.standin }));
    apps.push(await startTestApp({ databaseUrl: t.url, env: { ...env, API_RATE_LIMIT_SHARED: 'false' }, standin: apps[0]!.standin }));
    apps.push(await startTestApp({ databaseUrl: t.url, env: { ...env, API_RATE_LIMIT_SHARED: 'false' }, standin: apps[0]!.standin }));
    const org = (await findOrganizationBySlackTeam(t.db, apps[0]!.standin.teamId))!;
    key = (await createApiKey(t.db, { organizationId: org.id, name: 'shared', scope: 'read', actor: { type: 'cli', id: 'x' }, source: 'cli' })).key;
  });
  afterAll(async () => {
    for (const a of apps.reverse()) await a.stop();
  });

  const get = (app: TestApp, bearer = key) => fetch(`${app.app.url}/api/v1/members`, { headers: { authorization: `Bearer ${bearer}` } });

  it('10 requests across two instances, then 429 from either, with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get(apps[i % 2]!)).status);
    expect(statuses).toEqual(Array(10).fill(200));
    for (const app of [apps[0]!, apps[1]!]) {
      const refused = await get(app);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it('concurrent requests take exactly the burst (the bucket row is updated atomically)', async () => {
    const org = (await findOrganizationBySlackTeam(t.db, apps[0]!.standin.teamId))!;
    const fresh = (await createApiKey(t.db, { organizationId: org.id, name: 'burst', scope: 'read', actor: { type: 'cli', id: 'x' }, source: 'cli' })).key;
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => get(apps[i % 2]!, fresh).then((r) => r.status)));
    const ms = performance.now() - started;
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    console.log(`shared rate limit: 40 concurrent requests over 2 instances in ${ms.toFixed(0)} ms, 10 allowed`);
  });

  it('API_RATE_LIMIT_SHARED=false: each process counts its own (a key gets 2× with two)', async () => {
    const org = (await findOrganizationBySlackTeam(t.db, apps[0]!.standin.teamId))!;
    const own = (await createApiKey(t.db, { organizationId: org.id, name: 'own', scope: 'read', actor: { type: 'cli', id: 'x' }, source: 'cli' })).key;
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await get(apps[2 + (i % 2)]!, own)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
  });
});
