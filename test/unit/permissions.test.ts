import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageMessage } from '../../src/slack/blocks/usage.js';
import { PERMISSIONS, permissionsOf, type Permission } from '../../src/team/permissions.js';
import { ROOT } from '../support/process.js';
import { wire } from '../support/block-kit.js';

describe('permissions per role in the product', () => {
  it('owners have everything, members the team view and authentication configuration, removed people nothing', () => {
    expect(permissionsOf({ role: 'owner', status: 'active' })).toEqual(['team:view', 'team:manage', 'billing:manage', 'auth_config:manage']);
    expect(permissionsOf({ role: 'member', status: 'active' })).toEqual(['team:view', 'auth_config:manage']);
    expect(permissionsOf({ role: 'owner', status: 'removed' })).toEqual([]);
  });

  it("the README's table is this table", () => {
    const rows = (Object.keys(PERMISSIONS) as Permission[]).map((p) => {
      const roles: readonly string[] = PERMISSIONS[p].roles;
      return `| \`${p}\` | ${PERMISSIONS[p].description} | ${roles.includes('owner') ? 'yes' : 'no'} | ${roles.includes('member') ? 'yes' : 'no'} |`;
    });
    const table = ['| permission | what it allows | Owner | Member |', '|---|---|---|---|', ...rows].join('\n');
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(table);
  });

  it('/team help says what each role may do in the product, from the same table', () => {
    const text = JSON.stringify(wire(usageMessage('/team', [{ name: 'help', usage: '', summary: 'show this list' }]).blocks));
    for (const { description } of Object.values(PERMISSIONS)) expect(text).toContain(description);
    expect(text).toContain('*Members* see the team and pending invitations, manage authentication configuration');
  });
});
