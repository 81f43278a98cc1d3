import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/db/schema.js';
import { enqueue } from '../../src/jobs/queue.js';
import { SlackStandin } from '../../src/standin/index.js';
import type { StandinUser } from '../../src/standin/workspace/types.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { queuedJobs } from '../support/seed.js';

const run = promisify(execFile);

/**
 * The daily directory sync against a drifted stand-in workspace of 5,000 accounts: events that
 * never arrived (deactivations, email changes) are caught up by the real job in the real worker,
 * paced through Slack's users.list pages, with the same rules as user_change; a second run changes
 * nothing. And `npm run cli -- sync slack` does the same from a terminal.
 */
describe('Slack directory sync (missed user_change events)', () => {
  const t = useTestDatabase();
  const N = 5_000;
  const id = (i: number) => `U${String(i).padStart(9, '0')}`;
  const users: StandinUser[] = Array.from({ length: N }, (_, i) => ({ id: id(i), name: `person${i}`, realName: `Person ${i}`, email: `person${i}@acme.test` }));
  users.push({ id: 'U0STRANGER', name: 'stranger', realName: 'Out Sider', email: 'person7@acme.test', teamId: 'T0OTHERORG', isStranger: true });
  let standin: SlackStandin;
  let h: TestApp;
  let org: Organization;

  beforeAll(async () => {
    standin = await SlackStandin.start({ users });
    h = await startTestApp({ databaseUrl: t.url, standin, env: { SLACK_SYNC_PAGE_SIZE: '1000', SLACK_SYNC_PAUSE_MS: '250' } });
    org = (await findOrganizationBySlackTeam(t.db, standin.teamId))!;
    // Every account is a member (two owners), linked; the state before the events were missed.
    for (let from = 0; from < N; from += 1000) {
      await t.db
        .insertInto('members')
        .values(users.slice(from, Math.min(from + 1000, N)).map((u, k) => ({ organization_id: org.id, email: u.email, role: from + k < 2 ? ('owner' as const) : ('member' as const), slack_user_id: u.id, display_name: u.realName })))
        .execute();
    }
    // The drift: 40 accounts deactivated (owner 1 among them), 25 new emails, one of them an address another member has.
    for (let i = 1; i <= 40; i++) standin.users[i === 1 ? 1 : 100 + i]!.deleted = true;
    for (let i = 0; i < 25; i++) standin.users[3000 + i]!.email = `renamed${i}@acme.test`;
    standin.users[4000]!.email = 'person4001@acme.test';
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await standin?.stop();
  });

  const count = async (action: string) =>
    Number((await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('organization_id', '=', org.id).where('action', '=', action).executeTakeFirstOrThrow()).n);
  async function syncOnce(): Promise<void> {
    const before = standin.callsTo('users.list').length;
    await enqueue(t.db, 'slack.sync-directories', {});
    // Done when its pages were read and no sync job is left.
    await expect.poll(async () => standin.callsTo('users.list').length - before, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(6);
    await expect.poll(async () => (await queuedJobs(t.db)).filter((j) => j.task.startsWith('slack.sync-director')).length, { timeout: 30_000, interval: 200 }).toBe(0);
  }

  it('removes the deactivated, takes the new emails, refuses a taken address, and a second run changes nothing', async () => {
    await syncOnce();
    const members = await t.db.selectFrom('members').select(['slack_user_id', 'status', 'email', 'role']).where('organization_id', '=', org.id).execute();
    const by = new Map(members.map((m) => [m.slack_user_id, m]));
    expect(members.filter((m) => m.status === 'removed')).toHaveLength(40);
    expect(by.get(id(1))).toMatchObject({ status: 'removed', role: 'owner' });
    expect(by.get(id(140))?.status).toBe('removed');
    expect(by.get(id(141))?.status).toBe('active');
    expect(by.get(id(3007))?.email).toBe('renamed7@acme.test');
    expect(by.get(id(4000))?.email).toBe('person4000@acme.test');
    expect(await count('member.removed')).toBe(40);
    expect(await count('member.email_changed')).toBe(25);
    expect(await count('member.email_change_refused')).toBe(1);
    // The outsider with a member's address is never taken for them.
    expect(by.get(id(7))?.email).toBe('person7@acme.test');
    expect(by.has('U0STRANGER')).toBe(false);

    // Paced: 6 pages (5 full, the last with the outsider), each at least the pause after the one before.
    const pages = standin.callsTo('users.list');
    expect(pages).toHaveLength(6);
    for (let i = 1; i < pages.length; i++) expect(pages[i]!.at - pages[i - 1]!.at).toBeGreaterThanOrEqual(240);
    expect(pages.every((c) => c.status === 200 && c.response.ok === true)).toBe(true);

    // Told once, in the sweep's summary (posted, or still waiting for the channel's one-a-second pace), not once per removal.
    // Distinct texts: a message whose job has posted but is not yet marked done is in both lists for a moment.
    const teamMessages = async () => [
      ...new Set([
        ...standin.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0TEAM0001').map((c) => String(c.args.text)),
        ...(await queuedJobs(t.db, org.id)).filter((j) => j.task === 'slack.post-message' && j.payload.channel === 'C0TEAM0001').map((j) => String(j.payload.text)),
      ]),
    ];
    const summary =
      `:arrows_counterclockwise: Slack directory sync: 40 people deactivated in Slack were removed from the team: ` +
      `${[1, 102, 103, 104, 105, 106, 107, 108, 109, 110].map((i) => `<@${id(i)}>`).join(', ')} and 30 more; 25 emails updated.`;
    await expect.poll(async () => (await teamMessages()).filter((m) => m === summary).length, { timeout: 10_000 }).toBe(1);
    const told = (await teamMessages()).sort();
    expect(told.filter((m) => m.includes('was deactivated in Slack and removed'))).toEqual([]);
    expect(await count('directory.synced')).toBe(1);

    await syncOnce();
    expect((await teamMessages()).sort()).toEqual(told);
    expect(await count('directory.synced')).toBe(1);
    expect(await count('member.removed')).toBe(40);
    expect(await count('member.email_changed')).toBe(25);
    expect(await count('member.email_change_refused')).toBe(1);
  }, 120_000);

});

describe('npm run cli -- sync slack', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  let org: Organization;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    standin = await SlackStandin.start();
    // The app's first start creates the organization, as a deployment's would.
    const h = await startTestApp({ databaseUrl: t.url, standin, env: { RUN_WORKER: 'false' } });
    await h.stop();
    org = (await findOrganizationBySlackTeam(t.db, standin.teamId))!;
    for (const u of standin.users) await t.db.insertInto('members').values({ organization_id: org.id, email: u.email, role: u.name === 'alice' ? 'owner' : 'member', slack_user_id: u.id }).execute();
    env = { ...process.env, DATABASE_URL: t.url, SLACK_BOT_TOKEN: standin.botToken, SLACK_API_URL: standin.apiUrl, SLACK_SYNC_PAUSE_MS: '0', LOG_LEVEL: 'warn' };
  }, 60_000);
  afterAll(async () => standin?.stop());

  const cli = (extra: NodeJS.ProcessEnv = {}) => run('node', ['--import', 'tsx', 'src/cli.ts', 'sync', 'slack'], { env: { ...env, ...extra } });

  it('prints what it changed, and nothing the second time; without Slack credentials it says so and exits 1', async () => {
    standin.users.find((u) => u.name === 'carol')!.deleted = true;
    standin.users.find((u) => u.name === 'bob')!.email = 'robert@acme.test';
    const first = await cli();
    expect(first.stdout).toContain('Looked at 4 Slack accounts, 4 linked');
    expect(first.stdout).toContain('1 removed (deactivated in Slack), 1 emails updated');
    const members = await t.db.selectFrom('members').select(['email', 'status']).where('organization_id', '=', org.id).orderBy('email').execute();
    expect(members).toEqual([
      { email: 'alice@acme.test', status: 'active' },
      { email: 'carol@acme.test', status: 'removed' },
      { email: 'dave@acme.test', status: 'active' },
      { email: 'robert@acme.test', status: 'active' },
    ]);
    const second = await cli();
    expect(second.stdout).toContain('0 removed (deactivated in Slack), 0 emails updated');

    const noSlack = await cli({ SLACK_BOT_TOKEN: '' }).catch((e: { code: number; stderr: string }) => e);
    expect(noSlack).toMatchObject({ code: 1, stderr: expect.stringContaining('sync slack needs Slack credentials') });
  }, 90_000);
});
