import { readFileSync } from 'node:fs';
import { loadModule, parseSync } from 'libpg-query';
import { sql } from 'kysely';
import type { DbOrTrx } from '../../src/db/database.js';
import type { QueryLogEntry } from '../../src/db/query-log.js';

/**
 * The Citus readiness check (docs/operations.md): every statement the app sends that touches a
 * distributed table — a table of the public schema with an organization_id column — names the
 * organization, so that Citus can send it to the one node holding that organization's rows:
 *
 * - SELECT / UPDATE / DELETE: each distributed table in the statement has its organization_id
 *   constrained, by `organization_id = <parameter or constant>`, `IN (…)` or `= ANY(…)` among the
 *   conditions that must all hold (WHERE and JOIN … ON, joined by AND), or by being joined on
 *   `organization_id` to one that is (a join between distributed tables on another column
 *   alone is reported: Citus could not co-locate it). A subquery may take the organization from
 *   the statement around it (`x.organization_id = outer.organization_id`).
 * - INSERT into a distributed table gives organization_id.
 *
 * Not checked, by decision:
 * - `organizations` is keyed by `id` — its id IS the distribution key. It becomes a reference
 *   table (a copy on every node), because it is looked up by Slack team id, SCIM token or API key
 *   before the organization is known; it has no organization_id column, so the check leaves it be.
 * - Tables of other schemas: graphile-worker's queue (`graphile_worker.*`), which stays on the
 *   coordinator; and the public tables without organization_id (NOT_DISTRIBUTED below).
 * - Statements from migrations (schema changes run once, on the coordinator) and the test's own
 *   seeds and reads (origin under test/): the check is about what the app sends.
 * - Cross-tenant maintenance (ALLOWED below): sweeps that must scan every organization, each
 *   with the reason it is one.
 * A statement whose stack shows none of our frames (pg's callbacks, a test's expect.poll) has the
 * origin `unknown`, and is checked: better a test read reported than an app query missed.
 */

/** Public tables without organization_id, each with why it is not distributed by it (yet). */
export const NOT_DISTRIBUTED: Record<string, string> = {
  organizations: 'a reference table: keyed by id, its id IS the distribution key; looked up by Slack team id before the organization is known',
  kysely_migration: "the migrator's own bookkeeping, on the coordinator",
  kysely_migration_lock: "the migrator's own lock, on the coordinator",
  job_worker_heartbeats: 'job workers, not organizations: on the coordinator beside the graphile_worker queue',
  access_review_items: 'keyed through access_reviews (review_id): needs an organization_id column first (docs/operations.md)',
  invitation_sends: 'keyed through invitations (invitation_id): needs an organization_id column first (docs/operations.md)',
};

export interface AllowRule {
  /** Matched against the origin (file:line of our code that sent it). */
  origin?: RegExp;
  /** Matched against the statement text. */
  sql?: RegExp;
  /** One line: why this statement may scan every organization. */
  reason: string;
}

