import type { Scene } from '../scene.js';

export const promoteScene: Scene = {
  title: 'Making Bob an owner',
  async run({ driver, narrator, teamChannel }) {
    narrator.typed('U0ALICE001', '/team', 'role @bob owner');
    const res = await driver.command('U0ALICE001', '/team', 'role <@U0BOB00001|bob> owner');
    narrator.showEphemeral(res.json);
    await narrator.showPosts(teamChannel);
    await narrator.showPosts('U0BOB00001');

    narrator.typed('U0CAROL001', '/team', 'role @alice member');
    const refused = await driver.command('U0CAROL001', '/team', 'role <@U0ALICE001|alice> member');
    narrator.showEphemeral(refused.json);
  },
};
