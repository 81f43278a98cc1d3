/**
 * A payload as it travels: JSON, which tests walk field by field the way Slack reads it. The
 * builders are typed with Slack's own types (src/slack/blocks/kit.ts); a test that looks into
 * any block by name reads this copy instead of narrowing the union at every step.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Wire = Record<string, any>;

export function wire(payload: unknown): Wire {
  return JSON.parse(JSON.stringify(payload));
}
