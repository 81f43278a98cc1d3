import { describe, expect, it, vi } from 'vitest';
import { KNOWN_ACTIONS } from '../../src/events/audit-actions.js';
import { AppError, moment, person, plainWords, say } from '../../src/errors.js';
import { SLACK_RENDERERS } from '../../src/notify/tellings/slack-teller.js';
import { slackMessage } from '../../src/slack/mrkdwn.js';

/**
 * Slack hears of a change only through its audit action's renderer (src/notify/tellings). So
 * that a new action is not silently left untold, every action the app writes is either rendered
 * or listed here as one Slack is not told of, on purpose.
 */
const NOT_TOLD_IN_SLACK = [
  // Bookkeeping and things with their own surfaces (the API key is shown once to whoever made it,
  // webhooks answer in their own views).
  'member.slack_linked',
  'api_key.created',
  'api_key.revoked',
  'activity.ingested',
  'slack.installed',
  'slack.uninstalled',
  'webhook.endpoint_created',
  'webhook.endpoint_updated',
  'webhook.endpoint_deleted',
  'webhook.secret_rotated',
  'webhook.redelivery_requested',
  // SCIM: a DELETE of someone already deactivated there changes nothing anyone sees.
  'member.deleted_in_directory',
  // Deactivated in Slack under the setting "do nothing": recorded in the audit log only.
  'member.deactivation_ignored',
];

describe('what Slack is told', () => {
  it('every audit action is rendered for Slack or listed as not told there', () => {
    const rendered = Object.keys(SLACK_RENDERERS);
    expect(rendered.filter((a) => !(KNOWN_ACTIONS as readonly string[]).includes(a))).toEqual([]);
    expect(KNOWN_ACTIONS.filter((a) => !rendered.includes(a) && !NOT_TOLD_IN_SLACK.includes(a))).toEqual([]);
    expect(NOT_TOLD_IN_SLACK.filter((a) => rendered.includes(a))).toEqual([]);
  });
});

describe('refusals that name people and moments', () => {
  const olga = { slack_user_id: 'U0OLGA', display_name: 'Olga', email: 'olga@acme.test' };
  const unlinked = { slack_user_id: null, display_name: null, email: 'a<b>@acme.test' };
  const at = new Date('2026-12-07T15:04:05Z');

  it('read as plain text outside Slack: the name (else the email) and the time in UTC', () => {
    const err = new AppError('already_decided', say`Kept by ${person(olga)} on ${moment(at)}; ${person(unlinked)} was told.`);
    expect(err.message).toBe('Kept by Olga on 2026-12-07 15:04 UTC; a<b>@acme.test was told.');
    expect(plainWords(['just words'])).toBe('just words');
  });

  it('read in Slack as a mention and a local time, other names escaped', () => {
    const err = new AppError('already_decided', say`Kept by ${person(olga)} on ${moment(at)}; ${person(unlinked)} was told.`);
    expect(slackMessage(err)).toBe(
      `Kept by <@U0OLGA> on <!date^${at.getTime() / 1000}^{date_short_pretty} at {time}|2026-12-07 15:04 UTC>; a&lt;b&gt;@acme.test was told.`,
    );
  });

  it('a plain sentence stays itself on every surface', () => {
    const err = new AppError('forbidden', 'Only owners can do that.');
    expect([err.message, slackMessage(err)]).toEqual(['Only owners can do that.', 'Only owners can do that.']);
  });
});

describe('a process that installed no tellers', () => {
  it('refuses to change anything rather than change it and tell nobody', async () => {
    vi.resetModules();
    const fresh = await import('../../src/events/tellers.js');
    const event = { id: '1', action: 'member.left' } as never;
    await expect(fresh.tellChange({} as never, [event])).rejects.toThrow(/No tellers are installed/);
    fresh.installTellers([]);
    await expect(fresh.tellChange({} as never, [event])).resolves.toBeUndefined();
  });
});
