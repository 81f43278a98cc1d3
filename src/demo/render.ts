/**
 * Block Kit as a person would read it in a terminal: enough to follow the demo, not a
 * faithful renderer. Mrkdwn entities are unescaped, links shown as their label.
 */
type Block = Record<string, any>;

/** Names for ids in the text: `<@U…>` → @name, `<#C…>` → #channel. */
export type NameResolver = (id: string) => string | undefined;
let resolveName: NameResolver = () => undefined;
export function setNameResolver(resolver: NameResolver): void {
  resolveName = resolver;
}

export function renderBlocks(blocks: Block[] | undefined, fallback: string): string[] {
  if (!blocks || blocks.length === 0) return text({ text: fallback }).split('\n');
  const lines: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
        lines.push(`== ${text(block.text)} ==`);
        break;
      case 'section':
        if (block.text) lines.push(...text(block.text).split('\n'));
        for (const field of block.fields ?? []) lines.push(`  ${text(field).replace(/\n/g, ' ')}`);
        if (block.accessory) lines.push(`  ${element(block.accessory)}`);
        break;
      case 'context':
        lines.push(block.elements.map((e: Block) => (e.type === 'image' ? '' : text(e))).join(' '));
        break;
      case 'actions':
        lines.push(block.elements.map(element).join('  '));
        break;
      case 'divider':
        lines.push('─'.repeat(40));
        break;
      case 'input':
        lines.push(`${text(block.label)}: ${element(block.element)}`);
        break;
      default:
        lines.push(`[${block.type}]`);
    }
  }
  return lines;
}

function element(el: Block): string {
  if (el.type === 'button') return `[ ${text(el.text)} ]`;
  if (el.type === 'conversations_select' || el.type === 'channels_select') {
    const id = el.initial_conversation ?? el.initial_channel;
    return `[ ${id ? '#' + (resolveName(id) ?? id) : text(el.placeholder ?? { text: 'choose' })} ▾ ]`;
  }
  if (el.type?.includes('select')) return `[ ${el.initial_option ? text(el.initial_option.text) : text(el.placeholder ?? { text: 'choose' })} ▾ ]`;
  if (el.type === 'radio_buttons') {
    return el.options.map((o: Block) => `${o.value === el.initial_option?.value ? '(•)' : '( )'} ${text(o.text)}`).join('  ');
  }
  if (el.type === 'checkboxes') {
    const on = new Set((el.initial_options ?? []).map((o: Block) => o.value));
    return el.options.map((o: Block) => `${on.has(o.value) ? '[x]' : '[ ]'} ${text(o.text)}`).join('  ');
  }
  if (el.type === 'plain_text_input' || el.type === 'number_input') return `[ ${String(el.initial_value ?? '').replace(/\n/g, ', ')} ]`;
  return `[${el.type}]`;
}

function text(obj: Block | undefined): string {
  if (!obj) return '';
  return String(obj.text ?? '')
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${resolveName(id) ?? id}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `#${resolveName(id) ?? id}`)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]+)>/g, '$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
