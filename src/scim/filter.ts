import { invalidFilter } from './errors.js';

/**
 * The filters provisioning clients send (RFC 7644 §3.4.2.2): one `attribute eq value`
 * comparison — Okta and Entra ID look people up by `userName eq "…"` and `externalId eq "…"`,
 * groups by `displayName eq "…"`. Anything else is refused with invalidFilter and a sentence
 * naming what is supported, rather than being answered wrongly.
 */
export interface EqFilter {
  /** The attribute as the resource's filterable list spells it (matched case-insensitively). */
  attribute: string;
  value: string | boolean | null;
}

const COMPARISON = /^\s*([A-Za-z][\w.:$-]*)\s+([A-Za-z]{2})\s+(.+?)\s*$/;

export function parseFilter(text: string, filterable: readonly string[]): EqFilter {
  const match = COMPARISON.exec(text);
  if (!match) throw invalidFilter(`The filter "${clip(text)}" is not a comparison; send attribute eq "value" (e.g. userName eq "ada@example.com").`);
  const [, path, operator, raw] = match as unknown as [string, string, string, string];
  if (operator.toLowerCase() !== 'eq') {
    throw invalidFilter(`The operator "${operator}" is not supported; only eq is (with ${filterable.join(', ')}).`);
  }
  const attribute = filterable.find((a) => a.toLowerCase() === path.toLowerCase());
  if (!attribute) throw invalidFilter(`Filtering on "${clip(path)}" is not supported; filter on ${filterable.join(', ')}.`);
  return { attribute, value: parseValue(raw, text) };
}

function parseValue(raw: string, text: string): string | boolean | null {
  if (raw.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value === 'string') return value;
    } catch {
      // fall through to the refusal below
    }
    throw invalidFilter(`The value in "${clip(text)}" is not one quoted string (a logical operator such as and/or is not supported).`);
  }
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (raw === 'null') return null;
  throw invalidFilter(`The value in "${clip(text)}" must be a quoted string, true, false or null.`);
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}
