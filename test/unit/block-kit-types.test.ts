import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../support/seed.js';
import type { InputBlock, KnownBlock, ModalView, NumberInput } from '../../src/slack/blocks/kit.js';
import { button, confirmDialog, plain } from '../../src/slack/blocks/kit.js';
import { settingsModal } from '../../src/slack/blocks/settings-modal.js';
import type { Settings } from '../../src/team/settings.js';
import { wire, type Wire } from '../support/block-kit.js';

/**
 * The builders are typed with Slack's own Block Kit types, so the compiler refuses what Slack
 * would refuse at the API. The `@ts-expect-error` lines below are checked by `npm run typecheck`
 * (CI runs it before the tests): if any of them stopped being an error — a looser type, an `any`
 * creeping into the builders — typecheck fails on the unused directive.
 */
const SETTINGS: Settings = DEFAULT_SETTINGS;

describe('Block Kit is typed with @slack/types', () => {
  it('refuses the settings modal bug at compile time: is_decimal_input instead of the required is_decimal_allowed', () => {
    const fixed: NumberInput = { type: 'number_input', action_id: 'days', is_decimal_allowed: false, initial_value: '7' };
    // @ts-expect-error Slack's field is is_decimal_allowed, and it is required: this is what /team settings once sent.
    const old: NumberInput = { type: 'number_input', action_id: 'days', is_decimal_input: false, initial_value: '7' };
    // @ts-expect-error the required field left out.
    const missing: NumberInput = { type: 'number_input', action_id: 'days' };
    const input: InputBlock = { type: 'input', block_id: 'b', label: plain('Days'), element: fixed };
    // A block in a list of Slack's blocks is checked as deeply: the element's misspelled field is refused there too.
    const blocks: KnownBlock[] = [
      input,
      // @ts-expect-error unknown field inside an input block's element
      { type: 'input', block_id: 'c', label: plain('Days'), element: { type: 'number_input', action_id: 'd', is_decimal_allowed: false, is_decimal_input: false } },
    ];
    expect([old, missing, blocks].length).toBe(3);
  });

  it('refuses mrkdwn where Slack allows only plain text, and a style Slack does not have', () => {
    // @ts-expect-error a modal title is plain_text only.
    const title: ModalView = { type: 'modal', title: { type: 'mrkdwn', text: '*Settings*' }, blocks: [] };
    // @ts-expect-error button styles are primary and danger.
    const style = button('a', 'Go', 'v', { style: 'warning' });
    // @ts-expect-error a header's text is plain_text only.
    const header: KnownBlock = { type: 'header', text: { type: 'mrkdwn', text: '*Team*' } };
    expect([title, style, header].length).toBe(3);
  });

  it("the settings modal's number inputs are the fixed shape, nothing else", () => {
    const view = wire(settingsModal({ name: 'Acme', ...SETTINGS }));
    const numbers = view.blocks.map((b: Wire) => b.element).filter((e: Wire | undefined) => e?.type === 'number_input');
    expect(numbers).toHaveLength(4);
    for (const el of numbers) {
      expect(Object.keys(el).sort()).toEqual(['action_id', 'initial_value', 'is_decimal_allowed', 'max_value', 'min_value', 'type']);
      expect(el.is_decimal_allowed).toBe(false);
    }
  });

  it('confirm dialogs carry the four texts Slack requires, as plain text', () => {
    const dialog = wire(confirmDialog({ title: 'Sure?', text: 'It ends access.', confirm: 'Yes', deny: 'No', style: 'danger' }));
    expect(dialog).toEqual({
      title: { type: 'plain_text', text: 'Sure?' },
      text: { type: 'plain_text', text: 'It ends access.' },
      confirm: { type: 'plain_text', text: 'Yes' },
      deny: { type: 'plain_text', text: 'No' },
      style: 'danger',
    });
  });
});
