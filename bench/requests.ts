/**
 * The requests the scenarios send, built with the stand-in's driver (so trigger_ids and
 * response_urls are live in the stand-in) and handed to the load generator unsigned: it
 * signs each one when it sends it. `key` names the stand-in call that completes it.
 */
import { ACTIONS, encodePageState, roleOptionValue, rowBlockId } from '../src/slack/blocks/team-page.js';
import { INVITE_MODAL_CALLBACK_ID, inviteModal } from '../src/slack/blocks/invite-modal.js';
import { submittedState } from '../src/standin/index.js';
import type { Role } from '../src/db/schema.js';
import type { LoadRequest } from './protocol.js';
import { COMMAND_CHANNEL, type Harness } from './harness.js';

export interface Built {
  body: string;
  contentType: string;
  /** The stand-in call that answers the user, when the answer is not in the HTTP response. */
  key?: string;
  /** What the bare app's answer is keyed by (its views.open with this trigger_id), for commands. */
  baselineKey?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const payloadBody = (payload: Record<string, unknown>) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** A block_actions from an ephemeral /team list message in #general (it carries a response_url). */
function fromListMessage(h: Harness, userId: string, action: Record<string, unknown> & { action_id: string }): Built {
  const { payload, responseUrlId } = h.driver.blockActionsPayload(userId, [action], {
    channelId: COMMAND_CHANNEL,
    message: { type: 'message', text: 'team list', user: h.standin.botUserId, bot_id: h.standin.botId, blocks: [] },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: COMMAND_CHANNEL, is_ephemeral: true },
  });
  return { body: payloadBody(payload), contentType: FORM, key: `response:${responseUrlId}` };
}

export const build = {
  /** `/team <text>`: our answer is the ack body; the bare app acks and opens a fixed modal. */
  command(h: Harness, userId: string, text: string): Built {
    const { fields, triggerId } = h.driver.commandFields(userId, '/team', text, { channelId: COMMAND_CHANNEL });
    return { body: new URLSearchParams(fields).toString(), contentType: FORM, baselineKey: `open:${triggerId}` };
  },

  /** Next → on a /team list message: the page after `cursor`, answered through the response_url. */
  nextPage(h: Harness, userId: string, cursor: string, search?: string): Built {
    return fromListMessage(h, userId, { action_id: ACTIONS.next, type: 'button', value: encodePageState({ q: search, a: cursor }) });
  },

  /** The role dropdown on a /team list row (after Slack's confirm dialog): the new page comes through the response_url. */
  roleChange(h: Harness, userId: string, memberId: string, role: Role): Built {
    return fromListMessage(h, userId, {
      action_id: ACTIONS.role,
      block_id: rowBlockId(memberId, memberId, undefined),
      type: 'static_select',
      selected_option: { value: roleOptionValue(role, memberId), text: { type: 'plain_text', text: role === 'owner' ? 'Owner' : 'Member' } },
    });
  },

  /** The invite modal submitted with these addresses, role Member: our answer is the ack (response_action update). */
  invite(h: Harness, userId: string, addresses: readonly string[]): Built {
    const modal = inviteModal();
    const { payload } = h.driver.viewSubmissionPayload(userId, {
      callback_id: INVITE_MODAL_CALLBACK_ID,
      type: 'modal',
      title: modal.title,
      submit: modal.submit,
      close: modal.close,
      blocks: modal.blocks,
      values: submittedState(modal, { addresses: { value: addresses.join('\n') } }),
    });
    return { body: payloadBody(payload), contentType: FORM };
  },

  /** The person opens the App Home tab: answered with views.publish for them. */
  homeOpened(h: Harness, userId: string): Built {
    const envelope = h.driver.eventCallback(h.driver.appHomeOpenedEvent(userId));
    return { body: JSON.stringify(envelope), contentType: 'application/json', key: `publish:${userId}` };
  },
};

/** Expectations of our acks (a wrong answer is an error, not a fast response). */
export const EXPECT = {
  listAck: { contains: ['"blocks"'], lacks: ['Something went wrong', 'not an active member'] },
  inviteAck: { contains: ['"response_action":"update"'], lacks: ['Something went wrong'] },
} satisfies Record<string, LoadRequest['expect']>;

export function toLoad(built: readonly Built[], options: { expect?: LoadRequest['expect']; awaitCompletion?: boolean; completionIsAck?: boolean } = {}): LoadRequest[] {
  return built.map((b, id) => ({
    id,
    body: b.body,
    contentType: b.contentType,
    ...(options.expect ? { expect: options.expect } : {}),
    ...(options.awaitCompletion ? { awaitCompletion: true } : {}),
    ...(options.completionIsAck ? { completionIsAck: true } : {}),
  }));
}
