import type { Scene } from '../scene.js';

export const setupScene: Scene = {
  title: 'Team Manager joins the workspace',
  async run({ narrator, teamChannel }) {
    narrator.note('the app started, checked its bot token with auth.test and created the organization');
    await narrator.showPosts(teamChannel);
  },
};
