import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Invitation, Organization } from '../db/schema.js';
import type { InviterLabel } from '../team/invitation-repository.js';
import { channelQueue, enqueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';

/** How long an invitation email may keep failing (SMTP down, the spool full) before the inviter hears of it. */
export const EMAIL_ALERT_AFTER_MS = 60 * 60_000;

/**
 * An invitation email that still cannot be sent an hour after it was queued: the job keeps
 * retrying with backoff (nothing is lost), but the person who invited is waiting for someone
 * who never got a link. So the inviter — or, without a linked inviter, the team channel — is
 * told in Slack, once per send: the row in invitation_email_alerts and the post's job are
 * written in one transaction. The words name the address and what the mail server said,
 * never a link or token.
 */
export async function alertIfEmailKeepsFailing(
  deps: { db: Db; log: Logger },
  loaded: { invitation: Invitation; organization: Organization; inviter: InviterLabel | undefined },
  sendCount: number,
  queuedAt: Date | undefined,
  err: unknown,
): Promise<void> {
  if (!queuedAt || Date.now() - queuedAt.getTime() < EMAIL_ALERT_AFTER_MS) return;
  const { invitation, organization, inviter } = loaded;
  const channel = inviter?.slack_user_id ?? organization.team_channel_id;
  if (!channel) return;
  const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
  const text =
    `:warning: The invitation email to ${invitation.email} has not gone out for over an hour (${reason}). ` +
    'It is still being retried and the invitation stays valid; check the mail settings (SMTP_URL) or the disk of DATA_DIR, or use Resend once it works.';
  await deps.db.transaction().execute(async (trx) => {
    const told = await sql<{ one: number }>`
      insert into invitation_email_alerts (organization_id, invitation_id, send_count) values (${organization.id}, ${invitation.id}, ${sendCount})
      on conflict do nothing returning 1 as one`.execute(trx);
    if (told.rows.length === 0) return;
    await enqueue(trx, 'slack.post-message', { organizationId: organization.id, channel, text, deliveryId: `invitation-email-failing:${invitation.id}:${sendCount}` }, { queueName: channelQueue(channel) });
    deps.log.warn({ invitation: invitation.id, sendCount }, 'invitation email failing for over an hour; the inviter is told in Slack');
  });
}
