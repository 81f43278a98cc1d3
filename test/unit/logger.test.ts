import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../src/logger.js';

describe('the Slack SDKs through our logger', () => {
  it("redacts what the Web API client's own redaction misses in a logged request body (oauth.v2.access's client_secret and code)", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = boltLogger(pino({ level: 'debug' }, sink));
    log.debug('http request body: {"client_id":"111.222","client_secret":"standin-client-secret-0123456789","code":"one-time-code-123","token":"[[REDACTED]]"}');
    log.debug('a line that merely says "client_secret":"kept" is not a request body');
    const text = lines.join('');
    expect(text).not.toContain('standin-client-secret-0123456789');
    expect(text).not.toContain('one-time-code-123');
    expect(text).toContain('\\"client_secret\\":\\"[redacted]\\"');
    expect(text).toContain('\\"client_id\\":\\"111.222\\"');
    expect(text).toContain('is not a request body');
  });
});
