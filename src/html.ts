/**
 * Escapes text for HTML element content and quoted attribute values. Shared by the emails and
 * the web pages: every value that reaches HTML goes through it. One pass, and none at all for
 * text with nothing to escape (the local Slack's page escapes thousands of short strings).
 */
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ENTITIES[c]!) : text;
}
