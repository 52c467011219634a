// Where the server may send a request a tenant chose the address of (a webhook endpoint, a
// connection's provider endpoint). In production: https only, and never to an address inside the
// server's own network nor any other special-purpose address (isBlockedAddress), checked when the
// URL is saved and again at connect time, through the request's own DNS lookup, so a host that
// resolves elsewhere after the check (DNS rebinding) is still refused. Outside production: http only
// for loopback hosts, so a developer (and the tests) can serve on localhost (the scheme rule every
// URL a platform gives follows: core/secure-urls.ts).
// ALLOW_PRIVATE_NETWORKS=true (formerly WEBHOOK_ALLOW_PRIVATE_NETWORKS, still read) lifts the address
// check, not the https rule.
import type { LookupAddress } from 'node:dns';
import { Resolver as DnsResolver } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../core/domain-errors.ts';
import { requireSecureScheme, urlPolicyOf, type UrlPolicy } from '../core/secure-urls.ts';
import type { Config } from '../config.ts';

/**
 * IANA's global unicast block: every other IPv6 address (all of ::/8, the IPv4-compatible
 * ::a.b.c.d and the RFC 2765 ::ffff:0:a.b.c.d with it; 100::/8; fc00::/7; fe80::/10; fec0::/10;
 * ff00::/8) is reserved, local or deprecated.
 */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * Whether a production server refuses to connect to `address` (and anything that is not an IP
 * address). Only public unicast passes: ipaddr.js names IANA's special-purpose ranges (private,
 * loopback, link-local, shared, documentation, benchmarking, 6to4 and its relays, Teredo, NAT64,
 * ORCHID, discard, AS112, AMT, multicast, reserved…), and any named range is refused, so a range a
 * library update names is refused too. An IPv4-mapped address (::ffff:a.b.c.d, however spelled) is
 * judged as its IPv4 address; the forms that only reach an IPv4 address through a translator or a
 * relay (6to4, Teredo, NAT64, RFC 2765's ::ffff:0:a.b.c.d) are refused whatever they embed.
 */
export function isBlockedAddress(address: string): boolean {
  // Both parsers must take it: node's is strict about IPv4, ipaddr.js about IPv6 zone ids (fe80::1%eth0.5).
  if (isIP(address) === 0 || !ipaddr.isValid(address)) return true;
  const judged = ipaddr.process(address);
  if (judged.kind() === 'ipv6' && !judged.match(GLOBAL_UNICAST)) return true;
  return judged.range() !== 'unicast';
}

/** Resolves a host name to every address it has (DNS by default; tests pass their own). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** A DNS server that does not answer is given up on after this (per try, two tries). */
const DNS_TIMEOUT_MS = 2_000;

/**
 * Resolves through DNS with c-ares (node:dns's Resolver): its own sockets, its own timeouts. Not
 * dns.lookup, which runs getaddrinfo on libuv's pool of 4 threads and cannot be cancelled: an
 * outsider's probe kept 4 lookups of names whose DNS never answers in flight and stalled every other
 * lookup of the process (another organization's deliveries: 0 of 20 arrived) and its file
 * operations. Tenant-chosen hosts are thus looked up in DNS, not in /etc/hosts.
 */
export function dnsResolver({ servers, timeoutMs = DNS_TIMEOUT_MS }: { servers?: string[]; timeoutMs?: number } = {}): Resolver {
  const resolver = new DnsResolver({ timeout: timeoutMs, tries: 2 });
  if (servers) resolver.setServers(servers);
  return async (hostname) => {
    const answers = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
    const addresses = answers.flatMap((answer, index) =>
      answer.status === 'fulfilled' ? answer.value.map((address) => ({ address, family: index === 0 ? 4 : 6 })) : [],
    );
    if (addresses.length > 0) return addresses;
    // No address: a name without one is no error (the caller says it does not resolve); a DNS that failed is.
    const failed = answers.find(
      (answer) => answer.status === 'rejected' && !['ENODATA', 'ENOTFOUND'].includes((answer.reason as { code?: string }).code ?? ''),
    );
    if (failed?.status === 'rejected') throw failed.reason;
    return [];
  };
}

const systemResolver = dnsResolver();

export interface AddressPolicy extends UrlPolicy {
  /** ALLOW_PRIVATE_NETWORKS: production may send to private addresses (a receiver inside the same network). */
  allowPrivateNetworks: boolean;
  resolve?: Resolver;
}

export const addressPolicyOf = (config: Pick<Config, 'env' | 'allowPrivateNetworks'>): AddressPolicy => ({
  ...urlPolicyOf(config),
  allowPrivateNetworks: config.allowPrivateNetworks,
});

/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 literal. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

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
  requireSecureScheme(url, policy, field);
  const host = bareHost(url);
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
 * request connects through, which refuses a refused address whatever the name resolves to now. In
 * production every name goes through it (DNS, never libuv's thread pool: see dnsResolver), even where
 * ALLOW_PRIVATE_NETWORKS lifts the check; in development, node's own lookup (localhost, /etc/hosts).
 */
export function sendTimeLookup(url: URL, policy: AddressPolicy): LookupFunction | undefined {
  if (!policy.production) return undefined;
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
        if (checksAddresses(policy) && addresses.some(({ address }) => isBlockedAddress(address))) {
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
