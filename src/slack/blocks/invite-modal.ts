import type { Role } from '../../db/schema.js';
import { MAX_ADDRESSES_PER_SUBMISSION, type Refusal } from '../../team/invitation-rules.js';
import { roleLabel } from '../../team/people.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, context, option, plain, section, type ActionsBlock, type FormValues, type KnownBlock, type ModalView } from './kit.js';

/**
 * The invite modal, its success view and the "Invite people" button: pure builders, plus the
 * reader of what Slack sends back on submission (the inverse of the builder, so the block and
 * action ids live in one place).
 */

export const INVITE_MODAL_CALLBACK_ID = 'invitation.invite_modal';
export const OPEN_INVITE_MODAL_ACTION = 'invitation.open_modal';

/** Block ids of the modal's inputs; `errors` in a view_submission ack is keyed by these. */
export const INVITE_BLOCKS = {
  addresses: 'invitation.addresses',
  role: 'invitation.role',
  message: 'invitation.message',
  options: 'invitation.options',
} as const;
const ACTIONS = { addresses: 'addresses', role: 'role', message: 'message', options: 'invite_valid_ones' } as const;
const INVITE_VALID_ONES = 'invite_valid_ones';

export const MAX_INVITE_MESSAGE = 2000;
/** Slack's own ceiling on a plain_text_input's text (and so on what we can prefill). */
const MAX_INPUT_TEXT = 3000;
/**
 * Slack documents no limit for the strings in `response_action: 'errors'`, but shows them in a
 * small line under the input: past a couple of thousand characters it is unreadable anyway.
 */
export const MAX_INLINE_ERROR = 2000;
/** One refusal quotes what was typed, which may be a pasted paragraph: each line is kept short. */
const MAX_ERROR_LINE = 200;

export interface InviteModalInput {
  /** Prefilled addresses (from `/team invite a@x.com b@y.com`). */
  addresses?: readonly string[];
  /** The organization's settings the owner should know before typing. */
  allowedDomains?: readonly string[];
  expiryDays?: number;
}

/** The prefill, one address a line, cut at whole addresses to fit Slack's input limit. */
function prefill(addresses: readonly string[]): string {
  let text = '';
  for (const address of addresses) {
    const next = text ? `${text}\n${address}` : address;
    if ([...next].length > MAX_INPUT_TEXT) break;
    text = next;
  }
  return text;
}

/** The invite modal: addresses, role (Member preselected: least privilege), optional message, "invite the valid ones". */
export function inviteModal(input: InviteModalInput = {}): ModalView {
  const initial = prefill(input.addresses ?? []);
  const hint = [`Separate them with commas, spaces or new lines; up to ${MAX_ADDRESSES_PER_SUBMISSION} at once.`];
  if (input.allowedDomains && input.allowedDomains.length > 0) hint.push(`Allowed domains: ${input.allowedDomains.join(', ')}.`);
  const member = option('member', roleLabel('member'), 'Can see the team and pending invitations.');
  const owner = option('owner', roleLabel('owner'), 'Can also invite people, change roles and remove members.');
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: INVITE_BLOCKS.addresses,
      label: plain('Email addresses'),
      hint: plain(hint.join(' ')),
      element: {
        type: 'plain_text_input',
        action_id: ACTIONS.addresses,
        multiline: true,
        placeholder: plain('ana@example.com, ben@example.com'),
        ...(initial ? { initial_value: initial } : {}),
      },
    },
    {
      type: 'input',
      block_id: INVITE_BLOCKS.role,
      label: plain('Role'),
      element: { type: 'radio_buttons', action_id: ACTIONS.role, options: [member, owner], initial_option: member },
    },
    {
      type: 'input',
      block_id: INVITE_BLOCKS.message,
      optional: true,
      label: plain('Message'),
      hint: plain('Shown in the invitation email and Slack message.'),
      element: { type: 'plain_text_input', action_id: ACTIONS.message, multiline: true, max_length: MAX_INVITE_MESSAGE },
    },
    {
      type: 'input',
      block_id: INVITE_BLOCKS.options,
      optional: true,
      label: plain('If some addresses are refused'),
      element: {
        type: 'checkboxes',
        action_id: ACTIONS.options,
        options: [option(INVITE_VALID_ONES, 'Invite the valid addresses even if some are refused')],
      },
    },
  ];
  if (input.expiryDays) {
    blocks.push(
      context(
        `Invitations expire after ${input.expiryDays} day${input.expiryDays === 1 ? '' : 's'}. Each person gets an email, and a Slack DM when their address belongs to someone in this workspace.`,
      ),
    );
  }
  return {
    type: 'modal',
    callback_id: INVITE_MODAL_CALLBACK_ID,
    title: plain('Invite people'),
    submit: plain('Send invitations'),
    close: plain('Cancel'),
    blocks,
  };
}

