import { sql, type Kysely } from 'kysely';

/**
 * Restore (issue 19): how many days after a removal an owner can still bring the member back
 * (0 turns restore off, and with it the Undo of a removal), and when a member was last restored.
 * A restore reuses the member's own row, so joined_at (when they first joined) stays as it was:
 * restored_at says when they came back, and the audit log holds the removal in between.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table organizations add column restore_window_days integer not null default 30
    check (restore_window_days between 0 and 90)`.execute(db);
  await sql`alter table members add column restored_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table members drop column restored_at`.execute(db);
  await sql`alter table organizations drop column restore_window_days`.execute(db);
}
