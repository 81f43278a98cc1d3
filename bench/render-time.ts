/**
 * `node --import tsx bench/render-time.ts`: the local Slack renderer alone, server side — a
 * 1,000-message channel (the local-page scenario's messages) and a Home tab of 20 member rows
 * (what the 10,000-member Home shows a page at a time), each rendered 50 times; p50/p99 in ms.
 */
import { renderHome, renderMessage, type RenderContext } from '../src/standin/local/page/renderer.js';

const ctx: RenderContext = {
  userName: (id) => ({ U0BOB00001: 'Bob Baker', U0ALICE001: 'Alice Adams' })[id],
  channelName: (id) => ({ C0TEAM0001: 'team' })[id],
};
const messages = Array.from({ length: 1_000 }, (_, i) => ({
  ts: `1765000000.${String(i).padStart(6, '0')}`,
  text: `Message ${i}`,
  user: 'U0BOT',
  blocks: [
    { type: 'section', text: { type: 'mrkdwn', text: `:wave: *Message ${i}*: <@U0BOB00001> joined as _member_ — see <#C0TEAM0001>` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Invited by <@U0ALICE001> · <!date^1765000000^{date_short}|Dec 6>` }] },
    { type: 'actions', elements: [{ type: 'button', action_id: `bench.open.${i}`, text: { type: 'plain_text', text: 'Open' }, value: String(i) }] },
  ],
}));
const rows = Array.from({ length: 20 }, (_, i) => [
  {
    type: 'section',
    block_id: `tpr|${i}`,
    text: { type: 'mrkdwn', text: `*Person ${i}*\nperson${i}@example.com\nMember · joined <!date^1765000000^{date_short}|2025-12-06> · last sign-in never` },
    accessory: {
      type: 'static_select', action_id: 'team_page.role',
      options: [{ text: { type: 'plain_text', text: 'Owner' }, value: `owner|${i}` }, { text: { type: 'plain_text', text: 'Member' }, value: `member|${i}` }],
      initial_option: { text: { type: 'plain_text', text: 'Member' }, value: `member|${i}` },
      confirm: { title: { type: 'plain_text', text: 'Change role?' }, text: { type: 'plain_text', text: 'Sure?' }, confirm: { type: 'plain_text', text: 'Yes' }, deny: { type: 'plain_text', text: 'No' } },
    },
  },
  { type: 'actions', block_id: `tpx|${i}`, elements: [{ type: 'button', action_id: 'team_page.activity', text: { type: 'plain_text', text: 'Activity' }, value: String(i) }, { type: 'button', action_id: 'team_page.remove', style: 'danger', text: { type: 'plain_text', text: 'Remove' }, value: String(i) }] },
]).flat();
const home = { id: 'V0HOME', type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Acme team' } }, { type: 'context', elements: [{ type: 'mrkdwn', text: '10,000 active members · showing 20. You are an *owner*.' }] }, { type: 'divider' }, ...rows] };

function time(label: string, fn: () => string, n = 50): void {
  fn();
  const ms: number[] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    size = fn().length;
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!.toFixed(2);
  process.stdout.write(`${label}: p50 ${at(50)} ms, p99 ${at(99)} ms, ${size.toLocaleString('en')} characters of HTML\n`);
}
time('channel of 1,000 messages', () => messages.map((m) => renderMessage(m, ctx)).join('\n'));
time('Home tab page (20 member rows)', () => renderHome(home, ctx));
