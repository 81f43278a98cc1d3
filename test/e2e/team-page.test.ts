import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { auditActions, queuedJobs, seedMember } from '../support/seed.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { validateBlocks } from '../../src/standin/block-kit-limits.js';
import type { RecordedCall } from '../../src/standin/index.js';
import type { Member, Organization } from '../../src/db/schema.js';
import { NOT_A_MEMBER_MESSAGE } from '../../src/team/policy.js';
import { ACTIONS, NOT_A_MEMBER_SENTENCE, parseRowBlockId } from '../../src/slack/blocks/team-page.js';

type Block = Record<string, any>;

/**
 * The team page (`/team list` and the App Home tab) through signed HTTP into the real app,
 * which publishes to the Slack stand-in — and the stand-in refuses anything over Slack's
 * Block Kit limits, so every accepted publish is proof the page fits.
 */
describe('team page over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let alice: Member;
  let bob: Member;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
    // Carol is not linked: the app finds her through her Slack profile email.
    await seedMember(t.db, org, 'carol@acme.test', 'member');
    await seedMember(t.db, org, 'gone@acme.test', 'member', { displayName: 'Gone Person', removed: true });
  });
  afterAll(async () => h?.stop());

  /** The next views.publish for a user from call index `from` on (ok or refused), optionally matching. */
  async function publishFor(userId: string, from: number, matches: (view: Block) => boolean = () => true, timeoutMs = 5_000): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = h.standin.calls
        .slice(from)
        .find((c) => c.method === 'views.publish' && c.args.user_id === userId && matches(c.args.view as Block));
      if (call) return call;
      if (Date.now() > deadline) throw new Error(`no views.publish for ${userId} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function openHome(userId: string): Promise<Block> {
    const from = h.standin.calls.length;
    const res = await h.driver.appHomeOpened(userId);
    expect(res.status).toBe(200);
    const call = await publishFor(userId, from);
    expect(call.response).toMatchObject({ ok: true });
    return h.standin.homeViews.get(userId) as Block;
  }

  const elements = (blocks: Block[]): Block[] => blocks.flatMap((b) => [b.accessory, b.element, ...(b.elements ?? [])].filter(Boolean));
  const withAction = (blocks: Block[], actionId: string) => elements(blocks).filter((e) => e.action_id === actionId);
  const rowOf = (blocks: Block[], memberId: string) => blocks.find((b) => parseRowBlockId(b.block_id)?.memberId === memberId);
  const textOf = (blocks: Block[]) => JSON.stringify(blocks);

  async function drainJobs(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await queuedJobs(t.db, org.id)).length > 0) {
      if (Date.now() > deadline) throw new Error(`jobs still queued: ${JSON.stringify(await queuedJobs(t.db, org.id))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('App Home of an owner: every active member, role dropdowns for all, Remove for everyone but themselves', async () => {
    const view = await openHome('U0ALICE001');
    const text = textOf(view.blocks);
    expect(text).toContain('Alice Archer');
    expect(text).toContain('Bob Baker');
    expect(text).toContain('carol@acme.test');
    expect(text).not.toContain('Gone Person');
    expect(text).toContain('last sign-in never');
    // Owners first: Alice's row comes before Bob's and Carol's.
    const rows = view.blocks.map((b: Block) => parseRowBlockId(b.block_id)?.memberId).filter(Boolean);
    expect(rows[0]).toBe(alice.id);
    expect(rows).toHaveLength(3);

    const selects = withAction(view.blocks, ACTIONS.role);
    expect(selects).toHaveLength(3);
    const bobSelect = rowOf(view.blocks, bob.id)!.accessory;
    expect(bobSelect.initial_option.value).toBe(`member|${bob.id}`);
    expect(bobSelect.confirm.text.text).toBe("Change Bob Baker's role from Member to Owner?");
    const carolId = (await t.db.selectFrom('members').select('id').where('email', '=', 'carol@acme.test').executeTakeFirstOrThrow()).id;
    const removes = withAction(view.blocks, ACTIONS.remove);
    expect(removes.map((r) => r.value).sort()).toEqual([bob.id, carolId].sort());
    // Under each row, an actions block for that member: Activity, then Remove (not on the owner's own row).
    for (const id of [alice.id, bob.id, carolId]) {
      const actions = view.blocks.find((b: Block) => b.block_id === `tpx|${id}`);
      expect(actions.elements.map((e: Block) => [e.action_id, e.value])).toEqual(
        id === alice.id ? [[ACTIONS.activity, id]] : [[ACTIONS.activity, id], [ACTIONS.remove, id]],
      );
    }
  });

  it('App Home of a member is read-only: no dropdowns, no Remove; Activity on their own row only', async () => {
    const view = await openHome('U0BOB00001');
    expect(textOf(view.blocks)).toContain('Alice Archer');
    expect(withAction(view.blocks, ACTIONS.role)).toEqual([]);
    expect(withAction(view.blocks, ACTIONS.remove)).toEqual([]);
    expect(textOf(view.blocks)).toContain('read-only');
    // One block per row; Bob's own row carries his Activity button as its accessory.
    expect(view.blocks.some((b: Block) => String(b.block_id).startsWith('tpx|'))).toBe(false);
    expect(withAction(view.blocks, ACTIONS.activity).map((b) => b.value)).toEqual([bob.id]);
    expect(rowOf(view.blocks, bob.id)!.accessory).toMatchObject({ action_id: ACTIONS.activity, value: bob.id });
  });

  it('an unlinked member is found by their Slack email on opening the Home tab', async () => {
    const view = await openHome('U0CAROL001');
    expect(textOf(view.blocks)).toContain('_(you)_');
    const carol = await t.db.selectFrom('members').select('slack_user_id').where('email', '=', 'carol@acme.test').executeTakeFirstOrThrow();
    expect(carol.slack_user_id).toBe('U0CAROL001');
  });

  it('a non-member sees one sentence on the Home tab, and the not-a-member sentence for /team list', async () => {
    const view = await openHome('U0DAVE0001');
    expect(textOf(view.blocks)).toContain(NOT_A_MEMBER_SENTENCE);
    expect(textOf(view.blocks)).not.toContain('Alice');
    const res = await h.driver.command('U0DAVE0001', '/team', 'list');
    expect(res.json).toEqual({ response_type: 'ephemeral', text: NOT_A_MEMBER_MESSAGE });
  });

  it('/team list answers the page in the ack, only to the person; /team list <query> searches', async () => {
    const res = await h.driver.command('U0BOB00001', '/team', 'list');
    expect(res.json.response_type).toBe('ephemeral');
    expect(validateBlocks(res.json.blocks, 'message')).toEqual([]);
    expect(textOf(res.json.blocks)).toContain('Alice Archer');
    expect(withAction(res.json.blocks, ACTIONS.role)).toEqual([]);

    const search = await h.driver.command('U0ALICE001', '/team', 'list BO');
    const rows = search.json.blocks.map((b: Block) => parseRowBlockId(b.block_id)?.memberId).filter(Boolean);
    expect(rows).toEqual([bob.id]);
    expect(search.json.text).toContain('matching "BO"');

    const sneaky = await h.driver.command('U0ALICE001', '/team', 'list <!channel>');
    expect(textOf(sneaky.json.blocks)).toContain('&lt;!channel&gt;');
    expect(textOf(sneaky.json.blocks)).not.toContain('<!channel>');
    expect(sneaky.json.text).not.toContain('<!channel>');
  });

  it('a member sending the role dropdown payload changes nothing and is told why on their Home', async () => {
    const bobHome = h.standin.homeViews.get('U0BOB00001') as Block;
    const from = h.standin.calls.length;
    const res = await h.driver.blockActions(
      'U0BOB00001',
      [{ action_id: ACTIONS.role, block_id: `tpr|${alice.id}|${alice.id}|`, selected_option: { value: `member|${alice.id}` } }],
      { view: { id: bobHome.id } },
    );
    expect(res.status).toBe(200);
    const call = await publishFor('U0BOB00001', from);
    expect(call.response).toMatchObject({ ok: true });
    expect(textOf((call.args.view as Block).blocks)).toContain("Only owners can change someone's role.");

    const current = await t.db.selectFrom('members').select('role').where('id', '=', alice.id).executeTakeFirstOrThrow();
    expect(current.role).toBe('owner');
    expect(await auditActions(t.db, org.id)).not.toContain('member.role_changed');
  });

  it("an owner's dropdown change: role changed, one audit event, team channel post, DM to the person, Home re-published", async () => {
    await drainJobs();
    const aliceHome = h.standin.homeViews.get('U0ALICE001') as Block;
    const bobRow = rowOf(aliceHome.blocks, bob.id)!;
    const from = h.standin.calls.length;
    const res = await h.driver.blockActions(
      'U0ALICE001',
      [{ action_id: ACTIONS.role, block_id: bobRow.block_id, selected_option: { value: `owner|${bob.id}` } }],
      { view: { id: aliceHome.id } },
    );
    expect(res.status).toBe(200);

    const published = await publishFor('U0ALICE001', from, (v) => textOf(v.blocks).includes('is now an *owner*'));
    expect(published.response).toMatchObject({ ok: true });
    expect(textOf((published.args.view as Block).blocks)).toContain('<@U0BOB00001> is now an *owner*.');

    const current = await t.db.selectFrom('members').select('role').where('id', '=', bob.id).executeTakeFirstOrThrow();
    expect(current.role).toBe('owner');
    const events = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'member.role_changed').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: alice.id, target_id: bob.id, source: 'slack', before: { role: 'member' }, after: { role: 'owner' } });

    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('changed'), 10_000);
    expect(post.args.text).toBe(":arrows_counterclockwise: <@U0ALICE001> changed <@U0BOB00001>'s role from Member to Owner.");
    const dm = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'U0BOB00001', 10_000);
    expect(String(dm.args.text)).toContain('made you an *owner*');
  });

  it('the dropdown in /team list replaces the message with the page and a notice; a refusal is shown the same way', async () => {
    const list = await h.driver.command('U0ALICE001', '/team', 'list');
    const bobRow = rowOf(list.json.blocks, bob.id)!;
    expect(bobRow.accessory.initial_option.value).toBe(`owner|${bob.id}`);
    const message = { ts: '1700000000.000100', text: list.json.text, blocks: list.json.blocks };
    const click = await h.driver.blockActions(
      'U0ALICE001',
      [{ action_id: ACTIONS.role, block_id: bobRow.block_id, selected_option: { value: `member|${bob.id}` } }],
      { message, channelId: 'C0GENERAL1', container: { type: 'message', message_ts: message.ts, channel_id: 'C0GENERAL1', is_ephemeral: true } },
    );
    const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
    expect(reply.body).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
    expect(validateBlocks(reply.body.blocks, 'message')).toEqual([]);
    expect(textOf(reply.body.blocks as Block[])).toContain('<@U0BOB00001> is now a *member*.');
    expect(rowOf(reply.body.blocks as Block[], bob.id)!.accessory.initial_option.value).toBe(`member|${bob.id}`);

    // The same pick again: nothing to change, said at the top of the page.
    const again = await h.driver.blockActions(
      'U0ALICE001',
      [{ action_id: ACTIONS.role, block_id: bobRow.block_id, selected_option: { value: `member|${bob.id}` } }],
      { message, channelId: 'C0GENERAL1' },
    );
    const refused = await h.standin.waitForResponseUrlPost(again.responseUrlId);
    expect(textOf(refused.body.blocks as Block[])).toContain('already a member. Nothing was changed.');
    expect(await auditActions(t.db, org.id)).toEqual(expect.arrayContaining(['member.role_changed']));
    expect((await auditActions(t.db, org.id)).filter((a) => a === 'member.role_changed')).toHaveLength(2);
  });

  it('a click is acknowledged before anything reads the database; its page follows once the database answers', async () => {
    const list = await h.driver.command('U0ALICE001', '/team', 'list');
    const bobRow = rowOf(list.json.blocks, bob.id)!;
    const next = bobRow.accessory.initial_option.value.startsWith('owner') ? 'member' : 'owner';
    const message = { ts: '1700000000.000200', text: list.json.text, blocks: list.json.blocks };
    // Nothing can read the organizations table while this transaction holds it: the
    // organization middleware, which runs before every listener, waits.
    const blocker = await t.pool.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table organizations in access exclusive mode');
      const click = await h.driver.blockActions(
        'U0ALICE001',
        [{ action_id: ACTIONS.role, block_id: bobRow.block_id, selected_option: { value: `${next}|${bob.id}` } }],
        { message, channelId: 'C0GENERAL1' },
      );
      // Answered while the table is still locked (Bolt would answer 404 after 3 s without an ack).
      expect(click.status).toBe(200);
      expect(h.standin.responseUrlPosts.some((p) => p.id === click.responseUrlId)).toBe(false);
      await blocker.query('commit');
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(textOf(reply.body.blocks as Block[])).toContain(`<@U0BOB00001> is now ${next === 'owner' ? 'an *owner*' : 'a *member*'}.`);
    } finally {
      await blocker.query('rollback').catch(() => undefined);
      blocker.release();
    }
  });

  it('Remove opens the Remove modal for that member, and changes nothing until it is submitted', async () => {
    const aliceHome = h.standin.homeViews.get('U0ALICE001') as Block;
    const before = await auditActions(t.db, org.id);
    const from = h.standin.calls.length;
    await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.remove, value: bob.id }], { view: { id: aliceHome.id } });
    const deadline = Date.now() + 5_000;
    let open: RecordedCall | undefined;
    while (!open && Date.now() < deadline) {
      open = h.standin.calls.slice(from).find((c) => c.method === 'views.open');
      if (!open) await new Promise((r) => setTimeout(r, 10));
    }
    expect(open?.response).toMatchObject({ ok: true });
    const view = open!.args.view as Block;
    expect(view.callback_id).toBe('team.remove');
    expect(textOf(view.blocks)).toContain('*Bob Baker* (bob@acme.test)');
    // Alice is the only owner, so nobody could approve: the removal would happen at once.
    expect(view.submit.text).toBe('Remove');
    expect(textOf(view.blocks)).toContain('access ends immediately');
    expect(await auditActions(t.db, org.id)).toEqual(before);
    const current = await t.db.selectFrom('members').select('status').where('id', '=', bob.id).executeTakeFirstOrThrow();
    expect(current.status).toBe('active');
  });

  it('a tampered Next value is answered with the first page and a word about it', async () => {
    const list = await h.driver.command('U0ALICE001', '/team', 'list');
    const click = await h.driver.blockActions(
      'U0ALICE001',
      [{ action_id: ACTIONS.next, block_id: 'tp.nav', value: JSON.stringify({ a: 'eyJoYWNrZWQiOnRydWV9' }) }],
      { message: { ts: '1700000000.000200', text: list.json.text, blocks: list.json.blocks }, channelId: 'C0GENERAL1' },
    );
    const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
    expect(textOf(reply.body.blocks as Block[])).toContain('no longer valid');
    expect(textOf(reply.body.blocks as Block[])).toContain('Alice Archer');
  });

  describe('with 10,000 members', () => {
    const TOTAL = 10_000;
    beforeAll(async () => {
      await drainJobs();
      // Long names (200 characters, with characters that escaping grows) stress the limits.
      await sql`
        insert into members (organization_id, email, display_name, role)
        select ${org.id}::uuid, 'person' || n || '@big.test',
               case when n % 5 = 0 then null else 'Person ' || lpad(n::text, 5, '0') || ' ' || repeat('&<', 90) end,
               case when n % 1000 = 0 then 'owner' else 'member' end
        from generate_series(1, ${TOTAL - 3}) as n`.execute(t.db);
      await sql`analyze members`.execute(t.db);
    });

    it("publishes the owner's Home, and every Next click re-publishes a page the stand-in accepts, until every member was shown once", async () => {
      const first = await openHome('U0ALICE001');
      const seen: string[] = [];
      const collect = (view: Block) => {
        for (const b of view.blocks as Block[]) {
          const row = parseRowBlockId(b.block_id);
          if (row) seen.push(row.memberId);
        }
      };
      collect(first);
      let view = first;
      let clicks = 0;
      const started = performance.now();
      for (;;) {
        const next = withAction(view.blocks, ACTIONS.next)[0];
        if (!next) break;
        const from = h.standin.calls.length;
        const res = await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.next }], { view: { id: view.id } });
        expect(res.status).toBe(200);
        const call = await publishFor('U0ALICE001', from);
        expect(call.response, JSON.stringify(call.response)).toMatchObject({ ok: true });
        view = h.standin.homeViews.get('U0ALICE001') as Block;
        expect(view.blocks.length).toBeLessThanOrEqual(100);
        collect(view);
        clicks++;
      }
      console.log(`${clicks} Next clicks on a 10,000-member Home in ${Math.round(performance.now() - started)} ms`);
      expect(clicks).toBe(TOTAL / 20 - 1);
      expect(seen).toHaveLength(TOTAL);
      expect(new Set(seen).size).toBe(TOTAL);

      // And back: Previous from the last page shows the page before it.
      const from = h.standin.calls.length;
      await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.previous }], { view: { id: view.id } });
      const back = await publishFor('U0ALICE001', from);
      expect(back.response).toMatchObject({ ok: true });
      const backRows = ((back.args.view as Block).blocks as Block[]).map((b) => parseRowBlockId(b.block_id)?.memberId).filter(Boolean);
      expect(backRows).toEqual(seen.slice(TOTAL - 40, TOTAL - 20));
    }, 180_000);

    it('searches the Home tab with the search box (dispatch_action) and clears it', async () => {
      const home = h.standin.homeViews.get('U0ALICE001') as Block;
      const from = h.standin.calls.length;
      await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.search, type: 'plain_text_input', value: 'person 0001' }], { view: { id: home.id } });
      const call = await publishFor('U0ALICE001', from);
      expect(call.response).toMatchObject({ ok: true });
      const rows = ((call.args.view as Block).blocks as Block[]).filter((b) => parseRowBlockId(b.block_id));
      // Person 00010..00019, less 00010 and 00015, which have no name (their emails do not match).
      expect(rows).toHaveLength(8);
      expect(JSON.parse((call.args.view as Block).private_metadata)).toEqual({ q: 'person 0001' });

      const from2 = h.standin.calls.length;
      await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.clearSearch }], { view: { id: home.id } });
      const cleared = await publishFor('U0ALICE001', from2);
      expect(JSON.parse((cleared.args.view as Block).private_metadata)).toEqual({});
    });

    it('/team list pages with Next in place (replace_original), each page within a message’s limits', async () => {
      const list = await h.driver.command('U0BOB00001', '/team', 'list');
      expect(validateBlocks(list.json.blocks, 'message')).toEqual([]);
      let blocks: Block[] = list.json.blocks;
      const shown = new Set<string>();
      for (let page = 0; page < 5; page++) {
        for (const b of blocks) {
          const row = parseRowBlockId(b.block_id);
          if (row) shown.add(row.memberId);
        }
        const click = await h.driver.blockActions('U0BOB00001', [{ action_id: ACTIONS.next }], {
          message: { ts: `1700000001.00000${page}`, text: 'list', blocks },
          channelId: 'C0GENERAL1',
        });
        const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
        expect(reply.body.replace_original).toBe(true);
        blocks = reply.body.blocks as Block[];
        expect(validateBlocks(blocks, 'message')).toEqual([]);
      }
      expect(shown.size).toBe(50);
    });
  });
});
