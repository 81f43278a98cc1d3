import { z } from 'zod';
import type { ProvisionedProfile } from '../team/provisioning.js';
import { invalidSyntax, invalidValue, ScimError } from './errors.js';
import { SCHEMA } from './schemas.js';

/**
 * What a client's User bodies mean here. POST and PUT carry a whole User; PATCH carries
 * operations (RFC 7644 §3.5.2) in the shapes the big providers send: Entra ID's
 * `{"op":"Replace","path":"active","value":"False"}` (capitalised op, string booleans) and
 * Okta's `{"op":"replace","value":{"active":false}}` (no path, an object of attributes).
 * Attributes this app does not keep (title, phone numbers, addresses…) are accepted and ignored.
 */
export interface UserChange {
  profile: ProvisionedProfile;
  active?: boolean;
  /** The request named the email itself (not only a userName). */
  emailGiven?: boolean;
}

const optionalText = z.string().max(500).nullable().optional();
const userBody = z.looseObject({
  schemas: z.array(z.string()).optional(),
  userName: z.string({ error: 'userName is required: the person\'s email' }).min(1, 'userName is required: the person\'s email'),
  externalId: optionalText,
  displayName: optionalText,
  name: z.looseObject({ givenName: optionalText, familyName: optionalText, formatted: optionalText }).nullable().optional(),
  emails: z.array(z.looseObject({ value: z.string().optional(), primary: z.unknown().optional(), type: z.string().optional() })).nullable().optional(),
  active: z.unknown().optional(),
});

