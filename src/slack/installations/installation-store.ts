import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Db } from '../../db/database.js';
import type { SlackInstallationRow } from '../../db/schema.js';
import { appendAuditEvent, SYSTEM_ACTOR } from '../../events/audit-repository.js';
import type { Logger } from '../../logger.js';
import { countActiveOwners } from '../../team/member-repository.js';
import { ensureOwner } from '../../team/members.js';
import { ensureOrganizationIn } from '../../team/organizations.js';
import { findOrganizationById } from '../../team/organization-repository.js';
import type { PeopleDirectory } from '../../team/people.js';
import { clearInstallationTokens, findInstallationByKey, findInstallationByOrganization, upsertInstallation } from './installation-repository.js';
import type { TokenCipher } from '../../crypto/token-cipher.js';
import type { Tenancy } from '../tenancy.js';

/**
 * Bolt's InstallationStore on PostgreSQL: what OAuth v2 hands us when a workspace adds the app,
 * and what every request and job of that workspace is served with.
 *
 * Tenancy, decided here: an installation is an organization. A workspace install is keyed by
 * its team id (T…). An org-wide Enterprise Grid install is ONE organization for the whole
 * enterprise, keyed by the enterprise id (E…): it is one installation with one token, the
 * people are the enterprise's, and payloads from every workspace of that enterprise carry
 * `is_enterprise_install` and the enterprise id, so they all land in it.
 */

export function installKeyOf(source: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined }): string | undefined {
  if (source.isEnterpriseInstall) return source.enterpriseId;
  return source.teamId;
}

export interface PostgresInstallationStore extends InstallationStore, Tenancy {
  /** The bot token of an organization's installation, decrypted; undefined once uninstalled. */
  botTokenOf(organizationId: string): Promise<string | undefined>;
}

/** What oauth.v2.access answers to grant_type=refresh_token (token rotation). */
export interface RefreshedToken {
  accessToken: string;
  refreshToken: string;
  expiresInSec: number;
}

