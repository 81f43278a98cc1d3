import { sql, type Kysely } from 'kysely';

/**
 * Least privilege for owners (issue 19, parts 1 and 2):
 * - `members.owner_until`: an owner until that time, when the expiry job makes them a member
 *   again; null is a permanent owner (and every member). `owner_expiry_held_at` records that the
 *   clock found them the last owner and kept them, so the owners are told that once.
 * - `organizations.promotion_approval_policy`: whether making someone an owner needs a second owner;
 *   `immediate` by default, so that upgrading does not change what an owner's role change does
 *   (README, "Promotion to owner").
 * - removal requests become requests of a `kind`: a promotion waits for approval with the same
 *   card, buttons, expiry and exactly-once decision as a removal; `owner_until` is the
 *   promotion's end when it is temporary.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table members add column owner_until timestamptz`.execute(db);
  await sql`alter table members add column owner_expiry_held_at timestamptz`.execute(db);
  await sql`alter table members add constraint members_owner_until_owner check (owner_until is null or role = 'owner')`.execute(db);
  await sql`create index members_owner_until_due on members (owner_until) where owner_until is not null and status = 'active'`.execute(db);

  await sql`alter table organizations add column promotion_approval_policy text not null default 'immediate'
    check (promotion_approval_policy in ('immediate', 'another-owner'))`.execute(db);

  await sql`alter table removal_requests add column kind text not null default 'removal' check (kind in ('removal', 'promotion'))`.execute(db);
  await sql`alter table removal_requests add column owner_until timestamptz`.execute(db);
  await sql`alter table removal_requests add constraint removal_requests_owner_until_promotion check (owner_until is null or kind = 'promotion')`.execute(db);
  // One open request per person and kind: a promotion may wait while a removal of the same person does not.
  await sql`drop index removal_requests_one_pending`.execute(db);
  await sql`create unique index removal_requests_one_pending on removal_requests (organization_id, target_member_id, kind) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from removal_requests where kind = 'promotion'`.execute(db);
  await sql`drop index removal_requests_one_pending`.execute(db);
  await sql`create unique index removal_requests_one_pending on removal_requests (organization_id, target_member_id) where status = 'pending'`.execute(db);
  await sql`alter table removal_requests drop column owner_until, drop column kind`.execute(db);
  await sql`alter table organizations drop column promotion_approval_policy`.execute(db);
  await sql`alter table members drop constraint members_owner_until_owner, drop column owner_until, drop column owner_expiry_held_at`.execute(db);
}
