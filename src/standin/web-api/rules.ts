/** Slack's rules shared by several Web API methods: content limits, posting pace, trigger ids, metadata. */
import { validateBlocks } from '../block-kit/index.js';
import { fail, failWithMessages, isObject, rateLimited, str, type ApiReply, type Args } from '../http/reply.js';
import type { WorkspaceModel } from '../workspace/model.js';
import { MAX_MESSAGE_TEXT, MAX_METADATA_BYTES, type MessageMetadata } from '../workspace/types.js';

/** text/blocks rules shared by chat.postMessage, chat.update and chat.postEphemeral. */
export function checkMessageContent(args: Args, requireContent = true): ApiReply | undefined {
  if (typeof args.blocks === 'string') return fail('invalid_blocks_format');
  const hasText = str(args.text) !== undefined;
  const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if (requireContent && !hasText && !hasBlocks && !hasAttachments) return fail('no_text');
  if (typeof args.text === 'string' && args.text.length > MAX_MESSAGE_TEXT) return fail('msg_too_long');
  if (args.blocks !== undefined) {
    const problems = validateBlocks(args.blocks, 'message');
    if (problems.length > 0) return failWithMessages('invalid_blocks', problems);
  }
  return undefined;
}

/** Slack allows about one message per second per channel; bursts get HTTP 429. */
export function checkPace(w: WorkspaceModel, channel: string): ApiReply | undefined {
  const last = w.lastPostAt.get(channel);
  if (last === undefined) return undefined;
  const remaining = w.postMessageIntervalMs - (Date.now() - last);
  return remaining > 0 ? rateLimited(Math.max(1, Math.ceil(remaining / 1000))) : undefined;
}

export function checkTrigger(w: WorkspaceModel, triggerId: unknown): ApiReply | undefined {
  const id = str(triggerId);
  if (!id) return failWithMessages('invalid_arguments', ['missing required field: trigger_id']);
  const trigger = w.triggers.get(id);
  if (!trigger) return fail('invalid_trigger_id');
  if (trigger.used || Date.now() - trigger.mintedAt > w.triggerTtlMs) return fail('expired_trigger_id');
  return undefined;
}

/** chat.postMessage's `metadata`: an event_type and an event_payload object, at most 8 kB. */
export function parseMetadata(v: unknown): MessageMetadata | { error: string } | undefined {
  if (v === undefined || v === '') return undefined;
  if (!isObject(v)) return { error: 'invalid_metadata_format' };
  if (typeof v.event_type !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(v.event_type) || !isObject(v.event_payload)) {
    return { error: 'invalid_metadata_schema' };
  }
  if (Buffer.byteLength(JSON.stringify(v)) > MAX_METADATA_BYTES) return { error: 'metadata_too_large' };
  return { event_type: v.event_type, event_payload: structuredClone(v.event_payload) };
}
