import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { createApiKey } from '../../src/api/api-keys.js';
import { sendInvitationEmail } from '../../src/notify/invitation-delivery.js';
import { INVITE_BLOCKS, INVITE_MODAL_CALLBACK_ID } from '../../src/slack/blocks/invite-modal.js';
import { REJECT_REASON_ACTION, REJECT_REASON_BLOCK, REJECT_REMOVAL_CALLBACK_ID } from '../../src/slack/blocks/reject-removal-modal.js';
import { REMOVE_BLOCKS, REMOVE_MODAL_CALLBACK_ID, removeMetadata } from '../../src/slack/blocks/remove-modal.js';
import { ACTIONS } from '../../src/slack/blocks/team-page.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { captureMail } from '../support/mail-capture.js';
import { queuedJobs, seedMember } from '../support/seed.js';
import { record } from './support/ledger.js';
import { errorLines } from './support/attack-kit.js';

/**
 * Hostile text in every free-text field a person or a system can fill: the invitation message,
 * removal and rejection reasons, activity summaries from the API, Slack display names and the
 * list search. Each must be stored exactly as given (trimmed where the product trims), and
 * shown literally: in Slack mrkdwn with &, <, > escaped (so nothing pings `<!channel>`, mentions
 * someone or forges a link), on the accept page HTML-escaped (no markup, no script).
 */

const HOSTILE = [
  '<!channel> everyone look',
  '<!here|here> and <!everyone>',
  '<@U0EVIL0001> you are mentioned',
  '<http://evil.test/phish|Click to keep your job>',
  '<mailto:evil@evil.test|mail me>',
  '<#C0EVIL0001> channel link',
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  '"><svg onload=alert(3)>',
  "'; DROP TABLE members; --",
  '" OR 1=1; -- \\ %_ $1 ${x}',
  '*bold* _it_ ~strike~ `code` ```block``` > quote',
  '&amp; &lt;!channel&gt; &#60;',
  'e\u0301 İ ß Σ 😀 👩‍👩‍👧 \u202eevil\u202c \u200b zero width',
  'line one\nline two\r\nline three\ttab',
  'x'.repeat(990),
];
/** What must never appear in rendered mrkdwn or HTML: the live forms of the hostile input. */
const RAW_MARKERS = ['<!channel>', '<!here', '<!everyone>', '<@U0EVIL0001>', '<http://evil.test', '<mailto:evil', '<#C0EVIL0001>', '<script', '<img', '<svg'];

/** Every mrkdwn string in a Slack body (mrkdwn text objects, and message-level `text`). */
function mrkdwnStrings(value: unknown, out: string[] = [], key = ''): string[] {
  if (Array.isArray(value)) for (const v of value) mrkdwnStrings(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const [k, v] of Object.entries(o)) if (k !== 'text' || typeof v !== 'string') mrkdwnStrings(v, out, k);
    if (typeof o.text === 'string' && o.type === undefined && key === '') out.push(o.text);
  }
  return out;
}
const rawIn = (strings: readonly string[]) => strings.flatMap((s) => RAW_MARKERS.filter((m) => s.includes(m)).map((m) => `${m} in ${JSON.stringify(s.slice(0, 120))}`));

