import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { registerInvitationDmActions } from './invitation-dm.js';
import { registerTeamPageActions } from './team-page.js';
import { registerLeaveAction } from './leave.js';
import { registerOpenInviteModalAction } from './open-invite-modal.js';
import { registerPendingInvitationActions } from './pending-invitations.js';
import { registerRemovalDecisionActions } from './removal-decisions.js';
import { registerAccessReviewActions } from './access-review.js';
import { registerAuditLogActions } from './audit-log.js';
import { registerMemberActivityActions } from './member-activity.js';
import { registerWebhookActions } from './webhooks.js';
import { registerRestoreUndoActions } from './restore-undo.js';

/** Registers every action listener; one line per listener module. */
export function register(app: App, deps: SlackDeps): void {
  registerLeaveAction(app, deps);
  registerInvitationDmActions(app, deps);
  registerOpenInviteModalAction(app, deps);
  registerPendingInvitationActions(app, deps);
  registerTeamPageActions(app, deps);
  registerRemovalDecisionActions(app, deps);
  registerAccessReviewActions(app, deps);
  registerAuditLogActions(app, deps);
  registerMemberActivityActions(app, deps);
  registerWebhookActions(app, deps);
  registerRestoreUndoActions(app, deps);
}
