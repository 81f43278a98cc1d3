import { sql, type Kysely } from 'kysely';

/**
 * The number of active members per organization, kept by the database itself (statement-level
 * triggers with transition tables, so a bulk insert updates it once), so the team page's
 * header reads one row instead of counting every member on every page view.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table organization_member_counts (
      organization_id uuid primary key references organizations(id) on delete cascade,
      active integer not null default 0 check (active >= 0)
    )`.execute(db);
  await sql`
    create function members_count_active() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        -- A row for every organization that has members at all, so updates always find one.
        insert into organization_member_counts as c (organization_id, active)
        select organization_id, count(*) filter (where status = 'active') from new_rows group by organization_id
        on conflict (organization_id) do update set active = c.active + excluded.active;
      elsif tg_op = 'UPDATE' then
        update organization_member_counts c set active = c.active + d.delta
          from (
            select organization_id, sum(delta) as delta from (
              select organization_id, 1 as delta from new_rows where status = 'active'
              union all
              select organization_id, -1 from old_rows where status = 'active'
            ) x group by organization_id having sum(delta) <> 0
          ) d
         where c.organization_id = d.organization_id;
      else
        update organization_member_counts c set active = c.active - d.n
          from (select organization_id, count(*) as n from old_rows where status = 'active' group by organization_id) d
         where c.organization_id = d.organization_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger members_count_insert after insert on members referencing new table as new_rows for each statement execute function members_count_active()`.execute(db);
  await sql`create trigger members_count_update after update on members referencing old table as old_rows new table as new_rows for each statement execute function members_count_active()`.execute(db);
  await sql`create trigger members_count_delete after delete on members referencing old table as old_rows for each statement execute function members_count_active()`.execute(db);
  await sql`
    insert into organization_member_counts (organization_id, active)
    select o.id, (select count(*) from members m where m.organization_id = o.id and m.status = 'active') from organizations o`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger members_count_insert on members`.execute(db);
  await sql`drop trigger members_count_update on members`.execute(db);
  await sql`drop trigger members_count_delete on members`.execute(db);
  await sql`drop function members_count_active()`.execute(db);
  await sql`drop table organization_member_counts`.execute(db);
}