describe('injection: hostile text stored literally, shown escaped', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let alice: Member;
  let carol: Member;
  let seq = 0;
  let unauthorised = 0;
  let inputs = 0;
  const findings: string[] = [];

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice' });
    carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { slackUserId: 'U0CAROL001', displayName: 'Carol' });
  });
  afterAll(async () => {
    record({ area: 'input', name: 'injection: mrkdwn, HTML, SQL, Unicode, long text in free-text fields', inputs, lost: 0, duplicated: 0, unauthorised });
    await h?.stop();
  });

  /** Findings of the current test only (the ledger counts them all). */
  const mine = () => findings.splice(0);
  const note = (where: string, raw: string[]) => {
    if (raw.length === 0) return;
    unauthorised += raw.length;
    findings.push(...raw.map((r) => `${where}: ${r}`));
  };
  const newMember = (role: 'owner' | 'member' = 'member') => {
    const n = ++seq;
    return seedMember(t.db, org, `target${n}@acme.test`, role, { slackUserId: `U0TGT${String(n).padStart(5, '0')}`, displayName: `Target ${n}` });
  };

  it('invitation message: stored as typed; the accept page shows it HTML-escaped', async () => {
    for (const text of HOSTILE) {
      inputs++;
      const email = `invitee${++seq}@example.org`;
      const res = await h.driver.viewSubmission('U0ALICE001', {
        callback_id: INVITE_MODAL_CALLBACK_ID,
        values: {
          [INVITE_BLOCKS.addresses]: { addresses: { type: 'plain_text_input', value: email } },
          [INVITE_BLOCKS.role]: { role: { type: 'radio_buttons', selected_option: { value: 'member' } } },
          [INVITE_BLOCKS.message]: { message: { type: 'plain_text_input', value: text } },
        },
      });
      expect(res.status).toBe(200);
      note(`invite ack (${text.slice(0, 20)})`, rawIn(mrkdwnStrings(res.json)));
      const invitation = await t.db.selectFrom('invitations').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
      expect(invitation.message).toBe(text);
      const mailer = captureMail();
      await sendInvitationEmail(
        { db: t.db, mailer, log: h.logs.log, publicUrl: h.app.url },
        { organizationId: org.id, invitationId: invitation.id, sendCount: invitation.send_count },
      );
      const html = await (await fetch(mailer.linkTo(email))).text();
      note(`accept page (${text.slice(0, 20)})`, rawIn([html]));
      // No live markup from the input: no script/img/svg tag, no event handler inside a tag.
      expect(html).not.toMatch(/<script|<img|<svg|<[^>]*\son\w+=/i);
      // Shown literally: the escaped form of the message is on the page.
      const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
      expect(html.includes(escaped) || html.includes(escaped.replace(/&#39;/g, '&#x27;'))).toBe(true);
    }
    // Everything queued for Slack about these invitations is escaped too.
    note('queued jobs (invitations)', rawIn((await queuedJobs(t.db, org.id)).flatMap((j) => mrkdwnStrings(j.payload))));
    expect(mine()).toEqual([]);
  });

  it('removal reason and rejection reason: stored trimmed but otherwise as typed; every Slack answer and queued message escapes them', async () => {
    for (const text of HOSTILE) {
      inputs += 2;
      const target = await newMember();
      const submitted = await h.driver.viewSubmission('U0ALICE001', {
        callback_id: REMOVE_MODAL_CALLBACK_ID,
        private_metadata: removeMetadata(target.id),
        values: { [REMOVE_BLOCKS.reason]: { reason: { type: 'plain_text_input', value: text } } },
      });
      expect(submitted.status).toBe(200);
      note(`remove ack (${text.slice(0, 20)})`, rawIn(mrkdwnStrings(submitted.json)));
      const request = await t.db.selectFrom('removal_requests').selectAll().where('target_member_id', '=', target.id).executeTakeFirstOrThrow();
      expect(request.reason).toBe(text.trim());

      const rejected = await h.driver.viewSubmission('U0CAROL001', {
        callback_id: REJECT_REMOVAL_CALLBACK_ID,
        private_metadata: request.id,
        values: { [REJECT_REASON_BLOCK]: { [REJECT_REASON_ACTION]: { type: 'plain_text_input', value: text } } },
      });
      expect(rejected.status).toBe(200);
      note(`reject ack (${text.slice(0, 20)})`, rawIn(mrkdwnStrings(rejected.json)));
      const after = await t.db.selectFrom('removal_requests').selectAll().where('id', '=', request.id).executeTakeFirstOrThrow();
      expect(after).toMatchObject({ status: 'rejected', decision_reason: text.trim() });
    }
    note('queued jobs (removals)', rawIn((await queuedJobs(t.db, org.id)).flatMap((j) => mrkdwnStrings(j.payload))));
    expect(mine()).toEqual([]);
  });

  it('activity summaries from the API and Slack display names: stored literally, escaped in the activity modal and the team list', async () => {
    const key = (await createApiKey(t.db, { organizationId: org.id, name: 'injector', scope: 'read-write', actor: { type: 'cli', id: 'x' }, source: 'cli' })).key;
    for (const text of HOSTILE) {
      inputs += 3;
      // A person whose Slack profile name is the hostile text, linked on first sight by email.
      const n = ++seq;
      const slackId = `U0HOS${String(n).padStart(5, '0')}`;
      h.standin.users.push({ id: slackId, name: `hostile${n}`, realName: text, email: `hostile${n}@acme.test` });
      const member = await seedMember(t.db, org, `hostile${n}@acme.test`, 'member');
      const own = await h.driver.command(slackId, '/team', 'activity');
      expect(own.status).toBe(200);
      const stored = await t.db.selectFrom('members').select(['display_name', 'slack_user_id']).where('id', '=', member.id).executeTakeFirstOrThrow();
      expect(stored.slack_user_id).toBe(slackId);

      const res = await fetch(`${h.app.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': `inj-${n}` },
        body: JSON.stringify({ type: 'config_change', email: `hostile${n}@acme.test`, occurred_at: new Date().toISOString(), summary: text.slice(0, 500), details: { text } }),
      });
      expect(res.status).toBe(201);
      const event = await t.db.selectFrom('activity_events').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
      expect(event.summary).toBe(text.slice(0, 500).trim());
      expect(event.details).toEqual({ text });

      // The owner opens the person's activity; the modal shows the summary and name escaped.
      const { triggerId } = await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.activity, value: member.id }], {
        message: { ts: '1700000000.000400', text: 'team', blocks: [] },
        channelId: 'C0GENERAL1',
      });
      const open = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === triggerId, 5_000);
      note(`activity modal (${text.slice(0, 20)})`, rawIn(mrkdwnStrings(open.args.view)));
      // The team list, searched by the hostile email, shows the name escaped.
      const list = await h.driver.command('U0ALICE001', '/team', `list hostile${n}@`);
      note(`team list (${text.slice(0, 20)})`, rawIn(mrkdwnStrings(list.json)));
    }
    expect(mine()).toEqual([]);
  });

  it('the list search and the audit filter echo hostile input escaped; SQL metacharacters are just text', async () => {
    for (const text of HOSTILE) {
      inputs += 2;
      const list = await h.driver.command('U0ALICE001', '/team', `list ${text}`);
      expect(list.status).toBe(200);
      note(`list search (${text.slice(0, 20)})`, rawIn(mrkdwnStrings(list.json)));
      const audit = await h.driver.command('U0ALICE001', '/team', `audit ${text.split(/\s+/)[0]}`);
      expect(audit.status).toBe(200);
      // A mention after /team audit names a person (Slack sends a typed @name that way): echoing
      // it back as a mention in the typer's own ephemeral reply is the intended reading.
      note(`audit filter (${text.slice(0, 20)})`, rawIn(mrkdwnStrings(audit.json)).filter((f) => !f.startsWith('<@U0EVIL0001>')));
    }
    // The tables are all still there and alice is still an owner.
    expect((await t.db.selectFrom('members').select('role').where('id', '=', alice.id).executeTakeFirstOrThrow()).role).toBe('owner');
    expect(mine()).toEqual([]);
  });

  it('U+0000 in free text: refused or stored without it, never a database error', async () => {
    const logFrom = h.logs.lines().length;
    const text = 'before\u0000after';
    const target = await newMember();
    inputs += 3;
    const submitted = await h.driver.viewSubmission('U0ALICE001', {
      callback_id: REMOVE_MODAL_CALLBACK_ID,
      private_metadata: removeMetadata(target.id),
      values: { [REMOVE_BLOCKS.reason]: { reason: { type: 'plain_text_input', value: text } } },
    });
    expect(submitted.status).toBe(200);
    const email = `nul${++seq}@example.org`;
    const invited = await h.driver.viewSubmission('U0ALICE001', {
      callback_id: INVITE_MODAL_CALLBACK_ID,
      values: {
        [INVITE_BLOCKS.addresses]: { addresses: { type: 'plain_text_input', value: email } },
        [INVITE_BLOCKS.role]: { role: { type: 'radio_buttons', selected_option: { value: 'member' } } },
        [INVITE_BLOCKS.message]: { message: { type: 'plain_text_input', value: text } },
      },
    });
    expect(invited.status).toBe(200);
    const r = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: carol.id, targetMemberId: (await newMember()).id, reason: 'fine', source: 'cli' });
    if (r.kind !== 'requested') throw new Error('expected a request');
    const rejected = await h.driver.viewSubmission('U0ALICE001', {
      callback_id: REJECT_REMOVAL_CALLBACK_ID,
      private_metadata: r.request.id,
      values: { [REJECT_REASON_BLOCK]: { [REJECT_REASON_ACTION]: { type: 'plain_text_input', value: text } } },
    });
    expect(rejected.status).toBe(200);
    // Through the API, refused with a 400 naming the field.
    const key = (await createApiKey(t.db, { organizationId: org.id, name: 'nul', scope: 'read-write', actor: { type: 'cli', id: 'x' }, source: 'cli' })).key;
    const api = await fetch(`${h.app.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'nul-1' },
      body: JSON.stringify({ type: 'sign_in', email: 'alice@acme.test', occurred_at: new Date().toISOString(), summary: text, details: { text } }),
    });
    inputs++;
    expect(api.status).toBe(400);
    const errors = errorLines(h.logs, logFrom).map((l) => String((l.err as { message?: string } | undefined)?.message ?? l.msg));
    expect(errors).toEqual([]);
    // Stored without the NUL, otherwise as typed.
    expect((await t.db.selectFrom('removal_requests').select('reason').where('target_member_id', '=', target.id).executeTakeFirstOrThrow()).reason).toBe('beforeafter');
    expect((await t.db.selectFrom('invitations').select('message').where('email', '=', email).executeTakeFirstOrThrow()).message).toBe('beforeafter');
    expect((await t.db.selectFrom('removal_requests').select(['status', 'decision_reason']).where('id', '=', r.request.id).executeTakeFirstOrThrow())).toEqual({ status: 'rejected', decision_reason: 'beforeafter' });
  });
});
