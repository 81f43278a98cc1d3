import { beforeAll, describe, expect, it } from 'vitest';
import { checkQueryLog, checkStatement, loadParser } from '../support/tenant-filter.js';

/** The organization_id check itself (test/support/tenant-filter.ts), on statements written here. */
const DISTRIBUTED = new Set(['members', 'invitations', 'api_keys', 'audit_events']);

describe('the organization_id filter check', () => {
  beforeAll(() => loadParser());

  it('reports a statement on a distributed table without an organization_id filter', () => {
    expect(checkStatement('select * from members where id = $1', DISTRIBUTED)).toEqual(['members is not filtered by organization_id']);
    expect(checkStatement('update "members" set "role" = $1 where "id" = $2', DISTRIBUTED)).toEqual(['members is not filtered by organization_id']);
    expect(checkStatement('delete from invitations where status = $1', DISTRIBUTED)).toEqual(['invitations is not filtered by organization_id']);
    expect(checkStatement('insert into audit_events (action, actor) values ($1, $2)', DISTRIBUTED)).toEqual(['insert into audit_events without organization_id']);
    // Only in one branch of an OR: not a filter.
    expect(checkStatement('select * from members where organization_id = $1 or id = $2', DISTRIBUTED)).toHaveLength(1);
    // Compared with another column, or with a subquery's result: not routable to one node.
    expect(checkStatement('select * from members where organization_id = id', DISTRIBUTED)).toHaveLength(1);
    expect(checkStatement('select * from members where organization_id in (select organization_id from invitations where id = $1)', DISTRIBUTED)).toEqual([
      'members is not filtered by organization_id',
      'invitations is not filtered by organization_id',
    ]);
  });

  it('accepts equality, IN and = ANY on organization_id, and inserts that give it', () => {
    for (const statement of [
      'select * from members where organization_id = $1 and id = $2',
      'select * from "members" as "m" where ("m"."organization_id" = $1::uuid) and "m"."status" = $2',
      'select * from members where organization_id in ($1, $2)',
      'select * from members where organization_id = any($1::uuid[])',
      "update members set role = 'owner' where id = $1 and organization_id = $2",
      'delete from invitations where organization_id = $1 and id = $2 returning *',
      'insert into audit_events (organization_id, action) values ($1, $2) on conflict do nothing',
      'select count(*) from organizations where slack_team_id = $1', // not distributed: a reference table
      'select * from graphile_worker._private_jobs where id = $1', // another schema
      'with m as (select * from members where organization_id = $1) select * from m where id = $2',
    ]) {
      expect(checkStatement(statement, DISTRIBUTED), statement).toEqual([]);
    }
  });

  it('asks joins between distributed tables to be on organization_id, and subqueries to take it from around them', () => {
    expect(
      checkStatement('select * from invitations i join members m on m.id = i.invited_by_member_id where i.organization_id = $1', DISTRIBUTED),
    ).toEqual(['members (as m) is not filtered by organization_id']);
    expect(
      checkStatement(
        'select * from invitations i left join members m on m.organization_id = i.organization_id and m.id = i.invited_by_member_id where i.organization_id = $1',
        DISTRIBUTED,
      ),
    ).toEqual([]);
    expect(
      checkStatement('select * from members m where m.organization_id = $1 and exists (select 1 from invitations i where i.organization_id = m.organization_id and i.email = m.email)', DISTRIBUTED),
    ).toEqual([]);
    expect(
      checkStatement('select * from members m where m.organization_id = $1 and exists (select 1 from invitations i where i.email = m.email)', DISTRIBUTED),
    ).toEqual(['invitations (as i) is not filtered by organization_id']);
    // organizations.id is the organization's key: a sweep over organizations may look into each one's rows.
    expect(
      checkStatement('select o.id from organizations o where not exists (select 1 from audit_events e where e.organization_id = o.id and e.action = $1)', DISTRIBUTED),
    ).toEqual([]);
    expect(checkStatement('select * from organizations o join members m on m.organization_id = o.id where o.id = $1', DISTRIBUTED)).toEqual([]);
    expect(checkStatement('select * from organizations o join members m on m.organization_id = o.id where o.slack_team_id = $1', DISTRIBUTED)).toEqual([
      'members (as m) is not filtered by organization_id',
    ]);
  });

  it('sets aside the test’s own statements and the allowed ones, and reports the rest with their origin', () => {
    const entry = (sql: string, origin: string) => ({ sql, origin, source: 'test/e2e/x.test.ts', pid: 1 });
    const result = checkQueryLog(
      [
        entry('select * from members', 'test/e2e/x.test.ts:10'),
        entry('update members set role = $1', 'migrations/2026_11_27_0002_roles_settings.ts:5'),
        entry('select * from members where id = $1', 'src/team/member-repository.ts:40'),
        entry('select * from members where organization_id = $1', 'src/team/member-repository.ts:50'),
      ],
      DISTRIBUTED,
    );
    expect(result.checked).toBe(2);
    expect(result.allowed).toBe(1);
    expect(result.violations).toEqual([
      { sql: 'select * from members where id = $1', origin: 'src/team/member-repository.ts:40', source: 'test/e2e/x.test.ts', problems: ['members is not filtered by organization_id'] },
    ]);
  });
});