/** The "Invite people" button's actions block, for any message or the App Home. */
export function inviteButtonBlock(blockId = 'invitation.open'): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements: [button(OPEN_INVITE_MODAL_ACTION, 'Invite people', 'open', { style: 'primary' })] };
}

export interface InviteForm {
  /** The addresses text as typed ('' when empty). */
  addresses: string;
  /** Undefined when nothing (or something unknown) was chosen. */
  role: Role | undefined;
  message: string | null;
  inviteValidOnes: boolean;
}

/** What the person submitted, read from `view.state.values` (anything missing reads as empty). */
export function readInviteForm(values: FormValues | undefined): InviteForm {
  const v = values ?? {};
  const roleValue = v[INVITE_BLOCKS.role]?.[ACTIONS.role]?.selected_option?.value;
  // U+0000 cannot be stored in PostgreSQL text; invisible anyway, it is dropped rather than failing the save.
  const message = v[INVITE_BLOCKS.message]?.[ACTIONS.message]?.value?.replace(/\u0000/g, '');
  return {
    addresses: v[INVITE_BLOCKS.addresses]?.[ACTIONS.addresses]?.value ?? '',
    role: roleValue === 'owner' || roleValue === 'member' ? roleValue : undefined,
    message: message?.trim() ? message : null,
    inviteValidOnes: (v[INVITE_BLOCKS.options]?.[ACTIONS.options]?.selected_options ?? []).some((o) => o.value === INVITE_VALID_ONES),
  };
}

function shorten(line: string, max: number): string {
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Lines joined one per line, as many as fit in `max` characters; the rest become "and N more"
 * (or `none(n)` when not even one fits). `tail` (a closing sentence) is always kept.
 */
export function fitLines(lines: readonly string[], max: number, tail?: string, none: (n: number) => string = (n) => `${n} in all`): string {
  const short = lines.map((l) => shorten(l, MAX_ERROR_LINE));
  const compose = (k: number) => {
    const parts = short.slice(0, k);
    if (k < short.length) parts.push(k === 0 ? none(short.length) : `and ${short.length - k} more`);
    if (tail) parts.push(tail);
    return parts.join('\n');
  };
  for (let k = short.length; k > 0; k--) {
    const text = compose(k);
    if ([...text].length <= max) return text;
  }
  return shorten(compose(0), max);
}

/** The inline error under the addresses: each refused address and why, one a line, within Slack's space. */
export function refusalsErrorText(refused: readonly Refusal[], options: { someValid: boolean; inviteValidOnes: boolean }): string {
  const tail =
    options.someValid && !options.inviteValidOnes
      ? 'Nothing was sent. Fix or remove these, or tick "Invite the valid addresses even if some are refused".'
      : 'Nothing was sent.';
  return fitLines(
    refused.map((r) => r.message),
    MAX_INLINE_ERROR,
    tail,
    (n) => `${n} ${n === 1 ? 'address was' : 'addresses were'} refused`,
  );
}

/** Mrkdwn lines within a section's 3000 characters, the rest as "and N more". */
function sectionList(lines: readonly string[]): string {
  return fitLines(lines, 2900);
}

/**
 * Replaces the modal once invitations are sent: who was invited and, when the owner chose
 * to invite the valid ones, who was not and why (else that would be lost when the modal closes).
 */
export function invitationsSentView(input: { invited: readonly string[]; refused: readonly Refusal[]; role: Role }): ModalView {
  const n = input.invited.length;
  const blocks: KnownBlock[] = [
    section(`:white_check_mark: Invited ${n === 1 ? '1 person' : `${n} people`} as *${roleLabel(input.role)}*:`),
    section(sectionList(input.invited.map((e) => `• ${escapeMrkdwn(e)}`))),
  ];
  if (input.refused.length > 0) {
    const r = input.refused.length;
    blocks.push(
      section(`:warning: ${r === 1 ? '1 address was' : `${r} addresses were`} not invited:`),
      section(sectionList(input.refused.map((x) => `• ${escapeMrkdwn(x.message)}`))),
    );
  }
  blocks.push(
    context(
      'Each person gets an email with a link, and a Slack DM with Accept / Decline when their address belongs to someone in this workspace. Pending invitations: `/team pending`.',
    ),
  );
  return { type: 'modal', title: plain('Invitations sent'), close: plain('Done'), blocks };
}
