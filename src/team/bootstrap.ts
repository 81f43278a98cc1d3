import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { countActiveOwners } from './member-repository.js';
import { ensureOwner, type EnsureOwnerOutcome } from './members.js';

/**
 * BOOTSTRAP_OWNER_EMAILS: the first owners of a team that has none. Once the team has an
 * owner this does nothing, so an owner later demoted is not promoted again at the next restart.
 */
export async function bootstrapOwners(
  db: Db,
  organizationId: string,
  emails: readonly string[],
  log?: Logger,
): Promise<Array<{ email: string; outcome: EnsureOwnerOutcome }>> {
  if (emails.length === 0 || (await countActiveOwners(db, organizationId)) > 0) return [];
  const results = [];
  for (const email of emails) {
    const { outcome } = await ensureOwner(db, { organizationId, email, actor: { type: 'system', id: 'BOOTSTRAP_OWNER_EMAILS' }, source: 'system' });
    log?.info({ email, outcome }, 'bootstrap owner');
    results.push({ email, outcome });
  }
  return results;
}
