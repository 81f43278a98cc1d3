import { ErrorCode as BoltErrorCode, type AnyMiddlewareArgs, type Middleware } from '@slack/bolt';
import { WebAPIPlatformError, type WebClient } from '@slack/web-api';
import { AppError, DATABASE_UNAVAILABLE_MESSAGE } from '../../errors.js';
import { isDatabaseUnavailable } from '../../db/database.js';
import { requestContext, type Logger } from '../../logger.js';
import { plain, plainSection, type ModalView } from '../blocks/kit.js';
import { slackMessage } from '../mrkdwn.js';

/**
 * Turns any error a listener or middleware throws into a message the person sees where
 * they acted: the ack body of a slash command, a pushed modal for a form, an ephemeral
 * reply for a button. Known errors carry their own words; anything else is logged in full
 * and the person gets a reference to quote.
 *
 * Convention: slash-command and view-submission listeners ack last, after their service call,
 * so that an error can still travel in the ack body. (In Socket Mode a second ack is dropped
 * with a warning rather than thrown, so a listener that acked first could not be corrected.)
 */
export function errorReplies(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    try {
      await args.next();
    } catch (err) {
      const message = describe(err, log);
      await tellTheUser(args as AnyMiddlewareArgs & { client: WebClient }, message).catch((replyErr: unknown) =>
        log.error({ err: replyErr }, 'could not show an error to the user'),
      );
    }
  };
}

function describe(err: unknown, log: Logger): string {
  if (err instanceof AppError) {
    log.info({ code: err.code }, `refused: ${slackMessage(err)}`);
    return slackMessage(err);
  }
  if (isExpiredTrigger(err)) {
    // Slack's trigger_id lives 3 s and opens one modal: a repeated delivery of a click that
    // already opened its modal, or a click answered too slowly. Not a fault of ours.
    log.warn({ slackError: 'expired_trigger_id' }, 'could not open a modal: its trigger was used or expired');
    return EXPIRED_TRIGGER_MESSAGE;
  }
  if (isDatabaseUnavailable(err)) {
    log.error({ err }, 'database unavailable while serving a Slack request');
    return DATABASE_UNAVAILABLE_MESSAGE;
  }
  log.error({ err }, 'unexpected error while serving a Slack request');
  const reference = requestContext.getStore()?.requestId;
  return `Something went wrong inside Team Manager${reference ? ` (reference ${reference})` : ''}. It has been logged; please try again.`;
}

export const EXPIRED_TRIGGER_MESSAGE = 'Slack allows a few seconds to open a dialog after a click, and that time had passed. Please click again.';

function isExpiredTrigger(err: unknown): boolean {
  return err instanceof WebAPIPlatformError && err.data.error === 'expired_trigger_id';
}

async function tellTheUser(args: AnyMiddlewareArgs & { client: WebClient }, text: string): Promise<void> {
  const body = args.body as Record<string, any>;
  if ('ack' in args && typeof args.ack === 'function') {
    const ackBody = ackBodyFor(body, text);
    try {
      await (args.ack as (b?: unknown) => Promise<void>)(ackBody);
      if (ackBody !== undefined) return;
    } catch (err) {
      // Already acknowledged by the listener: the answer has to travel another way.
      if ((err as { code?: string }).code !== BoltErrorCode.ReceiverMultipleAckError) throw err;
    }
  }
  if ('respond' in args && typeof args.respond === 'function' && body.response_url) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  // Events have nobody waiting for an answer; the error is in the log.
  if ('event' in args) return;
  const userId: string | undefined = body.user_id ?? body.user?.id;
  const channelId: string | undefined = body.channel_id ?? body.channel?.id;
  if (!userId) return;
  if (channelId) await args.client.chat.postEphemeral({ channel: channelId, user: userId, text });
  else await args.client.chat.postMessage({ channel: userId, text });
}

function ackBodyFor(body: Record<string, any>, text: string): unknown {
  if (body.command) return { response_type: 'ephemeral', text };
  if (body.type === 'view_submission') {
    // Pushed on top, so the person's input underneath survives for another try.
    return {
      response_action: 'push',
      view: errorModal(text),
    };
  }
  return undefined;
}

/** Pushed over a form whose submission failed unexpectedly. */
function errorModal(text: string): ModalView {
  return { type: 'modal', title: plain('Something went wrong'), close: plain('Back'), blocks: [plainSection(text)] };
}
