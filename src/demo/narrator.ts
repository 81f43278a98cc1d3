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
    for (const message of Object.values(ack?.errors ?? {})) this.out(`   ┆ ${style('31')('⚠ ' + message)}`);
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

  private userName(userId: string): string {
    return this.standin.findUser(userId)?.name ?? userId;
  }
}
