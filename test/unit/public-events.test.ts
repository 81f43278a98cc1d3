import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, Member } from '../../src/db/schema.js';
import { AUDIT_TO_PUBLIC, derivePublicEvents } from '../../src/events/derive.js';
import { envelopeSchema } from '../../src/events/vocabulary.js';
import { KNOWN_ACTIONS } from '../../src/events/audit-actions.js';

const ORG = '00000000-0000-4000-8000-000000000001';
const member = (id: string, email: string, role: 'owner' | 'member' = 'member', status: 'active' | 'removed' = 'active'): Member =>
  ({ id, organization_id: ORG, email, display_name: null, role, status, slack_user_id: null }) as Member;
const row = (action: string, extra: Partial<AuditEvent> = {}): AuditEvent =>
  ({ id: '42', organization_id: ORG, actor_type: 'member', actor_id: OLGA, action, target_type: 'member', target_id: BOB, before: null, after: null, source: 'slack', occurred_at: new Date('2026-12-07T12:00:00Z'), ...extra }) as AuditEvent;
const OLGA = '00000000-0000-4000-8000-00000000000a';
const OSCAR = '00000000-0000-4000-8000-00000000000b';
const BOB = '00000000-0000-4000-8000-00000000000c';
const REQ = '00000000-0000-4000-8000-00000000000d';
const refs = { members: new Map([[OLGA, member(OLGA, 'olga@x.test', 'owner')], [OSCAR, member(OSCAR, 'oscar@x.test', 'owner')], [BOB, member(BOB, 'bob@x.test', 'member', 'removed')]]), invitations: new Map() };

describe('public events from audit events', () => {
  it('an approved removal gives removal_request.approved then member.removed, with who removed and approved', () => {
    const events = derivePublicEvents(row('member.removed', { actor_id: OSCAR, after: { status: 'removed', removed_by: OLGA, reason: 'left', approved_by: OSCAR, removal_request_id: REQ } }), refs);
    expect(events.map((e) => [e.type, e.id])).toEqual([['removal_request.approved', 'evt_42_0'], ['member.removed', 'evt_42_1']]);
    expect(events[1]!.data).toMatchObject({ member: { email: 'bob@x.test', status: 'removed' }, reason: 'left', removed_by: { id: OLGA }, approved_by: { id: OSCAR }, removal_request_id: REQ });
    for (const e of events) expect(() => envelopeSchema(e.type).parse(e)).not.toThrow();
  });

  it('internal and unknown actions give nothing', () => {
    expect(derivePublicEvents(row('member.slack_linked'), refs)).toEqual([]);
    expect(derivePublicEvents(row('activity.ingested'), refs)).toEqual([]);
    expect(derivePublicEvents(row('something.new_next_year'), refs)).toEqual([]);
  });

  it('every literal audit action the code writes is decided in the table (public event or explicitly none)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(path.resolve(__dirname, '../../src'));
    const actions = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/action: (?:[^'\n]*\? )?'([a-z_]+\.[a-z_]+)'(?: : '([a-z_]+\.[a-z_]+)')?/g)) {
        actions.add(m[1]!);
        if (m[2]) actions.add(m[2]);
      }
    }
    expect(actions.size).toBeGreaterThan(15);
    expect([...actions].filter((a) => !(a in AUDIT_TO_PUBLIC))).toEqual([]);
    // The audit log's own list of every action it knows (src/events/audit-actions.ts).
    expect(KNOWN_ACTIONS.filter((a) => !(a in AUDIT_TO_PUBLIC))).toEqual([]);
  });
});
