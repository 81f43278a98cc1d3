import { describe, expect, it } from 'vitest';
import { checkUrlForm, isForbiddenAddress, resolveTarget, UrlRefused, type Resolver } from '../../src/webhooks/ssrf.js';
import { backoffMs, parseRetryAfter } from '../../src/webhooks/delivery.js';

const resolver = (answers: Record<string, string[]>): Resolver => async (host) => (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook URL rules (SSRF)', () => {
  it.each([
    '10.1.2.3', '172.16.0.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1', 'fd00:ec2::254', 'not-an-ip',
  ])('refuses %s', (address) => expect(isForbiddenAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => expect(isForbiddenAddress(address)).toBe(false));

  it('wants https; http only to localhost outside production; no credentials', () => {
    expect(() => checkUrlForm('http://example.com/h', false)).toThrow(UrlRefused);
    expect(() => checkUrlForm('http://localhost:3000/h', true)).toThrow('must use https');
    expect(checkUrlForm('http://localhost:3000/h', false).hostname).toBe('localhost');
    expect(() => checkUrlForm('https://u:p@example.com/', true)).toThrow('user name or password');
    expect(() => checkUrlForm('nope', true)).toThrow('is not a URL');
  });

  it('in production refuses a host any of whose addresses is private, and names it', async () => {
    const resolve = resolver({ 'ok.example': ['93.184.216.34'], 'mixed.example': ['93.184.216.34', '10.0.0.5'], 'meta.example': ['::ffff:169.254.169.254'] });
    await expect(resolveTarget(new URL('https://ok.example/h'), { production: true, resolve })).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    await expect(resolveTarget(new URL('https://mixed.example/h'), { production: true, resolve })).rejects.toThrow('10.0.0.5');
    await expect(resolveTarget(new URL('https://meta.example/h'), { production: true, resolve })).rejects.toThrow(UrlRefused);
    await expect(resolveTarget(new URL('https://[::1]/h'), { production: true, resolve })).rejects.toThrow(UrlRefused);
    await expect(resolveTarget(new URL('https://gone.example/h'), { production: true, resolve })).rejects.toThrow('does not resolve');
  });
});

describe('retry schedule', () => {
  it('doubles from 5 s to a 12 h cap with ±25 % jitter, never sooner than Retry-After', () => {
    expect(backoffMs(1, () => 0.5)).toBe(5_000);
    expect(backoffMs(2, () => 0.5)).toBe(10_000);
    expect(backoffMs(1, () => 0)).toBe(3_750);
    expect(backoffMs(1, () => 1)).toBe(6_250);
    expect(backoffMs(30, () => 0.5)).toBe(12 * 3_600_000);
    expect(backoffMs(1, () => 0.5, 120_000)).toBe(120_000);
    // About 3 days of attempts before the endpoint is disabled.
    let total = 0;
    let n = 0;
    while (total < 3 * 24 * 3_600_000) total += backoffMs(++n, () => 0.5);
    expect(n).toBeGreaterThan(15);
    expect(n).toBeLessThan(25);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
