/**
 * Scenario 4, bulk invitations: 20 owners submit the invite modal with 50 addresses each, all
 * at once. Each submission commits (invitations, audit events, jobs) before its ack; then the
 * worker delivers a DM (every address is someone in the workspace) and an email per
 * invitation, and one summary per submission to the team channel, while the stand-in allows
 * one chat.postMessage per second per channel. Counted: the commit times, the time until
 * every DM and email arrived, the channel messages, duplicates and losses (both must be 0).
 */
import type { StandinUser } from '../../src/standin/index.js';
import { BENCH_USERS, now, sleep, TEAM_CHANNEL, type Harness } from '../harness.js';
import { build, EXPECT, toLoad } from '../requests.js';
import { type ScenarioResult, type Row } from '../results.js';
import { percentile, roundStats, seriesStats, type SeriesStats } from '../stats.js';
import { teamApp } from '../team-app.js';
import type { Profile } from '../profile.js';
import { isError } from './ack.js';

const DELIVERY_TIMEOUT_MS = 180_000;
/** Issue 20: every DM and email of the 1,000 out within 10 s of the commit. */
const DELIVERY_TARGET_MS = 10_000;

/** Percentiles of one set of durations (no rounds: one burst is one measurement). */
function spreadOf(values: number[]): SeriesStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { rounds: 1, requests: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, throughput: NaN, errors: 0, errorSamples: [] };
}

