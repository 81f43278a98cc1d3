import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

/** Prometheus text → value of one series (labels in any order), or undefined. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};

describe('GET /metrics (METRICS_ENABLED=true)', () => {
  const t = useTestDatabase();
  let h: TestApp;
  const scrape = async () => {
    const res = await fetch(`${h.app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { METRICS_ENABLED: 'true' } });
    const org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('ack latency per listener and acks over 1 s, request timings by route, the pool', async () => {
    expect((await h.driver.command('U0ALICE001', '/team', 'help')).status).toBe(200);
    // The invite modal opens before the ack; a slow views.open makes that ack take over a second.
    h.standin.injectFault('views.open', { delayMs: 1_200 });
    expect((await h.driver.command('U0ALICE001', '/team', 'invite')).status).toBe(200);
    await fetch(`${h.app.url}/invitations/${'A'.repeat(43)}`);
    const text = await scrape();
    expect(value(text, 'team_manager_slack_request_duration_seconds_count', { listener: 'command:/team' })).toBe(2);
    expect(value(text, 'team_manager_slack_acks_over_1s_total', { listener: 'command:/team' })).toBe(1);
    // The route's pattern, never the path (an accept token would be in it).
    expect(value(text, 'team_manager_http_request_duration_seconds_count', { route: '/invitations/:token', method: 'GET', status: '404' })).toBe(1);
    expect(text).not.toContain('A'.repeat(43));
    expect(value(text, 'team_manager_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(value(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('deliveries by outcome, Slack API errors by code, queue depth and the oldest job age', async () => {
    const org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    // Not due for an hour: waits in the queue (not counted as due), then a due one in a channel that does not exist.
    await enqueue(t.db, 'slack.post-message', { organizationId: org.id, channel: 'C0TEAM0001', text: 'posted', deliveryId: randomUUID() });
    await enqueue(t.db, 'slack.post-message', { organizationId: org.id, channel: 'C0NOSUCH01', text: 'nowhere', deliveryId: randomUUID() });
    h.standin.injectFault('chat.postMessage', { status: 500 });
    const counted = await eventually(async () => {
      const text = await scrape();
      return (value(text, 'team_manager_deliveries_total', { task: 'slack.post-message', outcome: 'done' }) ?? 0) >= 1 &&
        (value(text, 'team_manager_deliveries_total', { task: 'slack.post-message', outcome: 'undeliverable' }) ?? 0) >= 1 &&
        (value(text, 'team_manager_deliveries_total', { task: 'slack.post-message', outcome: 'retry' }) ?? 0) >= 1;
    }, 20_000);
    expect(counted).toBe(true);
    const text = await scrape();
    expect(value(text, 'team_manager_slack_api_errors_total', { code: 'channel_not_found' })).toBeGreaterThanOrEqual(1);
    // A 500 from Slack carries no error code: counted by kind.
    expect(value(text, 'team_manager_slack_api_errors_total', { code: 'http_error' })).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /metrics: the job queue, with no worker taking jobs', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { METRICS_ENABLED: 'true', RUN_WORKER: 'false' } });
    off = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
  });
  afterAll(async () => {
    await h?.stop();
    await off?.stop();
  });

  it('is off unless enabled', async () => {
    expect((await fetch(`${off.app.url}/metrics`)).status).toBe(404);
  });

  it('queue depth per task and the age of the oldest due job', async () => {
    const org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    const ninetySecondsAgo = new Date(Date.now() - 90_000);
    const before = value(await fetch(`${h.app.url}/metrics`).then((r) => r.text()), 'team_manager_job_queue_depth', { task: 'slack.post-message' }) ?? 0;
    for (let i = 0; i < 3; i++) await enqueue(t.db, 'slack.post-message', { organizationId: org.id, channel: 'C0TEAM0001', text: `due ${i}`, deliveryId: randomUUID() }, { runAt: ninetySecondsAgo });
    // Not due yet: not counted.
    await enqueue(t.db, 'slack.publish-home', { organizationId: org.id, slackUserId: 'U0ALICE001' }, { runAt: new Date(Date.now() + 3_600_000) });
    const text = await fetch(`${h.app.url}/metrics`).then((r) => r.text());
    expect(value(text, 'team_manager_job_queue_depth', { task: 'slack.post-message' })).toBe(before + 3);
    expect(value(text, 'team_manager_job_queue_depth', { task: 'slack.publish-home' })).toBeUndefined();
    expect(value(text, 'team_manager_job_oldest_age_seconds')).toBeGreaterThanOrEqual(89);
  });
});
