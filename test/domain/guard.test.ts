import { describe, expect, it } from 'vitest';

/** The domain suite's guard is itself tested: were it to let Slack in, the suite would prove nothing. */
describe('the domain suite loads no Slack adapter', () => {
  it('refuses a Slack adapter module, the tellings composition and an @slack/* package', async () => {
    // Named at run time: a literal specifier would be refused while this file itself is loaded.
    for (const id of ['../../src/slack/mrkdwn.js', '../../src/notify/tellings/slack-teller.js', '../../src/mail/teller.js', '../../src/tellings.js', '@slack/web-api']) {
      await expect(import(/* @vite-ignore */ id), id).rejects.toThrow(/The domain suite loads no Slack adapter/);
    }
  });

  it('lets the domain itself load, and it tells nobody', async () => {
    const members = await import('../../src/team/members.js');
    const removals = await import('../../src/team/removals.js');
    const invitations = await import('../../src/team/invitations.js');
    const reviews = await import('../../src/activity/access-review.js');
    expect([members.changeRole, removals.decideRemoval, invitations.createInvitations, reviews.decideReviewItem].every((f) => typeof f === 'function')).toBe(true);
  });
});
