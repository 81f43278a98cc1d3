import { describe, expect, it } from 'vitest';
import { ensureOrganization } from '../../src/team/organizations.js';
import { updateSettings } from '../../src/team/settings.js';
import { useTestDatabase } from '../support/database.js';
import { queuedJobs, seedMember } from '../support/seed.js';

/**
 * What the team channel hears when a workspace's organization is created, when it adopts the
 * configured channel, and when a settings change comes from someone other than a member
 * (src/notify/tellings/settings.ts), with the app's tellers installed.
 */
const t = useTestDatabase();
const posts = async (organizationId: string) =>
  (await queuedJobs(t.db, organizationId)).filter((j) => j.task === 'slack.post-message').map((j) => ({ channel: j.payload.channel, text: j.payload.text }));

describe('an organization is told of in its team channel', () => {
  it('created with a channel: Team Manager introduces itself there, once', async () => {
    const org = await ensureOrganization(t.db, { slackTeamId: 'T0TOLD0001', name: 'Acme', defaultTeamChannelId: 'C0TEAM0001' });
    await ensureOrganization(t.db, { slackTeamId: 'T0TOLD0001', name: 'Acme', defaultTeamChannelId: 'C0TEAM0001' });
    expect(await posts(org.id)).toEqual([
      {
        channel: 'C0TEAM0001',
        text: ':wave: Team Manager is now connected to Acme. This channel will hear about people joining and leaving the team and about role changes. Type `/team help` to see what it can do.',
      },
    ]);
  });

  it('created without one, then adopting the configured channel: told there that updates come there now', async () => {
    const org = await ensureOrganization(t.db, { slackTeamId: 'T0TOLD0002', name: 'Beta' });
    expect(await posts(org.id)).toEqual([]);
    await ensureOrganization(t.db, { slackTeamId: 'T0TOLD0002', name: 'Beta', defaultTeamChannelId: 'C0BETA0001' });
    expect(await posts(org.id)).toEqual([{ channel: 'C0BETA0001', text: ":wave: Team Manager will post Beta's team updates in this channel from now on." }]);
  });

  it('a member who changes the team channel is named in the summary, posted in the new channel', async () => {
    const org = await ensureOrganization(t.db, { slackTeamId: 'T0TOLD0003', name: 'Gamma', defaultTeamChannelId: 'C0GAMMA001' });
    const owner = await seedMember(t.db, org, 'olga@gamma.test', 'owner', { slackUserId: 'U0OLGA' });
    await updateSettings(t.db, { organizationId: org.id, actorMemberId: owner.id, changes: { team_channel_id: 'C0GAMMA002' }, source: 'slack' });
    expect((await posts(org.id)).at(-1)).toEqual({
      channel: 'C0GAMMA002',
      text: ':gear: <@U0OLGA> changed the team settings:\n• Team channel: <#C0GAMMA001> → <#C0GAMMA002> (team updates are posted there from now on)',
    });
  });
});
