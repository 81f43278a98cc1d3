import { submittedState } from '../../standin/index.js';
import { ACCEPT_INVITATION_ACTION } from '../../slack/blocks/invitation-dm.js';
import { INVITE_MODAL_CALLBACK_ID } from '../../slack/blocks/invite-modal.js';
import { waitForEmail } from '../mailbox.js';
import type { Scene } from '../scene.js';

type View = { id: string; title?: { text?: string }; blocks: Array<Record<string, unknown>> };

export const invitationsScene: Scene = {
  title: 'Inviting people: a Slack DM for someone in the workspace, an email for someone outside',
  async run({ driver, narrator, standin, teamChannel, mailDir }) {
    narrator.typed('U0ALICE001', '/team', 'invite dave@acme.test erin@acme.test mallory@evil.test');
    await driver.command('U0ALICE001', '/team', 'invite dave@acme.test erin@acme.test mallory@evil.test');
    const opened = await standin.waitForCall('views.open', (c) => (c.args.view as { callback_id?: string }).callback_id === INVITE_MODAL_CALLBACK_ID);
    const view = (opened.response as { view: View }).view;
    narrator.showModal(view);

    narrator.note('Alice submits');
    const refused = await driver.viewSubmission('U0ALICE001', { id: view.id, callback_id: INVITE_MODAL_CALLBACK_ID, values: submittedState(view) });
    narrator.showModalErrors(refused.json);

    narrator.note('she removes mallory@evil.test and submits again');
    const fixed = submittedState(view);
    for (const block of Object.values(fixed)) {
      for (const input of Object.values(block) as Array<{ value?: string | null }>) {
        if (typeof input.value === 'string' && input.value.includes('mallory')) input.value = 'dave@acme.test, erin@acme.test';
      }
    }
    const sent = await driver.viewSubmission('U0ALICE001', { id: view.id, callback_id: INVITE_MODAL_CALLBACK_ID, values: fixed });
    if (sent.json?.view) narrator.showModal(sent.json.view as View);
    await narrator.showPosts(teamChannel);

    narrator.note('Dave is in the workspace, so he gets a DM; he clicks Accept');
    await narrator.showPosts('U0DAVE0001');
    await driver.blockActions('U0DAVE0001', [{ action_id: ACCEPT_INVITATION_ACTION, value: await invitationIdInDm(standin, 'U0DAVE0001') }]);
    await narrator.showPosts(teamChannel);

    narrator.note('Erin is not in the workspace, so she gets an email (no SMTP here: it is written to a file)');
    const email = await waitForEmail(mailDir, 'erin@acme.test');
    narrator.showEmail(email);
    const link = /https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/.exec(email.text)![0];
    narrator.note(`the local accept link: ${link}`);
    const page = await fetch(link);
    narrator.showPage(`GET ${new URL(link).pathname.replace(/[^/]+$/, '<token>')}`, page.status, await page.text());
    const accepted = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=accept' });
    narrator.showPage('POST (Accept)', accepted.status, await accepted.text());
    await narrator.showPosts(teamChannel);
  },
};

async function invitationIdInDm(standin: Parameters<Scene['run']>[0]['standin'], userId: string): Promise<string> {
  const dm = await standin.waitForCall('chat.postMessage', (c) => c.args.channel === userId && JSON.stringify(c.args.blocks ?? []).includes(ACCEPT_INVITATION_ACTION));
  const blocks = dm.args.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACCEPT_INVITATION_ACTION);
  return button!.value!;
}
