import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Member, Organization } from '../../src/db/schema.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { sendInvitationEmail } from '../../src/notify/invitation-delivery.js';
import { createInvitations } from '../../src/team/invitations.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * The invitation email through the real transports: SMTP to a real SMTP peer (smtp-server on
 * 127.0.0.1), and the local mode without SMTP_URL (an .eml file plus the logged link).
 */
const t = useTestDatabase();
const FROM = 'Team Manager <team-manager@acme.test>';
const PUBLIC_URL = 'https://team.example.com';
const LINK = /https:\/\/team\.example\.com\/invitations\/[A-Za-z0-9_-]{43}/;
let seq = 0;
let org: Organization;
let owner: Member;

beforeEach(async () => {
  org = await seedOrganization(t.db, `T_MAIL_${++seq}`, { name: '<script>alert(1)</script> & Co' });
  owner = await seedMember(t.db, org, 'olga@acme.test', 'owner', { displayName: 'Olga <b>Owner</b>' });
});

/** Invites one address and runs its email job with this mailer, as the worker would. */
async function inviteAndEmail(mailer: Mailer, log: ReturnType<typeof captureLogs>['log']) {
  const email = `new${seq}@example.org`;
  const { invitations } = await createInvitations(t.db, {
    organizationId: org.id,
    actorMemberId: owner.id,
    addresses: [email],
    role: 'member',
    message: 'See you "soon" <3',
    source: 'slack',
  });
  const invitation = invitations[0]!;
  await sendInvitationEmail(
    { db: t.db, mailer, log, publicUrl: PUBLIC_URL },
    { organizationId: org.id, invitationId: invitation.id, sendCount: invitation.send_count },
  );
  return { email, invitation };
}

/** The decoded text/plain and text/html parts of a raw message (nodemailer uses quoted-printable or base64). */
function mimeParts(raw: string): { headers: string; text: string; html: string } {
  // Unfolded: a long header (the subject) continues on lines that start with white space.
  const headers = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n(?=[ \t])/g, '');
  const part = (type: string) => {
    const found = raw.split(/\r?\n--/).find((p) => new RegExp(`^Content-Type: ${type}`, 'im').test(p));
    if (!found) throw new Error(`no ${type} part`);
    const body = found.slice(found.search(/\r?\n\r?\n/)).trim();
    const encoding = /^Content-Transfer-Encoding: (\S+)/im.exec(found)?.[1]?.toLowerCase();
    if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
    if (encoding === 'quoted-printable') {
      const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    return body;
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

describe('SMTP (SMTP_URL set)', () => {
  let server: SMTPServer;
  let port: number;
  const received: Array<{ raw: string; from: string | undefined; to: string[]; user: string | undefined }> = [];
  const logins: Array<{ username: string | null | undefined; password: string | null | undefined }> = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      // The peer offers STARTTLS with a self-signed certificate; the URL tells nodemailer not to
      // upgrade (?ignoreTLS=true), so credentials travel in the clear here, which is test-only.
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        logins.push({ username: auth.username, password: auth.password });
        if (auth.username === 'mailer' && auth.password === 's3cret') callback(null, { user: 'mailer' });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session: SMTPServerSession, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            raw: Buffer.concat(chunks).toString('utf8'),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('the peer receives the invitation: envelope, subject, the link in both parts, every value escaped in the HTML', async () => {
    const logs = captureLogs();
    const mailer = createMailer({ smtpUrl: `smtp://mailer:s3cret@127.0.0.1:${port}?ignoreTLS=true`, from: FROM, dataDir: '/nonexistent', log: logs.log });
    try {
      const { email } = await inviteAndEmail(mailer, logs.log);
      expect(received).toHaveLength(1);
      const mail = received[0]!;
      expect(logins).toEqual([{ username: 'mailer', password: 's3cret' }]);
      expect(mail).toMatchObject({ from: 'team-manager@acme.test', to: [email], user: 'mailer' });

      const { headers, text, html } = mimeParts(mail.raw);
      expect(headers).toContain(`To: ${email}`);
      expect(headers).toContain('From: Team Manager <team-manager@acme.test>');
      expect(headers).toMatch(/^Subject: Olga <b>Owner<\/b> invited you to <script>alert\(1\)<\/script> & Co on Team Manager$/m);

      const link = LINK.exec(text)?.[0];
      expect(link).toBeDefined();
      expect(text).toContain(`Accept or decline here: ${link}`);
      expect(html).toContain(`<a href="${link}">Accept or decline the invitation</a>`);
      expect(html).toContain('Olga &lt;b&gt;Owner&lt;/b&gt; invited you to join <strong>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</strong>');
      expect(html).toContain('<blockquote>See you &quot;soon&quot; &lt;3</blockquote>');
      expect(html).not.toMatch(/<script|<b>/);

      // With SMTP the link travels by email only: it is never logged.
      expect(logs.text()).not.toContain(link!);
      expect(logs.lines().some((l) => l.msg === 'email sent')).toBe(true);
    } finally {
      mailer.close();
    }
  });
});

describe('local files (no SMTP_URL)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tm-mail-'));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('writes an .eml under DATA_DIR/mail with the link, and logs the link as localAcceptLink', async () => {
    const logs = captureLogs('info');
    const mailer = createMailer({ smtpUrl: undefined, from: FROM, dataDir, log: logs.log });
    const { email, invitation } = await inviteAndEmail(mailer, logs.log);

    const files = await readdir(path.join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const file = path.join(dataDir, 'mail', files[0]!);
    const { headers, text, html } = mimeParts(await readFile(file, 'utf8'));
    expect(headers).toContain(`To: ${email}`);
    const link = LINK.exec(text)?.[0];
    expect(link).toBeDefined();
    expect(html).toContain(`<a href="${link}">`);

    const line = logs.lines().find((l) => typeof l.localAcceptLink === 'string');
    expect(line).toMatchObject({ level: 30, invitation: invitation.id, file, localAcceptLink: link, msg: 'invitation email written locally; open the link to accept' });
  });
});
