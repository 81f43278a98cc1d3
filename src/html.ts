/**
 * Escapes text for HTML element content and quoted attribute values. Shared by the emails and
 * the web pages: every value that reaches HTML goes through it.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
