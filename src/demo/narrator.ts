import type { RecordedCall, SlackStandin } from '../standin/index.js';
import { renderBlocks, setNameResolver } from './render.js';

const tty = process.stdout.isTTY;
const style = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = style('1');
const dim = style('2');
const cyan = style('36');
const green = style('32');

/** Prints the conversation: who typed what, what the app showed, what was posted where. */
export class Narrator {
  private shown = new Set<RecordedCall>();

  constructor(
    private readonly standin: SlackStandin,
    private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    setNameResolver((id) => this.standin.findUser(id)?.name ?? this.standin.channelName(id));
  }

  scene(n: number, title: string): void {
    this.out('');
    this.out(bold(`── Scene ${n}: ${title}`));
  }

  note(text: string): void {
    this.out(dim(`   (${text})`));
  }

  typed(userId: string, command: string, text: string): void {
    this.out(`   ${cyan('@' + this.userName(userId))} types: ${bold(`${command} ${text}`.trim())}`);
  }

  /** What only the acting person sees (a slash command's ephemeral answer). */
  showEphemeral(reply: { text?: string; blocks?: Record<string, unknown>[] }): void {
    this.out(`   ${green('Team Manager')} ${dim('(only visible to you)')}:`);
    for (const line of renderBlocks(reply.blocks, reply.text ?? '')) this.out(`   │ ${line}`);
  }

  /** A modal as opened: its title and fields with their current values. */
  showModal(view: { title?: { text?: string }; blocks: Array<Record<string, unknown>> }): void {
    this.out(`   ${green('Team Manager')} opens a form: ${bold(view.title?.text ?? '')}`);
    for (const line of renderBlocks(view.blocks, '')) this.out(`   ┆ ${line}`);
  }

  /** The inline errors a form submission got back. */
  showModalErrors(ack: { response_action?: string; errors?: Record<string, string> } | undefined): void {
    for (const message of Object.values(ack?.errors ?? {})) {
      for (const line of message.split('\n')) this.out(`   ┆ ${style('31')('⚠ ' + line)}`);
    }
  }

  /** An email as its recipient would read it. */
  showEmail(email: { to: string; subject: string; text: string }): void {
    this.out(`   ${green('Team Manager')} ✉ ${bold(email.to)}: ${email.subject}`);
    for (const line of email.text.trim().split('\n')) this.out(`   ✉ ${line}`);
  }

  /** A web page as a browser would show its text. */
  showPage(request: string, status: number, html: string): void {
    this.out(`   ${cyan('browser')} ${request} → ${status}`);
    const body = /<main[^>]*>([\s\S]*?)<\/main>/i.exec(html)?.[1] ?? /<body[^>]*>([\s\S]*?)<\/body>/i.exec(html)?.[1] ?? html;
    const text = body
      .replace(/<button[^>]*>([\s\S]*?)<\/button>/gi, ' [ $1 ] ')
      .replace(/<input[^>]*type="submit"[^>]*value="([^"]*)"[^>]*>/gi, ' [ $1 ] ')
      .replace(/<\/(p|h1|h2|div|li|form)>/gi, '\n')
      .replace(/<[^>]+>/g, '')
      .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
    for (const line of text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean)) this.out(`   ▭ ${line}`);
  }

  /** Waits for the app's next channel message(s) and prints each once. */
  async showPosts(channel: string, count = 1, timeoutMs = 10_000): Promise<void> {
    for (let i = 0; i < count; i++) {
      const call = await this.standin.waitForCall(
        'chat.postMessage',
        (c) => c.args.channel === channel && !this.shown.has(c),
        timeoutMs,
      );
      this.shown.add(call);
      const name = this.standin.channelName(channel);
      const where = name ? '#' + name : `@${this.userName(channel)} (direct message)`;
      this.out(`   ${green('Team Manager')} → ${bold(where)}:`);
      for (const line of renderBlocks(call.args.blocks as Record<string, unknown>[] | undefined, String(call.args.text ?? ''))) {
        this.out(`   │ ${line}`);
      }
    }
  }

  /** Waits for the app to rewrite a message it posted (chat.update) and prints the new version. */
  async showUpdate(channel: string, ts: string, timeoutMs = 10_000): Promise<void> {
    const call = await this.standin.waitForCall('chat.update', (c) => c.args.channel === channel && c.args.ts === ts && !this.shown.has(c), timeoutMs);
    this.shown.add(call);
    const name = this.standin.channelName(channel);
    this.out(`   ${green('Team Manager')} updates its message in ${bold(name ? '#' + name : `@${this.userName(channel)} (direct message)`)}:`);
    for (const line of renderBlocks(call.args.blocks as Record<string, unknown>[] | undefined, String(call.args.text ?? ''))) this.out(`   │ ${line}`);
  }

  /** Whoever runs the server types a command there. */
  operator(command: string): void {
    this.out(`   ${cyan('operator$')} ${bold(command)}`);
  }

  /** An HTTP exchange with the REST API: the request line, the status and the JSON body. */
  http(request: string, status: number, body: string): void {
    this.out(`   ${cyan('product')} ${request} → ${status}`);
    let shown = body;
    try {
      shown = JSON.stringify(JSON.parse(body));
    } catch {
      // not JSON: shown as it came
    }
    this.out(`   ⇠ ${shown.length > 400 ? shown.slice(0, 399) + '…' : shown}`);
  }

  /** A person clicks a button on a message. */
  clicked(userId: string, button: string): void {
    this.out(`   ${cyan('@' + this.userName(userId))} clicks ${bold(`[ ${button} ]`)}`);
  }

  private userName(userId: string): string {
    return this.standin.findUser(userId)?.name ?? userId;
  }
}
