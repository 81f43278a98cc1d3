import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../db/database.js';
import type { AccessReview, AccessReviewDecision, AccessReviewItem, AuditSource, Member, Organization } from '../db/schema.js';
import { AppError, moment, person, say, type Word } from '../errors.js';
import { inChange } from '../team/change.js';
import { findMemberById } from '../team/member-repository.js';
import { lockOrganization } from '../team/organization-repository.js';
import { decide, ForbiddenError } from '../team/policy.js';
import { approvalsChannelOf } from '../team/removal-outcomes.js';
import { appendAuditEvent, SYSTEM_ACTOR } from '../events/audit-repository.js';

/**
 * Access review (product brief, "Activity, audit, review"): every week or month (setting
 * `access_review_cadence`) a digest in the approvals channel lists the active members who have
 * not signed in for `inactivity_threshold_days`, each with Keep and Remove. A review is a row of
 * `access_reviews` with one `access_review_items` row per member listed; a decision is a
 * conditional change of an item from undecided, under the organization lock, with one audit
 * event. Nothing here knows Slack: the digest is built in src/slack/blocks/access-review.ts and
 * posted by the jobs of src/notify/access-review-delivery.ts.
 *
 * Who is listed ("stale"): an active member whose last sign-in — or, never having signed in,
 * whose joining — is at least the threshold ago. Counting from the joining is what "has not
 * signed in for N days" means for someone who joined last week: they have not had N days to
 * do it, and listing them (or, on a fresh install, the whole team) would be noise. Left out:
 * members an owner kept within the last threshold days (Keep means "I vouch for them"; asking
 * again next week would be noise). Members nobody decided on are simply still stale, so the
 * next review lists them again; the older digest is then rewritten to say it was replaced, and
 * its buttons go away (decisions are taken on the latest review only).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days between two reviews of an organization, by cadence. */
export const REVIEW_PERIOD_DAYS = { weekly: 7, monthly: 30 } as const;


// ---------------------------------------------------------------------------
// Repository: all the SQL of access reviews, scoped by organization.

/**
 * Organizations whose next review is due at `now`: cadence not off, somewhere to post it, and
 * no review within the period. Whole hours are compared (the hourly cron's own granularity), so
 * a review started at 10:00:40 is due again at the 10:00 tick a week later instead of drifting
 * an hour later every week.
 */
async function dueOrganizationIds(db: DbOrTrx, now: Date, organizationId?: string): Promise<string[]> {
  let query = db
    .selectFrom('organizations as o')
    .select('o.id')
    .where('o.access_review_cadence', '<>', 'off')
    .where((eb) => eb.or([eb('o.approvals_channel_id', 'is not', null), eb('o.team_channel_id', 'is not', null)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('access_reviews as r')
            .select(sql`1`.as('one'))
            .whereRef('r.organization_id', '=', 'o.id')
            .where(
              sql<boolean>`date_trunc('hour', r.created_at) > date_trunc('hour', ${now}::timestamptz)
                - make_interval(days => case o.access_review_cadence when 'weekly' then ${REVIEW_PERIOD_DAYS.weekly}::int else ${REVIEW_PERIOD_DAYS.monthly}::int end)`,
            ),
        ),
      ),
    )
    .orderBy('o.id');
  if (organizationId) query = query.where('o.id', '=', organizationId);
  return (await query.execute()).map((r) => r.id);
}

/** Active members who have not signed in (or, never signed in, joined) since `cutoff`, and were not kept since it. */
async function staleMemberIds(db: DbOrTrx, organizationId: string, cutoff: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('members as m')
    .select('m.id')
    .where('m.organization_id', '=', organizationId)
    .where('m.status', '=', 'active')
    .where(sql<boolean>`coalesce(m.last_sign_in_at, m.joined_at) <= ${cutoff}::timestamptz`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('access_review_items as i')
            .innerJoin('access_reviews as r', 'r.id', 'i.review_id')
            .select(sql`1`.as('one'))
            .where('r.organization_id', '=', organizationId)
            .whereRef('i.member_id', '=', 'm.id')
            .where('i.decision', '=', 'keep')
            .where('i.decided_at', '>', cutoff),
        ),
      ),
    )
    .orderBy(sql`m.last_sign_in_at asc nulls first`)
    .orderBy('m.sort_name')
    .orderBy('m.id')
    .execute();
  return rows.map((r) => r.id);
}

