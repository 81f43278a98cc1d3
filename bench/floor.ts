/**
 * Child process: the floors, a bare Bolt app (bench/bare-bolt.ts) that does the work that cannot
 * be avoided and nothing else, on the same database as our app (issue 20, part 3):
 *
 * - invite submission: reads the form, finds the submitter's member row (one statement), runs
 *   the very transaction ours runs — `createInvitations`, with the same tellers installed, so the
 *   same statements write the same rows and queue the same jobs — then acks with the same view;
 * - app_home_opened: finds the viewer (one statement), reads the Home with the same queries
 *   (`readHome`: the first team page, the open removals, the pending invitations) and publishes
 *   the very same view (`homeView`), block for block.
 *
 * What ours does besides — its middleware (tenancy, signature-checked tenancy, activity, acting
 * member), remembering the page, logging — is what the ratio to these floors judges.
 */
import { openDatabase } from '../src/db/database.js';
import { installTellings } from '../src/tellings.js';
import { createInvitations, InvitationsRefusedError } from '../src/team/invitations.js';
import { splitAddresses } from '../src/team/invitation-rules.js';
import { findMemberBySlackUser } from '../src/team/member-repository.js';
import { findOrganizationById } from '../src/team/organization-repository.js';
import { INVITE_MODAL_CALLBACK_ID, invitationsSentView, readInviteForm } from '../src/slack/blocks/invite-modal.js';
import { homeView, readHome } from '../src/slack/home/home-view.js';
import { startBareBolt } from './bare-bolt.js';
import { serveChild } from './server-child.js';

serveChild(async () => {
  installTellings();
  const { db } = openDatabase(process.env.DATABASE_URL!);
  const organization = (await findOrganizationById(db, process.env.BENCH_ORGANIZATION_ID!))!;
  const running = await startBareBolt('floor', (app) => {
    app.view(INVITE_MODAL_CALLBACK_ID, async ({ ack, body, view }) => {
      const form = readInviteForm(view.state.values);
      const actor = await findMemberBySlackUser(db, organization.id, body.user.id);
      try {
        const { invitations, refused } = await createInvitations(db, {
          organizationId: organization.id,
          actorMemberId: actor?.id ?? null,
          addresses: splitAddresses(form.addresses),
          role: form.role ?? 'member',
          message: form.message,
          inviteValidOnes: form.inviteValidOnes,
          source: 'slack',
        });
        await ack({ response_action: 'update', view: invitationsSentView({ invited: invitations.map((i) => i.email), refused, role: form.role ?? 'member' }) });
      } catch (err) {
        if (!(err instanceof InvitationsRefusedError)) throw err;
        await ack({ response_action: 'errors', errors: { addresses: 'refused' } });
      }
    });
    app.event('app_home_opened', async ({ event, client }) => {
      const viewer = await findMemberBySlackUser(db, organization.id, event.user);
      const read = await readHome(db, organization, viewer ?? null, {});
      if (!read.page.allowed) throw new Error(`floor: ${event.user} may not see the team page (${read.page.reason})`);
      await client.views.publish({ user_id: event.user, view: homeView(organization, read, { q: read.page.search }) });
    });
  });
  return {
    url: running.url,
    stop: async () => {
      await running.stop();
      await db.destroy();
    },
  };
});
