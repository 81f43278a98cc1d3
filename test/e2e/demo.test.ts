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
    expect(out).toContain('Demo finished.');
    expect(proc.stderr()).toBe('');
  }, 60_000);
});
