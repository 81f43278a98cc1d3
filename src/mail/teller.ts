import type { Teller } from '../events/tellers.js';
import type { JobSpec } from '../jobs/queue.js';

/**
 * The emails a change sends: today an invitation's link, with each send (sent, resent). The
 * job makes the token at send time (src/notify/invitation-delivery.ts), so none sits in the
 * queue; its key folds a resend into a pending delivery.
 */
export const mailTeller: Teller = {
  name: 'mail',
  async tell(_trx, events) {
    const jobs: JobSpec[] = [];
    for (const event of events) {
      if (!event.target_id || (event.action !== 'invitation.sent' && event.action !== 'invitation.resent')) continue;
      const after = (typeof event.after === 'string' ? JSON.parse(event.after) : event.after) as { send_count?: unknown } | null;
      const sendCount = event.action === 'invitation.sent' ? 1 : Number(after?.send_count);
      if (!Number.isInteger(sendCount) || sendCount < 1) continue;
      jobs.push({
        task: 'invitation.send-email',
        payload: { organizationId: event.organization_id, invitationId: event.target_id, sendCount },
        options: { jobKey: `invitation-email:${event.target_id}` },
      });
    }
    return jobs;
  },
};
