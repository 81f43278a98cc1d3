import type { Scene } from '../scene.js';

export const teamPageScene: Scene = {
  title: 'The team page',
  async run({ driver, narrator }) {
    narrator.typed('U0ALICE001', '/team', 'list');
    const res = await driver.command('U0ALICE001', '/team', 'list');
    narrator.showEphemeral(res.json);
  },
};
