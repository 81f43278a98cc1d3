/**
 * Test data for the benchmark, written straight to the tables: the organization of the
 * stand-in's workspace, the people who act (alice and the bench owners, linked to Slack), and
 * as many other members as the scenario asks for, in one INSERT ... SELECT generate_series.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { encodeCursor } from '../src/team/member-list.js';
import type { SlackStandin } from '../src/standin/index.js';
import { BENCH_USERS, TEAM_CHANNEL } from './harness.js';

export interface SeededTeam {
  organizationId: string;
  size: number;
}

/** Names that never start with "carol" (the one-person search) and share prefixes as real names do. */
const FIRST = ['Ana', 'Ben', 'Chloe', 'Daniel', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kenji', 'Lina', 'Marco', 'Maria', 'Mateo', 'Nadia', 'Omar', 'Paula', 'Quentin', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wei', 'Xenia', 'Yusuf', 'Zoe', 'Martin', 'Mia', 'Lucas', 'Sofia'];
const LAST = ['Abbott', 'Brown', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'Lopez', 'Moreau', 'Nguyen', 'Olsen', 'Petrov', 'Quinn', 'Rossi', 'Silva', 'Tanaka', 'Usman', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zimmer', 'Martins', 'Meyer', 'Novak', 'Santos'];

/** The stand-in's default people: alice an owner, the others members, all linked. */
const PEOPLE = [
  { slack: 'U0ALICE001', email: 'alice@acme.test', name: 'Alice Archer', role: 'owner' },
  { slack: 'U0BOB00001', email: 'bob@acme.test', name: 'Bob Baker', role: 'member' },
  { slack: 'U0CAROL001', email: 'carol@acme.test', name: 'Carol Chen', role: 'member' },
  { slack: 'U0DAVE0001', email: 'dave@acme.test', name: 'Dave Diaz', role: 'member' },
] as const;

export async function seedTeam(db: Db, standin: SlackStandin, size: number): Promise<SeededTeam> {
  const organization = await db
    .insertInto('organizations')
    .values({ slack_team_id: standin.teamId, name: standin.teamName, team_channel_id: TEAM_CHANNEL, daily_invitation_limit: 10_000 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const named = [
    ...PEOPLE.map((p) => ({ slack_user_id: p.slack, email: p.email, display_name: p.name, role: p.role })),
    ...BENCH_USERS.map((u) => ({ slack_user_id: u.id, email: u.email, display_name: u.realName, role: 'owner' as const })),
  ];
  await db
    .insertInto('members')
    .values(named.map((m) => ({ organization_id: organization.id, ...m })))
    .execute();
  const team = { organizationId: organization.id, size: named.length };
  await growTeam(db, team, size);
  return team;
}

/** Adds members until the team has `size` active ones; every 250th an owner, every 9th known by email only. */
export async function growTeam(db: Db, team: SeededTeam, size: number): Promise<void> {
  if (size > team.size) {
    const from = team.size + 1;
    await sql`
      insert into members (organization_id, email, display_name, role, joined_at, last_sign_in_at)
      select ${team.organizationId}::uuid,
             'member' || n || '@example.test',
             case when n % 9 = 0 then null
                  else (${FIRST}::text[])[1 + n % ${FIRST.length}] || ' ' || (${LAST}::text[])[1 + (n / ${FIRST.length}) % ${LAST.length}] end,
             case when n % 250 = 0 then 'owner' else 'member' end,
             now() - n * interval '1 minute',
             case when n % 3 = 0 then null else now() - (n % 1000) * interval '1 hour' end
        from generate_series(${from}::int, ${size}::int) as n`.execute(db);
    team.size = size;
  }
  await sql`analyze members`.execute(db);
}

/** The cursor of the page after the member at `position` in page order (a "later page" of the list). */
export async function cursorAt(db: Db, organizationId: string, position: number): Promise<string> {
  const row = await db
    .selectFrom('members')
    .select(['role_rank', 'sort_name', 'id'])
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'active')
    .orderBy('role_rank')
    .orderBy('sort_name')
    .orderBy('id')
    .offset(position)
    .limit(1)
    .executeTakeFirstOrThrow();
  return encodeCursor(row);
}

/** Plain members (not linked, not the people who act) whose roles the dropdown scenario changes. */
export async function roleTargets(db: Db, organizationId: string, count: number): Promise<string[]> {
  const rows = await db
    .selectFrom('members')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('role', '=', 'member')
    .where('slack_user_id', 'is', null)
    .orderBy('id')
    .limit(count)
    .execute();
  return rows.map((r) => r.id);
}
