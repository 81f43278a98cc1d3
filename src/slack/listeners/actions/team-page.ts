import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Organization } from '../../../db/schema.js';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { normaliseSearch, type TeamPageQuery } from '../../../team/member-list.js';
import { changeRole } from '../../../team/members.js';
import { memberLabel, timeLabel } from '../../mrkdwn.js';
import { previewRemoval } from '../../../team/removals.js';
import {
  ACTIONS,
  parsePageState,
  parseRoleOptionValue,
  parseRowBlockId,
  type Notice,
  type PageState,
} from '../../blocks/team-page.js';
import { removeModal, removeRefusedView, type ModalView } from '../../blocks/remove-modal.js';
import { renderListMessage } from '../../commands/list.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';
import { renderHome } from '../../home/home-view.js';
import { slackMessage } from '../../mrkdwn.js';

/**
 * The team page's controls, on both surfaces: the App Home tab (the action carries the view;
 * the answer is a fresh views.publish) and the `/team list` message (the action carries a
 * response_url; the answer replaces the message). Values and metadata only say WHERE (which
 * page, which member); who may see or change what is decided from the database on every click.
 * Domain refusals are shown the same way on both surfaces: the page, re-rendered with a notice
 * at the top.
 */

const OUT_OF_DATE = 'That control is out of date. Here is the page as it is now.';

/** The parts of a block_actions payload these handlers read. */
const payloadSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  view: z.object({ type: z.string(), private_metadata: z.string().optional() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        block_id: z.string().optional(),
        value: z.string().nullish(),
        selected_option: z.object({ value: z.string() }).nullish(),
      }),
    )
    .min(1),
});
type Payload = z.infer<typeof payloadSchema>;

type Surface = { kind: 'home' } | { kind: 'message'; respond: RespondFn };

interface Clicked {
  payload: Payload;
  action: Payload['actions'][number];
  organization: Organization;
  surface: Surface;
  client: WebClient;
}

