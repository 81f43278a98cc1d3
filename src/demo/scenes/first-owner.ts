import { insertMember } from '../../team/member-repository.js';
import type { Scene } from '../scene.js';

export const firstOwnerScene: Scene = {
  title: 'The first owner',
  async run({ narrator, teamChannel, db, organizationId }) {
    narrator.note('the server was started with BOOTSTRAP_OWNER_EMAILS=alice@acme.test, so Alice is the first owner');
    await narrator.showPosts(teamChannel);
    // Until invitations exist (next scenes), the team's other people are put in place directly.
    for (const [email, name] of [['bob@acme.test', 'Bob Baker'], ['carol@acme.test', 'Carol Chen']] as const) {
      await insertMember(db, { organizationId, email, role: 'member', displayName: name });
    }
    narrator.note('demo setup: Bob and Carol are already members');
  },
};
