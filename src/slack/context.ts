import type { Context } from '@slack/bolt';
import type { Organization } from '../db/schema.js';

/** What our middleware adds to Bolt's per-request context. */
interface TeamManagerContext {
  organization?: Organization;
}

export function setOrganization(context: Context, organization: Organization): void {
  (context as TeamManagerContext).organization = organization;
}

/** The organization of the workspace the request came from; the organization middleware guarantees it. */
export function organizationOf(context: Context): Organization {
  const organization = (context as TeamManagerContext).organization;
  if (!organization) throw new Error('organization middleware did not run for this request');
  return organization;
}
