import { describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/api/api-keys.js';
import { useTestDatabase } from '../support/database.js';
import { runEntryPoint } from '../support/process.js';
import { seedOrganization } from '../support/seed.js';

/** `npm run cli -- scim-token …` as a separate process: shown once, listed apart from API keys, revoked at once, audited. */
describe('npm run cli -- scim-token create / list / revoke', () => {
  const t = useTestDatabase();
  const run = (...args: string[]) => runEntryPoint(['src/cli.ts', 'scim-token', ...args], { DATABASE_URL: t.url, USER: 'ops' });

  it('makes a token printed once, lists SCIM tokens only, revokes with the same rules as API keys', async () => {
    await seedOrganization(t.db, 'T0SCIMCLI1', { name: 'Acme' });
    const usage = run();
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toMatch(/^scim-token: expected: scim-token create\|list\|revoke\nUsage: npm run cli -- <command>/);

    const created = run('create', 'Okta');
    expect(await created.exited).toBe(0);
    const token = /^(tm_[A-Za-z0-9_-]{43})$/m.exec(created.stdout())?.[1];
    expect(token).toBeDefined();
    expect(created.stdout()).toMatch(/^Created SCIM token [0-9a-f-]{36} "Okta" for Acme:$/m);
    expect(created.stdout()).toContain('/scim/v2');
    expect(await authenticateApiKey(t.db, token!)).toMatchObject({ scope: 'scim', name: 'Okta' });

    // A REST API key made beside it is not a SCIM token, and is not listed or revocable as one.
    const apiKey = runEntryPoint(['src/cli.ts', 'api-keys', 'create', 'Billing'], { DATABASE_URL: t.url, USER: 'ops' });
    expect(await apiKey.exited).toBe(0);
    const list = run('list');
    expect(await list.exited).toBe(0);
    expect(list.stdout()).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED$/m);
    expect(list.stdout()).toContain('Okta');
    expect(list.stdout()).not.toContain('Billing');
    expect(list.stdout()).not.toContain(token!.slice(10));
    expect(list.stdout()).toContain('1 active of 1 SCIM tokens in Acme');
    const keys = runEntryPoint(['src/cli.ts', 'api-keys', 'list'], { DATABASE_URL: t.url, USER: 'ops' });
    expect(await keys.exited).toBe(0);
    expect(keys.stdout()).not.toContain('Okta');

    const [row] = await t.db.selectFrom('api_keys').select(['id']).where('scope', '=', 'scim').execute();
    const [billing] = await t.db.selectFrom('api_keys').select(['id']).where('name', '=', 'Billing').execute();
    const wrongKind = run('revoke', billing!.id);
    expect(await wrongKind.exited).toBe(1);
    expect(wrongKind.stderr()).toBe(`scim-token failed: no SCIM token ${billing!.id} in this organization\n`);

    const revoked = run('revoke', row!.id);
    expect(await revoked.exited).toBe(0);
    expect(revoked.stdout()).toContain(`Revoked SCIM token ${row!.id} "Okta"`);
    expect(await authenticateApiKey(t.db, token!)).toBeUndefined();

    const audit = await t.db.selectFrom('audit_events').select(['action', 'actor_type', 'actor_id', 'source', 'target_id', 'after']).where('target_id', '=', row!.id).orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.actor_type, a.actor_id, a.source])).toEqual([
      ['api_key.created', 'cli', 'ops', 'cli'],
      ['api_key.revoked', 'cli', 'ops', 'cli'],
    ]);
    expect(audit[0]!.after).toMatchObject({ scope: 'scim', name: 'Okta' });
  }, 120_000);
});
