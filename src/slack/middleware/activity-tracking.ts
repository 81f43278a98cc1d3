import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import { SLACK_ACTIVITY_INTERVAL_MS, touchSlackActivity } from '../../activity/member-activity.js';
import type { Db } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import { organizationOf } from '../context.js';

/**
 * Keeps `members.last_slack_activity_at` ("last activity in Slack" in the activity view) up to
 * date: when someone uses the app in Slack — a slash command, a button or menu, a form
 * submission, opening the App Home — and they are an active member, the time is written, at
 * most once per 5 minutes per member (a conditional UPDATE that matches no row in between).
 *
 * It is telemetry, not a change of the team's state: no audit event, no notification.
 *
 * Off the critical path: registered outermost but one (inside the in-flight counter, outside the
 * error replies), it writes only after the rest of the chain has finished — by then the listener
 * has acked, or the error replies have answered for it — so Slack's 3 s never wait for it, and a
 * member linked by email during the request is already linked when it runs. Graceful shutdown
 * still waits for it (it is in flight). A failure is logged and never reaches the person.
 *
 * Throttled in memory too: after this process has written someone's time it sends no UPDATE for
 * them for the rest of the interval (the database would match no row anyway), which takes one
 * statement off nearly every request (issue 20). Another instance's write is still caught by the
 * conditional UPDATE; the map forgets everyone when it grows past MAX_REMEMBERED.
 */
export function trackSlackActivity(deps: { db: Db; log: Logger; now?: () => number }): Middleware<AnyMiddlewareArgs> {
  const now = deps.now ?? Date.now;
  const writtenAt = new Map<string, number>();
  return async ({ body, context, next }) => {
    const slackUserId = actingUser(body as Record<string, any>);
    try {
      await next();
    } finally {
      const organizationId = slackUserId ? organizationIdOf(context) : undefined;
      const key = `${organizationId}:${slackUserId}`;
      const last = writtenAt.get(key);
      if (slackUserId && organizationId && last !== undefined && now() - last < SLACK_ACTIVITY_INTERVAL_MS) {
        deps.log.debug({ slackUserId, recorded: false, throttled: true }, 'slack activity');
      } else if (slackUserId && organizationId) {
        try {
          const recorded = await touchSlackActivity(deps.db, organizationId, slackUserId);
          if (recorded) {
            if (writtenAt.size >= MAX_REMEMBERED) writtenAt.clear();
            writtenAt.set(key, now());
          }
          deps.log.debug({ slackUserId, recorded }, 'slack activity');
        } catch (err) {
          deps.log.warn({ err }, 'could not record slack activity');
        }
      }
    }
  };
}

const MAX_REMEMBERED = 100_000;

/** Who used the app, for the kinds of request that count as using it; undefined otherwise. */
export function actingUser(body: Record<string, any>): string | undefined {
  if (typeof body.command === 'string') return str(body.user_id);
  if (body.type === 'block_actions' || body.type === 'view_submission') return str(body.user?.id);
  if (body.type === 'event_callback' && body.event?.type === 'app_home_opened') return str(body.event.user);
  return undefined;
}

/** The organization the organization middleware loaded; undefined when it never got that far (e.g. no database). */
function organizationIdOf(context: Context): string | undefined {
  try {
    return organizationOf(context).id;
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
