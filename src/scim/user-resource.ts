import type { Invitation, Member } from '../db/schema.js';
import { SCHEMA } from './schemas.js';

/**
 * A member as a SCIM User (RFC 7643 §4.1): userName and the one email are the member's email,
 * `active` is whether they are on the team now, `groups` their role. A person provisioned as
 * an invitation (setting `scim_provisioning: invite`) is the invitation until they accept.
 */
export const GROUPS = {
  owners: { id: 'owners', displayName: 'Owners', role: 'owner' },
  members: { id: 'members', displayName: 'Members', role: 'member' },
} as const;
export type GroupId = keyof typeof GROUPS;

export function userResource(member: Member, base: string) {
  const group = member.role === 'owner' ? GROUPS.owners : GROUPS.members;
  return {
    schemas: [SCHEMA.user],
    id: member.id,
    ...(member.external_id ? { externalId: member.external_id } : {}),
    userName: member.user_name ?? member.email,
    name: {
      ...(member.given_name ? { givenName: member.given_name } : {}),
      ...(member.family_name ? { familyName: member.family_name } : {}),
      ...(member.display_name ? { formatted: member.display_name } : {}),
    },
    ...(member.display_name ? { displayName: member.display_name } : {}),
    emails: [{ value: member.email, type: 'work', primary: true }],
    active: member.status === 'active',
    groups: member.status === 'active' ? [{ value: group.id, display: group.displayName, $ref: `${base}/Groups/${group.id}` }] : [],
    meta: {
      resourceType: 'User',
      created: member.created_at.toISOString(),
      lastModified: member.updated_at.toISOString(),
      location: `${base}/Users/${member.id}`,
    },
  };
}

/** A pending invitation: provisioned, not yet a member (active: the provider's assignment stands). */
export function invitationResource(invitation: Invitation, base: string) {
  return {
    schemas: [SCHEMA.user],
    id: invitation.id,
    ...(invitation.external_id ? { externalId: invitation.external_id } : {}),
    userName: invitation.email,
    name: {},
    emails: [{ value: invitation.email, type: 'work', primary: true }],
    active: invitation.status === 'pending',
    groups: [],
    meta: {
      resourceType: 'User',
      created: invitation.created_at.toISOString(),
      lastModified: invitation.updated_at.toISOString(),
      location: `${base}/Users/${invitation.id}`,
    },
  };
}
