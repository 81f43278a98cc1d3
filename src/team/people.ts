import type { Member } from '../db/schema.js';

/**
 * Where the domain learns who a chat user is (their profile email and name). Slack's
 * users.info implements it; the domain never sees Slack types.
 */
export interface PeopleDirectory {
  /** `guest`: a guest of the workspace (may be a member, never an owner); absent means not. */
  profile(userId: string): Promise<{ email: string | null; displayName: string | null; guest?: boolean } | null>;
}

export function roleLabel(role: Member['role']): string {
  return role === 'owner' ? 'Owner' : 'Member';
}
