export interface ParsedCommand {
  /** Lower-cased first word, '' when the command was typed bare. */
  subcommand: string;
  /** The words after it, as typed. */
  args: string[];
  /** Everything after the subcommand, untouched (reasons, messages). */
  rest: string;
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
