import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTokenKey, TokenKeyError, tokenCipher } from '../../src/crypto/token-cipher.js';

describe('token cipher (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const cipher = tokenCipher(key);
  const token = 'xoxb-1234-5678-abcdefghijklmnop';

  it('round-trips, with a fresh nonce each time and no trace of the token in the sealed bytes', () => {
    const a = cipher.encrypt(token, 'T0ACME0001');
    const b = cipher.encrypt(token, 'T0ACME0001');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('xoxb'))).toBe(false);
    expect(cipher.decrypt(a, 'T0ACME0001')).toBe(token);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength(token));
  });

  it('refuses a token moved to another installation, a tampered byte, and another key', () => {
    const sealed = cipher.encrypt(token, 'T0ACME0001');
    expect(() => cipher.decrypt(sealed, 'T0OTHER001')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => cipher.decrypt(tampered, 'T0ACME0001')).toThrow();
    expect(() => tokenCipher(randomBytes(32)).decrypt(sealed, 'T0ACME0001')).toThrow();
    expect(() => cipher.decrypt(sealed.subarray(0, 10), 'T0ACME0001')).toThrow(/not a sealed token/);
  });

  it('reads a key as 64 hex digits or base64 of 32 bytes, and refuses anything shorter', () => {
    expect(parseTokenKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseTokenKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseTokenKey(key.toString('base64url')).equals(key)).toBe(true);
    for (const bad of ['', 'secret', randomBytes(16).toString('hex'), randomBytes(16).toString('base64'), 'z'.repeat(64)]) {
      expect(() => parseTokenKey(bad)).toThrow(TokenKeyError);
    }
    expect(() => parseTokenKey('short')).toThrow(/openssl rand -base64 32/);
  });
});
