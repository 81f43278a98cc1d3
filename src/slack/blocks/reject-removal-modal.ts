import type { Member, RequestKind } from '../../db/schema.js';
import { memberLabel } from '../mrkdwn.js';
import { MAX_REASON_LENGTH } from '../../team/removals.js';
import { plain, section, type FormValues, type ModalView } from './kit.js';

/**
 * The dialog the Reject button opens: who asked to remove whom, and a required reason (the
 * requester reads it). Pure builders, plus the reader of the submitted state. The request's id
 * rides in private_metadata only to say WHICH request: whether the submitter may still reject
 * it is decided from the database when they submit.
 */

export const REJECT_REMOVAL_CALLBACK_ID = 'removal.reject_modal';
/** The reason's input; a `response_action: 'errors'` ack is keyed by the block id. */
export const REJECT_REASON_BLOCK = 'removal.reject.reason';
export const REJECT_REASON_ACTION = 'reason';


type Person = Pick<Member, 'slack_user_id' | 'display_name' | 'email'>;

/** The reason dialog for one pending request. */
export function rejectRemovalModal(input: { requestId: string; requester: Person; target: Person; kind?: RequestKind }): ModalView {
  const promotion = input.kind === 'promotion';
  return {
    type: 'modal',
    callback_id: REJECT_REMOVAL_CALLBACK_ID,
    private_metadata: input.requestId,
    title: plain(promotion ? 'Reject promotion' : 'Reject removal'),
    submit: plain('Reject'),
    close: plain('Cancel'),
    blocks: [
      section(
        promotion
          ? `Reject ${memberLabel(input.requester)}'s request to make ${memberLabel(input.target)} an owner? The request is closed and their role stays as it is.`
          : `Reject ${memberLabel(input.requester)}'s request to remove ${memberLabel(input.target)}? ` +
              `${memberLabel(input.target)} stays a member and the request is closed.`,
      ),
      {
        type: 'input',
        block_id: REJECT_REASON_BLOCK,
        label: plain('Reason'),
        optional: false,
        hint: plain(`Required: the requester will read it. Up to ${MAX_REASON_LENGTH} characters.`),
        element: {
          type: 'plain_text_input',
          action_id: REJECT_REASON_ACTION,
          multiline: true,
          max_length: MAX_REASON_LENGTH,
          placeholder: plain(promotion ? 'Why not an owner (yet)?' : 'Why should this person stay?'),
        },
      },
    ],
  };
}

/** What replaces the dialog when the rejection was refused (decided meanwhile, demoted…). */
export function rejectRefusedView(sentence: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${REJECT_REMOVAL_CALLBACK_ID}.refused`,
    title: plain('Reject removal'),
    close: plain('Close'),
    blocks: [section(`${sentence} Nothing was changed.`)],
  };
}

/** The reason as typed (null when the block is absent or empty); the service trims and judges it. */
export function readRejectReason(values: FormValues | undefined): string | null {
  // U+0000 cannot be stored in PostgreSQL text; invisible anyway, it is dropped rather than failing the save.
  return values?.[REJECT_REASON_BLOCK]?.[REJECT_REASON_ACTION]?.value?.replace(/\u0000/g, '') ?? null;
}
