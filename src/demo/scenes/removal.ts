import { submittedState } from '../../standin/index.js';
import type { StoredMessage } from '../../standin/index.js';
import { REMOVE_MODAL_CALLBACK_ID } from '../../slack/blocks/remove-modal.js';
import { REMOVAL_ACTIONS } from '../../slack/blocks/removal-card.js';
import type { Scene, SceneContext } from '../scene.js';

type View = { id: string; title?: { text?: string }; blocks: Array<Record<string, unknown>> };
const APPROVALS = 'C0APPR0001';

/**
 * Alice asks to remove Dave; the card waits in #team-approvals; Dave and Alice herself may
 * not decide, Bob approves; the card loses its buttons and Dave's access ends.
 */
export const removalScene: Scene = {
  title: 'Removing someone, with another owner approving',
  async run(ctx) {
    const { driver, narrator, standin, teamChannel } = ctx;
    narrator.note('Carol becomes an owner too, so an owner other than the requester can approve');
    await driver.command('U0ALICE001', '/team', 'role <@U0CAROL001|carol> owner');
    await narrator.showPosts(teamChannel);

    narrator.typed('U0ALICE001', '/team', 'remove @dave left the company');
    await driver.command('U0ALICE001', '/team', 'remove <@U0DAVE0001|dave> left the company');
    const opened = await standin.waitForCall('views.open', (c) => (c.args.view as { callback_id?: string }).callback_id === REMOVE_MODAL_CALLBACK_ID);
    const view = (opened.response as { view: View }).view;
    narrator.showModal(view);
    narrator.note('Alice submits');
    const submitted = await driver.viewSubmission('U0ALICE001', { id: view.id, callback_id: REMOVE_MODAL_CALLBACK_ID, values: submittedState(view) });
    if (submitted.json?.view) narrator.showModal(submitted.json.view as View);

    const card = await postedMessage(ctx, APPROVALS, REMOVAL_ACTIONS.approve);
    await narrator.showPosts(APPROVALS);
    await narrator.showPosts('U0ALICE001');

    for (const who of ['U0DAVE0001', 'U0ALICE001']) {
      narrator.clicked(who, 'Approve');
      const click = await driver.blockActions(who, [{ action_id: REMOVAL_ACTIONS.approve, value: buttonValue(card) }], { message: { ...card }, channelId: APPROVALS });
      narrator.showEphemeral((await standin.waitForResponseUrlPost(click.responseUrlId)).body as { text?: string });
    }

    narrator.clicked('U0BOB00001', 'Approve');
    await driver.blockActions('U0BOB00001', [{ action_id: REMOVAL_ACTIONS.approve, value: buttonValue(card) }], { message: { ...card }, channelId: APPROVALS });
    await narrator.showUpdate(APPROVALS, card.ts);
    await narrator.showPosts(teamChannel, 2);
    await narrator.showPosts('U0DAVE0001');

    narrator.typed('U0DAVE0001', '/team', 'list');
    narrator.showEphemeral((await driver.command('U0DAVE0001', '/team', 'list')).json);
  },
};

async function postedMessage({ standin }: SceneContext, channel: string, actionId: string): Promise<StoredMessage> {
  const call = await standin.waitForCall('chat.postMessage', (c) => c.args.channel === channel && JSON.stringify(c.args.blocks ?? []).includes(actionId));
  const ts = String((call.response as { ts?: string }).ts);
  return structuredClone(standin.getMessage(channel, ts)!);
}

function buttonValue(message: StoredMessage): string {
  const blocks = (message.blocks ?? []) as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  return blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === REMOVAL_ACTIONS.approve)!.value!;
}
