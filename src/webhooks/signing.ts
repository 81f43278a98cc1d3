import { createHmac, randomBytes } from 'node:crypto';
import { tokenCipher } from '../crypto/token-cipher.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` + base64
 * of 32 random bytes; the signature is `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`
 * keyed with the decoded bytes. During a rotation both secrets sign, space-separated, so a
 * consumer holding either verifies.
 */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export function signatureHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => sign(s, id, timestampSeconds, body)).join(' '),
  };
}

/**
 * Secrets at rest. With TOKEN_ENCRYPTION_KEY set they are sealed like installation tokens
 * (AES-256-GCM, bound to their endpoint's id); without one (single-workspace installs that never
 * needed the key) they are stored as they are, marked so, and sealed once a key is configured
 * and the secret next rotated. A signing secret must be readable by us, so hashing is no option.
 */
export interface SecretBox {
  seal(secret: string, endpointId: string): Buffer;
  open(stored: Buffer, endpointId: string): string;
}

const PLAIN = 0;

export function secretBox(key: Buffer | undefined): SecretBox {
  const cipher = key ? tokenCipher(key) : undefined;
  return {
    seal: (secret, endpointId) => (cipher ? cipher.encrypt(secret, `webhook:${endpointId}`) : Buffer.concat([Buffer.from([PLAIN]), Buffer.from(secret, 'utf8')])),
    open: (stored, endpointId) => {
      if (stored[0] === PLAIN) return stored.subarray(1).toString('utf8');
      if (!cipher) throw new Error('this webhook secret is sealed; set TOKEN_ENCRYPTION_KEY to the key that sealed it');
      return cipher.decrypt(stored, `webhook:${endpointId}`);
    },
  };
}
