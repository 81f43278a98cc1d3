/**
 * The vocabulary of the Block Kit field table (`shapes.ts`), and the mapped type that ties each
 * table entry to Slack's own TypeScript type from `@slack/types`.
 *
 * `Fields<T>` has exactly the keys of T (of every member, when T is a union), each with a rule
 * whose required-ness matches T's: so `tsc` refuses a table entry that forgets one of Slack's
 * fields, lists a field Slack's type does not have, or marks an optional field required (or the
 * other way round). Where Slack is stricter than @slack/types (a field the type leaves optional but
 * Slack's reference requires) the rule says `req: 'slack'` with the reason; where Slack documents a
 * field that @slack/types lacks, `Fields<T, 'name'>` adds it, again with the reason. Nothing is
 * generated, so nothing can drift: upgrading @slack/types re-checks the table.
 */

/** What a field's value must be. */
export type Value =
  /** The object's `type` discriminator: checked by whoever picked the shape. */
  | { t: 'type' }
  | { t: 'string'; max?: number }
  | { t: 'boolean' }
  | { t: 'number' }
  | { t: 'enum'; values: readonly (string | number)[] }
  /** A composition text object; `plain` when Slack only allows plain_text there; `max` limits its `text`. */
  | { t: 'text'; plain?: true; max?: number }
  /** A composition object of the named shape; `memberOf` when it must be one of the element's options. */
  | { t: 'object'; shape: CompositionName; memberOf?: true }
  /** A block element whose type must be one of `allowed`. */
  | { t: 'element'; allowed: readonly string[] }
  | { t: 'array'; of: Value; max?: number; min?: number }
  /** The blocks of a view, validated for the view's surface. */
  | { t: 'blocks' }
  /** Accepted without looking inside; the rule says why. */
  | { t: 'any'; why: string };

export type RequiredRule = Value & { req: true };
export type OptionalRule = Value & ({ req?: false } | { req: 'slack'; why: string });
export type Rule = RequiredRule | OptionalRule;

/** Composition objects that are not discriminated by a `type` field. */
export type CompositionName =
  | 'option'
  | 'plain_option'
  | 'option_group'
  | 'confirm'
  | 'dispatch_action_config'
  | 'conversation_filter'
  | 'slack_file'
  | 'workflow'
  | 'workflow_trigger'
  | 'workflow_input_parameter';

type KeysOf<T> = T extends unknown ? keyof T : never;
/** true when K is a required key of every member of T. */
type RequiredIn<T, K extends PropertyKey> = T extends unknown
  ? K extends keyof T
    ? {} extends Pick<T, K>
      ? false
      : true
    : false
  : never;

/**
 * One rule per field of Slack's type T (of any member, for a union), required exactly when T
 * requires it; `Extra` names fields Slack documents that T lacks (each rule says why).
 */
export type Fields<T, Extra extends string = never> = {
  [K in KeysOf<T> & string]-?: [RequiredIn<T, K>] extends [true] ? RequiredRule : OptionalRule;
} & { [K in Extra]: Value & { req?: false; why: string } };

export interface Shape {
  readonly fields: Readonly<Record<string, Rule>>;
  /** Slack requires at least one of these fields (the types cannot say so, or say it with a union). */
  readonly anyOf?: readonly [string, string];
  /** action_id must be unique among the block's elements (actions blocks). */
  readonly uniqueActionIds?: true;
}

/** A table entry for Slack's type T: `shape<NumberInput>({ ...one rule per field })`. */
export function shape<T, Extra extends string = never>(fields: Fields<T, Extra>, extra: Omit<Shape, 'fields'> = {}): Shape {
  return { fields: fields as Readonly<Record<string, Rule>>, ...extra };
}

/**
 * A list of every member of the string union U, checked by tsc: `allOf<Button['type'] | …>()([…])`
 * refuses a list that misses a member or has one that is not in U.
 */
export const allOf =
  <U extends string>() =>
  <const A extends readonly U[]>(list: A & ([Exclude<U, A[number]>] extends [never] ? unknown : { missing: Exclude<U, A[number]> })): A =>
    list;
