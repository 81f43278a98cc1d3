import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { AuditSource, Organization } from '../db/schema.js';
import { AppError } from '../errors.js';
import { appendAuditEvent } from '../events/audit-repository.js';
import { authorize } from './policy.js';
import { inChange } from './change.js';
import { updateOrganizationSettings } from './organization-repository.js';

/**
 * Team settings (product brief, "Settings"): the rules and the `updateSettings` service (the
 * channel's summary of a change is src/notify/tellings/settings.ts). The values live in columns of `organizations`; this module
 * never sees Slack types — the modal is built and read back in src/slack.
 */

export const SETTING_KEYS = [
  'team_channel_id',
  'approvals_channel_id',
  'removal_approval_policy',
  'removal_request_expiry_hours',
  'notify_removed_member',
  'promotion_approval_policy',
  'invitation_expiry_days',
  'allowed_email_domains',
  'require_sso',
  'access_review_cadence',
  'inactivity_threshold_days',
  'restore_window_days',
  'scim_provisioning',
  'slack_deactivation',
  'slack_auto_invite',
] as const;

export type SettingKey = (typeof SETTING_KEYS)[number];
export type Settings = Pick<Organization, SettingKey>;

export const REMOVAL_APPROVAL_POLICIES = ['none', 'another-owner'] as const;
export const PROMOTION_APPROVAL_POLICIES = ['immediate', 'another-owner'] as const;
export const ACCESS_REVIEW_CADENCES = ['off', 'weekly', 'monthly'] as const;
/** What a user provisioned over SCIM becomes: a member at once (default), or an invitee. */
export const SCIM_PROVISIONING_MODES = ['member', 'invite'] as const;
/** What a Slack deactivation does to the linked member (src/team/directory-changes.ts): remove (default), ask the owners, do nothing. */
export const SLACK_DEACTIVATION_MODES = ['remove', 'ask', 'ignore'] as const;
/** How long a removal request waits for another owner (the column's check is the same range). */
export const REMOVAL_REQUEST_EXPIRY_HOURS = { min: 1, max: 720, default: 72 } as const;
export const INVITATION_EXPIRY_DAYS = { min: 1, max: 30, default: 7 } as const;
export const INACTIVITY_THRESHOLD_DAYS = { min: 1, max: 3650, default: 90 } as const;
/** Days after a removal within which an owner can restore the member (src/team/restore.ts); 0 turns restore off. */
export const RESTORE_WINDOW_DAYS = { min: 0, max: 90, default: 30 } as const;
export const MAX_ALLOWED_DOMAINS = 50;
/** The list is shown back in one plain_text_input, whose max_length Slack caps at 3,000. */
export const MAX_DOMAINS_TEXT = 3000;

// ---------------------------------------------------------------------------
// Rules

/** A hostname people put after the @: labels of letters, digits and inner hyphens, a TLD of letters (or punycode). */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** Lower-cased, without a leading "@" (people type "@acme.com"); undefined when it is not a domain. */
export function normaliseDomain(input: string): string | undefined {
  const domain = input.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
  return DOMAIN.test(domain) ? domain : undefined;
}

/**
 * Splits what was typed into entries: commas, semicolons and new lines always separate; spaces
 * separate only when every space-separated word is a domain, so that "exa mple.com" is reported
 * as the one mistyped entry it is rather than as "exa" plus a valid "mple.com".
 */
export function splitDomainText(text: string): string[] {
  return text
    .split(/[,;\n\r]+/)
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '')
    .flatMap((piece) => {
      const words = piece.split(/\s+/);
      return words.length > 1 && words.every((w) => normaliseDomain(w)) ? words : [piece];
    });
}

function quoteList(entries: string[]): string {
  const shown = entries.slice(0, 3).map((e) => `"${[...e].length > 40 ? [...e].slice(0, 39).join('') + '…' : e}"`);
  const more = entries.length > 3 ? ` and ${entries.length - 3} more` : '';
  return shown.join(', ') + more;
}

