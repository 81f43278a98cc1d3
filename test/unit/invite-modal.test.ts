import { describe, expect, it } from 'vitest';
import { validateBlocks, validateView } from '../../src/standin/block-kit-limits.js';
import {
  fitLines,
  INVITE_BLOCKS,
  INVITE_MODAL_CALLBACK_ID,
  inviteButtonBlock,
  inviteModal,
  invitationsSentView,
  MAX_INLINE_ERROR,
  OPEN_INVITE_MODAL_ACTION,
  readInviteForm,
  refusalsErrorText,
} from '../../src/slack/blocks/invite-modal.js';
import type { Refusal } from '../../src/team/invitation-rules.js';
import type { FormValues } from '../../src/slack/blocks/kit.js';
import { wire, type Wire } from '../support/block-kit.js';

const block = (view: unknown, id: string): Wire => wire(view).blocks.find((b: Wire) => b.block_id === id);

describe('invite modal', () => {
  it('is a valid modal with the four inputs, Member preselected', () => {
    const view = inviteModal({ allowedDomains: ['acme.test'], expiryDays: 7 });
    expect(validateView(view, 'modal')).toEqual([]);
    expect(view.callback_id).toBe(INVITE_MODAL_CALLBACK_ID);
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(Object.values(INVITE_BLOCKS));
    const role = block(view, INVITE_BLOCKS.role).element;
    expect(role.initial_option.value).toBe('member');
    expect(role.options.map((o: { value: string }) => o.value)).toEqual(['member', 'owner']);
    const addresses = block(view, INVITE_BLOCKS.addresses);
    expect(addresses.element).toMatchObject({ type: 'plain_text_input', multiline: true });
    expect(addresses.element.initial_value).toBeUndefined();
    expect(addresses.hint.text).toContain('up to 50');
    expect(addresses.hint.text).toContain('acme.test');
    expect(block(view, INVITE_BLOCKS.message)).toMatchObject({ optional: true, element: { multiline: true, max_length: 2000 } });
    expect(block(view, INVITE_BLOCKS.options)).toMatchObject({ optional: true, element: { type: 'checkboxes' } });
  });

  it('prefills addresses one a line, cut at whole addresses to stay within Slack’s input limit', () => {
    expect(block(inviteModal({ addresses: ['a@x.com', 'b@y.com'] }), INVITE_BLOCKS.addresses).element.initial_value).toBe('a@x.com\nb@y.com');
    const many = Array.from({ length: 400 }, (_, i) => `someone.with.a.long.name${i}@example.org`);
    const view = inviteModal({ addresses: many });
    const initial: string = block(view, INVITE_BLOCKS.addresses).element.initial_value;
    expect(initial.length).toBeLessThanOrEqual(3000);
    expect(initial.split('\n').every((a) => many.includes(a))).toBe(true);
    expect(validateView(view, 'modal')).toEqual([]);
  });

  it('reads a submission back; a missing role reads as none, the checkbox as a boolean', () => {
    const values: FormValues = {
      [INVITE_BLOCKS.addresses]: { addresses: { type: 'plain_text_input', value: 'a@x.com b@y.com' } },
      [INVITE_BLOCKS.role]: { role: { type: 'radio_buttons', selected_option: { value: 'owner', text: { type: 'plain_text', text: 'Owner' } } } },
      [INVITE_BLOCKS.message]: { message: { type: 'plain_text_input', value: '  ' } },
      [INVITE_BLOCKS.options]: {
        invite_valid_ones: { type: 'checkboxes', selected_options: [{ value: 'invite_valid_ones', text: { type: 'plain_text', text: 'Invite the valid addresses even if some are refused' } }] },
      },
    };
    expect(readInviteForm(values)).toEqual({ addresses: 'a@x.com b@y.com', role: 'owner', message: null, inviteValidOnes: true });
    expect(readInviteForm({})).toEqual({ addresses: '', role: undefined, message: null, inviteValidOnes: false });
    expect(readInviteForm({ [INVITE_BLOCKS.role]: { role: { type: 'radio_buttons', selected_option: { value: 'admin', text: { type: 'plain_text', text: 'Admin' } } } } }).role).toBeUndefined();
  });

  it('the Invite people button is a valid message block', () => {
    const button = inviteButtonBlock();
    expect(validateBlocks([button], 'message')).toEqual([]);
    expect(validateBlocks([button], 'home')).toEqual([]);
    expect((button.elements as Array<{ action_id: string }>)[0]!.action_id).toBe(OPEN_INVITE_MODAL_ACTION);
  });
});

describe('inline refusal text', () => {
  const refusal = (input: string, message = `${input} is not a valid email address`): Refusal => ({ input, reason: 'invalid', message });

  it('names each refused address on its own line and says nothing was sent', () => {
    const text = refusalsErrorText([refusal('x'), refusal('y')], { someValid: true, inviteValidOnes: false });
    expect(text).toBe(
      'x is not a valid email address\ny is not a valid email address\nNothing was sent. Fix or remove these, or tick "Invite the valid addresses even if some are refused".',
    );
    expect(refusalsErrorText([refusal('x')], { someValid: false, inviteValidOnes: false })).toBe('x is not a valid email address\nNothing was sent.');
  });

  it('truncates a long list with "and N more", within the limit, keeping the closing sentence', () => {
    const refused = Array.from({ length: 50 }, (_, i) => refusal(`not-an-address-number-${i}-${'x'.repeat(60)}`));
    const text = refusalsErrorText(refused, { someValid: true, inviteValidOnes: false });
    expect(text.length).toBeLessThanOrEqual(MAX_INLINE_ERROR);
    const more = /and (\d+) more/.exec(text);
    expect(more).not.toBeNull();
    const shown = text.split('\n').filter((l) => l.includes('is not a valid')).length;
    expect(shown + Number(more![1])).toBe(50);
    expect(text).toMatch(/Nothing was sent\. Fix or remove these/);
  });

  it('shortens a single absurdly long input', () => {
    const text = refusalsErrorText([refusal('z'.repeat(5000))], { someValid: false, inviteValidOnes: false });
    expect(text.length).toBeLessThan(300);
    expect(text).toContain('…');
  });

  it('falls back to a count when not even one line fits', () => {
    expect(fitLines(['a'.repeat(150), 'b'], 40)).toBe('2 in all');
    expect(fitLines(['a'.repeat(150), 'b'], 40, 'Done.', (n) => `${n} refused`)).toBe('2 refused\nDone.');
  });
});

describe('invitations sent view', () => {
  it('lists who was invited and who was refused, within Slack’s limits, escaped', () => {
    const invited = Array.from({ length: 50 }, (_, i) => `person${i}-${'a'.repeat(60)}@example.org`);
    const view = invitationsSentView({
      invited,
      refused: [{ input: '<!channel>', reason: 'invalid', message: '<!channel> is not a valid email address' }],
      role: 'member',
    });
    expect(validateView(view, 'modal')).toEqual([]);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Invited 50 people as *Member*');
    expect(text).toMatch(/and \d+ more/);
    expect(text).toContain('&lt;!channel&gt; is not a valid email address');
    expect(text).not.toContain('<!channel>');
  });

  it('without refusals, says only who was invited', () => {
    const view = invitationsSentView({ invited: ['a@x.com'], refused: [], role: 'owner' });
    expect(validateView(view, 'modal')).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('Invited 1 person as *Owner*');
    expect(JSON.stringify(view.blocks)).not.toContain('not invited');
  });
});