/** A whole User (POST, PUT): every field it leaves out is cleared (PUT replaces). */
export function parseUserBody(body: unknown): UserChange & { profile: ProvisionedProfile & { email: string } } {
  const parsed = userBody.safeParse(body);
  if (!parsed.success) throw invalidValue(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const user = parsed.data;
  if (user.schemas && !user.schemas.includes(SCHEMA.user)) throw invalidSyntax(`A User body's schemas must include "${SCHEMA.user}".`);
  const email = emailOf(user.userName, user.emails ?? []);
  const change: UserChange & { profile: ProvisionedProfile & { email: string } } = {
    profile: {
      email,
      userName: user.userName,
      externalId: user.externalId ?? null,
      givenName: user.name?.givenName ?? null,
      familyName: user.name?.familyName ?? null,
      ...(user.displayName !== undefined ? { displayName: user.displayName } : user.name?.formatted ? { displayName: user.name.formatted } : {}),
    },
  };
  if (user.active !== undefined) change.active = booleanOf(user.active, 'active');
  return change;
}

/** userName when it is an address (the documented mapping), else the primary email. */
function emailOf(userName: string, emails: ReadonlyArray<{ value?: string | undefined; primary?: unknown }>): string {
  if (userName.includes('@')) return userName;
  const primary = emails.find((e) => booleanish(e.primary) === true) ?? emails[0];
  if (primary?.value?.includes('@')) return primary.value;
  throw invalidValue(`userName "${userName.slice(0, 100)}" is not an email address: map userName to the person's email (or send an email in emails).`);
}

const PATCH_OPS = ['add', 'replace', 'remove'] as const;

/** PATCH operations on a User, folded into one change (later operations win). */
export function parseUserPatch(body: unknown): UserChange {
  const ops = patchOperations(body);
  const change: UserChange = { profile: {} };
  for (const op of ops) {
    if (op.path === undefined) {
      if (op.op === 'remove') throw new ScimError(400, 'A remove operation needs a path.', 'noTarget');
      if (!op.value || typeof op.value !== 'object' || Array.isArray(op.value)) throw invalidValue(`An ${op.op} without a path needs an object of attributes as its value.`);
      for (const [key, value] of Object.entries(op.value as Record<string, unknown>)) applyAttribute(change, key, value, op.op);
    } else {
      applyAttribute(change, op.path, op.op === 'remove' ? null : op.value, op.op);
    }
  }
  return change;
}

export interface PatchOperation {
  op: (typeof PATCH_OPS)[number];
  path?: string;
  value?: unknown;
}

/** The PatchOp envelope, checked: the schema, a list of operations, each op known (case-insensitively). */
export function patchOperations(body: unknown): PatchOperation[] {
  const envelope = body as { schemas?: unknown; Operations?: unknown; operations?: unknown } | null;
  if (!envelope || typeof envelope !== 'object') throw invalidSyntax('The body must be a PatchOp JSON object.');
  if (!Array.isArray(envelope.schemas) || !envelope.schemas.includes(SCHEMA.patch)) throw invalidSyntax(`A PATCH body's schemas must include "${SCHEMA.patch}".`);
  const list = envelope.Operations ?? envelope.operations;
  if (!Array.isArray(list) || list.length === 0) throw invalidSyntax('A PATCH body needs Operations: a list of at least one operation.');
  return list.map((raw, i) => {
    const item = raw as { op?: unknown; path?: unknown; value?: unknown } | null;
    const op = typeof item?.op === 'string' ? item.op.toLowerCase() : undefined;
    if (!op || !(PATCH_OPS as readonly string[]).includes(op)) throw invalidSyntax(`Operations[${i}].op must be add, replace or remove.`);
    if (item!.path !== undefined && (typeof item!.path !== 'string' || item!.path.trim() === '')) throw new ScimError(400, `Operations[${i}].path must be a non-empty string.`, 'invalidPath');
    return { op: op as PatchOperation['op'], ...(typeof item!.path === 'string' ? { path: item!.path.trim() } : {}), ...(item!.value !== undefined ? { value: item!.value } : {}) };
  });
}

function applyAttribute(change: UserChange, rawKey: string, value: unknown, op: string): void {
  const key = rawKey.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '').toLowerCase();
  switch (key) {
    case 'active':
      if (value === null) throw new ScimError(400, 'active cannot be removed; set it to true or false.', 'mutability');
      change.active = booleanOf(value, 'active');
      return;
    case 'username': {
      if (value === null) throw new ScimError(400, 'userName cannot be removed.', 'mutability');
      const userName = text(value, 'userName');
      if (!userName) throw invalidValue('userName cannot be empty.');
      change.profile.userName = userName;
      // The documented mapping is userName = email: a new address moves the email too, unless
      // the same request says the email itself (emails[…]), which then wins.
      if (userName.includes('@') && !change.emailGiven) change.profile.email = userName;
      return;
    }
    case 'externalid':
      change.profile.externalId = text(value, 'externalId');
      return;
    case 'displayname':
      change.profile.displayName = text(value, 'displayName');
      return;
    case 'name.givenname':
      change.profile.givenName = text(value, 'name.givenName');
      return;
    case 'name.familyname':
      change.profile.familyName = text(value, 'name.familyName');
      return;
    case 'name':
      if (value === null) {
        change.profile.givenName = null;
        change.profile.familyName = null;
        return;
      }
      if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue('name must be an object with givenName and familyName.');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (k.toLowerCase() !== 'formatted') applyAttribute(change, `name.${k}`, v, op);
      return;
    case 'emails':
    case 'emails[type eq "work"].value':
    case 'emails[primary eq true].value': {
      const address = Array.isArray(value) ? ((value.find((e) => booleanish((e as { primary?: unknown }).primary) === true) ?? value[0]) as { value?: unknown } | undefined)?.value : value;
      if (typeof address === 'string' && address.includes('@')) {
        change.profile.email = address;
        change.emailGiven = true;
      }
      return;
    }
    case 'id':
    case 'meta':
    case 'groups':
      throw new ScimError(400, `${rawKey} is read-only here${key === 'groups' ? ' (change a role through /Groups/owners)' : ''}.`, 'mutability');
    default:
      // Attributes this app does not keep (title, phoneNumbers, the enterprise extension…).
      return;
  }
}

function text(value: unknown, name: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw invalidValue(`${name} must be a string.`);
  if (value.length > 500) throw invalidValue(`${name} is longer than 500 characters.`);
  return value;
}

/** true/false, and the strings Entra ID sends ("True", "False"). */
function booleanish(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

function booleanOf(value: unknown, name: string): boolean {
  const b = booleanish(value);
  if (b === undefined) throw invalidValue(`${name} must be true or false (got ${JSON.stringify(value)?.slice(0, 40)}).`);
  return b;
}