const domainList = z.union([z.string(), z.array(z.string())], { error: 'Allowed email domains must be a list of domains' }).transform((input, ctx) => {
  const entries = typeof input === 'string' ? splitDomainText(input) : input;
  const bad = entries.filter((e) => !normaliseDomain(e));
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: bad.length === 1 ? `${quoteList(bad)} is not a domain` : `${quoteList(bad)} are not domains` });
    return z.NEVER;
  }
  const domains = [...new Set(entries.map((e) => normaliseDomain(e)!))];
  if (domains.length > MAX_ALLOWED_DOMAINS) {
    ctx.addIssue({ code: 'custom', message: `At most ${MAX_ALLOWED_DOMAINS} domains can be allowed (you entered ${domains.length})` });
    return z.NEVER;
  }
  if (domains.join(', ').length > MAX_DOMAINS_TEXT) {
    ctx.addIssue({ code: 'custom', message: `The list of domains is too long: keep it under ${MAX_DOMAINS_TEXT} characters` });
    return z.NEVER;
  }
  return domains;
});

/** A whole number of days (or hours) in a range; accepts what a number or text input sends (a string). */
function wholeNumber(label: string, range: { min: number; max: number }, unit: 'days' | 'hours' = 'days') {
  const message = `${label} must be a whole number of ${unit} from ${range.min} to ${range.max}`;
  return z.union([z.number(), z.string()], { error: message }).transform((input, ctx) => {
    const n = typeof input === 'number' ? input : /^\s*\d{1,9}\s*$/.test(input) ? Number(input) : Number.NaN;
    if (!Number.isInteger(n) || n < range.min || n > range.max) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return n;
  });
}

/** Public and private channel ids (C…, G…); a DM is not a place to post team updates. */
const channel = (label: string) =>
  z.string({ error: `Choose a channel for ${label}` }).regex(/^[CG][A-Z0-9]{2,}$/, `Choose a channel for ${label}, not a person or a direct message`).nullable();

/**
 * The settings as any surface submits them: raw form strings (numbers, the domain text) or
 * typed values. Parses to `Settings`; every message names the field and what is wrong, so
 * surfaces show it as is (the modal next to its input).
 */
export const settingsSchema = z.object({
  team_channel_id: channel('team updates'),
  approvals_channel_id: channel('removal approvals'),
  removal_approval_policy: z.enum(REMOVAL_APPROVAL_POLICIES, { error: 'Choose who must approve a removal' }),
  promotion_approval_policy: z.enum(PROMOTION_APPROVAL_POLICIES, { error: 'Choose whether a promotion to owner needs another owner' }),
  removal_request_expiry_hours: wholeNumber('Removal request expiry', REMOVAL_REQUEST_EXPIRY_HOURS, 'hours'),
  notify_removed_member: z.boolean({ error: 'Notify the removed person must be on or off' }),
  invitation_expiry_days: wholeNumber('Invitation expiry', INVITATION_EXPIRY_DAYS),
  allowed_email_domains: domainList,
  require_sso: z.boolean({ error: 'Require SSO must be on or off' }),
  access_review_cadence: z.enum(ACCESS_REVIEW_CADENCES, { error: 'Choose how often access is reviewed' }),
  inactivity_threshold_days: wholeNumber('Inactivity threshold', INACTIVITY_THRESHOLD_DAYS),
  restore_window_days: wholeNumber('Restore window', RESTORE_WINDOW_DAYS),
  scim_provisioning: z.enum(SCIM_PROVISIONING_MODES, { error: 'Choose what happens when your identity provider adds someone' }),
  slack_deactivation: z.enum(SLACK_DEACTIVATION_MODES, { error: 'Choose what happens when someone is deactivated in Slack' }),
  slack_auto_invite: z.boolean({ error: 'Invite new workspace members automatically must be on or off' }),
});

