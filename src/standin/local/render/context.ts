/**
 * What the renderer needs from the workspace (names as they are now, the lists the people and
 * conversation pickers offer) and the state of one render: its id prefix, so that every
 * `<label for>` and `aria-describedby` points inside the surface it belongs to, and the modal's
 * inline errors.
 */
export interface Person {
  id: string;
  name: string;
}

export interface RenderContext {
  /** The person's current name (a mention shows it, as Slack does, whatever label the text carried). */
  userName(id: string): string | undefined;
  channelName(id: string): string | undefined;
  /** What "today" is for `{date_pretty}` tokens; now when absent. */
  now?: Date;
  /** The workspace's people, for users_select / multi_users_select. */
  people?(): readonly Person[];
  /** The workspace's channels, for conversations_select / channels_select. */
  channels?(): readonly Person[];
}

export interface Scope {
  ctx: RenderContext;
  /** Unique on the page: the message ts or the view id. */
  prefix: string;
  n: number;
  /** Inline errors by block_id (a view_submission's `response_action: errors`). */
  errors: Readonly<Record<string, string>>;
}

export function scope(ctx: RenderContext, prefix: string, errors: Readonly<Record<string, string>> = {}): Scope {
  return { ctx, prefix: `bk-${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}`, n: 0, errors };
}

/** A fresh element id inside this render (deterministic, so a re-render keeps the same ids). */
export function nextId(s: Scope): string {
  s.n += 1;
  return `${s.prefix}-${s.n}`;
}
