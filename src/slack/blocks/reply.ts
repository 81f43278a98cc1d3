import type { KnownBlock } from './kit.js';

/** A message shown to one person: `text` is the notification/fallback, `blocks` the layout. */
export interface SlackReply {
  text: string;
  blocks?: KnownBlock[];
}

/** A slash-command or response_url body that only the person who acted sees. */
export function ephemeral(reply: SlackReply): SlackReply & { response_type: 'ephemeral' } {
  return { response_type: 'ephemeral', ...reply };
}
