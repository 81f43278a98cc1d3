/**
 * `npm run screenshots [-- --out DIR]`: the README's pictures of the local Slack, taken by
 * driving its page in Chromium the way a person would (and the way the journeys test does:
 * the same page helpers). The local Slack runs on a temp DATA_DIR, against DATABASE_URL when
 * it is set (a fresh database is best: the workspace is seeded once), else the embedded
 * PostgreSQL in that DATA_DIR. Writes four PNGs to DIR (default docs/); a step that fails
 * ends the run with exit code 1 and one line on stderr naming the step.
 */
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startLocalSlackHarness, type LocalSlackHarness } from '../test/support/local-slack.js';
import { acceptInDm, goTo, invite, makeOwner, messages, openInviteModal, requestRemoval, sendInvitations, WAIT } from '../test/support/local-slack-page.js';

const PICTURES = {
  teamPage: 'local-slack-team-page.png',
  inviteModal: 'local-slack-invite-modal.png',
  approvalCard: 'local-slack-approval-card.png',
  mail: 'local-slack-mail.png',
} as const;

const VIEWPORT = { width: 1280, height: 800 };

class StepFailed extends Error {
  constructor(readonly step: string, cause: unknown) {
    super(`${step} failed: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`);
  }
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StepFailed(name, err);
  }
}

async function shoot(page: Page, out: string, file: string): Promise<void> {
  await page.setViewportSize(VIEWPORT);
  // The pane scrolls to its newest message on each update: let that settle before the picture.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  await page.screenshot({ path: path.join(out, file) });
}

async function pictures(h: LocalSlackHarness, out: string): Promise<void> {
  await step('bring Bob and Carol into the team', async () => {
    await invite(h, 'bob@acme.test carol@acme.test');
    for (const person of ['Bob Baker', 'Carol Chen']) await (await acceptInDm(h, person)).close();
  });
  await step('make Carol an owner from the Home tab', async () => {
    const alice = await h.open({ sidebar: 'Home' });
    await makeOwner(alice, 'carol@acme.test');
    await alice.close();
  });

  await step(`take ${PICTURES.inviteModal}`, async () => {
    const alice = await h.open({ sidebar: '#team' });
    await openInviteModal(alice, 'dave@acme.test\nzoe@example.org');
    await shoot(alice, out, PICTURES.inviteModal);
    await sendInvitations(alice);
    await alice.close();
  });

  await step(`take ${PICTURES.teamPage}`, async () => {
    const alice = await h.open({ sidebar: 'Home' });
    await alice.getByText('zoe@example.org').first().waitFor(WAIT);
    await shoot(alice, out, PICTURES.teamPage);
    await alice.close();
  });

  await step(`take ${PICTURES.approvalCard}`, async () => {
    await requestRemoval(h, 'bob', 'Moved to the platform team');
    const carol = await h.open({ as: 'Carol Chen', sidebar: '#team-approvals' });
    await messages(carol, '#team-approvals').getByRole('listitem').filter({ hasText: 'Moved to the platform team' }).getByRole('button', { name: 'Approve' }).waitFor(WAIT);
    await shoot(carol, out, PICTURES.approvalCard);
    await carol.close();
  });

  await step(`take ${PICTURES.mail}`, async () => {
    const alice = await h.open();
    await goTo(alice, 'Mail');
    await alice.getByRole('list', { name: 'Mail' }).getByRole('listitem').filter({ hasText: 'To: zoe@example.org' }).waitFor(WAIT);
    await shoot(alice, out, PICTURES.mail);
    await alice.close();
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs' } } });
  const out = path.resolve(values.out);
  await step(`prepare ${out}`, async () => {
    await mkdir(out, { recursive: true });
    await access(out, constants.W_OK);
  });
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  // A database given from outside may be fresh: migrate it, as `npm start` does.
  const h = await step('start the local Slack and Chromium', () => startLocalSlackHarness({ databaseUrl, env: { RUN_MIGRATIONS: 'true', LOG_LEVEL: 'info' } }));
  try {
    await pictures(h, out);
  } catch (err) {
    const problems = h.logs.lines().filter((l) => Number(l.level) >= 40).slice(-3);
    for (const l of problems) process.stderr.write(`  log: ${String(l.msg)}\n`);
    throw err;
  } finally {
    await h.stop();
  }
  for (const file of Object.values(PICTURES)) process.stdout.write(`${path.join(out, file)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`screenshots: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
