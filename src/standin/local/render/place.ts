/** Where an element is drawn and how it is named: shared by every element renderer. */
import type { Scope } from './context.js';
import { attr, isObject, str, type Obj } from './text.js';

/** Where an element is drawn, and how it is named for assistive technology. */
export interface Place {
  s: Scope;
  blockId: string;
  /** The control's id when an input block's `<label for>` points at it (then it needs no other name). */
  id?: string;
  /** An input block's label (the legend of a group of choices). */
  label?: string;
  /** The id of the text that names it (a section's text, for its accessory). */
  labelledBy?: string;
  /** Ids of the hint and the error under it. */
  describedBy?: string;
  invalid?: boolean;
  required?: boolean;
  /** An optional input (its group's legend says so). */
  optional?: boolean;
  /** An input block's dispatch_action: when the element sends block_actions. */
  dispatch?: string;
}

/** The element types whose label is a group's legend rather than a `<label for>`. */
export const GROUPS: ReadonlySet<string> = new Set(['radio_buttons', 'checkboxes']);

/** The attributes every interactive element carries. */
export function dataAttrs(el: Obj, p: Place): string {
  const actionId = str(el.action_id) || `${p.blockId}.${str(el.type)}`;
  return (
    attr('data-block-id', p.blockId) +
    attr('data-action-id', actionId) +
    attr('data-element', str(el.type)) +
    (isObject(el.confirm) ? attr('data-confirm', JSON.stringify(el.confirm)) : '') +
    (p.dispatch ? attr('data-dispatch', p.dispatch) : '')
  );
}

/** How a control is named and described: its label, the text beside it, or a fallback. */
export function nameAttrs(p: Place, fallback: string): string {
  const named = p.id && !p.labelledBy ? '' : p.labelledBy ? attr('aria-labelledby', p.labelledBy) : attr('aria-label', fallback);
  return (
    named +
    (p.describedBy ? attr('aria-describedby', p.describedBy) : '') +
    (p.invalid ? ' aria-invalid="true"' : '') +
    (p.required ? ' aria-required="true"' : '')
  );
}

