import { codeSpan } from '../mrkdwn.js';
import { PERMISSIONS, permissionLines } from '../../team/permissions.js';
import { roleLabel } from '../../team/people.js';
import { context, section } from './kit.js';
import type { SlackReply } from './reply.js';

export interface UsageEntry {
  name: string;
  usage: string;
  summary: string;
  ownersOnly?: boolean;
}

/**
 * The `/team` usage message: one line per subcommand, generated from the registry.
 * With `unknown`, it starts by saying which word was not understood (shown literally).
 */
export function usageMessage(command: string, entries: readonly UsageEntry[], unknown?: string): SlackReply {
  const lines = entries.map(
    (e) => `• \`${command} ${e.name}${e.usage ? ' ' + e.usage : ''}\`: ${e.summary}${e.ownersOnly ? ' _(owners)_' : ''}`,
  );
  const intro = unknown === undefined ? '' : `:thinking_face: Unknown subcommand ${codeSpan(unknown)}.\n`;
  const heading = `${intro}*Team Manager* keeps track of who is on your team and with which role. Subcommands:`;
  const text = `${intro.replace(/:thinking_face: /, '')}Usage: ${command} <subcommand>. Subcommands: ${entries
    .map((e) => e.name)
    .join(', ')}.`;
  return {
    text,
    blocks: [section(heading), section(lines.join('\n')), context(rolesLine())],
  };
}

/** What each role may do in the product (src/team/permissions.ts), in one line. */
function rolesLine(): string {
  return (
    'In the product: ' +
    permissionLines()
      .map(({ role, permissions }) => `*${roleLabel(role)}s* ${permissions.map((p) => PERMISSIONS[p].description).join(', ')}`)
      .join('; ') +
    '.'
  );
}
