import { randomBytes } from 'node:crypto';
import type { Installation } from '@slack/bolt';
import { sql } from 'kysely';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { installationClients } from '../../src/slack/clients.js';
import { UndeliverableError } from '../../src/slack/delivery.js';
import { postgresInstallationStore } from '../../src/slack/installations/installation-store.js';
import { tokenCipher } from '../../src/crypto/token-cipher.js';
import type { PeopleDirectory } from '../../src/team/people.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions } from '../support/seed.js';

const t = useTestDatabase();
const cipher = tokenCipher(randomBytes(32));
/** Slack's profiles as users.info would answer with the new token (Slack is the only stand-in). */
const profiles: Record<string, { email: string; displayName: string }> = { U0INSTALL1: { email: 'ines@acme.test', displayName: 'Ines' } };
const asked: string[] = [];
const peopleWith = (token: string): PeopleDirectory => ({
  async profile(userId) {
    asked.push(token);
    return profiles[userId] ?? null;
  },
});
const store = () => postgresInstallationStore({ db: t.db, cipher, log: pino({ level: 'silent' }), peopleWith });

function workspaceInstall(teamId: string, token: string, scopes = ['commands', 'chat:write']): Installation<'v2', false> {
  return {
    team: { id: teamId, name: `Team ${teamId}` },
    enterprise: undefined,
    user: { id: 'U0INSTALL1', token: undefined, scopes: undefined },
    bot: { token, scopes, id: 'B0BOT00001', userId: 'U0BOT00001' },
    appId: 'A0APP00001',
    isEnterpriseInstall: false,
    authVersion: 'v2',
    tokenType: 'bot',
  };
}

