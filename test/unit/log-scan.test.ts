import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { boltLogger, createLogger } from '../../src/logger.js';
import { Writable } from 'node:stream';
import { scanForSecrets } from '../support/log-scan.js';

/** The scanner behind the "secrets in logs" row must find every kind of secret we hand out. */
describe('log scan for secrets', () => {
  const secrets = {
    bot: `xoxb-1234567890-${randomBytes(12).toString('hex')}`,
    rotated: `xoxe.xoxb-T0ACME0001-${randomBytes(12).toString('hex')}`,
    app: `xapp-1-A0APP00001-${randomBytes(8).toString('hex')}`,
    apiKey: `tm_${randomBytes(32).toString('base64url')}`,
    webhook: `whsec_${randomBytes(32).toString('base64')}`,
    link: `https://tm.example/invitations/${randomBytes(32).toString('base64url')}`,
  };

  it('finds each shape in a log line, and a registered value that has no shape', () => {
    const bare = randomBytes(32).toString('base64url');
    const text = [...Object.values(secrets), bare].map((s, i) => JSON.stringify({ level: 30, msg: `line ${i}`, value: s })).join('\n');
    const result = scanForSecrets(text, [bare, 'signing-secret-value-123']);
    expect(result.found.map((f) => f.kind).sort()).toEqual(['API key', 'Slack app token', 'Slack token', 'Slack token', 'accept link token', 'known secret', 'webhook secret'].sort());
    // The report never repeats a whole secret.
    for (const s of [...Object.values(secrets), bare]) expect(JSON.stringify(result.found)).not.toContain(s);
  });

  it('allows an accept link only where the app logs it on purpose without SMTP (localAcceptLink)', () => {
    const token = randomBytes(32).toString('base64url');
    const local = JSON.stringify({ level: 30, localAcceptLink: `http://localhost:3000/invitations/${token}`, msg: 'invitation email written locally; open the link to accept' });
    expect(scanForSecrets(local, [token]).found).toEqual([]);
    const elsewhere = JSON.stringify({ level: 30, url: `/invitations/${token}`, msg: 'request' });
    expect(scanForSecrets(`${local}\n${elsewhere}`, [token]).found.map((f) => f.where)).toEqual(['request']);
  });

  it("blanks the OAuth client_secret, code and refresh_token in the Slack SDK's debug lines", () => {
    let text = '';
    const log = createLogger({ level: 'debug', pretty: false, destination: new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) }) });
    const secret = `client-secret-${randomBytes(8).toString('hex')}`;
    boltLogger(log).debug(`http request body: ${JSON.stringify({ client_id: '1.2', client_secret: secret, code: 'oauth-code-123456', refresh_token: 'xoxe-1-abcdefabcdef' })}`);
    expect(text).toContain('http request body');
    expect(scanForSecrets(text, [secret, 'oauth-code-123456']).found).toEqual([]);
  });

  it('finds nothing in what the logger writes when secrets sit in redacted fields', () => {
    let text = '';
    const log = createLogger({ level: 'debug', pretty: false, destination: new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) }) });
    log.info({ token: secrets.bot, botToken: secrets.rotated, appToken: secrets.app, signingSecret: 'signing-secret-value-123' }, 'installed');
    log.info({ req: { headers: { authorization: `Bearer ${secrets.apiKey}` } } }, 'request');
    expect(text).toContain('[redacted]');
    expect(scanForSecrets(text, ['signing-secret-value-123']).found).toEqual([]);
  });
});
