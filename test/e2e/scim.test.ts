import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/api/api-keys.js';
import type { Member, Organization } from '../../src/db/schema.js';
import { submittedState } from '../../src/standin/view-state.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { scimClient, scimToken, type ScimClient } from '../support/scim.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * SCIM over real HTTP into the real app: deactivation in both providers' shapes ends access
 * within the request (audited, announced in the team channel by the worker), the last-owner
 * rule answers 409, filters and paging, the SCIM error bodies, the Owners group as the role,
 * tenancy between two organizations' tokens, a race with `/team remove`, and the token's secrecy.
 *
 * Stand-in people: alice (owner), bob, carol, dave (members).
 */
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

describe('SCIM 2.0 service provider', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;
  let token: string;
  let scim: ScimClient;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    // No approval step: `/team remove` removes at once, so it can race a SCIM deactivation.
    await t.db.updateTable('organizations').set({ removal_approval_policy: 'none' }).where('id', '=', org.id).execute();
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
    carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001', displayName: 'Carol Chen' });
    dave = await seedMember(t.db, org, 'dave@acme.test', 'member', { slackUserId: 'U0DAVE0001', displayName: 'Dave Diaz' });
    token = await scimToken(t.db, org.id, 'okta');
    scim = scimClient(h.app.url, token);
  });
  afterAll(async () => h?.stop());

  const memberRow = (m: Member) => t.db.selectFrom('members').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
  const eventsAbout = (m: Member, action: string) =>
    t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('target_id', '=', m.id).where('action', '=', action).execute();
  const teamPosts = (text: string) => h.standin.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes(text));

  it("Entra's PATCH (Replace, path active, \"False\") removes the person within the request: endMembership, audited as SCIM, told in the team channel", async () => {
    const started = Date.now();
    const res = await scim('PATCH', `/Users/${bob.id}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
    // "Removed within a second" (issue 18): the answer comes after the removal has committed.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/scim\+json/);
    expect(res.json).toMatchObject({ id: bob.id, active: false, userName: 'bob@acme.test' });
    // Already removed when the answer came: nothing waits for a job.
    expect(await memberRow(bob)).toMatchObject({ status: 'removed', removal_reason: 'deactivated in your identity provider', removed_by_member_id: null });
    const [removed, ...more] = await eventsAbout(bob, 'member.removed');
    expect(more).toEqual([]);
    expect(removed).toMatchObject({ actor_type: 'system', actor_id: 'scim', source: 'scim' });
    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('<@U0BOB00001>'), 10_000);
    expect(post.args.text).toBe(':wave: <@U0BOB00001> was deactivated in your identity provider and removed from the team.');

    // Entra repeats itself: the same PATCH again changes nothing and posts nothing.
    expect((await scim('PATCH', `/Users/${bob.id}`, patch({ op: 'Replace', path: 'active', value: 'False' }))).json.active).toBe(false);
    expect(await eventsAbout(bob, 'member.removed')).toHaveLength(1);
  });

  it("Okta's PATCH (replace without a path, value {active:false}) removes the same way", async () => {
    const res = await scim('PATCH', `/Users/${carol.id}`, patch({ op: 'replace', value: { active: false } }));
    expect(res.status).toBe(200);
    expect(res.json.active).toBe(false);
    expect((await memberRow(carol)).status).toBe('removed');
    expect(await eventsAbout(carol, 'member.removed')).toHaveLength(1);
    await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('<@U0CAROL001> was deactivated in your identity provider'), 10_000);
  });

  it('reactivation (active: true) brings a removed person back as a Member, audited and announced', async () => {
    const res = await scim('PATCH', `/Users/${carol.id}`, patch({ op: 'replace', path: 'active', value: true }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ active: true, groups: [{ value: 'members', display: 'Members' }] });
    expect(await memberRow(carol)).toMatchObject({ status: 'active', role: 'member', removal_reason: null });
    const [back] = await eventsAbout(carol, 'member.reactivated');
    expect(back).toMatchObject({ actor_id: 'scim', source: 'scim' });
    await h.standin.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('<@U0CAROL001> was reactivated in your identity provider and is back on the team as a Member'), 10_000);
  });

  it('the last owner cannot be deactivated or deleted: 409 with a detail saying why, nothing changed', async () => {
    for (const res of [await scim('PATCH', `/Users/${alice.id}`, patch({ op: 'replace', value: { active: false } })), await scim('DELETE', `/Users/${alice.id}`)]) {
      expect(res.status).toBe(409);
      expect(res.json).toEqual({ schemas: [ERROR], status: '409', detail: expect.stringContaining("alice@acme.test is the team's last owner") });
      expect(res.json.detail).toContain('A team always needs at least one owner');
    }
    expect(await memberRow(alice)).toMatchObject({ status: 'active', role: 'owner' });
    expect(await eventsAbout(alice, 'member.removed')).toEqual([]);
  });

  it('the Owners group is the owner role: add promotes, remove demotes, and removing the last owner is 409', async () => {
    const add = await scim('PATCH', '/Groups/owners', patch({ op: 'Add', path: 'members', value: [{ value: dave.id }] }));
    expect(add.status).toBe(200);
    expect(add.json.members.map((m: { value: string }) => m.value).sort()).toEqual([alice.id, dave.id].sort());
    expect((await memberRow(dave)).role).toBe('owner');
    const [changed] = await eventsAbout(dave, 'member.role_changed');
    expect(changed).toMatchObject({ actor_id: 'scim', source: 'scim', before: { role: 'member' }, after: { role: 'owner' } });
    await h.standin.waitForCall('chat.postMessage', (c) => String(c.args.text) === ":arrows_counterclockwise: <@U0DAVE0001>'s role was changed from Member to Owner in your identity provider.", 10_000);

    const remove = await scim('PATCH', '/Groups/owners', patch({ op: 'remove', path: `members[value eq "${dave.id}"]` }));
    expect(remove.status).toBe(200);
    expect((await memberRow(dave)).role).toBe('member');

    const last = await scim('PATCH', '/Groups/owners', patch({ op: 'remove', path: `members[value eq "${alice.id}"]` }));
    expect(last.status).toBe(409);
    expect(last.json.detail).toContain('is the last owner');
    expect((await memberRow(alice)).role).toBe('owner');
  });

  it('POST provisions a Member at once (audited, announced); the same userName again is 409 uniqueness, whatever its case', async () => {
    const res = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'erin@acme.test',
      externalId: 'okta-erin',
      name: { givenName: 'Erin', familyName: 'Ellis' },
      emails: [{ value: 'erin@acme.test', primary: true }],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${h.app.url}/scim/v2/Users/${res.json.id}`);
    const erin = await t.db.selectFrom('members').selectAll().where('id', '=', res.json.id).executeTakeFirstOrThrow();
    expect(erin).toMatchObject({ email: 'erin@acme.test', role: 'member', status: 'active', external_id: 'okta-erin', display_name: 'Erin Ellis' });
    expect(await eventsAbout(erin, 'member.provisioned')).toHaveLength(1);
    await h.standin.waitForCall('chat.postMessage', (c) => String(c.args.text) === ':inbox_tray: Erin Ellis was added to the team as a Member by your identity provider.', 10_000);

    const again = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ERIN@acme.test' });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: 'erin@acme.test is already an active member of this team.' });
    const sameExternalId = await scim('POST', '/Users', { userName: 'other@acme.test', externalId: 'okta-erin' });
    expect(sameExternalId.status).toBe(409);
    expect(sameExternalId.json.scimType).toBe('uniqueness');
  });

  it('filters by userName (case-insensitive) and externalId, pages with startIndex and count', async () => {
    const byName = await scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "ALICE@acme.test"'));
    expect(byName.json).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: alice.id }] });
    const byExternal = await scim('GET', '/Users?filter=' + encodeURIComponent('externalId eq "okta-erin"'));
    expect(byExternal.json.Resources.map((r: { userName: string }) => r.userName)).toEqual(['erin@acme.test']);

    const all = await scim('GET', '/Users');
    const total = all.json.totalResults as number;
    expect(total).toBe(5); // alice, bob (removed, still a User), carol, dave, erin
    const ids: string[] = [];
    for (let start = 1; start <= total; start += 2) {
      const page = await scim('GET', `/Users?startIndex=${start}&count=2`);
      expect(page.json).toMatchObject({ totalResults: total, startIndex: start });
      ids.push(...page.json.Resources.map((r: { id: string }) => r.id));
    }
    expect(ids).toEqual(all.json.Resources.map((r: { id: string }) => r.id));
    expect(new Set(ids).size).toBe(total);
    expect((await scim('GET', '/Users?count=0')).json).toMatchObject({ totalResults: total, itemsPerPage: 0, Resources: [] });
  });

  it.each([
    ['userName co "alice"', 'The operator "co" is not supported'],
    ['title eq "boss"', 'Filtering on "title" is not supported'],
    ['userName eq "a" and active eq true', 'not one quoted string'],
    ['nonsense', 'is not a comparison'],
  ])('a filter it cannot answer (%s) is 400 invalidFilter with a sentence', async (filter, words) => {
    const res = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^application\/scim\+json/);
    expect(res.json).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
    expect(res.json.detail).toContain(words);
  });

  it('bad bodies are SCIM errors with the right scimType', async () => {
    expect((await scim('PATCH', `/Users/${dave.id}`, { Operations: [] })).json).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await scim('PATCH', `/Users/${dave.id}`, patch({ op: 'jump', path: 'active', value: true }))).json.scimType).toBe('invalidSyntax');
    const notBool = await scim('PATCH', `/Users/${dave.id}`, patch({ op: 'replace', path: 'active', value: 'maybe' }));
    expect(notBool.json).toMatchObject({ status: '400', scimType: 'invalidValue', detail: 'active must be true or false (got "maybe").' });
    expect((await scim('PATCH', `/Users/${dave.id}`, patch({ op: 'replace', path: 'id', value: 'x' }))).json.scimType).toBe('mutability');
    expect((await scim('PATCH', `/Users/${dave.id}`, patch({ op: 'remove' }))).json.scimType).toBe('noTarget');
    expect((await scim('POST', '/Users', { userName: 'not-an-address' })).json).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim('POST', '/Users', '{"userName":')).json).toMatchObject({ status: '400', scimType: 'invalidSyntax', detail: 'The request body is not valid JSON.' });
    expect((await scim('POST', '/Groups', { displayName: 'Engineering' })).json).toMatchObject({ status: '400', scimType: 'mutability' });
    expect((await memberRow(dave))).toMatchObject({ status: 'active', role: 'member' });
  });

  it('discovery: ServiceProviderConfig, ResourceTypes and Schemas describe what is supported', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.json).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true, maxResults: 200 }, authenticationSchemes: [{ type: 'oauthbearertoken' }] });
    expect((await scim('GET', '/ResourceTypes')).json.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.json.Resources.map((s: { id: string }) => s.id)).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:Group']);
  });

  it('a missing, wrong or revoked token, or a REST API key, gets the same 401 SCIM error; a SCIM token opens no REST API', async () => {
    const { key: apiKey } = await createApiKey(t.db, { organizationId: org.id, name: 'rest', scope: 'read-write', actor: { type: 'cli', id: 'test' }, source: 'cli' });
    for (const headers of [{ Authorization: '' }, { Authorization: 'Bearer tm_wrongwrongwrongwrongwrongwrongwrongwrongwro' }, { Authorization: `Bearer ${apiKey}` }]) {
      const res = await scim('GET', '/Users', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ schemas: [ERROR], status: '401' });
    }
    const rest = await fetch(`${h.app.url}/api/v1/members`, { headers: { Authorization: `Bearer ${token}` } });
    expect(rest.status).toBe(401);
  });

  it("tenancy: another organization's token neither sees nor changes this team's people", async () => {
    const other = await seedOrganization(t.db, 'T0OTHER001');
    await seedMember(t.db, other, 'olga@other.test', 'owner');
    const theirs = scimClient(h.app.url, await scimToken(t.db, other.id, 'their okta'));
    expect((await theirs('GET', `/Users/${dave.id}`)).status).toBe(404);
    expect((await theirs('GET', '/Users?filter=' + encodeURIComponent('userName eq "dave@acme.test"'))).json.totalResults).toBe(0);
    expect((await theirs('GET', '/Users')).json.Resources.map((r: { userName: string }) => r.userName)).toEqual(['olga@other.test']);
    expect((await theirs('PATCH', `/Users/${dave.id}`, patch({ op: 'replace', value: { active: false } }))).status).toBe(404);
    expect((await theirs('DELETE', `/Users/${dave.id}`)).status).toBe(404);
    expect((await theirs('PATCH', '/Groups/owners', patch({ op: 'add', path: 'members', value: [{ value: dave.id }] }))).status).toBe(400);
    expect((await theirs('GET', '/Groups/owners')).json.members.map((m: { display: string }) => m.display)).toEqual(['olga@other.test']);
    expect(await memberRow(dave)).toMatchObject({ status: 'active', role: 'member' });
  });

  it('a SCIM deactivation and a /team remove of the same person at once: one removal, one audit event, one post', async () => {
    const res = await h.driver.command('U0ALICE001', '/team', 'remove <@U0DAVE0001|dave>');
    expect(res.status).toBe(200);
    const view = (await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === res.triggerId, 5_000)).response.view as Record<string, any>;
    const [viaScim, viaSlack] = await Promise.all([
      scim('PATCH', `/Users/${dave.id}`, patch({ op: 'replace', value: { active: false } })),
      h.driver.viewSubmission('U0ALICE001', { id: view.id, callback_id: view.callback_id, private_metadata: view.private_metadata, values: submittedState(view, {}) }),
    ]);
    expect(viaScim.status).toBe(200);
    expect(viaScim.json.active).toBe(false);
    expect(viaSlack.status).toBe(200);
    expect((await memberRow(dave)).status).toBe('removed');
    expect(await eventsAbout(dave, 'member.removed')).toHaveLength(1);
    await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('<@U0DAVE0001> was'), 10_000);
    await new Promise((r) => setTimeout(r, 1_000)); // room for a second post, if there were one
    expect(teamPosts('<@U0DAVE0001> was')).toHaveLength(1);
  });

  it('DELETE removes through the same path; the User is then gone (404) while the member history stays', async () => {
    const created = await scim('POST', '/Users', { userName: 'fred@acme.test', name: { givenName: 'Fred', familyName: 'Fox' } });
    const del = await scim('DELETE', `/Users/${created.json.id}`);
    expect(del.status).toBe(204);
    expect((await scim('GET', `/Users/${created.json.id}`)).status).toBe(404);
    const fred = await t.db.selectFrom('members').selectAll().where('id', '=', created.json.id).executeTakeFirstOrThrow();
    expect(fred).toMatchObject({ status: 'removed', removal_reason: 'deleted in your identity provider' });
    expect(await eventsAbout(fred, 'member.removed')).toHaveLength(1);
    await h.standin.waitForCall('chat.postMessage', (c) => String(c.args.text) === ':wave: Fred Fox was deleted in your identity provider and removed from the team.', 10_000);
  });

  it('with scim_provisioning: invite, a provisioned person is sent an invitation through the normal path', async () => {
    await t.db.updateTable('organizations').set({ scim_provisioning: 'invite' }).where('id', '=', org.id).execute();
    try {
      const res = await scim('POST', '/Users', { userName: 'gina@acme.test', externalId: 'okta-gina' });
      expect(res.status).toBe(201);
      const invitation = await t.db.selectFrom('invitations').selectAll().where('id', '=', res.json.id).executeTakeFirstOrThrow();
      expect(invitation).toMatchObject({ email: 'gina@acme.test', role: 'member', status: 'pending', invited_by_member_id: null, external_id: 'okta-gina' });
      const [sent] = await t.db.selectFrom('audit_events').selectAll().where('target_id', '=', invitation.id).where('action', '=', 'invitation.sent').execute();
      expect(sent).toMatchObject({ actor_type: 'system', actor_id: 'scim', source: 'scim' });
      expect(await t.db.selectFrom('members').select('id').where('organization_id', '=', org.id).where('email', '=', 'gina@acme.test').execute()).toEqual([]);
      expect((await scim('GET', '/Users?filter=' + encodeURIComponent('externalId eq "okta-gina"'))).json.Resources[0].id).toBe(invitation.id);
      await h.standin.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('your identity provider invited 1 person as Member: gina@acme.test'), 10_000);
      // Provisioned again while invited: the invitation rules refuse it as taken; an address outside the allowed domains is an invalid value.
      const twice = await scim('POST', '/Users', { userName: 'gina@acme.test' });
      expect(twice.json).toMatchObject({ status: '409', scimType: 'uniqueness' });
      expect(twice.json.detail).toContain('gina@acme.test');
      await t.db.updateTable('organizations').set({ allowed_email_domains: ['acme.test'] }).where('id', '=', org.id).execute();
      const outside = await scim('POST', '/Users', { userName: 'hank@elsewhere.test' });
      expect(outside.json).toMatchObject({ status: '400', scimType: 'invalidValue' });
      await t.db.updateTable('organizations').set({ allowed_email_domains: [] }).where('id', '=', org.id).execute();

      // Deactivated before accepting: the invitation is cancelled.
      expect((await scim('PATCH', `/Users/${invitation.id}`, patch({ op: 'Replace', path: 'active', value: 'False' }))).json.active).toBe(false);
      expect((await t.db.selectFrom('invitations').select('status').where('id', '=', invitation.id).executeTakeFirstOrThrow()).status).toBe('cancelled');
    } finally {
      await t.db.updateTable('organizations').set({ scim_provisioning: 'member' }).where('id', '=', org.id).execute();
    }
  });

  it('the token never reaches a log line', () => {
    expect(h.logs.text()).toContain('/scim/v2/Users');
    expect(h.logs.text()).not.toContain(token);
    expect(h.logs.text()).not.toContain(token.slice(3, 20));
  });
});
