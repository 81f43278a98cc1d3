import type { Scene } from '../scene.js';

export const helpScene: Scene = {
  title: 'Asking for help',
  async run({ driver, narrator }) {
    narrator.typed('U0ALICE001', '/team', 'help');
    const res = await driver.command('U0ALICE001', '/team', 'help');
    narrator.showEphemeral(res.json);

    narrator.typed('U0ALICE001', '/team', 'lsit');
    const typo = await driver.command('U0ALICE001', '/team', 'lsit');
    narrator.showEphemeral(typo.json);
  },
};