/** Explicitly cross-tenant statements: maintenance that must look at all organizations. */
export const ALLOWED: AllowRule[] = [
  { origin: /^(migrations\/|src\/db\/migrate\.ts:)/, reason: 'schema migrations run once, on the coordinator, before tenant traffic' },
  {
    origin: /^src\/api\/api-keys\.ts:/,
    sql: /^select .* from "api_keys" where "key_hash" = \$1$/,
    reason: 'API key authentication: the key is how the organization is found (one row by a unique hash; a lookup by key_hash index on every node)',
  },
  {
    origin: /^src\/team\/invitation-repository\.ts:/,
    sql: /^select \* from "invitations" where "token_hash" = \$1( for update)?$/,
    reason: 'the accept page: the token in the link is how the invitation, and so its organization, is found (one row by a unique hash)',
  },
  {
    origin: /^src\/slack\/installations\//,
    sql: /^(select \* from "slack_installations"|update "slack_installations" set "bot_token_encrypted" = \$1, "bot_refresh_token_encrypted" = \$2, "bot_token_expires_at" = \$3, "uninstalled_at" = \$4, "updated_at" = \$5) where "install_key" = \$(1|6)( for update| and "uninstalled_at" is null returning \*)?$/,
    reason: 'Slack installations: Bolt asks by team / enterprise id (the install key) before the organization is known',
  },
  // The expiry sweeps of the job worker: they look for what is due in every organization. Under
  // Citus a multi-shard SELECT … FOR UPDATE is refused, so the two that lock must first find the
  // organizations with something due (as expireTemporaryOwners does) and lock per organization.
  {
    origin: /^src\/team\/owner-expiry\.ts:/,
    sql: /^select distinct "organization_id" from "members" where /,
    reason: 'temporary owners sweep: finds the organizations with an ownership due, then works in each',
  },
  {
    origin: /^src\/team\/invitation-repository\.ts:/,
    sql: /^select \* from "invitations" where "status" = \$1 and "expires_at" <= \$2 order by "expires_at" limit \$3 for update skip locked$/,
    reason: 'invitation expiry sweep: every organization’s due invitations (per organization first, under Citus)',
  },
  {
    origin: /^src\/team\/removal-repository\.ts:/,
    sql: /^select \* from "removal_requests" where "status" = \$1 and "expires_at" <= \$2 order by "expires_at" limit \$3 for update skip locked$/,
    reason: 'removal request expiry sweep: every organization’s due requests (per organization first, under Citus)',
  },
  {
    origin: /^src\/webhooks\/delivery\.ts:/,
    sql: /^update "webhook_deliveries" set "body" = \$1 where "body" is not null and "created_at" < \$2$/,
    reason: 'hourly purge of delivery bodies older than 7 days, in every organization (a multi-shard UPDATE, which Citus runs)',
  },
  {
    sql: /^select organization_id from slack_token_holds where next_probe_at <= now\(\)$/,
    reason: 'Slack token probe sweep: which organizations’ held deliveries are due a probe',
  },
];

export interface Violation {
  sql: string;
  origin: string;
  source: string;
  problems: string[];
}

export interface CheckResult {
  /** Distinct statements checked (after the test's own and the allowed ones are set aside). */
  checked: number;
  allowed: number;
  violations: Violation[];
}

/** The public tables with an organization_id column: the distributed ones. */
export async function readDistributedTables(db: DbOrTrx): Promise<Set<string>> {
  const { rows } = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and c.column_name = 'organization_id' and t.table_type = 'BASE TABLE'`.execute(db);
  return new Set(rows.map((r) => r.table_name));
}

/** The public base tables without organization_id. */
export async function readUndistributedTables(db: DbOrTrx): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select t.table_name from information_schema.tables t
     where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
       and not exists (select 1 from information_schema.columns c
                        where c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'organization_id')
     order by 1`.execute(db);
  return rows.map((r) => r.table_name);
}

export function readQueryLog(file: string): QueryLogEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as QueryLogEntry);
}

let loaded: Promise<void> | undefined;
/** The parser is WebAssembly: load it once before checkStatement. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export function checkQueryLog(entries: QueryLogEntry[], distributed: Set<string>, allow: AllowRule[] = ALLOWED): CheckResult {
  const bySql = new Map<string, QueryLogEntry[]>();
  for (const entry of entries) {
    if (entry.origin.startsWith('test/')) continue;
    const list = bySql.get(entry.sql) ?? [];
    list.push(entry);
    bySql.set(entry.sql, list);
  }
  let allowed = 0;
  let checked = 0;
  const violations: Violation[] = [];
  const memo = new Map<string, string[]>();
  for (const [text, list] of bySql) {
    const notAllowed = list.filter((e) => !allow.some((rule) => (!rule.origin || rule.origin.test(e.origin)) && (!rule.sql || rule.sql.test(text))));
    if (notAllowed.length === 0) {
      allowed++;
      continue;
    }
    checked++;
    const problems = memo.get(text) ?? checkStatement(text, distributed);
    memo.set(text, problems);
    if (problems.length > 0) {
      const origins = [...new Set(notAllowed.map((e) => e.origin))];
      const sources = [...new Set(notAllowed.map((e) => e.source))];
      violations.push({ sql: text, origin: origins.join(', '), source: sources.join(', '), problems });
    }
  }
  return { checked, allowed, violations };
}

// ---- the statement check, over libpg-query's parse tree (PostgreSQL's own parser) ----

type Node = Record<string, unknown>;

interface Relation {
  /** The name columns are qualified with: the alias, else the table name. */
  name: string;
  table: string;
  distributed: boolean;
}

interface Scope {
  relations: Relation[];
  ctes: Set<string>;
}

