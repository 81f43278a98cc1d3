import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { TaskPayload } from '../jobs/tasks.js';
import type { HomeView } from '../slack/home/home-view.js';
import { deliver } from '../slack/delivery.js';

export type HomeRenderer = (organizationId: string, slackUserId: string) => Promise<HomeView>;

/** Job handler: renders one person's App Home from the database now and publishes it. */
export async function publishHome(
  deps: { slack: WebClient; log: Logger; renderHome: HomeRenderer },
  payload: TaskPayload<'slack.publish-home'>,
  signal?: AbortSignal,
): Promise<void> {
  const view = await deps.renderHome(payload.organizationId, payload.slackUserId);
  await deliver(() => deps.slack.views.publish({ user_id: payload.slackUserId, view: view }), {
    log: deps.log,
    ...(signal ? { signal } : {}),
  });
}
