import { describe, expect, it, inject } from 'vitest';
import { runEntryPoint } from '../support/process.js';

describe('npm run demo', () => {
  it('runs the scripted conversation and exits 0', async () => {
    // On the server the tests use: DATABASE_URL's when set, else the demo starts its own embedded one.
    const env: Record<string, string> = inject('databaseKind') === 'DATABASE_URL' ? { DATABASE_URL: inject('serverUrl') } : {};
    const proc = runEntryPoint('src/demo/main.ts', env);
    expect(await proc.exited).toBe(0);
    const out = proc.stdout();
    expect(out).toContain('Scene 1: Team Manager joins the workspace');
    expect(out).toMatch(/Team Manager → #team-updates:\n\s+│ :wave: Team Manager is now connected to Acme/);
    expect(out).toContain('@alice types: /team help');
    expect(out).toContain('• `/team help`: show this list');
    expect(out).toContain('Unknown subcommand `lsit`');
    // Issue 3's scenes: first owner, the team page, a promotion, settings with an inline error.
    expect(out).toContain(':key: alice@acme.test is now an owner of the team.');
    expect(out).toMatch(/@alice types: \/team list\n[\s\S]*\*Bob Baker\*/);
    expect(out).toContain("@alice changed @bob's role from Member to Owner.");
    expect(out).toContain('Team Manager → @bob (direct message):');
    expect(out).toContain("Only owners can change someone's role.");
    expect(out).toContain('⚠ Invitation expiry must be a whole number of days from 1 to 30');
    expect(out).toContain('• Invitations expire after: 7 → 14 days');
    // Issue 4's scene: an inline refusal, a DM accepted in Slack, an email link accepted in the browser.
    expect(out).toContain('⚠ mallory@evil.test: the domain evil.test is not in the allowed domains (acme.test)');
    expect(out).toContain(':envelope: @alice invited 2 people as Member: dave@acme.test, erin@acme.test.');
    expect(out).toContain(':tada: @dave joined as Member, invited by @alice.');
    expect(out).toMatch(/the local accept link: http:\/\/127\.0\.0\.1:\d+\/invitations\/[A-Za-z0-9_-]{43}/);
    expect(out).toContain('browser POST (Accept) → 200');
    expect(out).toContain(':tada: erin@acme.test joined as Member, invited by @alice.');
    // Issue 5's scene: a removal request, refused clicks, an approval, the card rewritten.
    expect(out).toMatch(/Team Manager → #team-approvals:\n\s+│ == Removal waiting for approval ==/);
    expect(out).toContain('[ Approve ]  [ Reject ]');
    expect(out).toContain('You asked for this removal, so another owner has to approve or reject it.');
    expect(out).toContain('Only owners can approve or reject removals. You are a member of this team.');
    expect(out).toMatch(/updates its message in #team-approvals:[\s\S]*:white_check_mark: \*Approved\* by @bob/);
    expect(out).toContain(':wave: @dave was removed by @alice, approved by @bob.');
    expect(out).toContain("Your access to Acme's team in Team Manager has ended");
    // Issue 6's scene: ingest over the API (idempotent), a removed member is gone, the activity view.
    expect(out).toMatch(/product POST \/api\/v1\/events → 201\n.*"duplicate":false/);
    expect(out).toMatch(/product POST \/api\/v1\/events → 200\n.*"duplicate":true/);
    expect(out).toContain('product GET /api/v1/members/dave@acme.test → 404');
    expect(out).toMatch(/@alice types: \/team activity @bob\n[\s\S]*\*Last sign-in\* 20\d\d-/);
    expect(out).toContain('Turned on two-factor sign-in for the billing project');
    expect(out).toContain('Demo finished.');
    expect(proc.stderr()).toBe('');
  }, 60_000);
});
