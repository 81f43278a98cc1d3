import type { MemberStatus, Role } from '../db/schema.js';

/**
 * What each role may do in the product whose team this is — not in Team Manager itself (that is
 * policy.ts). One table, read by the membership API (`permissions` of each member), the Slack
 * help and the README (test/unit/permissions.test.ts holds the README's table to it), so the
 * product asks "may this person open billing?" and gets the answer Team Manager gives.
 *
 * From the product brief: an owner has full access, billing and team management included; a
 * member manages authentication configuration, but not billing nor other members.
 */
export const PERMISSIONS = {
  'team:view': { description: 'see the team and pending invitations', roles: ['owner', 'member'] },
  'team:manage': { description: 'invite, change roles, remove members', roles: ['owner'] },
  'billing:manage': { description: 'see and change billing', roles: ['owner'] },
  'auth_config:manage': { description: 'manage authentication configuration (SSO, sign-in methods)', roles: ['owner', 'member'] },
} as const satisfies Record<string, { description: string; roles: readonly Role[] }>;

export type Permission = keyof typeof PERMISSIONS;

/** A member's permissions in the product: none once they are not active (access ends at removal). */
export function permissionsOf(member: { role: Role; status: MemberStatus }): Permission[] {
  if (member.status !== 'active') return [];
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (PERMISSIONS[p].roles as readonly Role[]).includes(member.role));
}

/** One line per role, as the help and the README say it. */
export function permissionLines(): Array<{ role: Role; permissions: Permission[] }> {
  return (['owner', 'member'] as const).map((role) => ({ role, permissions: permissionsOf({ role, status: 'active' }) }));
}
