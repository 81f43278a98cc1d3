import { AppError } from '../errors.js';
import type { Member } from '../db/schema.js';

/**
 * Who may do what: the one place permission rules live (product brief, "Roles"). Services
 * call `authorize` inside their transaction, with the actor and target they have just read
 * from the database — never with anything a button or form carried.
 */
export type Action =
  | 'team.view' // the member list, pending invitations, App Home
  | 'member.invite'
  | 'member.change_role'
  | 'member.request_removal'
  | 'member.restore'
  | 'removal.decide'
  | 'settings.view'
  | 'settings.change'
  | 'audit.read'
  | 'activity.view'
  | 'team.leave';

/** The actor as the database has it now: an active member of the organization, or nobody. */
export type Actor = Pick<Member, 'id' | 'organization_id' | 'role' | 'status'> | null;
export type Target = Pick<Member, 'id' | 'organization_id' | 'role' | 'status'>;

const OWNER_ONLY: ReadonlySet<Action> = new Set([
  'member.invite',
  'member.change_role',
  'member.request_removal',
  'member.restore',
  'removal.decide',
  'settings.view',
  'settings.change',
  'audit.read',
]);

export const NOT_A_MEMBER_MESSAGE =
  "You're not an active member of this team in Team Manager, so only `/team help` is available to you. Ask an owner to invite you.";

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export function decide(actor: Actor, action: Action, organizationId: string, target?: Target): Decision {
  if (!actor || actor.status !== 'active' || actor.organization_id !== organizationId) {
    return { allowed: false, reason: NOT_A_MEMBER_MESSAGE };
  }
  if (target && target.organization_id !== organizationId) {
    // Another organization's member is, for this organization, nobody at all.
    return { allowed: false, reason: 'That person is not a member of this team.' };
  }
  if (OWNER_ONLY.has(action) && actor.role !== 'owner') {
    return { allowed: false, reason: `Only owners can ${describe(action)}. You are a member of this team.` };
  }
  if (action === 'activity.view' && target && target.id !== actor.id && actor.role !== 'owner') {
    return { allowed: false, reason: "Members can see their own activity; only owners can see other people's." };
  }
  if (action === 'member.request_removal' && target && target.id === actor.id) {
    return { allowed: false, reason: 'To remove yourself, use `/team leave`.' };
  }
  return { allowed: true };
}

/** Throws ForbiddenError with a sentence for the person when the action is not allowed. */
export function authorize(actor: Actor, action: Action, organizationId: string, target?: Target): asserts actor is NonNullable<Actor> {
  const decision = decide(actor, action, organizationId, target);
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
}

function describe(action: Action): string {
  switch (action) {
    case 'member.invite':
      return 'invite people';
    case 'member.change_role':
      return "change someone's role";
    case 'member.request_removal':
      return 'remove people';
    case 'member.restore':
      return 'restore removed members';
    case 'removal.decide':
      return 'approve or reject removals';
    case 'settings.view':
    case 'settings.change':
      return 'change the team settings';
    case 'audit.read':
      return 'read the audit log';
    default:
      return 'do that';
  }
}
