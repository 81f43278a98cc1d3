/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements a team page runs, summarised to one line each:
 * the plan's nodes (with the index each scan uses), the rows read, and the execution time.
 * Every statement is the app's own query builder (member-list.ts, member-repository.ts), so
 * the plans are those of what runs.
 */
import { sql, type Compilable } from 'kysely';
import type { Db } from '../src/db/database.js';
import { decodeCursor, keptCountQuery, pageQuery, searchCountQuery } from '../src/team/member-list.js';
import { activeOwnersCountQuery } from '../src/team/member-repository.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Heap Fetches'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  statement: string;
  /** e.g. "Limit > Index Scan using members_team_page (rows 11)" */
  plan: string;
  indexes: string[];
  /** A sequential scan of members means the statement reads the whole table. */
  seqScan: boolean;
  executionMs: number;
  /** Shared buffers touched (hit + read): the work the statement did. */
  buffers: number;
}

export async function explain(db: Db, statement: string, query: Compilable): Promise<PlanSummary> {
  const compiled = query.compile();
  const { rows } = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>`explain (analyze, buffers, format json) ${sql.raw(compiled.sql.replace(/\$(\d+)/g, (_, n: string) => literal(compiled.parameters[Number(n) - 1])))}`.execute(db);
  const top = rows[0]!['QUERY PLAN'][0]!;
  const parts: string[] = [];
  const indexes: string[] = [];
  let seqScan = false;
  const walk = (node: PlanNode, depth: number) => {
    if (depth > 6) return;
    let label = node['Node Type'];
    if (node['Index Name']) {
      label += ` using ${node['Index Name']}`;
      indexes.push(node['Index Name']);
    }
    if (node['Node Type'] === 'Seq Scan') seqScan = true;
    const rowsRead = (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) + (node['Rows Removed by Filter'] ?? 0);
    if (/Scan/.test(node['Node Type'])) label += ` (rows ${rowsRead}${node['Heap Fetches'] !== undefined ? `, heap fetches ${node['Heap Fetches']}` : ''})`;
    parts.push(label);
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(top.Plan, 0);
  return {
    statement,
    plan: parts.join(' > '),
    indexes: [...new Set(indexes)],
    seqScan,
    executionMs: top['Execution Time'],
    buffers: (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0),
  };
}

/** Parameters inlined as literals (EXPLAIN of a prepared statement would need PREPARE). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return `'${value.toISOString()}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

export async function teamPagePlans(db: Db, organizationId: string, laterCursor: string, searches: { person: string; broad: string }): Promise<PlanSummary[]> {
  const cursor = decodeCursor(laterCursor);
  const key = { role_rank: cursor.r, sort_name: cursor.n!, id: cursor.i };
  return [
    await explain(db, 'first page (keyset)', pageQuery(db, organizationId, { direction: 'forward', limit: 11 })),
    await explain(db, 'later page (keyset, after a cursor)', pageQuery(db, organizationId, { direction: 'forward', key, limit: 11 })),
    await explain(db, `search page "${searches.person}"`, pageQuery(db, organizationId, { search: searches.person, direction: 'forward', limit: 11 })),
    await explain(db, `search page "${searches.broad}"`, pageQuery(db, organizationId, { search: searches.broad, direction: 'forward', limit: 11 })),
    // The header's total is the count kept by migration 0007's triggers (countListedMembers).
    await explain(db, 'count of active members (the page header, kept count)', keptCountQuery(db, organizationId)),
    await explain(db, `count of "${searches.person}" matches`, searchCountQuery(db, organizationId, searches.person)),
    await explain(db, `count of "${searches.broad}" matches`, searchCountQuery(db, organizationId, searches.broad)),
    await explain(db, 'count of active owners (every /team command)', activeOwnersCountQuery(db, organizationId)),
    await explain(
      db,
      'the acting member by Slack id',
      db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('slack_user_id', '=', 'U0BENCH001'),
    ),
  ];
}
