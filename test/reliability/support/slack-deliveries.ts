import { sql } from 'kysely';
import type { Db } from '../../../src/db/database.js';
import { DELIVERY_EVENT_TYPE } from '../../../src/notify/exactly-once.js';
import { accessReviewDeliveryId } from '../../../src/notify/access-review-delivery.js';
import { invitationDmDeliveryId } from '../../../src/notify/invitation-delivery.js';
import { removalCardDeliveryId, removalRequesterDmDeliveryId } from '../../../src/notify/removal-cards.js';
import type { RecordedCall, SlackStandin, StoredMessage } from '../../../src/standin/index.js';

/**
 * Bookkeeping for Slack fault tests: which posts the queued jobs intend (one delivery id per
 * intended message), how many messages Slack ended up holding for each, and whether every
 * Retry-After was waited out before the same thing was asked again.
 */

/** Periodic jobs the worker's cron adds on its own; not part of any phase's work. */
const CRON_TASKS = ['invitation.expire-due', 'removal.expire-due', 'owner.expire-due', 'access-review.start-due'];

export interface QueuedJob {
  task: string;
  payload: Record<string, unknown>;
}

export async function pendingJobs(db: Db): Promise<QueuedJob[]> {
  const { rows } = await sql<{ identifier: string; payload: Record<string, unknown> }>`
    select t.identifier, j.payload
      from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
     order by j.id`.execute(db);
  return rows.filter((r) => !CRON_TASKS.includes(r.identifier)).map((r) => ({ task: r.identifier, payload: r.payload }));
}

export interface InSlack {
  /** Whether the request's requester has a Slack account (else the card job posts no DM to them). */
  requester(requestId: string): boolean;
  /** Whether the invitation's address belongs to someone in the workspace (else no DM is posted). */
  invitee(invitationId: string): boolean;
}

/** The delivery ids of the posts these jobs intend. */
export function intendedPosts(jobs: QueuedJob[], inSlack: InSlack): string[] {
  const ids: string[] = [];
  for (const { task, payload } of jobs) {
    if (task === 'slack.post-message') ids.push(String(payload.deliveryId));
    if (task === 'removal.post-card') {
      ids.push(removalCardDeliveryId(String(payload.requestId)));
      if (inSlack.requester(String(payload.requestId))) ids.push(removalRequesterDmDeliveryId(String(payload.requestId)));
    }
    if (task === 'invitation.send-dm' && inSlack.invitee(String(payload.invitationId))) ids.push(invitationDmDeliveryId(String(payload.invitationId), Number(payload.sendCount)));
    if (task === 'access-review.post') ids.push(accessReviewDeliveryId(String(payload.reviewId)));
  }
  return ids;
}

export function deliveryIdOf(m: Pick<StoredMessage, 'metadata'>): string | undefined {
  return m.metadata?.event_type === DELIVERY_EVENT_TYPE ? String(m.metadata.event_payload.delivery_id) : undefined;
}

/** Messages Slack holds per delivery id (bot messages only). */
export function messagesByDelivery(standin: SlackStandin): Map<string, StoredMessage[]> {
  const byId = new Map<string, StoredMessage[]>();
  for (const m of standin.messages) {
    const id = deliveryIdOf(m);
    if (!id) continue;
    byId.set(id, [...(byId.get(id) ?? []), m]);
  }
  return byId;
}

export interface DeliveryCount {
  lost: string[];
  duplicated: string[];
}

export function countDeliveries(standin: SlackStandin, intended: string[]): DeliveryCount {
  const byId = messagesByDelivery(standin);
  return {
    lost: intended.filter((id) => (byId.get(id)?.length ?? 0) === 0),
    duplicated: intended.filter((id) => (byId.get(id)?.length ?? 0) > 1),
  };
}

/** What a call is about, so that a retry of it can be matched to the 429 it follows. */
export function callSubject(c: RecordedCall): string {
  const a = c.args;
  const metadata = a.metadata as { event_payload?: { delivery_id?: unknown } } | undefined;
  switch (c.method) {
    case 'chat.postMessage':
      return `post:${String(metadata?.event_payload?.delivery_id ?? `${String(a.channel)}:${String(a.text)}`)}`;
    case 'chat.update':
      return `update:${String(a.channel)}:${String(a.ts)}`;
    case 'views.publish':
      return `publish:${String(a.user_id)}`;
    case 'conversations.history':
      // One job's look for its earlier post (its window starts when the job was queued).
      return `history:${String(a.channel)}:${String(a.oldest)}:${String(a.cursor ?? '')}`;
    case 'conversations.open':
      return `open:${String(a.users)}`;
    case 'users.lookupByEmail':
      return `lookup:${String(a.email)}`;
    default:
      return `${c.method}:${JSON.stringify(a)}`;
  }
}

export interface RetryAfterViolation {
  subject: string;
  retryAfterSec: number;
  waitedMs: number;
}

/**
 * For every 429, the next call about the same thing must come at least Retry-After later.
 * (Recorded times are taken when each request arrives; a small tolerance covers timer rounding.)
 */
export function retryAfterViolations(calls: RecordedCall[], toleranceMs = 20): { checked: number; violations: RetryAfterViolation[] } {
  let checked = 0;
  const violations: RetryAfterViolation[] = [];
  calls.forEach((c, i) => {
    if (c.status !== 429) return;
    const subject = callSubject(c);
    const next = calls.slice(i + 1).find((n) => n.method === c.method && callSubject(n) === subject);
    if (!next) return;
    checked++;
    const retryAfterSec = retryAfterOf(c);
    const waitedMs = next.at - c.at;
    if (waitedMs + toleranceMs < retryAfterSec * 1000) violations.push({ subject, retryAfterSec, waitedMs });
  });
  return { checked, violations };
}

function retryAfterOf(c: RecordedCall): number {
  return c.retryAfterSec ?? c.injectedFault?.retryAfterSec ?? 1;
}
