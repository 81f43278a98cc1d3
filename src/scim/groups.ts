import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/database.js';
import type { Role } from '../db/schema.js';
import { AppError } from '../errors.js';
import { changeRole } from '../team/members.js';
import { IDENTITY_PROVIDER } from '../team/provisioning.js';
import { scimTokenOf } from './auth.js';
import { invalidValue, notFound, ScimError } from './errors.js';
import { parseFilter } from './filter.js';
import { listResponse, SCHEMA } from './schemas.js';
import { findUser, membersWithRole } from './user-directory.js';
import { patchOperations } from './user-input.js';
import { GROUPS, type GroupId } from './user-resource.js';
import { baseUrl, sendScim } from './respond.js';

/**
 * /Groups: exactly two, Owners and Members, whose members are the people with that role. The
 * groups themselves are fixed (no create, rename or delete); adding someone to Owners makes
 * them an owner and removing them makes them a member, through changeRole with its last-owner
 * rule. Members lists everyone else; adding an owner there makes them a member. Leaving the
 * team is not a group matter: that is the User's `active: false` or DELETE.
 */
export function groupRoutes(deps: { db: Db }): Router {
  const router = Router();
  const { db } = deps;

  router.get('/Groups', async (req, res) => {
    const filterText = typeof req.query.filter === 'string' ? req.query.filter : undefined;
    const filter = filterText === undefined ? undefined : parseFilter(filterText, ['displayName', 'id']);
    const ids = (Object.keys(GROUPS) as GroupId[]).filter((id) => {
      if (!filter) return true;
      const value = typeof filter.value === 'string' ? filter.value : '';
      return filter.attribute === 'id' ? id === value : GROUPS[id].displayName.toLowerCase() === value.toLowerCase();
    });
    const withMembers = !excludesMembers(req);
    const resources = await Promise.all(ids.map((id) => groupResource(db, scimTokenOf(res).organizationId, id, baseUrl(req), withMembers)));
    sendScim(res, 200, listResponse(resources, resources.length, 1));
  });

  router.get('/Groups/:id', async (req, res) => {
    sendScim(res, 200, await groupResource(db, scimTokenOf(res).organizationId, groupId(req), baseUrl(req), !excludesMembers(req)));
  });

  router.patch('/Groups/:id', async (req, res) => {
    const org = scimTokenOf(res).organizationId;
    const id = groupId(req);
    const role = GROUPS[id].role;
    for (const op of patchOperations(req.body)) {
      const path = op.path?.toLowerCase();
      const filterMatch = /^members\[value eq "([^"]+)"\]$/i.exec(op.path ?? '');
      if (op.op === 'remove' && filterMatch) {
        await leaveGroup(db, org, role, [filterMatch[1]!]);
      } else if (path === 'members') {
        const ids = memberIds(op.value);
        if (op.op === 'add') await joinGroup(db, org, role, ids);
        else if (op.op === 'remove') await leaveGroup(db, org, role, ids);
        else await replaceGroup(db, org, role, ids);
      } else if (path === undefined && op.op !== 'remove' && op.value && typeof op.value === 'object') {
        // Okta sends the group's own attributes back (id, displayName) alongside members.
        const value = op.value as { displayName?: unknown; members?: unknown };
        if (value.displayName !== undefined && value.displayName !== GROUPS[id].displayName) {
          throw new ScimError(400, `The groups are fixed: ${GROUPS[id].displayName} cannot be renamed.`, 'mutability');
        }
        if (value.members !== undefined) {
          const ids = memberIds(value.members);
          await (op.op === 'add' ? joinGroup(db, org, role, ids) : replaceGroup(db, org, role, ids));
        }
      } else if (path === 'displayname') {
        throw new ScimError(400, `The groups are fixed: ${GROUPS[id].displayName} cannot be renamed.`, 'mutability');
      } else {
        throw new ScimError(400, `Operation ${op.op} on path "${op.path ?? ''}" is not supported on a group; use path "members".`, 'invalidPath');
      }
    }
    sendScim(res, 200, await groupResource(db, org, id, baseUrl(req), true));
  });

  // A provider pushing a group creates it first: Owners and Members exist already, so "creating"
  // one of them links to it (its members join); any other name is refused.
  router.post('/Groups', async (req, res) => {
    const org = scimTokenOf(res).organizationId;
    const body = req.body as { displayName?: unknown; members?: unknown } | null;
    const name = typeof body?.displayName === 'string' ? body.displayName.trim().toLowerCase() : '';
    const id = (Object.keys(GROUPS) as GroupId[]).find((g) => GROUPS[g].displayName.toLowerCase() === name);
    if (!id) {
      throw new ScimError(400, 'The groups are fixed: name a group "Owners" or "Members" (the roles); other groups cannot be created.', 'mutability');
    }
    if (body?.members !== undefined) await joinGroup(db, org, GROUPS[id].role, memberIds(body.members));
    const resource = await groupResource(db, org, id, baseUrl(req), true);
    res.setHeader('Location', resource.meta.location);
    sendScim(res, 201, resource);
  });
  const fixed = (_req: Request, res: Response) => sendFixed(res);
  router.put('/Groups/:id', fixed);
  router.delete('/Groups/:id', fixed);
  return router;
}

