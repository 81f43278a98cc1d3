import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { createApiKey } from '../../src/api/api-keys.js';

/** A SCIM client as a provider is one: real HTTP to /scim/v2 with a bearer token. */
export function scimClient(baseUrl: string, token: string) {
  return async function scim(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${baseUrl}/scim/v2${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/scim+json', ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type'), headers: res.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
  };
}
export type ScimClient = ReturnType<typeof scimClient>;

export async function scimToken(db: Db, organizationId: string, name = 'identity provider'): Promise<string> {
  const { key } = await createApiKey(db, { organizationId, name, scope: 'scim', actor: { type: 'cli', id: 'test' }, source: 'cli' });
  return key;
}

/**
 * A provider's request sequence from test/fixtures/scim: each step's request, with `{{var}}`
 * filled from the fixture's variables and what earlier answers captured, checked against the
 * answer the provider's validator expects (status, then each listed JSON path).
 */
interface Step {
  note: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  expect: { status: number; json?: Record<string, Record<string, unknown>> };
  capture?: Record<string, string>;
}
interface Fixture {
  name: string;
  variables: Record<string, string>;
  headers: Record<string, string>;
  setup: Step[];
  steps: Step[];
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/scim/${name}`, import.meta.url), 'utf8')) as Fixture;
}

export async function runFixture(baseUrl: string, token: string, fixture: Fixture): Promise<Array<{ note: string; status: number }>> {
  const random = randomBytes(4).toString('hex');
  const vars: Record<string, string> = {};
  const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => (name === 'random' ? random : name === 'RANDOM' ? random.toUpperCase() : (vars[name] ?? `{{${name}}}`)));
  for (const [k, v] of Object.entries(fixture.variables)) vars[k] = fill(v);
  const deep = (value: unknown): unknown =>
    typeof value === 'string' ? fill(value) : Array.isArray(value) ? value.map(deep) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)])) : value;

  const ran: Array<{ note: string; status: number }> = [];
  for (const step of [...fixture.setup, ...fixture.steps]) {
    const headers = { ...fixture.headers, ...step.headers };
    const res = await fetch(`${baseUrl}/scim/v2${fill(step.path)}`, {
      method: step.method,
      headers: { ...(headers.Authorization ? {} : { Authorization: `Bearer ${token}` }), ...headers },
      ...(step.body === undefined ? {} : { body: JSON.stringify(deep(step.body)) }),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    const where = `${fixture.name} — ${step.note}: ${step.method} ${fill(step.path)} answered ${res.status} ${text.slice(0, 400)}`;
    expect(res.status, where).toBe(step.expect.status);
    if (text) expect(res.headers.get('content-type'), where).toMatch(/^application\/scim\+json/);
    for (const [path, check] of Object.entries(step.expect.json ?? {})) {
      const actual = at(json, path);
      const wanted = deep(check) as Record<string, unknown>;
      const label = `${where}\n  at ${path}`;
      if ('equals' in wanted) expect(actual, label).toEqual(wanted.equals);
      if ('equalsIgnoringCase' in wanted) expect(String(actual).toLowerCase(), label).toBe(String(wanted.equalsIgnoringCase).toLowerCase());
      if ('has' in wanted) expect(actual, label).toContain(wanted.has);
      if ('notEmpty' in wanted) expect([undefined, null, ''].includes(actual as never) || (Array.isArray(actual) && actual.length === 0), label).toBe(false);
      if ('isNumber' in wanted) expect(typeof actual, label).toBe('number');
      if ('length' in wanted) expect(actual, label).toHaveLength(wanted.length as number);
      if ('absent' in wanted) expect(actual, label).toBeUndefined();
      if ('someValue' in wanted) expect((actual as Array<{ value: string }>).map((m) => m.value), label).toContain(wanted.someValue);
      if ('noValue' in wanted) expect(((actual as Array<{ value: string }> | undefined) ?? []).map((m) => m.value), label).not.toContain(wanted.noValue);
    }
    for (const [name, path] of Object.entries(step.capture ?? {})) vars[name] = String(at(json, path));
    ran.push({ note: step.note, status: res.status });
  }
  return ran;
}

function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    current = (current as Record<string, unknown> | undefined)?.[m[1]!];
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) current = (current as unknown[] | undefined)?.[Number(index[1])];
  }
  return current;
}
