export interface ParsedCommand {
  /** Lower-cased first word, '' when the command was typed bare. */
  subcommand: string;
  /** The words after it, as typed. */
  args: string[];
  /** Everything after the subcommand, untouched (reasons, messages). */
  rest: string;
}

/**
 * What the person typed, from Slack's command text: Slack escapes `&`, `<` and `>` (so a typed
 * `<` cannot pass for a mention), and free text — a reason, a search — is read back as typed.
 */
export function typedText(slackText: string): string {
  return slackText.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Splits `/team <subcommand> <args…>` text the way people type it: any whitespace, any case. */
export function parseCommandText(text: string | undefined): ParsedCommand {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return { subcommand: '', args: [], rest: '' };
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
  const rest = match[2] ?? '';
  return {
    subcommand: match[1]!.toLowerCase(),
    args: rest === '' ? [] : rest.split(/\s+/),
    rest,
  };
}
