import type { Mailer, MailMessage } from '../../src/mail/mailer.js';
import { registerSecrets } from './log-scan.js';

/** A Mailer that keeps what it is given (for domain tests; the real transports are tested in mail tests). */
export function captureMail(): Mailer & { sent: MailMessage[]; linkTo(email: string): string } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      // Accept tokens are secrets: the run's log scan looks for each one emailed.
      registerSecrets([...message.text.matchAll(/\/invitations\/([A-Za-z0-9_-]+)/g)].map((m) => m[1]));
      return { messageId: `<${sent.length}@test>` };
    },
    close: () => undefined,
    linkTo(email) {
      const message = [...sent].reverse().find((m) => m.to === email);
      const link = message?.text.match(/https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/)?.[0];
      if (!link) throw new Error(`no invitation link emailed to ${email}`);
      return link;
    },
  };
}
