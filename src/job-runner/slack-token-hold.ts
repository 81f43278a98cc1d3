import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * When Slack refuses an organization's bot token (invalid_auth, token_revoked, account_inactive),
 * every Slack job of that organization would fail the same way: retried as an outage, they make a
 * retry storm against Slack and a log line each; dropped as undeliverable, they are lost although
 * a fixed token would deliver them. Instead the organization gets a hold (slack_token_holds, one
 * row): the first refusal logs one error, later jobs of the organization are failed *before*
 * calling Slack (graphile-worker retries them later, with its backoff), and one job every
 * `probeMs` is let through as a probe (a per-minute sweep moves one held job to now when its
 * organization's probe is due, however far its backoff has grown). The hold ends when a probe succeeds (the token works
 * again) or when the organization's token is a different one (a reinstall, a new
 * SLACK_BOT_TOKEN after a restart); the held jobs are then rescheduled to run at once, with
 * their attempts reset, so none runs out of attempts while held.
 *
 * A held job that is between its check and its failure when the hold ends keeps its backoff
 * (seconds to minutes at first): it is late, not lost.
 */

/** The start of the error a held job fails with; the release finds held jobs by it. */
const HELD = 'slack token held for organization';

export class SlackTokenHeldError extends Error {
  constructor(organizationId: string) {
    super(`${HELD} ${organizationId}: waiting for a working token`);
    this.name = 'SlackTokenHeldError';
  }
}

/** What the token is, without keeping it: enough to see that it changed. */
export function tokenFingerprint(token: string | undefined): string {
  return createHash('sha256').update(token ?? '').digest('hex').slice(0, 16);
}

export type Verdict = 'clear' | 'held' | 'probe';

export interface TokenHolds {
  /** Before a Slack job runs: may it call Slack ('clear'), is it the probe, or is it held? */
  before(organizationId: string, fingerprint: string): Promise<Verdict>;
  /** Slack refused the token: hold the organization (logged once, when the hold starts). */
  hold(organizationId: string, fingerprint: string, slackError: string, log: Logger): Promise<void>;
  /** The token works (a probe went through): end the hold and run the held jobs now. */
  release(organizationId: string, log: Logger, why: string): Promise<void>;
  /**
   * Periodic: for each hold whose probe is due, moves one held job to now. Held jobs back off
   * exponentially (hours apart after a long hold); this keeps the probe to its interval.
   */
  nudge(): Promise<number>;
}

export function tokenHolds(pool: pg.Pool, probeMs: number): TokenHolds {
  const interval = `${Math.max(1, Math.round(probeMs))} milliseconds`;
  const holds: TokenHolds = {
    async before(organizationId, fingerprint) {
      const { rows } = await pool.query<{ token_fingerprint: string }>('select token_fingerprint from slack_token_holds where organization_id = $1', [organizationId]);
      const row = rows[0];
      if (!row) return 'clear';
      if (row.token_fingerprint !== fingerprint) return 'probe';
      // One probe per interval across all workers: whoever moves next_probe_at on is it.
      const claimed = await pool.query(
        'update slack_token_holds set next_probe_at = now() + $2::interval where organization_id = $1 and next_probe_at <= now() returning 1',
        [organizationId, interval],
      );
      return (claimed.rowCount ?? 0) > 0 ? 'probe' : 'held';
    },
    async hold(organizationId, fingerprint, slackError, log) {
      const { rows } = await pool.query<{ started: boolean }>(
        `insert into slack_token_holds (organization_id, slack_error, token_fingerprint, next_probe_at)
         values ($1, $2, $3, now() + $4::interval)
         on conflict (organization_id) do update
           set slack_error = excluded.slack_error, token_fingerprint = excluded.token_fingerprint, next_probe_at = excluded.next_probe_at
         returning (xmax = 0) as started`,
        [organizationId, slackError, fingerprint, interval],
      );
      if (rows[0]?.started) {
        log.error(
          { organizationId, slackError, retryEverySeconds: Math.round(probeMs / 1000) },
          'Slack refused the bot token; deliveries for this organization are held (not lost) until the token works again: reinstall the app or set a new SLACK_BOT_TOKEN',
        );
      }
    },
    async release(organizationId, log, why) {
      const ended = await pool.query('delete from slack_token_holds where organization_id = $1 returning 1', [organizationId]);
      if ((ended.rowCount ?? 0) === 0) return;
      const { rows } = await pool.query<{ id: string }>(
        `select id from graphile_worker.jobs where locked_at is null and last_error like $1`,
        [`%${HELD} ${organizationId}%`],
      );
      if (rows.length > 0) {
        await pool.query('select 1 from graphile_worker.reschedule_jobs($1::bigint[], now(), null, 0, null)', [rows.map((r) => r.id)]);
      }
      log.info({ organizationId, resumed: rows.length, why }, 'Slack accepts the bot token again; held deliveries resume');
    },
    async nudge() {
      const { rows } = await pool.query<{ organization_id: string }>('select organization_id from slack_token_holds where next_probe_at <= now()');
      let nudged = 0;
      for (const { organization_id } of rows) {
        const job = await pool.query<{ id: string }>(
          `select id from graphile_worker.jobs where locked_at is null and last_error like $1 order by run_at limit 1`,
          [`%${HELD} ${organization_id}%`],
        );
        if (job.rows[0]) {
          await pool.query('select 1 from graphile_worker.reschedule_jobs(array[$1::bigint], now())', [job.rows[0].id]);
          nudged++;
        }
      }
      return nudged;
    },
  };
  return holds;
}
