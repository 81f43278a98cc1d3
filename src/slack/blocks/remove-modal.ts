import { z } from 'zod';
import type { Member, Organization, RemovalRequest } from '../../db/schema.js';
import { memberLabel, timeLabel } from '../mrkdwn.js';
import { MAX_REASON_LENGTH, type RemovalPreview } from '../../team/removals.js';
import { approvalsChannelOf } from '../../team/removal-outcomes.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, clip, plain, plainSection, section, type FormValues, type ModalView } from './kit.js';
import { RESTORE_ACTIONS } from './restore-undo.js';

/**
 * The Remove modal (from `/team remove @person` and the team page's Remove button), the views
 * that replace it once submitted, and the reader of its submission. Pure builders; what the
 * modal says comes from the service's preview, and nothing in it is trusted at submission:
 * `private_metadata` only says which member the form is about, and the service re-reads the
 * actor, the target and the policy under the organization lock.
 */

export const REMOVE_MODAL_CALLBACK_ID = 'team.remove';

/** Block ids of the modal's inputs; `errors` in a view_submission ack is keyed by these. */
export const REMOVE_BLOCKS = { reason: 'remove.reason' } as const;
const REASON_ACTION = 'reason';

/** Slack's own ceiling on a plain_text_input's text. */
const MAX_INPUT_TEXT = 3000;
const MAX_NAME = 200;
const MAX_EMAIL = 254;

export type { ModalView } from './kit.js';

/** What the modal needs to know about the organization (read with the request, never from the form). */
export type RemoveModalOrganization = Pick<Organization, 'name' | 'approvals_channel_id' | 'team_channel_id' | 'removal_request_expiry_hours'>;

type Person = Pick<Member, 'display_name' | 'email'>;


/** The person as typed into Slack or the invitation: name in bold and email, both escaped (names are user input). */
export function personText(person: Person): string {
  const email = escapeMrkdwn(clip(person.email, MAX_EMAIL));
  if (!person.display_name) return `*${email}*`;
  return `*${escapeMrkdwn(clip(person.display_name, MAX_NAME))}* (${email})`;
}

/** Where the approval card goes, as a sentence fragment. */
function cardPlace(organization: Pick<Organization, 'approvals_channel_id' | 'team_channel_id'>): string {
  const channel = approvalsChannelOf(organization);
  return channel ? `<#${channel}>` : "the owners' App Home in Team Manager";
}

function hours(n: number): string {
  return n % 24 === 0 ? `${n / 24} day${n === 24 ? '' : 's'}` : `${n} hour${n === 1 ? '' : 's'}`;
}

/** The member id the form is about, in `private_metadata`; where, never who may. */
export function removeMetadata(targetMemberId: string): string {
  return JSON.stringify({ member: targetMemberId });
}

const metadataSchema = z.object({ member: z.uuid() }).strict();

/** The member id from a submitted form's metadata; undefined when it is not one we wrote. */
export function parseRemoveMetadata(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data.member : undefined;
  } catch {
    return undefined;
  }
}

export interface RemoveModalInput {
  preview: RemovalPreview;
  organization: RemoveModalOrganization;
  /** Prefilled reason (from `/team remove @person <reason…>`). */
  reason?: string | undefined;
  /** Who opens the modal, so that a request they made themselves is called theirs. */
  viewerMemberId?: string | undefined;
}

/**
 * The modal: who, what happens (access ends at once, or another owner must approve first and
 * the card goes to the approvals channel) and an optional reason. When a request for this
 * person is already waiting, the modal says so and has nothing to submit.
 */
export function removeModal(input: RemoveModalInput): ModalView {
  const { preview, organization } = input;
  const who = personText(preview.target);
  const role = preview.target.role === 'owner' ? 'an *owner*' : 'a *member*';
  const team = escapeMrkdwn(clip(organization.name, MAX_NAME));

  if (preview.pending) {
    return {
      type: 'modal',
      callback_id: `${REMOVE_MODAL_CALLBACK_ID}.pending`,
      title: plain('Remove a member'),
      close: plain('Close'),
      blocks: [section(pendingSentence(preview.pending, who, organization, input.viewerMemberId), 'remove.pending')],
    };
  }

  const blocks: ModalView['blocks'] = [section(`Remove ${who}, ${role}, from ${team}'s team?`, 'remove.who')];
  if (preview.needsApproval) {
    blocks.push(
      section(
        `:hourglass_flowing_sand: *Another owner must approve first.* Your request goes to ${cardPlace(organization)} as a card with Approve / Reject. ` +
          `Their access ends immediately when another owner approves. The request expires after ${hours(organization.removal_request_expiry_hours)} if nobody decides.`,
        'remove.what',
      ),
    );
  } else {
    blocks.push(
      section(
        ':warning: *Their access ends immediately* when you press Remove: they are removed from the team, and the team channel is told.',
        'remove.what',
      ),
    );
  }
  const prefill = input.reason?.trim() ? [...input.reason.trim()].slice(0, Math.min(MAX_REASON_LENGTH, MAX_INPUT_TEXT)).join('') : '';
  blocks.push({
    type: 'input',
    block_id: REMOVE_BLOCKS.reason,
    optional: true,
    label: plain('Reason'),
    hint: plain(preview.needsApproval ? 'Shown to the approving owners and kept in the audit log.' : 'Kept in the audit log.'),
    element: {
      type: 'plain_text_input',
      action_id: REASON_ACTION,
      multiline: true,
      max_length: MAX_REASON_LENGTH,
      ...(prefill ? { initial_value: prefill } : {}),
    },
  });
  return {
    type: 'modal',
    callback_id: REMOVE_MODAL_CALLBACK_ID,
    title: plain('Remove a member'),
    submit: plain(preview.needsApproval ? 'Ask for approval' : 'Remove'),
    close: plain('Cancel'),
    private_metadata: removeMetadata(preview.target.id),
    blocks,
  };
}

