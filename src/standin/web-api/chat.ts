/** chat.postMessage, chat.update, chat.postEphemeral. */
import { fail, ok, str, type Args, type MethodHandler } from '../http/reply.js';
import { messagePayload, withBlockIds, type WorkspaceModel } from '../workspace/model.js';
import type { StoredMessage } from '../workspace/types.js';
import { checkMessageContent, checkPace, parseMetadata } from './rules.js';

export function chatMethods(w: WorkspaceModel): Record<string, MethodHandler> {
  return {
    'chat.postMessage': (a) => postMessage(w, a),
    'chat.update': (a) => update(w, a),
    'chat.postEphemeral': (a) => postEphemeral(w, a),
  };
}

function postMessage(w: WorkspaceModel, args: Args) {
  const channel = w.resolveChannel(args.channel);
  if (!channel) return fail('channel_not_found');
  const paced = checkPace(w, channel);
  if (paced) return paced;
  const invalid = checkMessageContent(args);
  if (invalid) return invalid;
  const metadata = parseMetadata(args.metadata);
  if (metadata && 'error' in metadata) return fail(metadata.error);

  w.lastPostAt.set(channel, Date.now());
  const message: StoredMessage = {
    type: 'message',
    channel,
    ts: w.nextTs(),
    text: typeof args.text === 'string' ? args.text : '',
    ...(Array.isArray(args.blocks) ? { blocks: withBlockIds(args.blocks) } : {}),
    user: w.botUserId,
    bot_id: w.botId,
    app_id: w.appId,
    team: w.teamId,
    ...(str(args.thread_ts) ? { thread_ts: str(args.thread_ts) } : {}),
    ...(metadata ? { metadata } : {}),
  };
  w.messages.push(message);
  w.changed({ kind: 'message', message });
  return ok({ channel, ts: message.ts, message: messagePayload(message) });
}

function update(w: WorkspaceModel, args: Args) {
  // Unlike chat.postMessage, chat.update needs the conversation id, not a user id.
  const channel = str(args.channel);
  if (!channel || !w.isConversation(channel)) return fail('channel_not_found');
  const message = w.getMessage(channel, String(args.ts ?? ''));
  if (!message || message.user !== w.botUserId) return fail('message_not_found');
  const invalid = checkMessageContent(args, false);
  if (invalid) return invalid;
  if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) return fail('no_text');

  // Fields that are passed replace the stored ones; omitted ones are kept.
  if (typeof args.text === 'string') message.text = args.text;
  if (Array.isArray(args.blocks)) message.blocks = withBlockIds(args.blocks);
  message.edited = { user: w.botUserId, ts: w.nextTs() };
  w.changed({ kind: 'message', message });
  return ok({ channel, ts: message.ts, text: message.text, message: messagePayload(message) });
}

function postEphemeral(w: WorkspaceModel, args: Args) {
  const channel = w.resolveChannel(args.channel);
  if (!channel) return fail('channel_not_found');
  const user = w.findUser(String(args.user ?? ''));
  if (!user || user.isBot) return fail('user_not_found');
  const invalid = checkMessageContent(args);
  if (invalid) return invalid;
  const ts = w.nextTs();
  w.changed({
    kind: 'ephemeral',
    channel,
    user: user.id,
    message: { ts, text: typeof args.text === 'string' ? args.text : '', ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}) },
  });
  return ok({ message_ts: ts });
}
