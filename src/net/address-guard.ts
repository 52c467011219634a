// Where the server may send a request a tenant chose the address of (a webhook endpoint, a
// connection's provider endpoint). In production: https only, and never to an address inside the
// server's own network (loopback, private, shared, link-local, cloud metadata, unspecified), checked
// when the URL is saved and again at connect time, through the request's own DNS lookup, so a host
// that resolves elsewhere after the check (DNS rebinding) is still refused. Outside production: http
// only for loopback hosts, so a developer (and the tests) can serve on localhost.
// ALLOW_PRIVATE_NETWORKS=true (formerly WEBHOOK_ALLOW_PRIVATE_NETWORKS, still read) lifts the address
// check, not the https rule.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ValidationError } from '../core/domain-errors.ts';
import type { Config } from '../config.ts';

/** The ranges a production server never sends to. */
export const blockedAddresses = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT, shared address space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the metadata service 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  blockedAddresses.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated): ::a9fe:a9fe is 169.254.169.254
  ['64:ff9b::', 96], // well-known NAT64: an IPv4 address behind a translator
  ['64:ff9b:1::', 48], // local-use NAT64
  ['2002::', 16], // 6to4: an IPv4 address embedded
  ['fc00::', 7], // unique local, including the metadata service fd00:ec2::254
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blockedAddresses.addSubnet(network, prefix, 'ipv6');
}

/** `::ffff:10.0.0.1` (or `::ffff:a00:1`) → `10.0.0.1`: an IPv4-mapped address is judged as the IPv4 one. */
function unmapped(address: string): string {
  const compact = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compact);
  if (!mapped) return address;
  const [high, low] = [parseInt(mapped[1] ?? '0', 16), parseInt(mapped[2] ?? '0', 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return blockedAddresses.check(address, 'ipv4');
  const judged = unmapped(address);
  return judged === address ? blockedAddresses.check(address, 'ipv6') : blockedAddresses.check(judged, 'ipv4');
}

/** Resolves a host name to every address it has (node:dns by default; tests pass their own). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

export interface AddressPolicy {
  production: boolean;
  /** ALLOW_PRIVATE_NETWORKS: production may send to private addresses (a receiver inside the same network). */
  allowPrivateNetworks: boolean;
  resolve?: Resolver;
}

export const addressPolicyOf = (config: Pick<Config, 'env' | 'allowPrivateNetworks'>): AddressPolicy => ({
  production: config.env === 'production',
  allowPrivateNetworks: config.allowPrivateNetworks,
});

/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 literal. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

const isLoopbackHost = (host: string) =>
  host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && (host === '::1' || host.startsWith('127.')));

/** Whether production must check the addresses this URL's host has. */
const checksAddresses = (policy: AddressPolicy) => policy.production && !policy.allowPrivateNetworks;

/**
 * The URL a webhook endpoint or a connection may be saved with, or a VALIDATION error on `field`. Resolves the host in
 * production: a name that does not resolve, or resolves to a refused address, is refused.
 */
export async function checkOutboundUrl(url: URL, policy: AddressPolicy, field: string): Promise<string> {
  const refuse = (why: string): never => {
    throw new ValidationError(`${field} ${why}`, [field]);
  };
  if (url.username || url.password) refuse('must not contain credentials.');
  if (url.href.length > 2048) refuse('must be at most 2048 characters.');
  const host = bareHost(url);
  if (url.protocol === 'http:') {
    if (policy.production) refuse('must be an https URL.');
    if (!isLoopbackHost(host)) refuse('must be an https URL (http is accepted for localhost only, outside production).');
  } else if (url.protocol !== 'https:') {
    refuse('must be an https URL.');
  }
  if (!checksAddresses(policy)) return url.href;
  if (isIP(host) !== 0) {
    if (isBlockedAddress(host)) refuse('points to a private, loopback, link-local or metadata address, which is refused.');
    return url.href;
  }
  let addresses: { address: string }[];
  try {
    addresses = await (policy.resolve ?? systemResolver)(host);
  } catch {
    return refuse(`names a host that does not resolve (${host}).`);
  }
  if (addresses.length === 0) refuse(`names a host that does not resolve (${host}).`);
  if (addresses.some(({ address }) => isBlockedAddress(address))) {
    refuse('resolves to a private, loopback, link-local or metadata address, which is refused.');
  }
  return url.href;
}

export class RefusedAddressError extends Error {
  readonly code = 'EREFUSEDADDRESS';
}

/**
 * Whether a connection to `host` (as an agent is asked to open it: an IP literal, bracketed or not, or
 * a name) is refused before any lookup: an IP literal in a refused range, where the policy checks.
 * A name is left to the lookup `sendTimeLookup` returns.
 */
export function refusedConnectHost(host: string, policy: AddressPolicy): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return checksAddresses(policy) && isIP(bare) !== 0 && isBlockedAddress(bare);
}

/**
 * At send time: refuses an IP-literal host at once; for a name, returns the DNS `lookup` the
 * request connects through, which refuses a refused address whatever the name resolves to now.
 */
export function sendTimeLookup(url: URL, policy: AddressPolicy): LookupFunction | undefined {
  if (!checksAddresses(policy)) return undefined;
  const host = bareHost(url);
  if (isIP(host) !== 0) {
    if (refusedConnectHost(host, policy)) throw new RefusedAddressError('the host is a refused address');
    return undefined;
  }
  const resolve = policy.resolve ?? systemResolver;
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }));
        if (addresses.some(({ address }) => isBlockedAddress(address))) {
          return callback(new RefusedAddressError('the host resolves to a refused address'));
        }
        if (options.all) return callback(null, addresses as LookupAddress[]);
        const [first] = addresses;
        return callback(null, first?.address, first?.family);
      },
      (error: unknown) => callback(error),
    );
  }) as LookupFunction;
}