function pendingSentence(request: RemovalRequest, who: string, organization: RemoveModalOrganization, viewerMemberId: string | undefined): string {
  const yours = viewerMemberId !== undefined && request.requested_by_member_id === viewerMemberId;
  const since = `asked ${timeLabel(request.created_at)}, expires ${timeLabel(request.expires_at)}`;
  return (
    `:hourglass_flowing_sand: A request to remove ${who} is already waiting for another owner's approval in ${cardPlace(organization)} (${since}). ` +
    (yours
      ? 'You asked for it: you can withdraw it from your DM from Team Manager or the App Home.'
      : 'Another owner can approve or reject it there or on the App Home.') +
    ' Nothing was changed.'
  );
}

/** Replaces the modal once the member was removed at once. */
export function removedView(member: Person, undoEventId?: string): ModalView {
  const done = section(`:white_check_mark: ${personText(member)} was removed; their access has ended.`, 'remove.done');
  return {
    type: 'modal',
    callback_id: `${REMOVE_MODAL_CALLBACK_ID}.done`,
    title: plain('Member removed'),
    close: plain('Done'),
    // Undo (5 minutes, checked at the click): restores them, as /team restore would.
    blocks: [undoEventId ? { ...done, accessory: button(RESTORE_ACTIONS.undo, 'Undo', undoEventId) } : done],
  };
}

/** What the removed modal shows after its Undo: the member is back, or why not. */
export function undoneView(text: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${REMOVE_MODAL_CALLBACK_ID}.undone`,
    title: plain('Member removed'),
    close: plain('Done'),
    blocks: [section(text, 'remove.undone')],
  };
}

/**
 * Replaces the modal once a request is waiting. `alreadyPending`: someone (maybe the viewer)
 * had asked already, and no second request was made.
 */
export function requestedView(input: {
  target: Person;
  request: RemovalRequest;
  requester: Pick<Member, 'slack_user_id' | 'display_name' | 'email'>;
  viewerMemberId: string;
  alreadyPending: boolean;
  organization: Pick<Organization, 'approvals_channel_id' | 'team_channel_id'>;
}): ModalView {
  const where = cardPlace(input.organization);
  const yours = input.request.requested_by_member_id === input.viewerMemberId;
  const withdraw = 'you can withdraw it from your DM from Team Manager or the App Home.';
  const text = input.alreadyPending
    ? `:hourglass_flowing_sand: A request to remove ${personText(input.target)} was already waiting for approval in ${where}` +
      (yours ? `; ${withdraw}` : `, asked by ${memberLabel(input.requester)}.`) +
      ' No second request was made.'
    : `:hourglass_flowing_sand: *Waiting for approval:* your request to remove ${personText(input.target)} is in ${where}; ${withdraw} ` +
      `It expires ${timeLabel(input.request.expires_at)}.`;
  return {
    type: 'modal',
    callback_id: `${REMOVE_MODAL_CALLBACK_ID}.requested`,
    title: plain('Waiting for approval'),
    close: plain('Done'),
    blocks: [section(text, 'remove.requested')],
  };
}

/** What replaces the form (or opens instead of it) when removing was refused. */
export function removeRefusedView(message: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${REMOVE_MODAL_CALLBACK_ID}.refused`,
    title: plain('Remove a member'),
    close: plain('Close'),
    blocks: [plainSection(message, 'remove.refused')],
  };
}

/** The reason as submitted (null when empty); the service trims and checks its length. */
export function readRemoveForm(values: FormValues | undefined): { reason: string | null } {
  const v = values ?? {};
  // U+0000 cannot be stored in PostgreSQL text; invisible anyway, it is dropped rather than failing the save.
  const reason = v[REMOVE_BLOCKS.reason]?.[REASON_ACTION]?.value?.replace(/\u0000/g, '');
  return { reason: reason?.trim() ? reason : null };
}
