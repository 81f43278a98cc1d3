import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { loadFixture, runFixture, scimToken } from '../support/scim.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * The request sequences Okta's and Microsoft Entra ID's SCIM validators send
 * (test/fixtures/scim), over real HTTP into the real app, each answer checked as the
 * validator checks it. Each runs against its own organization, as a provider has its own.
 */
describe('SCIM validators (Okta spec test, Entra ID request examples)', () => {
  const t = useTestDatabase();
  let h: TestApp;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
  });
  afterAll(async () => h?.stop());

  it("passes the Okta SCIM 2.0 spec test's required steps", async () => {
    const org = await seedOrganization(t.db, 'T0OKTA0001');
    const ran = await runFixture(h.app.url, await scimToken(t.db, org.id, 'okta'), loadFixture('okta-spec-test.json'));
    expect(ran.map((r) => r.status)).toEqual([201, 200, 200, 200, 404, 200, 201, 200, 409, 200, 200, 401, 404]);
    const members = await t.db.selectFrom('members').selectAll().where('organization_id', '=', org.id).execute();
    // The spec test's user kept the case Okta gave it; its email is stored normalised.
    expect(members.map((m) => m.email).sort()).toEqual([expect.stringMatching(/^okta\.existing@acme\.test$/), expect.stringMatching(/^runscope[0-9a-f]{8}user@atko\.com$/)].sort());
    expect(members.find((m) => m.user_name?.startsWith('Runscope'))?.user_name).toMatch(/^Runscope[0-9a-f]{8}User@atko\.com$/);
  });

  it("passes Okta's lifecycle: lookup, create, profile push, deactivate and reactivate without a path", async () => {
    const org = await seedOrganization(t.db, 'T0OKTA0002');
    await runFixture(h.app.url, await scimToken(t.db, org.id, 'okta'), loadFixture('okta-lifecycle.json'));
    const actions = await t.db.selectFrom('audit_events').select(['action', 'source', 'actor_id']).where('organization_id', '=', org.id).where('target_type', '=', 'member').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['member.provisioned', 'member.profile_updated', 'member.removed', 'member.reactivated']);
    expect(actions.every((a) => a.source === 'scim' && a.actor_id === 'scim')).toBe(true);
  });

  it("passes the Entra ID validator's user and group requests", async () => {
    const org = await seedOrganization(t.db, 'T0ENTRA001');
    await seedMember(t.db, org, 'owner@entra.test', 'owner');
    const ran = await runFixture(h.app.url, await scimToken(t.db, org.id, 'entra'), loadFixture('entra-validator.json'));
    expect(ran).toHaveLength(16);
    const roles = await t.db.selectFrom('member_role_changes').select(['from_role', 'to_role', 'source']).where('organization_id', '=', org.id).where('from_role', 'is not', null).orderBy('id').execute();
    expect(roles).toEqual([
      { from_role: 'member', to_role: 'owner', source: 'scim' },
      { from_role: 'owner', to_role: 'member', source: 'scim' },
    ]);
  });
});
