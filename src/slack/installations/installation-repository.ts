import type { DbOrTrx } from '../../db/database.js';
import type { SlackInstallationRow } from '../../db/schema.js';

/** All SQL on slack_installations. Tokens arrive and leave here sealed (token-cipher.ts). */

export interface InstallationValues {
  installKey: string;
  organizationId: string;
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  appId: string | null;
  botUserId: string | null;
  botId: string | null;
  botScopes: string[];
  installerUserId: string | null;
  botToken: Buffer;
  botRefreshToken: Buffer | null;
  botTokenExpiresAt: Date | null;
}

/** Insert, or update a reinstall in place (new scopes, new token, uninstalled no more). Returns the row before and after. */
export async function upsertInstallation(db: DbOrTrx, v: InstallationValues): Promise<{ before: SlackInstallationRow | undefined; after: SlackInstallationRow }> {
  const before = await db.selectFrom('slack_installations').selectAll().where('install_key', '=', v.installKey).forUpdate().executeTakeFirst();
  const values = {
    organization_id: v.organizationId,
    team_id: v.teamId,
    enterprise_id: v.enterpriseId,
    is_enterprise_install: v.isEnterpriseInstall,
    app_id: v.appId,
    bot_user_id: v.botUserId,
    bot_id: v.botId,
    bot_scopes: v.botScopes,
    installer_user_id: v.installerUserId,
    bot_token_encrypted: v.botToken,
    bot_refresh_token_encrypted: v.botRefreshToken,
    bot_token_expires_at: v.botTokenExpiresAt,
    updated_at: new Date(),
    uninstalled_at: null,
  };
  const after = await db
    .insertInto('slack_installations')
    .values({ install_key: v.installKey, ...values })
    .onConflict((oc) => oc.column('install_key').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after };
}

export async function findInstallationByKey(db: DbOrTrx, installKey: string): Promise<SlackInstallationRow | undefined> {
  return db.selectFrom('slack_installations').selectAll().where('install_key', '=', installKey).executeTakeFirst();
}

export async function findInstallationByOrganization(db: DbOrTrx, organizationId: string): Promise<SlackInstallationRow | undefined> {
  return db.selectFrom('slack_installations').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
}

/** Uninstalled or revoked: the tokens go at once, the row (and the team's data) stays. Undefined when nothing was installed. */
export async function clearInstallationTokens(db: DbOrTrx, installKey: string, at: Date): Promise<SlackInstallationRow | undefined> {
  return db
    .updateTable('slack_installations')
    .set({ bot_token_encrypted: null, bot_refresh_token_encrypted: null, bot_token_expires_at: null, uninstalled_at: at, updated_at: at })
    .where('install_key', '=', installKey)
    .where('uninstalled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