/**
 * Rotating tokens are refreshed this long before they expire: more than Bolt's own 2 hours,
 * so that Bolt's installer (which would refresh without any lock, from every instance at once,
 * and save the result as a reinstall) never needs to.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 2 * 60 * 60_000 + 10 * 60_000;

export function postgresInstallationStore(deps: {
  db: Db;
  cipher: TokenCipher;
  log: Logger;
  /** Slack profiles, read with the new installation's token: the installer becomes the first owner. */
  peopleWith: (botToken: string) => PeopleDirectory;
  /** oauth.v2.access with grant_type=refresh_token, for installations with token rotation on. */
  refresh?: (refreshToken: string) => Promise<RefreshedToken>;
}): PostgresInstallationStore {
  const { db, cipher } = deps;

  /**
   * The row with a token that is good for a while yet. An expiring rotating token is refreshed
   * under the row's lock, so with several instances (or workers) exactly one asks Slack; the
   * others wait for the lock and find the new token.
   */
  async function fresh(row: SlackInstallationRow): Promise<SlackInstallationRow> {
    const expiring = (r: SlackInstallationRow) =>
      r.bot_refresh_token_encrypted !== null && r.bot_token_expires_at !== null && r.bot_token_expires_at.getTime() - Date.now() < REFRESH_BEFORE_EXPIRY_MS;
    if (!deps.refresh || !expiring(row)) return row;
    const refresh = deps.refresh;
    return db.transaction().execute(async (trx) => {
      const locked = await trx
        .selectFrom('slack_installations')
        .selectAll()
        .where('organization_id', '=', row.organization_id)
        .where('id', '=', row.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (locked.uninstalled_at || !expiring(locked)) return locked;
      const refreshed = await refresh(cipher.decrypt(locked.bot_refresh_token_encrypted!, locked.install_key));
      const updated = await trx
        .updateTable('slack_installations')
        .set({
          bot_token_encrypted: cipher.encrypt(refreshed.accessToken, locked.install_key),
          bot_refresh_token_encrypted: cipher.encrypt(refreshed.refreshToken, locked.install_key),
          bot_token_expires_at: new Date(Date.now() + refreshed.expiresInSec * 1000),
          updated_at: new Date(),
        })
        .where('organization_id', '=', locked.organization_id)
        .where('id', '=', locked.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      deps.log.info({ installKey: locked.install_key, expiresAt: updated.bot_token_expires_at }, 'rotated the installation bot token');
      return updated;
    });
  }

  async function storeInstallation(installation: Installation<'v1' | 'v2', boolean>): Promise<void> {
    const isEnterpriseInstall = installation.isEnterpriseInstall === true;
    const installKey = installKeyOf({ teamId: installation.team?.id, enterpriseId: installation.enterprise?.id, isEnterpriseInstall });
    if (!installKey) throw new Error('an installation names neither a workspace nor an enterprise');
    const bot = installation.bot;
    if (!bot?.token) throw new Error('an installation without a bot token: the app asks for bot scopes only');
    const name = (isEnterpriseInstall ? installation.enterprise?.name : installation.team?.name) ?? installKey;

    const organization = await db.transaction().execute(async (trx) => {
      const org = await ensureOrganizationIn(trx, { slackTeamId: installKey, name }, 'slack');
      const { before, after } = await upsertInstallation(trx, {
        installKey,
        organizationId: org.id,
        teamId: isEnterpriseInstall ? null : (installation.team?.id ?? null),
        enterpriseId: installation.enterprise?.id ?? null,
        isEnterpriseInstall,
        appId: installation.appId ?? null,
        botUserId: bot.userId,
        botId: bot.id,
        botScopes: bot.scopes,
        installerUserId: installation.user.id,
        botToken: cipher.encrypt(bot.token, installKey),
        botRefreshToken: bot.refreshToken ? cipher.encrypt(bot.refreshToken, installKey) : null,
        botTokenExpiresAt: bot.expiresAt ? new Date(bot.expiresAt * 1000) : null,
      });
      // Never a token in the audit log: what was granted, by whom, and when it was first installed.
      await appendAuditEvent(trx, {
        organizationId: org.id,
        actor: { type: 'slack_user', id: installation.user.id },
        action: 'slack.installed',
        target: { type: 'organization', id: org.id },
        before: before ? { installed_at: before.installed_at.toISOString(), bot_scopes: before.bot_scopes, uninstalled_at: before.uninstalled_at?.toISOString() ?? null } : null,
        after: { install_key: installKey, is_enterprise_install: isEnterpriseInstall, app_id: after.app_id, bot_scopes: after.bot_scopes },
        source: 'slack',
      });
      return org;
    });
    deps.log.info({ installKey, organizationId: organization.id, scopes: bot.scopes }, 'Slack installation stored');

    // The person who installed becomes the first owner of a team that has none.
    if ((await countActiveOwners(db, organization.id)) === 0) {
      const profile = await deps.peopleWith(bot.token).profile(installation.user.id);
      if (profile?.email) {
        await ensureOwner(db, { organizationId: organization.id, email: profile.email, actor: { type: 'slack_user', id: installation.user.id }, source: 'slack' });
      } else {
        deps.log.warn({ installKey }, 'the installer has no email Team Manager can read; add the first owner with the command line');
      }
    }
  }

  async function activeInstallation(installKey: string | undefined): Promise<SlackInstallationRow | undefined> {
    if (!installKey) return undefined;
    const row = await findInstallationByKey(db, installKey);
    return row && row.uninstalled_at === null && row.bot_token_encrypted ? fresh(row) : undefined;
  }

  /** Deletes the tokens (once: a second call finds none and writes nothing) and audits it. */
  async function forget(installKey: string | undefined, reason: 'app_uninstalled' | 'tokens_revoked'): Promise<void> {
    if (!installKey) return;
    const cleared = await db.transaction().execute(async (trx) => {
      const row = await clearInstallationTokens(trx, installKey, new Date());
      if (!row) return undefined;
      await appendAuditEvent(trx, {
        organizationId: row.organization_id,
        actor: SYSTEM_ACTOR,
        action: 'slack.uninstalled',
        target: { type: 'organization', id: row.organization_id },
        after: { install_key: installKey, reason },
        source: 'slack',
      });
      return row;
    });
    if (cleared) deps.log.warn({ installKey, reason }, 'Slack access ended: the installation tokens were deleted; the team stays for a reinstall');
  }

  return {
    storeInstallation,

    async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v2', boolean>> {
      const row = await activeInstallation(installKeyOf(query));
      // Bolt expects a throw for "not installed": it then refuses the request (authorize fails).
      if (!row) throw new Error(`Team Manager is not installed in ${installKeyOf(query) ?? 'this workspace'}`);
      return toInstallation(row, cipher);
    },

    async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
      await forget(installKeyOf(query), 'app_uninstalled');
    },

    async lostAccess(organization, reason) {
      const row = await findInstallationByOrganization(db, organization.id);
      await forget(row?.install_key, reason);
    },

    async organizationFor(source) {
      const row = await activeInstallation(installKeyOf(source));
      if (!row) return undefined;
      return findOrganizationById(db, row.organization_id);
    },

    async botTokenOf(organizationId) {
      const row = await findInstallationByOrganization(db, organizationId);
      if (!row?.bot_token_encrypted || row.uninstalled_at) return undefined;
      const current = await fresh(row);
      return current.bot_token_encrypted ? cipher.decrypt(current.bot_token_encrypted, current.install_key) : undefined;
    },
  };
}

function toInstallation(row: SlackInstallationRow, cipher: TokenCipher): Installation<'v2', boolean> {
  const token = cipher.decrypt(row.bot_token_encrypted!, row.install_key);
  const bot = {
    token,
    scopes: row.bot_scopes,
    id: row.bot_id ?? '',
    userId: row.bot_user_id ?? '',
    ...(row.bot_refresh_token_encrypted ? { refreshToken: cipher.decrypt(row.bot_refresh_token_encrypted, row.install_key) } : {}),
    ...(row.bot_token_expires_at ? { expiresAt: Math.floor(row.bot_token_expires_at.getTime() / 1000) } : {}),
  };
  const enterprise = row.enterprise_id ? { id: row.enterprise_id } : undefined;
  const user = { id: row.installer_user_id ?? '', token: undefined, scopes: undefined };
  if (row.is_enterprise_install) {
    return { team: undefined, enterprise: enterprise!, user, bot, appId: row.app_id ?? undefined, isEnterpriseInstall: true, authVersion: 'v2', tokenType: 'bot' };
  }
  return { team: { id: row.team_id! }, enterprise, user, bot, appId: row.app_id ?? undefined, isEnterpriseInstall: false, authVersion: 'v2', tokenType: 'bot' };
}
