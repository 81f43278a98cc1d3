import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { ROOT } from '../support/process.js';
import { BOT_SCOPES } from '../../src/slack/scopes.js';

/**
 * The manifests people paste into "Create an app → From a manifest" must be valid against
 * Slack's published manifest schema (a copy is kept in test/fixtures) and must ask for
 * exactly what the app uses.
 */
const schema = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/slack-manifest.schema.1.0.0.json'), 'utf8'));
const load = (file: string) => JSON.parse(readFileSync(path.join(ROOT, 'manifest', file), 'utf8'));

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(schema);

describe.each(['manifest.json', 'manifest.socket-mode.json', 'manifest.distributed.json'])('%s', (file) => {
  const manifest = load(file);

  it("is valid against Slack's manifest schema", () => {
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('declares /team with escaping, interactivity, App Home and the bot scopes the app uses', () => {
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: '/team', should_escape: true })]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    // Issue 18: offboarding follows Slack (user_change) and new workspace members can be invited (team_join).
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(expect.arrayContaining(['user_change', 'team_join']));
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      ['chat:write', 'commands', 'im:write', 'users:read', 'users:read.email', 'channels:history', 'groups:history', 'im:history'].sort(),
    );
    // The same scopes a distributed deployment asks for in "Add to Slack".
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
  });
});

describe('the schema check itself', () => {
  it('rejects a manifest with an unknown top-level key or without display_information', () => {
    expect(validate({ display_information: { name: 'x' }, nonsense: true })).toBe(false);
    expect(validate({ features: {} })).toBe(false);
  });
});

describe('HTTP mode vs Socket Mode', () => {
  it('points every HTTP request URL at /slack/events and leaves them out in Socket Mode', () => {
    const http = load('manifest.json');
    const urls = [http.features.slash_commands[0].url, http.settings.event_subscriptions.request_url, http.settings.interactivity.request_url];
    expect(urls.every((u: string) => u.endsWith('/slack/events'))).toBe(true);
    expect(http.settings.socket_mode_enabled).toBe(false);

    const socket = load('manifest.socket-mode.json');
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toContain('request_url');
  });
});

describe('distributed (Add to Slack)', () => {
  it('redirects installs to /slack/oauth_redirect and hears uninstalls and revoked tokens', () => {
    const manifest = load('manifest.distributed.json');
    expect(manifest.oauth_config.redirect_urls).toEqual(['https://team-manager.example.com/slack/oauth_redirect']);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(expect.arrayContaining(['app_home_opened', 'app_uninstalled', 'tokens_revoked']));
    expect(manifest.settings.org_deploy_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });
});
