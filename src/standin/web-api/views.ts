/** views.open, views.push, views.update, views.publish. */
import { validateView, type ViewType } from '../block-kit/index.js';
import { fail, failWithMessages, isObject, ok, str, type Args, type MethodHandler } from '../http/reply.js';
import type { WorkspaceModel } from '../workspace/model.js';
import { checkTrigger } from './rules.js';

export function viewsMethods(w: WorkspaceModel): Record<string, MethodHandler> {
  return {
    'views.open': (a) => open(w, a, 'open'),
    'views.push': (a) => open(w, a, 'push'),
    'views.update': (a) => update(w, a),
    'views.publish': (a) => publish(w, a),
  };
}

/** views.open and views.push share the same rules. */
function open(w: WorkspaceModel, args: Args, how: 'open' | 'push') {
  const triggerProblem = checkTrigger(w, args.trigger_id);
  if (triggerProblem) return triggerProblem;
  if (!isObject(args.view)) return failWithMessages('invalid_arguments', ['missing required field: view']);
  const problems = validateView(args.view, 'modal');
  if (problems.length > 0) return failWithMessages('invalid_arguments', problems);
  const external = str(args.view.external_id);
  if (external && w.viewIdByExternalId.has(external)) return fail('duplicate_external_id');

  // The trigger is only spent by a successful open, so a fixed view can be retried within the TTL.
  w.triggers.get(String(args.trigger_id))!.used = true;
  const view = w.buildView(args.view);
  w.storeView(view);
  w.changed({ kind: 'view', view, how, triggerId: String(args.trigger_id) });
  return ok({ view });
}

function update(w: WorkspaceModel, args: Args) {
  const byId = str(args.view_id);
  const byExternalId = str(args.external_id);
  if (!byId && !byExternalId) return failWithMessages('invalid_arguments', ['either view_id or external_id is required']);
  const viewId = byId ?? w.viewIdByExternalId.get(byExternalId!);
  const previous = viewId ? w.views.get(viewId) : undefined;
  if (!previous) return fail('not_found');
  // The hash guards against overwriting a view that changed since the app last saw it.
  if (str(args.hash) && args.hash !== previous.hash) return fail('hash_conflict');
  if (!isObject(args.view)) return failWithMessages('invalid_arguments', ['missing required field: view']);
  const problems = validateView(args.view, previous.type as ViewType);
  if (problems.length > 0) return failWithMessages('invalid_arguments', problems);

  // An update that omits external_id keeps the one the view already had.
  const next = args.view.external_id === undefined && str(previous.external_id)
    ? { ...args.view, external_id: previous.external_id }
    : args.view;
  const view = w.buildView(next, previous);
  w.storeView(view, previous);
  let homeOf: string | undefined;
  for (const [user, home] of w.homeViews) if (home.id === view.id) { w.homeViews.set(user, view); homeOf = user; }
  w.changed({ kind: 'view', view, how: 'update', ...(homeOf ? { userId: homeOf } : {}) });
  return ok({ view });
}

function publish(w: WorkspaceModel, args: Args) {
  const userId = String(args.user_id ?? '');
  const user = w.findUser(userId);
  if (!user || user.isBot) return fail('user_not_found');
  if (!isObject(args.view)) return failWithMessages('invalid_arguments', ['missing required field: view']);
  const problems = validateView(args.view, 'home');
  if (problems.length > 0) return failWithMessages('invalid_arguments', problems);
  const previous = w.homeViews.get(userId);
  if (str(args.hash) && previous && args.hash !== previous.hash) return fail('hash_conflict');

  // A user's home tab keeps its view id across publishes.
  const view = w.buildView(args.view, previous);
  w.storeView(view, previous);
  w.homeViews.set(userId, view);
  w.changed({ kind: 'view', view, how: 'publish', userId });
  return ok({ view });
}
