import { WebAPIPlatformError, type WebClient } from '@slack/web-api';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobRun, TaskPayload } from '../jobs/tasks.js';
import type { Mailer } from '../mail/mailer.js';
import { invitationEmail } from '../mail/invitation-email.js';
import { findInvitationWithInviter, updateInvitation } from '../team/invitation-repository.js';
import { findOrganizationById } from '../team/organization-repository.js';
import { newInvitationToken } from '../team/invitation-tokens.js';
import { memberLabel } from '../slack/mrkdwn.js';
import { invitationDm, invitationDmOutcome } from '../slack/blocks/invitation-dm.js';
import { deliver } from '../slack/delivery.js';
import { postOnce } from './exactly-once.js';
import { alertIfEmailKeepsFailing } from './email-failure-alert.js';

/** One invitation DM per send: the delivery id names the invitation and which send it is. */
export const invitationDmDeliveryId = (invitationId: string, sendCount: number) => `invitation-dm:${invitationId}:${sendCount}`;

export interface InvitationDeliveryDeps {
  db: Db;
  slack: WebClient;
  mailer: Mailer;
  log: Logger;
  /** Base of the accept links, e.g. https://team.example.com */
  publicUrl: string;
}

/** Loads what a delivery needs; undefined when the send was superseded or the invitation closed. */
async function current(deps: Pick<InvitationDeliveryDeps, 'db'>, payload: { organizationId: string; invitationId: string; sendCount?: number }) {
  const found = await findInvitationWithInviter(deps.db, payload.organizationId, payload.invitationId);
  if (!found) return undefined;
  const { invitation, inviter } = found;
  if (payload.sendCount !== undefined && (invitation.status !== 'pending' || invitation.send_count !== payload.sendCount)) return undefined;
  const organization = (await findOrganizationById(deps.db, payload.organizationId))!;
  return { invitation, organization, inviter };
}

/**
 * Job: emails the accept link. The token is made here, at send time, and only its hash is
 * stored (committed before the email leaves), so no usable token ever sits in the job queue.
 * A retry makes a new token; the undelivered one is worthless.
 */
export async function sendInvitationEmail(deps: Omit<InvitationDeliveryDeps, 'slack'>, payload: TaskPayload<'invitation.send-email'>, run?: Pick<JobRun, 'createdAt'>): Promise<void> {
  const loaded = await current(deps, payload);
  if (!loaded) {
    deps.log.info({ invitation: payload.invitationId }, 'invitation email superseded or closed; not sent');
    return;
  }
  const { invitation, organization, inviter } = loaded;
  const { token, hash } = newInvitationToken();
  const stored = await deps.db
    .updateTable('invitations')
    .set({ token_hash: hash, updated_at: new Date() })
    .where('organization_id', '=', invitation.organization_id)
    .where('id', '=', invitation.id)
    .where('status', '=', 'pending')
    .where('send_count', '=', payload.sendCount)
    .executeTakeFirst();
  if (Number(stored.numUpdatedRows) !== 1) return; // closed or resent meanwhile
  const acceptUrl = `${deps.publicUrl.replace(/\/$/, '')}/invitations/${token}`;
  const sending = deps.mailer.send(
    invitationEmail({
      to: invitation.email,
      organizationName: organization.name,
      inviterName: inviter?.display_name ?? inviter?.email ?? 'An owner',
      role: invitation.role,
      message: invitation.message,
      acceptUrl,
      expiresAt: invitation.expires_at,
      slackOnly: organization.require_sso,
    }),
  );
  // A failure is thrown on, so the queue retries with backoff; past an hour the inviter hears of it.
  const sent = await sending.catch(async (err: unknown) => {
    await alertIfEmailKeepsFailing(deps, loaded, payload.sendCount, run?.createdAt, err).catch((alertErr: unknown) =>
      deps.log.warn({ err: alertErr }, 'could not queue the failing-email notice'),
    );
    throw err;
  });
  // Without SMTP the email is a local file; the link is logged so a newcomer can click through.
  // (Only in that local mode: with SMTP the link travels by email alone.)
  if (sent.file) deps.log.info({ invitation: invitation.id, file: sent.file, localAcceptLink: acceptUrl }, 'invitation email written locally; open the link to accept');
}

/**
 * Job: DMs the invitee with Accept / Decline when their address belongs to someone in the
 * workspace, once per send: a retry after a post whose answer was lost finds it by its delivery
 * id (exactly-once.ts) and remembers that one.
 */
export async function sendInvitationDm(deps: InvitationDeliveryDeps, payload: TaskPayload<'invitation.send-dm'>, run?: JobRun): Promise<void> {
  const signal = run?.signal;
  const loaded = await current(deps, payload);
  if (!loaded) return;
  const { invitation, organization, inviter } = loaded;
  let slackUserId = invitation.slack_user_id;
  if (!slackUserId) {
    try {
      const found = await deliver(() => deps.slack.users.lookupByEmail({ email: invitation.email }), { log: deps.log, ...(signal ? { signal } : {}) });
      slackUserId = found.user?.id ?? null;
    } catch (err) {
      // Not in the workspace: the email is their way in.
      if (err instanceof WebAPIPlatformError && err.data.error === 'users_not_found') return;
      throw err;
    }
  }
  if (!slackUserId) return;
  const message = invitationDm({ invitation, organizationName: organization.name, inviterLabel: inviter ? memberLabel(inviter) : 'An owner' });
  const posted = await postOnce(deps, { channel: slackUserId, text: message.text, blocks: message.blocks }, invitationDmDeliveryId(invitation.id, payload.sendCount), run);
  await updateInvitation(deps.db, invitation, { slack_user_id: slackUserId, dm_channel_id: posted.channel, dm_ts: posted.ts });
}

/** Job: rewrites the DM to show the invitation's outcome, buttons gone. */
export async function updateInvitationDm(deps: InvitationDeliveryDeps, payload: TaskPayload<'invitation.update-dm'>, signal?: AbortSignal): Promise<void> {
  const loaded = await current(deps, payload);
  if (!loaded?.invitation.dm_channel_id || !loaded.invitation.dm_ts) return;
  const { invitation, organization, inviter } = loaded;
  const message = invitationDmOutcome({ invitation, organizationName: organization.name, inviterLabel: inviter ? memberLabel(inviter) : 'An owner' });
  await deliver(
    () => deps.slack.chat.update({ channel: invitation.dm_channel_id!, ts: invitation.dm_ts!, text: message.text, blocks: message.blocks }),
    { log: deps.log, ...(signal ? { signal } : {}) },
  );
}
