import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where an endpoint may point. In production: https only, and never at a host that resolves to
 * a private, loopback, link-local, CGNAT, multicast, reserved or cloud-metadata address (IPv4 and
 * IPv6, including IPv4-mapped and NAT64 forms). Checked when the endpoint is saved and again at
 * every delivery, where the request then connects to the very address that was checked (no
 * second lookup an attacker's DNS could answer differently).
 */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

export interface UrlPolicy {
  production: boolean;
  resolve: Resolver;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fe80::', 10], ['fec0::', 10], ['fc00::', 7], ['ff00::', 8], ['100::', 64], ['2001:db8::', 32],
  // Cloud metadata over IPv6 (AWS).
  ['fd00:ec2::254', 128],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** True for an address no webhook may reach in production. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIpv4(address);
  if (embedded) return blocked.check(embedded, 'ipv4');
  return blocked.check(address, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const m = /^(?:::ffff:|::|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(lower);
  if (!m || lower === '::' || lower === '::1') return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export class UrlRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UrlRefused';
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The URL's form: parsed, https (or http to localhost outside production), no credentials. Throws UrlRefused. */
export function checkUrlForm(text: string, production: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UrlRefused('is not a URL; give the full address, e.g. https://example.com/webhooks');
  }
  if (url.username || url.password) throw new UrlRefused('must not carry a user name or password');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && !production && LOCAL_HOSTS.has(url.hostname)) return url;
  throw new UrlRefused(production ? 'must use https' : 'must use https (http only to localhost, outside production)');
}

/**
 * Resolves the URL's host and returns the address to connect to; refuses (UrlRefused) when
 * any answer is forbidden in production, or when the host does not resolve.
 */
export async function resolveTarget(url: URL, policy: UrlPolicy): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const answers = isIP(host) ? [{ address: host, family: isIP(host) }] : await policy.resolve(host).catch(() => []);
  if (answers.length === 0) throw new UrlRefused(`its host ${host} does not resolve`);
  if (policy.production) {
    const bad = answers.find((a) => isForbiddenAddress(a.address));
    if (bad) throw new UrlRefused(`its host ${host} resolves to ${bad.address}, a private or reserved address`);
  }
  return answers[0]!;
}
