import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger.js';
import { mailFolder } from './spool.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SentMail {
  messageId: string;
  /** Set in the local mode: where the .eml file was written. */
  file?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
  close(): void;
}

/**
 * The disk under DATA_DIR/mail is full: said in words an operator can act on. The email's job
 * is retried (with backoff) and the invitation stays pending, so Resend works once there is room.
 */
export class MailSpoolFullError extends Error {
  constructor(readonly folder: string, cause: NodeJS.ErrnoException) {
    super(`the mail spool is full: no space left to write the email in ${folder} (DATA_DIR/mail, ${cause.code}); free some space there — the email is retried and the invitation stays valid`, { cause });
    this.name = 'MailSpoolFullError';
  }
}

/** SMTP connections kept open at once; most providers allow 5 to 10 per account. */
const SMTP_CONNECTIONS = 5;

/**
 * Email through nodemailer: SMTP when SMTP_URL is set; otherwise each message is written as an
 * .eml file under DATA_DIR/mail/ (open it in any mail program), so a fresh checkout can follow
 * an invitation end to end without a mail server.
 */
export function createMailer(options: { smtpUrl?: string | undefined; from: string; dataDir: string; log: Logger }): Mailer {
  const log = options.log.child({ subsystem: 'mail' });
  if (options.smtpUrl) {
    // Pooled: a few long-lived connections carry every message (up to 100 each), instead of a
    // connect, EHLO, STARTTLS and AUTH per email. One connection per message took 113 ms a
    // message on loopback and made 1,000 invitation emails take 40 s (npm run bench --
    // --only=bulk). Parameters in SMTP_URL's query (e.g. ?maxConnections=2, ?pool=false) win.
    const transport = nodemailer.createTransport({ url: options.smtpUrl, pool: true, maxConnections: SMTP_CONNECTIONS });
    return {
      async send(message) {
        const info = await transport.sendMail({ from: options.from, ...message });
        log.info({ messageId: info.messageId }, 'email sent');
        return { messageId: info.messageId };
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const folder = mailFolder(options.dataDir);
  return {
    async send(message) {
      const info = await transport.sendMail({ from: options.from, ...message });
      await mkdir(folder, { recursive: true, mode: 0o700 }); // the emails carry accept links
      const file = path.join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^\w.-]/g, '')}.eml`);
      await writeFile(file, info.message as Buffer).catch(async (err: NodeJS.ErrnoException) => {
        await rm(file, { force: true }).catch(() => undefined);
        if (err.code === 'ENOSPC' || err.code === 'EDQUOT') throw new MailSpoolFullError(folder, err);
        throw err;
      });
      log.info({ messageId: info.messageId, file }, 'email written to a file (no SMTP_URL set)');
      return { messageId: info.messageId, file };
    },
    close: () => undefined,
  };
}
