/** The workspace a first start of the local Slack opens on: a few people, a team channel and an approvals channel. */
import type { StandinChannel, StandinUser } from '../workspace/types.js';

export const SEED_PEOPLE: readonly StandinUser[] = [
  { id: 'U0ALICE001', name: 'alice', realName: 'Alice Archer', email: 'alice@acme.test', tz: 'Europe/Paris' },
  { id: 'U0BOB00001', name: 'bob', realName: 'Bob Baker', email: 'bob@acme.test', tz: 'America/New_York' },
  { id: 'U0CAROL001', name: 'carol', realName: 'Carol Chen', email: 'carol@acme.test', tz: 'Asia/Tokyo' },
  { id: 'U0DAVE0001', name: 'dave', realName: 'Dave Diaz', email: 'dave@acme.test', tz: 'America/Los_Angeles' },
  { id: 'U0ERIN0001', name: 'erin', realName: 'Erin Evans', email: 'erin@acme.test', tz: 'Europe/London' },
];
/** The first owner, through BOOTSTRAP_OWNER_EMAILS (the existing bootstrap). */
export const SEED_OWNER = SEED_PEOPLE[0]!;
export const TEAM_CHANNEL: StandinChannel = { id: 'C0TEAM0001', name: 'team' };
export const APPROVALS_CHANNEL: StandinChannel = { id: 'C0APPR0001', name: 'team-approvals' };
export const SEED_CHANNELS: readonly StandinChannel[] = [TEAM_CHANNEL, APPROVALS_CHANNEL, { id: 'C0GENERAL1', name: 'general' }];
