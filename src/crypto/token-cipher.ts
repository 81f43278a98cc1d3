import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Slack tokens at rest: AES-256-GCM with a 32-byte key from TOKEN_ENCRYPTION_KEY. Each value
 * gets a fresh 96-bit nonce, and is bound to the installation it belongs to (the install key is
 * the additional authenticated data), so a token copied into another row fails to decrypt
 * rather than serving the wrong workspace. Stored as: version (1 byte) ‖ nonce (12) ‖ tag (16)
 * ‖ ciphertext. Node's own crypto: no library needed for one AEAD.
 */

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const TOKEN_KEY_BYTES = 32;

export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeyError';
  }
}

/**
 * The key as configured: 32 bytes written as 64 hex digits or as base64 (44 characters, or 43
 * without padding). Anything else is refused with what to do: `openssl rand -base64 32`.
 */
export function parseTokenKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : undefined;
  if (!key || key.length !== TOKEN_KEY_BYTES) {
    throw new TokenKeyError('expected 32 random bytes as 64 hex digits or base64, e.g. the output of: openssl rand -base64 32');
  }
  return key;
}

export interface TokenCipher {
  encrypt(plaintext: string, installKey: string): Buffer;
  decrypt(sealed: Buffer, installKey: string): string;
}

export function tokenCipher(key: Buffer): TokenCipher {
  if (key.length !== TOKEN_KEY_BYTES) throw new TokenKeyError(`a token key is ${TOKEN_KEY_BYTES} bytes`);
  return {
    encrypt(plaintext, installKey) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(installKey, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
    },
    decrypt(sealed, installKey) {
      if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new Error('not a sealed token of this version');
      const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
      const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(installKey, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}