function sendFixed(res: Response): never {
  throw new ScimError(400, 'The groups are fixed: Owners and Members. Change who is in them with PATCH /Groups/{id} (path "members").', 'mutability');
}

async function groupResource(db: Db, organizationId: string, id: GroupId, base: string, withMembers: boolean) {
  const group = GROUPS[id];
  const members = withMembers ? await membersWithRole(db, organizationId, group.role) : [];
  return {
    schemas: [SCHEMA.group],
    id: group.id,
    displayName: group.displayName,
    ...(withMembers ? { members: members.map((m) => ({ value: m.id, display: m.display_name ?? m.email, $ref: `${base}/Users/${m.id}` })) } : {}),
    meta: { resourceType: 'Group', location: `${base}/Groups/${group.id}` },
  };
}

/** Joining a role's group: that role. */
async function joinGroup(db: Db, organizationId: string, role: Role, ids: string[]): Promise<void> {
  for (const id of ids) await setRole(db, organizationId, id, role);
}

/** Leaving Owners makes a member; leaving Members is not how anyone leaves the team. */
async function leaveGroup(db: Db, organizationId: string, role: Role, ids: string[]): Promise<void> {
  if (role === 'member') {
    throw new ScimError(400, 'Removing someone from Members does not remove them from the team: deactivate the User (active: false) or DELETE /Users/{id}.', 'mutability');
  }
  for (const id of ids) await setRole(db, organizationId, id, 'member');
}

/** The group is exactly these people: joiners first, so the team is never without an owner midway. */
async function replaceGroup(db: Db, organizationId: string, role: Role, ids: string[]): Promise<void> {
  await joinGroup(db, organizationId, role, ids);
  if (role === 'owner') {
    const leaving = (await membersWithRole(db, organizationId, 'owner')).filter((m) => !ids.includes(m.id));
    await leaveGroup(db, organizationId, role, leaving.map((m) => m.id));
  }
}

async function setRole(db: Db, organizationId: string, id: string, role: Role): Promise<void> {
  const user = await findUser(db, organizationId, id);
  if (!user || user.kind !== 'member' || user.member.status !== 'active') throw invalidValue(`No active member with id "${id.slice(0, 64)}" in this team.`);
  if (user.member.role === role) return;
  try {
    await changeRole(db, {
      organizationId,
      actorMemberId: null,
      targetMemberId: user.member.id,
      role,
      source: IDENTITY_PROVIDER.source,
      byDirectory: { name: IDENTITY_PROVIDER.name, actor: IDENTITY_PROVIDER.actor },
    });
  } catch (err) {
    // Someone else made the same change meanwhile: the group already says what was asked.
    if (err instanceof AppError && err.code === 'no_change') return;
    throw err;
  }
}

function memberIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item, i) => {
    const id = (item as { value?: unknown } | null)?.value;
    if (typeof id !== 'string' || id === '') throw invalidValue(`members[${i}].value must be a User id.`);
    return id;
  });
}

function groupId(req: Request): GroupId {
  const raw = String(req.params.id);
  const id = raw.toLowerCase();
  if (!Object.hasOwn(GROUPS, id)) throw notFound(`Group ${raw.slice(0, 64)} (the groups are "owners" and "members")`);
  return id as GroupId;
}

function excludesMembers(req: Request): boolean {
  const excluded = typeof req.query.excludedAttributes === 'string' ? req.query.excludedAttributes : '';
  return excluded.split(',').some((a) => a.trim().toLowerCase() === 'members');
}
