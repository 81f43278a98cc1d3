/**
 * A strict little reader of the renderer's HTML, for tests that prove nothing a person typed
 * became markup: every `<` must open (or close) a well-formed tag whose name and attributes
 * are on the allow-list, with every attribute value quoted. An injected `<img onerror=…>`,
 * `<script>` or unquoted attribute fails here; escaped text (`&lt;img …`) does not.
 */
const TAGS = new Set([
  'a', 'b', 'i', 's', 'code', 'pre', 'blockquote', 'br', 'span', 'div', 'time', 'li', 'ul', 'ol', 'h2', 'h3', 'hr', 'p',
  'button', 'select', 'option', 'optgroup', 'input', 'textarea', 'label', 'fieldset', 'legend', 'img', 'figure', 'figcaption',
  'form', 'header', 'footer',
]);
const ATTRIBUTES = new Set([
  'class', 'id', 'href', 'target', 'rel', 'title', 'datetime', 'role', 'type', 'name', 'value', 'for', 'src', 'alt', 'loading',
  'rows', 'placeholder', 'maxlength', 'minlength', 'inputmode', 'selected', 'checked', 'multiple', 'novalidate', 'label',
  'aria-label', 'aria-labelledby', 'aria-describedby', 'aria-invalid', 'aria-required', 'aria-modal', 'aria-hidden',
]);
const TAG = /^<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<>]*")?)*)\s*>/;
const ATTRIBUTE = /\s+([a-z][a-z0-9-]*)(?:="([^"]*)")?/g;

export interface ScannedTag {
  name: string;
  attributes: Record<string, string>;
}

/** The tags of the HTML; throws on anything that is not an allowed, well-formed tag. */
export function scanHtml(html: string): ScannedTag[] {
  const tags: ScannedTag[] = [];
  let i = html.indexOf('<');
  while (i !== -1) {
    const m = TAG.exec(html.slice(i));
    if (!m) throw new Error(`not a well-formed tag at ${i}: ${html.slice(i, i + 60)}`);
    const name = m[2]!;
    if (!TAGS.has(name)) throw new Error(`unexpected tag <${name}>`);
    const attributes: Record<string, string> = {};
    for (const a of m[3]!.matchAll(ATTRIBUTE)) {
      const attr = a[1]!;
      if (!ATTRIBUTES.has(attr) && !attr.startsWith('data-')) throw new Error(`unexpected attribute ${attr} on <${name}>`);
      attributes[attr] = decode(a[2] ?? '');
    }
    if (attributes.href !== undefined && !/^(https?:\/\/|mailto:)/i.test(attributes.href)) throw new Error(`unsafe href ${attributes.href}`);
    if (attributes.src !== undefined && !/^(https?:\/\/|data:image\/)/i.test(attributes.src)) throw new Error(`unsafe src ${attributes.src}`);
    if (!m[1]) tags.push({ name, attributes });
    i = html.indexOf('<', i + m[0].length);
  }
  return tags;
}

const decode = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The text a reader sees: tags dropped, <br> as a newline, entities decoded. */
export function textOfHtml(html: string): string {
  return decode(html.replace(/<br>/g, '\n').replace(/<[^>]*>/g, ''));
}
