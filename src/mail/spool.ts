import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One email the mailer wrote to DATA_DIR/mail/ (no SMTP_URL), as a person reads it. */
export interface SpooledMail {
  file: string;
  to: string;
  subject: string;
  date: string;
  /** The plain-text part. */
  text: string;
}

/** Where the mailer writes each email without SMTP_URL, and where the local Slack's Mail pane reads (and watches). */
export function mailFolder(dataDir: string): string {
  return path.resolve(dataDir, 'mail');
}

/** The emails in DATA_DIR/mail/, newest first. Reads just enough MIME: headers and the text/plain part. */
export async function readMailSpool(dataDir: string): Promise<SpooledMail[]> {
  const folder = mailFolder(dataDir);
  const files = (await readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort().reverse();
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(path.join(folder, file), 'utf8');
      const header = (name: string) => unfold(new RegExp(`^${name}: (.*(?:\\n[ \\t].*)*)$`, 'mi').exec(raw)?.[1] ?? '');
      return { file, to: header('To'), subject: decodeWords(header('Subject')), date: header('Date'), text: plainPart(raw) };
    }),
  );
}

const unfold = (v: string) => v.replace(/\n[ \t]+/g, ' ').trim();

/** RFC 2047 encoded words (nodemailer writes them for non-ASCII subjects). */
function decodeWords(v: string): string {
  return v.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(qp(data.replace(/_/g, ' ')), 'latin1').toString('utf8'));
}

function qp(s: string): string {
  return s.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function plainPart(raw: string): string {
  const part = /Content-Type: text\/plain[^\n]*\n(?:[^\n]+\n)*\n([\s\S]*?)\n--/i.exec(raw)?.[1] ?? raw;
  // quoted-printable soft line breaks and escapes, as nodemailer writes them (bytes of UTF-8)
  return Buffer.from(qp(part), 'latin1').toString('utf8');
}
