import { describe, expect, it } from 'vitest';
import { decide, type Action, type Actor, type Target } from '../../src/team/policy.js';

/**
 * The permission matrix of the product brief ("Roles"), over every action, for each kind of
 * actor, in its own organization and against another organization's data.
 */
const ORG = 'org-a';
const OTHER = 'org-b';

const owner: Actor = { id: 'o1', organization_id: ORG, role: 'owner', status: 'active' };
const member: Actor = { id: 'm1', organization_id: ORG, role: 'member', status: 'active' };
const removed: Actor = { id: 'r1', organization_id: ORG, role: 'owner', status: 'removed' };
const nonMember: Actor = null;
const foreignOwner: Actor = { id: 'x1', organization_id: OTHER, role: 'owner', status: 'active' };

const someoneElse: Target = { id: 't1', organization_id: ORG, role: 'member', status: 'active' };
const foreignTarget: Target = { id: 'x2', organization_id: OTHER, role: 'member', status: 'active' };

// [action, owner may, member may]
const MATRIX: Array<[Action, boolean, boolean]> = [
  ['team.view', true, true],
  ['member.invite', true, false],
  ['member.change_role', true, false],
  ['member.request_removal', true, false],
  ['member.restore', true, false],
  ['removal.decide', true, false],
  ['settings.view', true, false],
  ['settings.change', true, false],
  ['audit.read', true, false],
  ['activity.view', true, false], // someone else's; own activity below
  ['team.leave', true, true],
];

describe.each(MATRIX)('%s', (action, ownerMay, memberMay) => {
  const target = action === 'team.leave' || action === 'team.view' ? undefined : someoneElse;

  it(`owner: ${ownerMay ? 'allowed' : 'refused'}`, () => {
    expect(decide(owner, action, ORG, target).allowed).toBe(ownerMay);
  });
  it(`member: ${memberMay ? 'allowed' : 'refused'}`, () => {
    const d = decide(member, action, ORG, target);
    expect(d.allowed).toBe(memberMay);
    if (!memberMay) expect(d.reason).toMatch(/Only owners can|only owners can/);
  });
  it('non-member Slack user: refused with the one sentence', () => {
    const d = decide(nonMember, action, ORG, target);
    expect(d).toEqual({ allowed: false, reason: expect.stringContaining('only `/team help` is available to you') });
  });
  it('removed member (even a former owner): refused like a non-member', () => {
    expect(decide(removed, action, ORG, target).allowed).toBe(false);
  });
  it("another organization's owner: refused", () => {
    expect(decide(foreignOwner, action, ORG, target).allowed).toBe(false);
  });
  it("own owner acting on another organization's member: refused", () => {
    expect(decide(owner, action, ORG, foreignTarget).allowed).toBe(false);
  });
});

describe('special cases', () => {
  it('a member may see their own activity', () => {
    expect(decide(member, 'activity.view', ORG, { ...someoneElse, id: member!.id }).allowed).toBe(true);
  });
  it('an owner cannot request their own removal; leaving is the way', () => {
    expect(decide(owner, 'member.request_removal', ORG, { ...someoneElse, id: owner!.id, role: 'owner' })).toEqual({
      allowed: false,
      reason: 'To remove yourself, use `/team leave`.',
    });
  });
});