describe('the PostgreSQL installation store', () => {
  it('stores a workspace install as an organization, its token sealed, the installer its first owner, audited without secrets', async () => {
    const s = store();
    await s.storeInstallation(workspaceInstall('T0INST0001', 'xoxb-one-secret'));
    const row = await t.db.selectFrom('slack_installations').selectAll().where('install_key', '=', 'T0INST0001').executeTakeFirstOrThrow();
    expect(row.bot_token_encrypted!.includes(Buffer.from('xoxb-one-secret'))).toBe(false);
    expect(row).toMatchObject({ team_id: 'T0INST0001', enterprise_id: null, is_enterprise_install: false, bot_scopes: ['commands', 'chat:write'], installer_user_id: 'U0INSTALL1', uninstalled_at: null });

    const org = await t.db.selectFrom('organizations').selectAll().where('id', '=', row.organization_id).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ slack_team_id: 'T0INST0001', name: 'Team T0INST0001' });
    const fetched = await s.fetchInstallation({ teamId: 'T0INST0001', enterpriseId: undefined, isEnterpriseInstall: false });
    expect(fetched.bot).toMatchObject({ token: 'xoxb-one-secret', userId: 'U0BOT00001', id: 'B0BOT00001' });
    expect(await s.botTokenOf(org.id)).toBe('xoxb-one-secret');
    expect((await s.organizationFor({ teamId: 'T0INST0001' }))?.id).toBe(org.id);

    const owner = await t.db.selectFrom('members').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    expect(owner).toMatchObject({ email: 'ines@acme.test', role: 'owner', status: 'active' });
    expect(asked).toContain('xoxb-one-secret');
    expect(await auditActions(t.db, org.id)).toEqual(expect.arrayContaining(['organization.created', 'slack.installed', 'member.added']));
    const events = await t.db.selectFrom('audit_events').select(['before', 'after']).where('organization_id', '=', org.id).execute();
    expect(JSON.stringify(events)).not.toContain('xoxb');
  });

  it('a reinstall updates the row in place (new token, new scopes), keeps the organization and adds no second owner', async () => {
    const s = store();
    await s.storeInstallation(workspaceInstall('T0INST0002', 'xoxb-first'));
    const first = await t.db.selectFrom('slack_installations').selectAll().where('install_key', '=', 'T0INST0002').executeTakeFirstOrThrow();
    profiles.U0INSTALL1 = { email: 'someone.else@acme.test', displayName: 'Else' };
    await s.storeInstallation(workspaceInstall('T0INST0002', 'xoxb-second', ['commands', 'chat:write', 'users:read']));
    profiles.U0INSTALL1 = { email: 'ines@acme.test', displayName: 'Ines' };
    const second = await t.db.selectFrom('slack_installations').selectAll().where('install_key', '=', 'T0INST0002').executeTakeFirstOrThrow();
    expect(second.id).toBe(first.id);
    expect(second.organization_id).toBe(first.organization_id);
    expect(second.bot_scopes).toEqual(['commands', 'chat:write', 'users:read']);
    expect(await s.botTokenOf(first.organization_id)).toBe('xoxb-second');
    const owners = await t.db.selectFrom('members').select('email').where('organization_id', '=', first.organization_id).execute();
    expect(owners.map((o) => o.email)).toEqual(['ines@acme.test']);
    expect((await auditActions(t.db, first.organization_id)).filter((a) => a === 'slack.installed')).toHaveLength(2);
  });

  it('an org-wide Grid install is one organization for the enterprise, found from any of its workspaces', async () => {
    const s = store();
    await s.storeInstallation({
      team: undefined,
      enterprise: { id: 'E0GRID0001', name: 'Globex' },
      user: { id: 'U0INSTALL1', token: undefined, scopes: undefined },
      bot: { token: 'xoxb-grid', scopes: ['commands'], id: 'B0BOT00002', userId: 'U0BOT00002' },
      appId: 'A0APP00001',
      isEnterpriseInstall: true,
      authVersion: 'v2',
      tokenType: 'bot',
    });
    const org = await s.organizationFor({ teamId: 'T0WORKSPACE1', enterpriseId: 'E0GRID0001', isEnterpriseInstall: true });
    expect(org).toMatchObject({ slack_team_id: 'E0GRID0001', name: 'Globex' });
    expect((await s.organizationFor({ teamId: 'T0WORKSPACE2', enterpriseId: 'E0GRID0001', isEnterpriseInstall: true }))?.id).toBe(org!.id);
    const fetched = await s.fetchInstallation({ teamId: undefined, enterpriseId: 'E0GRID0001', isEnterpriseInstall: true });
    expect(fetched.bot?.token).toBe('xoxb-grid');
    // A workspace of the enterprise is not the org-wide install when the payload says it is not one.
    expect(await s.organizationFor({ teamId: 'T0WORKSPACE1', enterpriseId: 'E0GRID0001', isEnterpriseInstall: false })).toBeUndefined();
  });

  it('an uninstall deletes the tokens at once and keeps the team; a reinstall brings the same team back', async () => {
    const s = store();
    await s.storeInstallation(workspaceInstall('T0INST0003', 'xoxb-gone-soon'));
    const orgId = (await s.organizationFor({ teamId: 'T0INST0003' }))!.id;
    await s.deleteInstallation!({ teamId: 'T0INST0003', enterpriseId: undefined, isEnterpriseInstall: false });
    const row = await t.db.selectFrom('slack_installations').selectAll().where('install_key', '=', 'T0INST0003').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ bot_token_encrypted: null, bot_refresh_token_encrypted: null });
    expect(row.uninstalled_at).toBeInstanceOf(Date);
    await expect(s.fetchInstallation({ teamId: 'T0INST0003', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(/not installed/);
    expect(await s.organizationFor({ teamId: 'T0INST0003' })).toBeUndefined();
    expect(await s.botTokenOf(orgId)).toBeUndefined();
    expect(await t.db.selectFrom('members').select('id').where('organization_id', '=', orgId).execute()).toHaveLength(1);
    // A second uninstall writes nothing more.
    await s.deleteInstallation!({ teamId: 'T0INST0003', enterpriseId: undefined, isEnterpriseInstall: false });
    expect((await auditActions(t.db, orgId)).filter((a) => a === 'slack.uninstalled')).toHaveLength(1);

    await s.storeInstallation(workspaceInstall('T0INST0003', 'xoxb-back'));
    expect((await s.organizationFor({ teamId: 'T0INST0003' }))?.id).toBe(orgId);
    expect(await s.botTokenOf(orgId)).toBe('xoxb-back');
  });

  it('the schema refuses an uninstalled row that still holds a token, and a key that is not a Slack id', async () => {
    const s = store();
    await s.storeInstallation(workspaceInstall('T0INST0004', 'xoxb-four'));
    await expect(sql`update slack_installations set uninstalled_at = now() where install_key = 'T0INST0004'`.execute(t.db)).rejects.toThrow(/check constraint/);
    await expect(s.storeInstallation(workspaceInstall("T0'; drop table members; --", 'xoxb-x'))).rejects.toThrow();
  });

  it("jobs get the organization's client from its installation: a new token after a reinstall, none once uninstalled", async () => {
    const s = store();
    await s.storeInstallation(workspaceInstall('T0INST0005', 'xoxb-five'));
    const orgId = (await s.organizationFor({ teamId: 'T0INST0005' }))!.id;
    const made: string[] = [];
    const clients = installationClients({ botTokenOf: s.botTokenOf, makeClient: (token) => (made.push(token), new WebClient(token)) });
    const first = await clients.forOrganization(orgId);
    expect(first.token).toBe('xoxb-five');
    expect(await clients.forOrganization(orgId)).toBe(first);
    await s.storeInstallation(workspaceInstall('T0INST0005', 'xoxb-five-again'));
    expect((await clients.forOrganization(orgId)).token).toBe('xoxb-five-again');
    await s.lostAccess((await s.organizationFor({ teamId: 'T0INST0005' }))!, 'tokens_revoked');
    const gone = await clients.forOrganization(orgId).catch((err: unknown) => err);
    expect(gone).toBeInstanceOf(UndeliverableError);
    expect((gone as UndeliverableError).slackError).toBe('not_installed');
    expect(made).toEqual(['xoxb-five', 'xoxb-five-again']);
    const event = await t.db.selectFrom('audit_events').select('after').where('organization_id', '=', orgId).where('action', '=', 'slack.uninstalled').executeTakeFirstOrThrow();
    expect(event.after).toMatchObject({ reason: 'tokens_revoked' });
  });
});