export async function bulkScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const { app, release } = await teamApp(h, 'bulk', 100);
  // Every invited address belongs to someone in the workspace, so each invitation gets a DM too.
  const invitees: StandinUser[] = Array.from({ length: p.bulkSubmissions * p.bulkAddresses }, (_, i) => ({
    id: `U0INV${String(i + 1).padStart(5, '0')}`,
    name: `invitee${i + 1}`,
    realName: `Invitee ${i + 1}`,
    email: `invitee${i + 1}@acme.test`,
  }));
  const baseUsers = h.standin.users;
  h.standin.users = [...baseUsers, ...invitees];
  h.resetStandin();
  h.mail.clear();
  h.mailEvents = [];

  const built = Array.from({ length: p.bulkSubmissions }, (_, s) =>
    build.invite(h, BENCH_USERS[s % BENCH_USERS.length]!.id, invitees.slice(s * p.bulkAddresses, (s + 1) * p.bulkAddresses).map((u) => u.email)),
  );
  // The app's own cost of the whole burst (commits and deliveries): what a loaded machine does not change much.
  const [statementsBefore, cpuBefore] = [await app.statements(), await app.cpuMs()];
  const t0 = now();
  const { samples, wallMs } = await h.load(app.url, p.bulkSubmissions, toLoad(built, { expect: EXPECT.inviteAck }));
  const slow = samples.filter((s) => s.ackMs >= 3000).length;
  const commit = seriesStats([roundStats(samples, 'ack', wallMs)], samples.filter((s) => s.error).map((s) => s.error!));

  // Wait for every DM, every email and every summary (or the timeout).
  const dmChannel = new Map(invitees.map((u) => [h.standin.dmIdFor([u.id]), u.email]));
  // Summaries of this scenario's submissions (they name the invitees), not of another app's earlier work.
  const ours = /invitee\d+@acme\.test/;
  const summaries = () => h.standin.messages.filter((m) => m.channel === TEAM_CHANNEL && m.text.includes(' invited ') && ours.test(m.text));
  const dms = () => h.standin.messages.filter((m) => dmChannel.has(m.channel));
  let allDmsAt: number | undefined;
  let allMailAt: number | undefined;
  let allSummariesAt: number | undefined;
  const deadline = now() + DELIVERY_TIMEOUT_MS;
  while (now() < deadline) {
    const t = now();
    if (allDmsAt === undefined && new Set(dms().map((m) => m.channel)).size >= invitees.length) allDmsAt = t;
    if (allMailAt === undefined && invitees.every((u) => (h.mail.get(u.email) ?? 0) > 0)) allMailAt = t;
    if (allSummariesAt === undefined && summaries().length >= p.bulkSubmissions) allSummariesAt = t;
    if (allDmsAt && allMailAt && allSummariesAt) break;
    await sleep(50);
  }
  // Anything sent twice would show up a moment later: wait a little more before counting.
  await sleep(2_000);
  const perInvitation = { statements: ((await app.statements()) - statementsBefore) / invitees.length, cpuMs: ((await app.cpuMs()) - cpuBefore) / invitees.length };
  await release();
  h.standin.users = baseUsers;

  const dmCount = new Map<string, number>();
  for (const m of dms()) dmCount.set(m.channel, (dmCount.get(m.channel) ?? 0) + 1);
  const duplicateDms = [...dmCount.values()].filter((n) => n > 1).length;
  const lostDms = invitees.length - dmCount.size;
  const duplicateMail = invitees.filter((u) => (h.mail.get(u.email) ?? 0) > 1).length;
  const lostMail = invitees.filter((u) => (h.mail.get(u.email) ?? 0) === 0).length;
  const channelMessages = h.standin.messages.filter((m) => m.channel === TEAM_CHANNEL && ours.test(m.text)).length;
  const rateLimited = h.standin.calls.filter((c) => c.status === 429).length;
  const problems = app.problems().filter(isError);
  const since = (t: number | undefined) => (t === undefined ? NaN : t - t0);
  const facts = {
    submissions: p.bulkSubmissions,
    addressesEach: p.bulkAddresses,
    invitations: invitees.length,
    commitMs: { p50: commit.p50, p99: commit.p99, max: commit.max },
    commitsOver3s: slow,
    allDmsMs: since(allDmsAt),
    allEmailsMs: since(allMailAt),
    allSummariesMs: since(allSummariesAt),
    channelMessages,
    summaries: summaries().length,
    dms: dms().length,
    emails: [...h.mail.values()].reduce((a, b) => a + b, 0),
    duplicates: { dms: duplicateDms, emails: duplicateMail, summaries: Math.max(0, summaries().length - p.bulkSubmissions) },
    lost: { dms: lostDms, emails: lostMail, summaries: Math.max(0, p.bulkSubmissions - summaries().length) },
    rateLimitedCalls: rateLimited,
    perInvitation,
  };
  const duplicates = facts.duplicates.dms + facts.duplicates.emails + facts.duplicates.summaries;
  const lost = facts.lost.dms + facts.lost.emails + facts.lost.summaries;
  // Each DM's and email's arrival, from the moment the last submission had committed (its ack):
  // the "every DM and email ≤ 10 s after commit" is the max of these.
  const committedAt = t0 + wallMs;
  const firstDm = new Map<string, number>();
  for (const m of dms()) if (!firstDm.has(m.channel)) firstDm.set(m.channel, Number(m.ts) * 1000);
  const firstMail = new Map<string, number>();
  for (const e of h.mailEvents) if (!firstMail.has(e.to)) firstMail.set(e.to, e.at);
  const arrival = (times: Iterable<number>, label: string): Row => {
    const ours = spreadOf([...times].map((t) => Math.max(0, t - committedAt)));
    return { label, concurrency: p.bulkSubmissions, ours, targetText: `max ≤ ${DELIVERY_TARGET_MS / 1000} s`, met: ours.max <= DELIVERY_TARGET_MS && ours.requests === invitees.length };
  };
  const rows: Row[] = [
    { label: `commit of a ${p.bulkAddresses}-address submission, ${p.bulkSubmissions} at once`, concurrency: p.bulkSubmissions, ours: commit },
    arrival(firstDm.values(), `each DM, from the last commit (${invitees.length})`),
    arrival(firstMail.values(), `each email, from the last commit (${invitees.length})`),
  ];
  const s = (v: number) => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)} s` : 'never');
  return {
    id: 'bulk',
    title: `4. Bulk invitations: ${p.bulkSubmissions} submissions × ${p.bulkAddresses} addresses, sent at once`,
    rows,
    facts,
    notes: [
      `commit p50 ${commit.p50.toFixed(0)} ms, p99 ${commit.p99.toFixed(0)} ms, max ${commit.max.toFixed(0)} ms; over Slack's 3000 ms: ${slow} of ${p.bulkSubmissions}`,
      `every DM delivered after ${s(facts.allDmsMs)}, every email after ${s(facts.allEmailsMs)}, every channel summary after ${s(facts.allSummariesMs)}`,
      `channel messages: ${channelMessages} (summaries ${facts.summaries}; at most one per submission: ${facts.summaries <= p.bulkSubmissions ? 'yes' : 'NO'}); 429s from the stand-in: ${rateLimited}`,
      `the app's cost per invitation (commit, DM, email, its share of the summary): ${perInvitation.statements.toFixed(1)} SQL statements, ${perInvitation.cpuMs.toFixed(2)} ms of CPU`,
      `duplicates: ${duplicates} (DMs ${facts.duplicates.dms}, emails ${facts.duplicates.emails}); lost: ${lost} (DMs ${facts.lost.dms}, emails ${facts.lost.emails}, summaries ${facts.lost.summaries})`,
    ],
    errors: commit.errors + duplicates + lost + problems.length,
    errorSamples: [...commit.errorSamples, ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}
