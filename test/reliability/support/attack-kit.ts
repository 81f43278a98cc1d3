import { SETTING_KEYS } from '../../../src/team/settings.js';
import { sql } from 'kysely';
import type { Db } from '../../../src/db/database.js';
import type { SlackDriver, SlackHttpResult } from '../../../src/standin/slack-driver.js';

/**
 * Shared tools for the bad-input and attack tests (test/reliability/{signatures,
 * authorization-matrix,tokens-keys,injection,payload-shape}.test.ts): what an organization's
 * state is (to prove a refused request changed nothing), payloads re-addressed to another
 * workspace, and log scans for secrets and crashes.
 */

/**
 * Everything a request could change in one organization, as one comparable string: members
 * (role, status, names, link), invitations (status, token, expiry, sends), removal requests,
 * the organization's settings, the audit log (count and last id), access review decisions,
 * ingested activity and API keys. Columns that change on every request without being a change
 * of state (last Slack activity, API key last use) are left out on purpose.
 */
export async function orgFingerprint(db: Db, organizationId: string): Promise<string> {
  const [org, members, invitations, removals, audit, reviewItems, activity, keys] = await Promise.all([
    db
      .selectFrom('organizations')
      // The name and every setting (the list settings.ts keeps), so a new setting is covered too.
      .select(['name', ...SETTING_KEYS])
      .where('id', '=', organizationId)
      .executeTakeFirst(),
    db
      .selectFrom('members')
      .select(['id', 'email', 'role', 'status', 'display_name', 'slack_user_id', 'removed_at', 'last_sign_in_at'])
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('invitations')
      .select(['id', 'email', 'role', 'status', 'message', 'expires_at', 'send_count', 'token_hash', 'member_id'])
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('removal_requests')
      .select(['id', 'status', 'reason', 'decision_reason', 'decided_by_member_id'])
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('audit_events')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('id').as('last')])
      .where('organization_id', '=', organizationId)
      .executeTakeFirst(),
    sql<{ review_id: string; member_id: string; decision: string | null }>`
      select i.review_id, i.member_id, i.decision
        from access_review_items i join access_reviews r on r.id = i.review_id
       where r.organization_id = ${organizationId}
       order by i.review_id, i.member_id`
      .execute(db)
      .then((r) => r.rows),
    sql<{ n: string }>`select count(*)::text as n from activity_events where organization_id = ${organizationId}`.execute(db).then((r) => r.rows[0]?.n),
    db.selectFrom('api_keys').select(['id', 'revoked_at']).where('organization_id', '=', organizationId).orderBy('id').execute(),
  ]);
  return JSON.stringify({ org, members, invitations: invitations.map((i) => ({ ...i, token_hash: i.token_hash?.toString('hex') ?? null })), removals, audit, reviewItems, activity, keys });
}

/** Audit actions of an organization after a given event id. */
export async function auditSince(db: Db, organizationId: string, afterId: string | null): Promise<string[]> {
  let q = db.selectFrom('audit_events').select(['id', 'action']).where('organization_id', '=', organizationId);
  if (afterId) q = q.where('id', '>', afterId);
  return (await q.orderBy('id').execute()).map((r) => r.action);
}

export async function lastAuditId(db: Db, organizationId: string): Promise<string | null> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('last')).where('organization_id', '=', organizationId).executeTakeFirst();
  return (row?.last as string | null | undefined) ?? null;
}

// ---------------------------------------------------------------------------
// Payloads re-addressed to another workspace (Bolt reads team_id / team.id / user.team_id /
// view.app_installed_team_id; all of them are rewritten).

export function commandForm(fields: Record<string, string>, teamId?: string): string {
  return new URLSearchParams(teamId ? { ...fields, team_id: teamId } : fields).toString();
}

export function payloadForm(payload: Record<string, unknown>, teamId?: string): string {
  const p = structuredClone(payload) as Record<string, any>;
  if (teamId) {
    if (p.team) p.team = { ...p.team, id: teamId };
    if (p.user) p.user = { ...p.user, team_id: teamId };
    if (p.view) p.view = { ...p.view, team_id: teamId, app_installed_team_id: teamId };
  }
  return new URLSearchParams({ payload: JSON.stringify(p) }).toString();
}

/** POST a form body, correctly signed, to the app. */
export function sendForm(driver: SlackDriver, body: string): Promise<SlackHttpResult> {
  return driver.send(body, { contentType: 'application/x-www-form-urlencoded' });
}

// ---------------------------------------------------------------------------
// Logs

export interface LogSource {
  text(): string;
  lines(): Array<Record<string, unknown>>;
}

/** Every secret (token, key, signing secret) that appears anywhere in the captured log text. */
export function secretsInLogs(logs: LogSource, secrets: readonly string[]): string[] {
  const text = logs.text();
  return secrets.filter((s) => s.length >= 8 && text.includes(s));
}

/** Log lines at error level or above (pino 50+): crashes, unexpected errors. */
export function errorLines(logs: LogSource, from = 0): Array<Record<string, unknown>> {
  return logs
    .lines()
    .slice(from)
    .filter((l) => typeof l.level === 'number' && l.level >= 50);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
