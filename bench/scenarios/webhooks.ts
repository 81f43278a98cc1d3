/**
 * Scenario `webhooks`: from a change's commit to its signed delivery at a local receiver, at
 * 100 changes a second (half role changes, half removals without approval) for one organization
 * with one endpoint subscribed to everything. The worker runs in this process on its own pool,
 * as in `npm start`; the receiver verifies every signature with the `standardwebhooks` package.
 * Target: p99 from commit to delivery ≤ 1 s ("one signed member.removed within a second").
 */
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import pino from 'pino';
import type { Harness } from '../harness.js';
import type { Profile } from '../profile.js';
import type { Row, ScenarioResult } from '../results.js';
import { roundStats, seriesStats, type Sample } from '../stats.js';
import { openDatabase } from '../../src/db/database.js';
import { startWorker } from '../../src/job-runner/worker.js';
import { createMailer } from '../../src/mail/mailer.js';
import { createWorkerSlackClient } from '../../src/slack/delivery.js';
import { singleWorkspaceClients } from '../../src/slack/clients.js';
import { insertMember } from '../../src/team/member-repository.js';
import { changeRole } from '../../src/team/members.js';
import { requestRemoval } from '../../src/team/removals.js';
import { EVENT_TYPES } from '../../src/events/vocabulary.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { secretBox } from '../../src/webhooks/signing.js';
import { installTellings } from '../../src/tellings.js';

const RATE = 100;
const TARGET_P99_MS = 1_000;

export async function webhooksScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  // This process makes the changes itself (changeRole, requestRemoval): it tells like the app does.
  installTellings();
  const seconds = p.quick ? 2 : 10;
  const changes = RATE * seconds;
  const database = await h.freshDatabase();
  const worker = openDatabase(database.url, { maxConnections: 6 });
  const log = pino({ level: 'silent' });
  const arrivals = new Map<string, number>();
  const errors: string[] = [];
  let duplicates = 0;
  let secret = '';
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      try {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = new Webhook(secret).verify(body, {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as { type: string; data: { member: { id: string } } };
        const key = `${event.type}:${event.data.member.id}`;
        if (arrivals.has(key)) duplicates++;
        else arrivals.set(key, at);
      } catch (err) {
        errors.push(`signature: ${String(err)}`);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  const box = secretBox(undefined);
  const urls = { production: false, resolve: async () => [{ address: '127.0.0.1', family: 4 }] };
  try {
    const org = await database.db
      .insertInto('organizations')
      .values({ slack_team_id: h.standin.teamId, name: 'Bench webhooks', team_channel_id: null, removal_approval_policy: 'none', notify_removed_member: false })
      .returningAll()
      .executeTakeFirstOrThrow();
    const owner = await insertMember(database.db, { organizationId: org.id, email: 'owner@bench.test', role: 'owner', slackUserId: null, displayName: 'Owner' });
    const members = [];
    for (let i = 0; i < changes; i++) {
      members.push(await insertMember(database.db, { organizationId: org.id, email: `m${i}@bench.test`, role: 'member', slackUserId: null, displayName: null }));
    }
    ({ secret } = await createEndpoint(
      { db: database.db, box, urls },
      { organizationId: org.id, actor: { kind: 'member', memberId: owner.id }, source: 'cli', endpoint: { url: `http://127.0.0.1:${port}/hook`, event_types: EVENT_TYPES } },
    ));
    const runner = await startWorker({
      pool: worker.pool,
      db: worker.db,
      slack: singleWorkspaceClients(createWorkerSlackClient(h.standin.botToken, h.standin.apiUrl, log)),
      log,
      concurrency: 4,
      renderHome: async () => ({ type: 'home', blocks: [] }),
      invitations: { mailer: createMailer({ from: 'bench@localhost', dataDir: os.tmpdir(), log }), publicUrl: 'http://localhost' },
      webhooks: { box, urls },
    });
    const commits = new Map<string, number>();
    const t0 = performance.now();
    const work = members.map(async (member, i) => {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      try {
        if (i % 2 === 0) {
          await changeRole(database.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: member.id, role: 'owner', source: 'cli' });
          commits.set(`member.role_changed:${member.id}`, performance.timeOrigin + performance.now());
        } else {
          await requestRemoval(database.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: member.id, reason: 'bench', source: 'cli' });
          commits.set(`member.removed:${member.id}`, performance.timeOrigin + performance.now());
        }
      } catch (err) {
        errors.push(`change: ${String(err)}`);
      }
    });
    await Promise.all(work);
    const wallMs = performance.now() - t0;
    const deadline = Date.now() + 15_000;
    while ([...commits.keys()].some((k) => !arrivals.has(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await runner.stop();

    const sample = (kind: string): Sample[] =>
      [...commits.entries()]
        .filter(([k]) => k.startsWith(kind))
        .map(([k, at], id) => {
          const arrived = arrivals.get(k);
          return { id, t0: at, ackMs: 0, ...(arrived !== undefined ? { completionMs: Math.max(0, arrived - at) } : {}), status: arrived ? 204 : 0, ...(arrived ? {} : { error: 'not delivered within 15 s' }) };
        });
    const missing = [...commits.keys()].filter((k) => !arrivals.has(k)).length;
    const all = seriesStats([roundStats([...sample('member.role_changed'), ...sample('member.removed')], 'completion', wallMs)], errors);
    const removed = seriesStats([roundStats(sample('member.removed'), 'completion', wallMs)], errors);
    const rows: Row[] = [
      { label: `commit → signed delivery, all changes at ${RATE}/s (p99 ≤ ${TARGET_P99_MS} ms)`, ours: all, met: all.p99 <= TARGET_P99_MS && all.errors === 0 && errors.length === 0 },
      { label: 'commit → signed delivery, member.removed only', ours: removed, met: removed.p99 <= TARGET_P99_MS && removed.errors === 0 },
    ];
    return {
      id: 'webhooks',
      title: `Webhooks: commit to signed delivery at ${RATE} changes/s for ${seconds} s, one endpoint`,
      rows,
      facts: { changes, delivered: arrivals.size, missing, duplicates, achievedRate: Math.round((changes / wallMs) * 1000) },
      notes: ['Latency from the service call resolving (the commit) to the receiver reading the request; signatures verified with standardwebhooks.'],
      errors: errors.length + missing + duplicates,
      errorSamples: errors.slice(0, 3),
      durationMs: performance.now() - started,
    };
  } finally {
    await new Promise((r) => receiver.close(r));
    await worker.db.destroy();
    await database.close();
  }
}
