import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readMailSpool } from '../mail/spool.js';

export interface DeliveredEmail {
  to: string;
  subject: string;
  /** The plain-text part, as a person would read it. */
  text: string;
}

/** Waits for the app's first .eml file to a recipient (no SMTP in the demo: the mailer writes files to DATA_DIR/mail/). */
export async function waitForEmail(mailDir: string, to: string, timeoutMs = 10_000): Promise<DeliveredEmail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await readMailSpool(path.dirname(mailDir))).reverse().find((m) => m.to.includes(to));
    if (found) return { to, subject: found.subject, text: found.text };
    await sleep(100);
  }
  throw new Error(`no email to ${to} within ${timeoutMs} ms in ${mailDir}`);
}
