import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/database.js';
import type { Organization } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { deliver } from './delivery.js';
import { isSlackGuest } from './people-directory.js';
import { SLACK_DIRECTORY } from '../team/directory-changes.js';
import { emptyDirectoryReport, finishDirectorySweep, reconcileDirectoryPage, startDirectorySweep, type DirectoryAccount, type DirectoryReport } from '../team/directory-sync.js';

/** The fields of a Slack user object (users.list, users.info, user_change) that decide membership. */
export interface SlackAccount {
  id?: string;
  team_id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_stranger?: boolean;
  profile?: { email?: string };
}

/**
 * A Slack account as the domain sees it, or undefined when it is nobody of ours: a bot (Slackbot
 * included), or someone of another organization seen through a Slack Connect channel (another
 * `team_id`, or `is_stranger`), who never matches a member.
 */
export function directoryAccountOf(user: SlackAccount, organization: Pick<Organization, 'slack_team_id'>): DirectoryAccount | undefined {
  if (!user.id || user.is_bot || user.id === 'USLACKBOT' || user.is_stranger || user.team_id !== organization.slack_team_id) return undefined;
  return { userId: user.id, deleted: user.deleted === true, email: user.profile?.email ?? null, guest: isSlackGuest(user) };
}

/**
 * users.list is Slack's Tier 2 (about 20 calls a minute): pages of 200 (Slack's advice) three
 * seconds apart stay inside it with room for the app's other calls; a 429 anyway is waited out
 * as its Retry-After asks.
 */
export const SYNC_PAGE_SIZE = 200;
export const SYNC_PAGE_PAUSE_MS = 3_000;

/**
 * The daily sweep (and `npm run cli -- sync slack`): pages through the workspace's accounts and
 * applies to each the rule a `user_change` event would have, for whatever a missed event left
 * drifted. Reports what it found and changed.
 */
export async function syncSlackDirectory(deps: {
  db: Db;
  client: WebClient;
  organization: Pick<Organization, 'id' | 'slack_team_id'>;
  log: Logger;
  pageSize?: number;
  pauseMs?: number;
  signal?: AbortSignal;
}): Promise<DirectoryReport> {
  const report = emptyDirectoryReport();
  // One sweep: its changes are told in the team channel once, in the summary at the end.
  const directory = startDirectorySweep(SLACK_DIRECTORY);
  const pauseMs = deps.pauseMs ?? SYNC_PAGE_PAUSE_MS;
  let cursor: string | undefined;
  let pages = 0;
  try {
    do {
      if (pages > 0 && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (deps.signal?.aborted) throw new Error('directory sync stopped: the worker is shutting down');
      const args = { limit: deps.pageSize ?? SYNC_PAGE_SIZE, ...(cursor ? { cursor } : {}) };
      // A 429 is waited out as Slack's Retry-After asks (the pace above should make it rare).
      const page = await deliver(() => deps.client.users.list(args), { log: deps.log, maxRateLimitWaitMs: 120_000, ...(deps.signal ? { signal: deps.signal } : {}) });
      pages += 1;
      const accounts = (page.members ?? []).flatMap((u) => directoryAccountOf(u, deps.organization) ?? []);
      // The page's own outsiders (bots, Slack Connect) are seen but never ours.
      report.seen += (page.members?.length ?? 0) - accounts.length;
      await reconcileDirectoryPage(deps.db, deps.organization.id, accounts, directory, report);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (error) {
    // Stopped part-way (shutdown, Slack or the database failing): what it changed by then was
    // not told person by person, so its summary still goes out, marked as incomplete.
    await finishDirectorySweep(deps.db, deps.organization.id, directory, report, { complete: false }).catch((e: unknown) =>
      deps.log.error({ organizationId: deps.organization.id, error: e instanceof Error ? e.message : String(e) }, 'could not record an interrupted Slack directory sync'),
    );
    throw error;
  }
  await finishDirectorySweep(deps.db, deps.organization.id, directory, report);
  const { removedMemberIds: _names, ...counts } = report;
  deps.log.info({ organizationId: deps.organization.id, pages, ...counts }, 'Slack directory sync done');
  return report;
}
