import { pino } from 'pino';
import type { AnyMiddlewareArgs, Context } from '@slack/bolt';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { trackSlackActivity } from '../../src/slack/middleware/activity-tracking.js';
import { setOrganization } from '../../src/slack/context.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * The activity middleware against PostgreSQL with its clock in the test's hands: a member's
 * "last activity in Slack" is written once, no statement is sent again within 5 minutes of this
 * process's write, and it is written again once they are over.
 */
const t = useTestDatabase();
let org: Organization;
let frank: Member;

beforeAll(async () => {
  org = await seedOrganization(t.db, 'T0TRACK001');
  frank = await seedMember(t.db, org, 'frank@acme.test', 'member', { slackUserId: 'U0FRANK001', displayName: 'Frank' });
});

describe('trackSlackActivity', () => {
  it('writes once, then not within 5 minutes of its own write, then again after', async () => {
    let clock = Date.UTC(2026, 11, 7, 12, 0);
    const middleware = trackSlackActivity({ db: t.db, log: pino({ level: 'silent' }), now: () => clock });
    const use = async () => {
      const context = {} as Context;
      setOrganization(context, org);
      const args = { body: { command: '/team', user_id: 'U0FRANK001' }, context, next: async () => undefined } as unknown as AnyMiddlewareArgs & { next: () => Promise<void> };
      await (middleware as (a: typeof args) => Promise<void>)(args);
    };
    const lastActivity = async () =>
      (await t.db.selectFrom('members').select('last_slack_activity_at').where('id', '=', frank.id).executeTakeFirstOrThrow()).last_slack_activity_at;

    await use();
    const first = await lastActivity();
    expect(first).toBeInstanceOf(Date);

    // Within the interval: even with the row made to look old, this process sends nothing.
    await t.db.updateTable('members').set({ last_slack_activity_at: new Date(first!.getTime() - 3_600_000) }).where('id', '=', frank.id).execute();
    clock += 4 * 60_000;
    await use();
    expect((await lastActivity())!.getTime()).toBe(first!.getTime() - 3_600_000);

    // Past it: written again.
    clock += 2 * 60_000;
    await use();
    expect((await lastActivity())!.getTime()).toBeGreaterThan(first!.getTime() - 60_000);
  });
});
