import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/database.js';
import type { Member } from '../db/schema.js';
import { deprovisionPerson, provisionPerson, reactivatePerson, updatePersonProfile, withdrawProvisionedInvitation } from '../team/provisioning.js';
import { scimTokenOf } from './auth.js';
import { invalidValue, notFound, ScimError } from './errors.js';
import { parseFilter } from './filter.js';
import { listResponse, MAX_RESULTS } from './schemas.js';
import { findUser, listUsers, USER_FILTERS, type ScimUser } from './user-directory.js';
import { parseUserBody, parseUserPatch, type UserChange } from './user-input.js';
import { invitationResource, userResource } from './user-resource.js';
import { baseUrl, sendScim } from './respond.js';

/**
 * /Users (RFC 7644 §3): list with `filter`, `startIndex`, `count`; read; create; replace;
 * patch; delete. Every write goes through src/team/provisioning.ts, so deactivation and DELETE
 * end access through endMembership, with its audit event and team-channel post.
 */
export function userRoutes(deps: { db: Db }): Router {
  const router = Router();
  const { db } = deps;

  router.get('/Users', async (req, res) => {
    const org = scimTokenOf(res).organizationId;
    const filterText = queryText(req, 'filter');
    const filter = filterText === undefined ? undefined : parseFilter(filterText, USER_FILTERS);
    const startIndex = Math.max(1, integer(req, 'startIndex') ?? 1);
    const count = Math.min(MAX_RESULTS, Math.max(0, integer(req, 'count') ?? 100));
    const { users, total } = await listUsers(db, org, { filter, startIndex, count });
    sendScim(res, 200, listResponse(users.map((u) => resourceOf(u, baseUrl(req))), total, startIndex));
  });

  router.post('/Users', async (req, res) => {
    const org = scimTokenOf(res).organizationId;
    const change = parseUserBody(req.body);
    if (change.active === false) throw invalidValue('A user is provisioned active; send active: true (or leave it out), and deactivate later with PATCH.');
    const result = await provisionPerson(db, { organizationId: org, profile: change.profile });
    const resource = result.kind === 'member' ? userResource(result.member, baseUrl(req)) : invitationResource(result.invitation, baseUrl(req));
    res.setHeader('Location', resource.meta.location);
    sendScim(res, 201, resource);
  });

  router.get('/Users/:id', async (req, res) => {
    sendScim(res, 200, resourceOf(await userOr404(db, res, String(req.params.id)), baseUrl(req)));
  });

  router.put('/Users/:id', async (req, res) => {
    const user = await userOr404(db, res, String(req.params.id));
    const change = parseUserBody(req.body);
    sendScim(res, 200, resourceOf(await applyChange(db, scimTokenOf(res).organizationId, user, change), baseUrl(req)));
  });

  router.patch('/Users/:id', async (req, res) => {
    const user = await userOr404(db, res, String(req.params.id));
    const change = parseUserPatch(req.body);
    sendScim(res, 200, resourceOf(await applyChange(db, scimTokenOf(res).organizationId, user, change), baseUrl(req)));
  });

  router.delete('/Users/:id', async (req, res) => {
    const org = scimTokenOf(res).organizationId;
    const user = await userOr404(db, res, String(req.params.id));
    if (user.kind === 'invitation') await withdrawProvisionedInvitation(db, { organizationId: org, invitationId: user.invitation.id });
    else await deprovisionPerson(db, { organizationId: org, memberId: user.member.id, deleted: true });
    res.status(204).end();
  });

  return router;
}

/**
 * A change to one User, in the order that keeps access right at every step: coming back first
 * (so the profile lands on an active member), the profile, then going away last.
 */
async function applyChange(db: Db, organizationId: string, user: ScimUser, change: UserChange): Promise<ScimUser> {
  if (user.kind === 'invitation') {
    if (change.active === false) return { kind: 'invitation', invitation: await withdrawProvisionedInvitation(db, { organizationId, invitationId: user.invitation.id }) };
    // Until they accept there is no member to change: the invitation stands as it is.
    return user;
  }
  let member: Member = user.member;
  if (change.active === true && member.status !== 'active') member = await reactivatePerson(db, { organizationId, memberId: member.id });
  if (Object.keys(change.profile).length > 0) member = await updatePersonProfile(db, { organizationId, memberId: member.id, profile: change.profile });
  if (change.active === false && member.status === 'active') member = (await deprovisionPerson(db, { organizationId, memberId: member.id, deleted: false })).member;
  return { kind: 'member', member };
}

async function userOr404(db: Db, res: Response, id: string): Promise<ScimUser> {
  const user = await findUser(db, scimTokenOf(res).organizationId, id);
  if (!user) throw notFound(`User ${id.slice(0, 64)}`);
  return user;
}

function resourceOf(user: ScimUser, base: string) {
  return user.kind === 'member' ? userResource(user.member, base) : invitationResource(user.invitation, base);
}

function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ScimError(400, `${name} must be given once.`, 'invalidSyntax');
  return value;
}

function integer(req: Request, name: string): number | undefined {
  const value = queryText(req, name);
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,9}$/.test(value)) throw invalidValue(`${name} must be a whole number (got "${value.slice(0, 20)}").`);
  return Number(value);
}