async function latestReview(db: DbOrTrx, organizationId: string): Promise<AccessReview | undefined> {
  return db
    .selectFrom('access_reviews')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function findReview(db: DbOrTrx, organizationId: string, reviewId: string): Promise<AccessReview | undefined> {
  return db.selectFrom('access_reviews').selectAll().where('organization_id', '=', organizationId).where('id', '=', reviewId).executeTakeFirst();
}

/** The next review after this one, if any: it replaced this one. */
async function nextReview(db: DbOrTrx, review: AccessReview): Promise<AccessReview | undefined> {
  return db
    .selectFrom('access_reviews')
    .selectAll()
    .where('organization_id', '=', review.organization_id)
    // Compared with the row's own time in SQL: a JavaScript Date drops the microseconds, and a
    // review created by the database's now() would otherwise count as newer than itself.
    .where(sql<boolean>`(created_at, id) > (select r.created_at, r.id from access_reviews r where r.organization_id = ${review.organization_id} and r.id = ${review.id})`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

async function findItem(db: DbOrTrx, reviewId: string, memberId: string, options: { forUpdate?: boolean } = {}): Promise<AccessReviewItem | undefined> {
  let query = db.selectFrom('access_review_items').selectAll().where('review_id', '=', reviewId).where('member_id', '=', memberId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Records the decision only while the item is undecided; undefined when someone decided first. */
async function decideItem(
  db: DbOrTrx,
  reviewId: string,
  memberId: string,
  values: { decision: AccessReviewDecision; decidedBy: string; decidedAt: Date },
): Promise<AccessReviewItem | undefined> {
  return db
    .updateTable('access_review_items')
    .set({ decision: values.decision, decided_by_member_id: values.decidedBy, decided_at: values.decidedAt })
    .where('review_id', '=', reviewId)
    .where('member_id', '=', memberId)
    .where('decision', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Remembers where the digest was posted; only the first post counts (a retry never overwrites it). */
export async function recordAccessReviewMessage(
  db: DbOrTrx,
  review: { id: string; organization_id: string },
  message: { channelId: string; ts: string },
): Promise<void> {
  await db
    .updateTable('access_reviews')
    .set({ channel_id: message.channelId, message_ts: message.ts })
    .where('organization_id', '=', review.organization_id)
    .where('id', '=', review.id)
    .where('message_ts', 'is', null)
    .execute();
}

// ---------------------------------------------------------------------------
// Starting reviews

export interface StartedReview {
  review: AccessReview;
  memberIds: string[];
  /** Of those, how many were left undecided in the previous review. */
  carriedOver: number;
}

/**
 * The periodic job (hourly cron): starts the review of every organization that is due, one
 * transaction per organization. Each transaction first takes the organization's lock — waiting
 * for a change in flight rather than skipping the organization for an hour — and asks again
 * whether the review is due, so two workers (or a retry racing the cron) never start two: the
 * second one waits for the first to commit, then finds its review. Returns how many started.
 */
export async function startDueAccessReviews(db: Db, now = new Date()): Promise<number> {
  let started = 0;
  for (const organizationId of await dueOrganizationIds(db, now)) {
    const review = await db.transaction().execute(async (trx) => {
      const organization = await lockOrganization(trx, organizationId);
      if ((await dueOrganizationIds(trx, now, organization.id)).length === 0) return undefined;
      return startReview(trx, organization, now);
    });
    if (review) started += 1;
  }
  return started;
}

/**
 * Records a review and its items and its audit event, from which the tellers post the digest
 * and rewrite the previous review's to say it was replaced (src/notify/tellings/access-reviews.ts). A review with nobody to list is
 * recorded (the audit log shows the review ran, with `members: 0`, and the cadence counts from
 * it) but posts nothing: the approvals channel is where removal cards wait for a decision, and
 * a weekly "nothing to do" line there would be noise that trains owners to skim it.
 */
async function startReview(trx: DbOrTrx, organization: Organization, now: Date): Promise<StartedReview> {
  const channel = approvalsChannelOf(organization);
  const threshold = organization.inactivity_threshold_days;
  const memberIds = await staleMemberIds(trx, organization.id, new Date(now.getTime() - threshold * DAY_MS));
  const previous = await latestReview(trx, organization.id);

  const review = await trx
    .insertInto('access_reviews')
    .values({ organization_id: organization.id, threshold_days: threshold, channel_id: channel, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (memberIds.length > 0) {
    await trx
      .insertInto('access_review_items')
      .values(memberIds.map((member_id) => ({ review_id: review.id, member_id, decision: null, decided_by_member_id: null, decided_at: null })))
      .execute();
  }
  let carriedOver = 0;
  if (previous && memberIds.length > 0) {
    const row = await trx
      .selectFrom('access_review_items')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('review_id', '=', previous.id)
      .where('decision', 'is', null)
      .where('member_id', 'in', memberIds)
      .executeTakeFirstOrThrow();
    carriedOver = Number(row.n);
  }

  await appendAuditEvent(trx, {
    organizationId: organization.id,
    actor: SYSTEM_ACTOR,
    action: 'access_review.started',
    target: { type: 'access_review', id: review.id },
    after: { threshold_days: threshold, channel_id: channel, members: memberIds.length, member_ids: memberIds, carried_over: carriedOver, previous_review_id: previous?.id ?? null },
    source: 'system',
  });
  return { review, memberIds, carriedOver };
}

// ---------------------------------------------------------------------------
// Decisions

export type ReviewDecision = AccessReviewDecision;

export class AccessReviewDecisionRefusedError extends AppError {
  constructor(
    code: string,
    message: string | readonly Word[],
    /** The item as it is, when the refusal is that it was decided already. */
    readonly item?: AccessReviewItem,
  ) {
    super(code, message);
  }
}

export interface DecideReviewItemInput {
  organizationId: string;
  actorMemberId: string | null;
  reviewId: string;
  memberId: string;
  decision: ReviewDecision;
  source: AuditSource;
  now?: Date;
}

export interface DecidedReviewItem {
  review: AccessReview;
  item: AccessReviewItem;
  /** The member decided about, as they are now. */
  member: Member;
}

/** "already kept by X on T" / "removal already started by X on T", for whoever clicks late. */
function alreadyDecidedSentence(item: AccessReviewItem, member: Member, decider: Member | undefined): Word[] {
  const by: Word[] = decider ? say` by ${person(decider)}` : [];
  const at: Word[] = item.decided_at ? say` on ${moment(item.decided_at)}` : [];
  return item.decision === 'keep'
    ? say`${person(member)} was already kept${by}${at}.`
    : say`The removal of ${person(member)} was already started${by}${at}.`;
}

/**
 * Keep or Remove on one member of a review, by an owner, on the latest review only. Under the
 * organization lock, the actor, the review, the item and the member are read as they are now;
 * the item changes only while undecided (one audit event, `access_review.kept` or
 * `access_review.remove_started`, and the digest's rewrite queued). A second click, or a second
 * owner, is refused with who decided first. Remove only records that the removal was started:
 * the removal itself is the Remove dialog's (src/team/removals.ts), which the caller opens next,
 * so it is refused here whenever that dialog would (members, yourself, someone no longer here).
 */
export async function decideReviewItem(db: Db, input: DecideReviewItemInput): Promise<DecidedReviewItem> {
  const now = input.now ?? new Date();
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    const allowed = decide(actor, 'member.request_removal', organization.id);
    if (!allowed.allowed) {
      const isMember = actor && actor.status === 'active' && actor.organization_id === organization.id;
      throw new ForbiddenError(isMember ? 'Only owners can decide in an access review. You are a member of this team.' : allowed.reason!);
    }
    const owner = actor!;
    const review = await findReview(trx, organization.id, input.reviewId);
    if (!review) throw new AppError('not_found', 'That access review does not exist.');
    const newer = await nextReview(trx, review);
    if (newer) {
      throw new AccessReviewDecisionRefusedError(
        'review_replaced',
        say`This access review was replaced by a newer one on ${moment(newer.created_at)}; whoever is still inactive is listed there.`,
      );
    }
    const item = await findItem(trx, review.id, input.memberId, { forUpdate: true });
    const member = item ? await findMemberById(trx, organization.id, item.member_id) : undefined;
    if (!item || !member) throw new AppError('not_found', 'That person is not listed in this access review.');
    if (item.decision) {
      const decider = item.decided_by_member_id ? await findMemberById(trx, organization.id, item.decided_by_member_id) : undefined;
      throw new AccessReviewDecisionRefusedError('already_decided', alreadyDecidedSentence(item, member, decider), item);
    }
    if (member.status !== 'active') {
      throw new AccessReviewDecisionRefusedError('not_a_member', say`${person(member)} is no longer a member of the team: there is nothing to decide.`);
    }
    // (The last owner needs no check: whoever clicks is another active owner.)
    if (input.decision === 'remove' && member.id === owner.id) throw new ForbiddenError('To remove yourself, use `/team leave`.');

    const decided = await decideItem(trx, review.id, member.id, { decision: input.decision, decidedBy: owner.id, decidedAt: now });
    // Unreachable under the organization lock; kept so that the rule does not depend on it.
    if (!decided) throw new AccessReviewDecisionRefusedError('already_decided', 'Someone decided on this person a moment ago.');
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: { type: 'member', id: owner.id },
      action: input.decision === 'keep' ? 'access_review.kept' : 'access_review.remove_started',
      target: { type: 'member', id: member.id },
      before: { decision: null },
      after: { decision: input.decision, review_id: review.id, last_sign_in_at: member.last_sign_in_at?.toISOString() ?? null },
      source: input.source,
    });
    return { review, item: decided, member };
  });
}

// ---------------------------------------------------------------------------
// Reading, for the digest

export interface ReviewRow {
  member: Member;
  decision: AccessReviewDecision | null;
  decidedAt: Date | null;
  decider: Member | null;
}

export interface AccessReviewState {
  review: AccessReview;
  organizationName: string;
  /** Never signed in first, then the longest without a sign-in, then by name: a stable order. */
  rows: ReviewRow[];
  /** When a newer review replaced this one (its undecided members are listed there), else null. */
  replacedAt: Date | null;
}

/** A review with its members as they are now, who decided what, and whether it was replaced. */
export async function readAccessReview(db: DbOrTrx, organizationId: string, reviewId: string): Promise<AccessReviewState | undefined> {
  const review = await findReview(db, organizationId, reviewId);
  if (!review) return undefined;
  const organization = await db.selectFrom('organizations').select('name').where('id', '=', organizationId).executeTakeFirstOrThrow();
  const items = await db
    .selectFrom('access_review_items as i')
    .innerJoin('members as m', 'm.id', 'i.member_id')
    .selectAll('m')
    .select(['i.decision', 'i.decided_at', 'i.decided_by_member_id'])
    .where('i.review_id', '=', review.id)
    .where('m.organization_id', '=', organizationId)
    .orderBy(sql`m.last_sign_in_at asc nulls first`)
    .orderBy('m.sort_name')
    .orderBy('m.id')
    .execute();
  const deciderIds = [...new Set(items.map((i) => i.decided_by_member_id).filter((id): id is string => id !== null))];
  const deciders =
    deciderIds.length === 0
      ? []
      : await db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('id', 'in', deciderIds).execute();
  const byId = new Map(deciders.map((d) => [d.id, d]));
  const rows = items.map(({ decision, decided_at, decided_by_member_id, ...member }) => ({
    member: member as Member,
    decision,
    decidedAt: decided_at,
    decider: decided_by_member_id ? (byId.get(decided_by_member_id) ?? null) : null,
  }));
  const newer = await nextReview(db, review);
  return { review, organizationName: organization.name, rows, replacedAt: newer?.created_at ?? null };
}
