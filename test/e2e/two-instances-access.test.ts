import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandin } from '../../src/standin/index.js';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedMember } from '../support/seed.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';

/**
 * Issue 20: each instance caches organizations (src/db/organization-cache.ts), and nothing a
 * cache holds may let a request through that the database would refuse. Two instances of the
 * app on one database, both warmed up: a change committed through one is in force on the other
 * at once: a removed member is nobody, a demoted owner is a member. (Members are never cached,
 * and every rule of a change re-reads the organization under its lock; this is the proof over
 * HTTP, with both caches warm.)
 */
describe('two instances on one database', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    standin = await SlackStandin.start();
    a = await startTestApp({ databaseUrl: t.url, standin, env: { RUN_WORKER: 'false' } });
    b = await startTestApp({ databaseUrl: t.url, standin, env: { RUN_WORKER: 'false' } });
    const org = (await findOrganizationBySlackTeam(t.db, standin.teamId))!;
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    await seedMember(t.db, org, 'bob@acme.test', 'owner', { slackUserId: 'U0BOB00001' });
    await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
    // Both instances have read (and cached) the organization, and served everyone.
    for (const h of [a, b]) {
      for (const user of ['U0ALICE001', 'U0BOB00001', 'U0CAROL001']) {
        expect((await h.driver.command(user, '/team', 'list')).json.blocks).toBeDefined();
      }
    }
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await standin?.stop();
  });

  it('carol leaves through A: on B, her very next request is refused', async () => {
    const ask = await a.driver.command('U0CAROL001', '/team', 'leave');
    const click = await a.driver.blockActions('U0CAROL001', [{ action_id: 'team.leave.confirm', block_id: 'team.leave', value: 'leave' }], {
      message: { ts: '1.2', text: ask.json.text, blocks: ask.json.blocks },
      channelId: 'C0GENERAL1',
    });
    await standin.waitForResponseUrlPost(click.responseUrlId);
    const after = await b.driver.command('U0CAROL001', '/team', 'list');
    expect(after.json.text).toContain('only `/team help` is available to you');
  });

  it('alice demotes bob through A: on B, bob can no longer change a role', async () => {
    const demoted = await a.driver.command('U0ALICE001', '/team', 'role <@U0BOB00001|bob> member');
    expect(demoted.json.text).toContain('is now a Member (was Owner)');
    const refused = await b.driver.command('U0BOB00001', '/team', 'role <@U0ALICE001|alice> member');
    expect(refused.json.text).toBe("Only owners can change someone's role. You are a member of this team.");
    const alice = await t.db.selectFrom('members').select('role').where('email', '=', 'alice@acme.test').executeTakeFirstOrThrow();
    expect(alice.role).toBe('owner');
  });
});
