import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { setOrganization } from '../context.js';
import { FOREIGN_WORKSPACE_MESSAGE, type Tenancy } from '../tenancy.js';

/**
 * Resolves the workspace a request comes from to its organization (src/slack/tenancy.ts). A
 * request from a workspace this deployment does not serve goes no further: a slash command is
 * told so in its ack, anything else is acknowledged and dropped. No Web API call is made for
 * it — our token is not that workspace's — and nothing is written.
 */
export function loadOrganization(deps: { tenancy: Tenancy; log: Logger }): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { context, next } = args;
    if (!context.teamId && !context.enterpriseId) throw new Error('request carries no workspace id');
    const source = { teamId: context.teamId, enterpriseId: context.enterpriseId, isEnterpriseInstall: context.isEnterpriseInstall };
    const organization = await deps.tenancy.organizationFor(source);
    if (!organization) {
      deps.log.warn(source, 'request from a workspace this deployment does not serve; refused');
      if ('ack' in args && typeof args.ack === 'function') {
        const isCommand = 'command' in args;
        await (args.ack as (body?: unknown) => Promise<void>)(isCommand ? { response_type: 'ephemeral', text: FOREIGN_WORKSPACE_MESSAGE } : undefined);
      }
      return;
    }
    setOrganization(context, organization);
    await next();
  };
}