/** The problems of one statement text (which may hold several statements): empty when it is filtered. */
export function checkStatement(text: string, distributed: Set<string>): string[] {
  let tree: { stmts?: { stmt: Node }[] };
  try {
    tree = parseSync(text) as typeof tree;
  } catch (err) {
    return [`could not parse: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  for (const { stmt } of tree.stmts ?? []) visit(stmt, [], distributed, problems);
  return [...new Set(problems)];
}

function visit(value: unknown, scopes: Scope[], distributed: Set<string>, problems: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, scopes, distributed, problems);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Node;
  for (const [kind, body] of Object.entries(node)) {
    if (kind === 'SelectStmt' || kind === 'UpdateStmt' || kind === 'DeleteStmt' || kind === 'InsertStmt') {
      checkBlock(kind, body as Node, scopes, distributed, problems);
    } else {
      visit(body, scopes, distributed, problems);
    }
  }
}

function checkBlock(kind: string, stmt: Node, outer: Scope[], distributed: Set<string>, problems: string[]): void {
  const ctes = new Set<string>(outer.flatMap((s) => [...s.ctes]));
  const withClause = (stmt.withClause as Node | undefined)?.ctes as Node[] | undefined;
  for (const cte of withClause ?? []) ctes.add(String((cte.CommonTableExpr as Node).ctename));
  const scope: Scope = { relations: [], ctes };
  const conditions: unknown[] = [];
  const nested: unknown[] = [];

  const addRangeVar = (rv: Node) => {
    const table = String(rv.relname);
    const schema = rv.schemaname as string | undefined;
    const alias = (rv.alias as Node | undefined)?.aliasname as string | undefined;
    const isCte = !schema && ctes.has(table);
    scope.relations.push({ name: alias ?? table, table, distributed: !isCte && (!schema || schema === 'public') && distributed.has(table) });
  };
  const addFrom = (item: Node) => {
    if (item.RangeVar) addRangeVar(item.RangeVar as Node);
    else if (item.JoinExpr) {
      const join = item.JoinExpr as Node;
      addFrom(join.larg as Node);
      addFrom(join.rarg as Node);
      if (join.quals) conditions.push(join.quals);
      nested.push(join.quals);
    } else nested.push(item); // subqueries, functions: checked on their own
  };

  for (const cte of withClause ?? []) nested.push(cte);
  if (kind === 'InsertStmt') {
    const rv = stmt.relation as Node;
    const table = String(rv.relname);
    const schema = rv.schemaname as string | undefined;
    if ((!schema || schema === 'public') && distributed.has(table)) {
      const cols = ((stmt.cols as Node[] | undefined) ?? []).map((c) => (c.ResTarget as Node).name);
      if (!cols.includes('organization_id')) problems.push(`insert into ${table} without organization_id`);
    }
    nested.push(stmt.selectStmt, stmt.onConflictClause, stmt.returningList);
    for (const n of nested) visit(n, outer, distributed, problems);
    return;
  }
  if (kind === 'SelectStmt') {
    if (stmt.op && stmt.op !== 'SETOP_NONE') {
      // UNION / INTERSECT / EXCEPT: each side is a block of its own.
      visit([stmt.larg, stmt.rarg], [...outer, scope], distributed, problems);
      for (const n of nested) visit(n, outer, distributed, problems);
      return;
    }
    for (const item of (stmt.fromClause as Node[] | undefined) ?? []) addFrom(item);
    nested.push(stmt.targetList, stmt.havingClause, stmt.valuesLists, stmt.sortClause, stmt.groupClause);
  } else {
    addRangeVar(stmt.relation as Node);
    for (const item of ((kind === 'UpdateStmt' ? stmt.fromClause : stmt.usingClause) as Node[] | undefined) ?? []) addFrom(item);
    nested.push(stmt.targetList, stmt.returningList);
  }
  if (stmt.whereClause) conditions.push(stmt.whereClause);
  nested.push(stmt.whereClause);

  const inner = scope.relations.filter((r) => r.distributed);
  if (inner.length > 0) {
    const anchored = new Set<Relation>();
    const edges: [Relation, Relation][] = [];
    for (const condition of conditions.flatMap(conjuncts)) {
      const c = classify(condition, scope, outer);
      if (c?.kind === 'anchor') anchored.add(c.relation);
      if (c?.kind === 'edge') edges.push([c.a, c.b]);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const [a, b] of edges) {
        if (anchored.has(a) !== anchored.has(b)) {
          anchored.add(a).add(b);
          changed = true;
        }
      }
    }
    for (const r of inner) {
      if (!anchored.has(r)) problems.push(`${r.table}${r.name !== r.table ? ` (as ${r.name})` : ''} is not filtered by organization_id`);
    }
  }
  for (const n of nested) visit(n, [...outer, scope], distributed, problems);
}

/** The conditions that must all hold: the operands of top-level ANDs. */
function conjuncts(condition: unknown): unknown[] {
  const bool = (condition as Node).BoolExpr as Node | undefined;
  if (bool && bool.boolop === 'AND_EXPR') return (bool.args as unknown[]).flatMap(conjuncts);
  return [condition];
}

type Classified = { kind: 'anchor'; relation: Relation } | { kind: 'edge'; a: Relation; b: Relation } | undefined;

function classify(condition: unknown, scope: Scope, outer: Scope[]): Classified {
  const expr = (condition as Node).A_Expr as Node | undefined;
  if (!expr) return undefined;
  const op = ((expr.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval;
  if (op !== '=') return undefined;
  const left = orgColumn(expr.lexpr, scope, outer);
  const right = expr.kind === 'AEXPR_OP' ? orgColumn(expr.rexpr, scope, outer) : undefined;
  if (expr.kind === 'AEXPR_IN' || expr.kind === 'AEXPR_OP_ANY') {
    if (left?.where === 'here' && isValue(expr.rexpr)) return { kind: 'anchor', relation: left.relation };
    return undefined;
  }
  if (expr.kind !== 'AEXPR_OP') return undefined;
  if (left?.where === 'here' && right?.where === 'here') return { kind: 'edge', a: left.relation, b: right.relation };
  // A column of the statement around a subquery: the organization that one is filtered by.
  if (left?.where === 'here' && (right?.where === 'outer' || (!right && isValue(expr.rexpr)))) return { kind: 'anchor', relation: left.relation };
  if (right?.where === 'here' && (left?.where === 'outer' || (!left && isValue(expr.lexpr)))) return { kind: 'anchor', relation: right.relation };
  return undefined;
}

/** Parameters, constants, lists and arrays of them, casts of them: values known before the query runs. */
function isValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isValue);
  const node = value as Node | undefined;
  if (!node) return false;
  if (node.ParamRef || node.A_Const) return true;
  if (node.TypeCast) return isValue((node.TypeCast as Node).arg);
  if (node.List) return isValue((node.List as Node).items);
  if (node.A_ArrayExpr) return isValue(((node.A_ArrayExpr as Node).elements as unknown[] | undefined) ?? []);
  return false;
}

/** When `value` is an organization_id column: of which relation, here or in an outer statement. */
function orgColumn(value: unknown, scope: Scope, outer: Scope[]): { where: 'here' | 'outer'; relation: Relation } | undefined {
  let node = value as Node | undefined;
  while (node?.TypeCast) node = (node.TypeCast as Node).arg as Node;
  const ref = node?.ColumnRef as Node | undefined;
  if (!ref) return undefined;
  const fields = (ref.fields as Node[]).map((f) => (f.String as Node | undefined)?.sval as string | undefined);
  const column = fields.at(-1);
  // organizations.id is the organization: its key, as organization_id is the others'.
  if (column !== 'organization_id' && column !== 'id') return undefined;
  const keyed = (r: Relation) => (column === 'id' ? r.table === 'organizations' : r.distributed);
  const qualifier = fields.length >= 2 ? fields.at(-2) : undefined;
  const scopes: [Scope, 'here' | 'outer'][] = [[scope, 'here'], ...[...outer].reverse().map((s): [Scope, 'outer'] => [s, 'outer'])];
  for (const [s, where] of scopes) {
    if (column === 'id' && !qualifier && s.relations.length !== 1) return undefined;
    const candidates = qualifier ? s.relations.filter((r) => r.name === qualifier) : s.relations.filter(keyed);
    if (candidates.length === 1 && !keyed(candidates[0]!)) return undefined;
    if (candidates.length === 1) return { where, relation: candidates[0]! };
    if (qualifier && candidates.length === 0) continue;
    if (!qualifier && candidates.length === 0) continue;
    return undefined;
  }
  return undefined;
}
