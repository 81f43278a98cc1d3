import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';

/**
 * The files an operator deploys from must agree with each other: Heroku's app.json with the
 * Procfile, the Dockerfile with the build and the health endpoint. (The built dist/ itself is
 * started as the Procfile says in test/e2e/built-dist.test.ts.)
 */
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const procfile = new Map(
  read('Procfile')
    .split('\n')
    .filter((l) => l.includes(':'))
    .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()] as const),
);

describe('operator files', () => {
  it('app.json: one dyno per Procfile process (release is a phase), the worker separate from web, migrations in release', () => {
    const app = JSON.parse(read('app.json')) as { formation: Record<string, unknown>; env: Record<string, { value?: string; required?: boolean }>; addons: Array<{ plan: string }> };
    expect(Object.keys(app.formation).sort()).toEqual([...procfile.keys()].filter((p) => p !== 'release').sort());
    expect(procfile.get('release')).toContain('cli.js migrate');
    expect(app.env.RUN_WORKER?.value).toBe(procfile.has('worker') ? 'false' : 'true');
    expect(app.env.RUN_MIGRATIONS?.value).toBe('false');
    expect(app.env.SLACK_SIGNING_SECRET?.required).toBe(true);
    expect(app.env.SLACK_BOT_TOKEN?.required).toBe(true);
    expect(app.addons.some((a) => a.plan.startsWith('heroku-postgresql'))).toBe(true);
  });

  it('Dockerfile: multi-stage, a non-root user, the built app started as the Procfile web does, HEALTHCHECK on /readyz', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/readyz/m);
    const web = procfile.get('web')!;
    expect(dockerfile).toContain(`CMD ["node", "${web.split(' ').pop()}"]`);
    for (const p of [...procfile.values()]) expect(dockerfile).toContain(p.split(' ').find((w) => w.endsWith('.js'))!);
  });

  it('compose.yaml: the image with PostgreSQL and Mailpit, migrations before web and worker', () => {
    const compose = read('compose.yaml');
    for (const s of ['postgres:', 'mailpit:', 'release:', 'web:', 'worker:']) expect(compose).toContain(`\n  ${s}`);
    expect(compose).toContain('SMTP_URL: smtp://mailpit:1025');
    expect(compose).toContain('condition: service_completed_successfully');
  });
});