export type SettingsInput = z.input<typeof settingsSchema>;

export interface SettingsIssue {
  field: SettingKey;
  message: string;
}

/** The first problem of each field, in field order: what a form shows next to each input. */
export function settingsIssues(error: z.ZodError): SettingsIssue[] {
  const byField = new Map<SettingKey, string>();
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && (SETTING_KEYS as readonly string[]).includes(field) && !byField.has(field as SettingKey)) {
      byField.set(field as SettingKey, issue.message);
    }
  }
  return SETTING_KEYS.filter((k) => byField.has(k)).map((field) => ({ field, message: byField.get(field)! }));
}

export class InvalidSettingsError extends AppError {
  constructor(readonly issues: SettingsIssue[]) {
    super('invalid_settings', issues.map((i) => i.message).join('. ') + '. Nothing was changed.');
  }
}

/** Parses submitted settings (all of them, or some); throws InvalidSettingsError naming each bad field. */
export function parseSettings(input: Partial<SettingsInput>): Partial<Settings> {
  const result = settingsSchema.partial().safeParse(input);
  if (result.success) return result.data;
  const issues = settingsIssues(result.error);
  // Every issue of this schema has a field as its path; the fallback only guards the message.
  if (issues.length === 0) throw new AppError('invalid_settings', 'The settings could not be read. Nothing was changed.');
  throw new InvalidSettingsError(issues);
}

function sameValue<K extends SettingKey>(key: K, a: Settings[K], b: Settings[K]): boolean {
  if (key === 'allowed_email_domains') {
    // The same set in another order is no change.
    const x = [...(a as string[])].sort();
    const y = [...(b as string[])].sort();
    return x.length === y.length && x.every((d, i) => d === y[i]);
  }
  return a === b;
}

/** What differs between the current settings and the wanted ones: before/after of the changed fields only. */
export function diffSettings(current: Settings, wanted: Partial<Settings>): { before: Partial<Settings>; after: Partial<Settings> } {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    if (!(key in wanted) || wanted[key] === undefined) continue;
    if (sameValue(key, current[key], wanted[key] as never)) continue;
    before[key] = current[key];
    after[key] = wanted[key];
  }
  return { before: before as Partial<Settings>, after: after as Partial<Settings> };
}

export function settingsOf(organization: Organization): Settings {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, organization[k]])) as Settings;
}

// ---------------------------------------------------------------------------
// Service

export interface UpdateSettingsInput {
  organizationId: string;
  /** The acting member's id as resolved for this request; re-read here, under the organization lock. */
  actorMemberId: string | null;
  /** The wanted values (all fields or some); only those that differ from the stored ones count. */
  changes: Partial<SettingsInput>;
  source: AuditSource;
}

export interface UpdateSettingsResult {
  organization: Organization;
  /** The fields that changed; empty when nothing did (then nothing was written or sent). */
  changed: SettingKey[];
}

/**
 * Changes the team settings in one transaction: lock the organization, re-read and authorise
 * the actor, write the changed columns, one `settings.changed` audit event (actor: the member,
 * target: the organization — how the actor's activity finds its configuration changes),
 * (from which the team channel hears the summary: src/notify/tellings/settings.ts).
 */
export async function updateSettings(db: Db, input: UpdateSettingsInput): Promise<UpdateSettingsResult> {
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    // Authorised before validating, so that a member hears "only owners", not about a typo.
    authorize(actor, 'settings.change', organization.id);
    const wanted = parseSettings(input.changes);
    const { before, after } = diffSettings(settingsOf(organization), wanted);
    const changed = SETTING_KEYS.filter((k) => k in after);
    if (changed.length === 0) return { organization, changed };

    const updated = await updateOrganizationSettings(trx, organization.id, after);
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: { type: 'member', id: actor.id },
      action: 'settings.changed',
      target: { type: 'organization', id: organization.id },
      before,
      after,
      source: input.source,
    });
    return { organization: updated, changed };
  });
}
