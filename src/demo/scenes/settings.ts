import { submittedState } from '../../standin/index.js';
import type { Scene } from '../scene.js';

export const settingsScene: Scene = {
  title: 'Team settings',
  async run({ driver, narrator, standin, teamChannel }) {
    narrator.typed('U0ALICE001', '/team', 'settings');
    await driver.command('U0ALICE001', '/team', 'settings');
    const opened = await standin.waitForCall('views.open');
    const view = (opened.response as { view: { id: string; blocks: Array<Record<string, unknown>> } }).view;
    narrator.showModal(view);

    narrator.note('Alice types 45 days, which is too long, and submits');
    const tooLong = await driver.viewSubmission('U0ALICE001', {
      id: view.id,
      callback_id: 'team.settings',
      values: submittedState(view, { invitation_expiry: { value: '45' } }),
    });
    narrator.showModalErrors(tooLong.json);

    narrator.note('she corrects it to 14, allows only acme.test addresses, picks #team-approvals for removal approvals, and submits');
    await driver.viewSubmission('U0ALICE001', {
      id: view.id,
      callback_id: 'team.settings',
      values: submittedState(view, {
        invitation_expiry: { value: '14' },
        allowed_domains: { value: 'acme.test' },
        approvals_channel: { selected_conversation: 'C0APPR0001' },
      }),
    });
    await narrator.showPosts(teamChannel);
  },
};
