import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DeliveredEmail {
  to: string;
  subject: string;
  /** The plain-text part, as a person would read it. */
  text: string;
}

/**
 * Waits for the app's .eml file to a recipient (no SMTP in the demo: the mailer writes files).
 * Reads just enough of the MIME to show the message: headers and the text/plain part.
 */
export async function waitForEmail(mailDir: string, to: string, timeoutMs = 10_000): Promise<DeliveredEmail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const files = await readdir(mailDir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.eml')).sort()) {
      const raw = await readFile(path.join(mailDir, file), 'utf8');
      const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim() ?? '';
      if (!header('To').includes(to)) continue;
      return { to, subject: header('Subject'), text: plainPart(raw) };
    }
    await sleep(100);
  }
  throw new Error(`no email to ${to} within ${timeoutMs} ms in ${mailDir}`);
}

function plainPart(raw: string): string {
  const part = /Content-Type: text\/plain[^\n]*\n(?:[^\n]+\n)*\n([\s\S]*?)\n--/i.exec(raw)?.[1] ?? raw;
  // quoted-printable soft line breaks and escapes, as nodemailer writes them
  return part.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