export function registerTeamPageActions(app: App, deps: SlackDeps): void {
  /** Ack at once (Slack waits 3 s), parse, then work out which surface the click came from. */
  const on = (actionId: string, handle: (clicked: Clicked) => Promise<void>) =>
    app.action(actionId, async ({ ack, body, respond, context, client }) => {
      await ack();
      const payload = payloadSchema.parse(body);
      const surface: Surface | undefined =
        payload.view?.type === 'home' ? { kind: 'home' } : payload.response_url ? { kind: 'message', respond } : undefined;
      if (!surface) return; // not a surface the team page is shown on
      await handle({ payload, action: payload.actions[0]!, organization: organizationOf(context), surface, client });
    });

  /** Shows a page to the person who clicked, on the surface they clicked on. */
  async function show(c: Clicked, query: TeamPageQuery, notice?: Notice, known?: Awaited<ReturnType<typeof resolveActingMember>>): Promise<void> {
    // `known`: the viewer as this click already read them, when nothing since can have changed them.
    const viewer = known ?? (await resolveActingMember(deps.db, c.organization.id, c.payload.user.id, deps.peopleFor(c.organization.id)));
    if (c.surface.kind === 'home') {
      const state: PageState = { q: query.search, a: query.after, b: query.before };
      const view = await withFirstPageFallback(notice, (n) => renderHome(deps.db, c.organization, viewer, state, n), (n) =>
        renderHome(deps.db, c.organization, viewer, { q: query.search }, n),
      );
      await c.client.views.publish({ user_id: c.payload.user.id, view: view });
    } else {
      const reply = await withFirstPageFallback(notice, (n) => renderListMessage(deps.db, c.organization, viewer, query, deps.command, n), (n) =>
        renderListMessage(deps.db, c.organization, viewer, { search: query.search }, deps.command, n),
      );
      await c.surface.respond({ replace_original: true, response_type: 'ephemeral', text: reply.text, blocks: reply.blocks });
    }
  }

  /** Next / Previous: the button's value is the page to show. */
  const navigate = async (c: Clicked) => {
    const state = parsePageState(c.action.value);
    if (!state) return show(c, {}, { kind: 'error', text: OUT_OF_DATE });
    await show(c, { search: state.q, after: state.a, before: state.b });
  };
  on(ACTIONS.next, navigate);
  on(ACTIONS.previous, navigate);

  // Home only: the search box (dispatch_action, sent on Enter) and the button that clears it.
  on(ACTIONS.search, (c) => show(c, { search: normaliseSearch(c.action.value) }));
  on(ACTIONS.clearSearch, (c) => show(c, {}));

  on(ACTIONS.role, async (c) => {
    const choice = parseRoleOptionValue(c.action.selected_option?.value ?? undefined);
    const row = parseRowBlockId(c.action.block_id);
    // Where to come back to: Home keeps its page in private_metadata; a message's row names its page.
    const here: TeamPageQuery =
      c.surface.kind === 'home'
        ? pageQuery(parsePageState(c.payload.view?.private_metadata) ?? {})
        : { search: row?.search, from: row?.anchorId };
    if (!choice) return show(c, here, { kind: 'error', text: OUT_OF_DATE });

    // The actor as the database has them now; changeRole re-reads and authorises in its transaction.
    const actor = await resolveActingMember(deps.db, c.organization.id, c.payload.user.id, deps.peopleFor(c.organization.id));
    let notice: Notice;
    let changedSelf = true;
    try {
      const now = new Date();
      const ownerUntil = choice.ownerForDays ? new Date(now.getTime() + choice.ownerForDays * 86_400_000) : null;
      const { member, request, eventId } = await changeRole(deps.db, {
        organizationId: c.organization.id,
        actorMemberId: actor?.id ?? null,
        targetMemberId: choice.memberId,
        role: choice.role,
        ownerUntil,
        source: 'slack',
        now,
      });
      changedSelf = member.id === actor?.id;
      const until = ownerUntil ? ` until ${timeLabel(ownerUntil)}` : '';
      notice = request
        ? { kind: 'success', text: `Requested, waiting for another owner: ${memberLabel(member)} becomes an *owner*${until} once another owner approves.` }
        : { kind: 'success', text: `${memberLabel(member)} is now ${choice.role === 'owner' ? `an *owner*${until}` : 'a *member*'}.`, ...(eventId ? { undoEventId: eventId } : {}) };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      notice = { kind: 'error', text: slackMessage(err) };
    }
    // The page is drawn for the viewer as they are now: read again only if they changed their own role.
    await show(c, here, notice, changedSelf ? undefined : (actor ?? undefined));
  });

  // Remove: the Remove modal, built from the service's preview (which runs the removal's own
  // checks), or a small modal with the refusal. The button's value only says which member.
  on(ACTIONS.remove, async (c) => {
    if (!c.payload.trigger_id) return;
    const viewer = await resolveActingMember(deps.db, c.organization.id, c.payload.user.id, deps.peopleFor(c.organization.id));
    const memberId = z.uuid().safeParse(c.action.value);
    let view: ModalView;
    if (!memberId.success) {
      view = removeRefusedView('That control is out of date. Nothing was changed.');
    } else {
      try {
        const preview = await previewRemoval(deps.db, { organizationId: c.organization.id, actorMemberId: viewer?.id ?? null, targetMemberId: memberId.data });
        view = removeModal({ preview, organization: c.organization, viewerMemberId: viewer?.id });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        view = removeRefusedView(`${slackMessage(err)} Nothing was changed.`);
      }
    }
    await c.client.views.open({ trigger_id: c.payload.trigger_id, view: view });
  });
}

function pageQuery(state: PageState): TeamPageQuery {
  return { search: state.q, after: state.a, before: state.b };
}

/**
 * Renders, and when the page's cursor was refused (tampered, or its member is gone) renders
 * the first page instead with a word about it: navigation state is never worth an error page.
 */
async function withFirstPageFallback<T>(notice: Notice | undefined, render: (n?: Notice) => Promise<T>, firstPage: (n: Notice) => Promise<T>): Promise<T> {
  try {
    return await render(notice);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'invalid_cursor') throw err;
    return firstPage(notice ?? { kind: 'error', text: slackMessage(err) });
  }
}
