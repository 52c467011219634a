// The client a request comes from, which the per-client limits count by: the TCP peer, or, behind
// one trusted proxy (TRUST_PROXY), the last hop of X-Forwarded-For, the address that proxy saw.
// Earlier hops are written by the client and never trusted. A request without a socket (the
// application called in-process, as the tests do with yoga.fetch) counts as one client, `local`.
import ipaddr from 'ipaddr.js';
import type { Plugin } from 'graphql-yoga';

/** What yoga's node adapter passes as the server context: node's request, with its socket. */
export interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string | undefined } };
}

/** The TCP peer's address, or undefined in process (yoga.fetch), where there is no socket. */
export const socketPeerOf = (serverContext: NodeServerContext | undefined): string | undefined => serverContext?.req?.socket?.remoteAddress;

export const IN_PROCESS_CLIENT = 'local';

const clients = new WeakMap<Request, string>();

function lastForwardedHop(header: string | null): string | null {
  const hops =
    header
      ?.split(',')
      .map((hop) => hop.trim())
      .filter(Boolean) ?? [];
  return hops.at(-1) ?? null;
}

/**
 * The client an address belongs to: an IPv4 address is one; an IPv6 address is its network of
 * `ipv6Prefix` bits (a home or an office is given a /64 and its devices pick and rotate addresses
 * inside it at will, so counting addresses would make each a new client). An IPv4-mapped IPv6
 * address (::ffff:192.0.2.1, as a dual-stack socket reports IPv4 peers) is its IPv4 address, and
 * every spelling of an address is one. Anything else (not an address) counts as written.
 */
export function clientOf(address: string, ipv6Prefix: number): string {
  if (!ipaddr.isValid(address)) return address.slice(0, 64);
  const parsed = ipaddr.process(address);
  if (parsed instanceof ipaddr.IPv4) return parsed.toString();
  // Without its zone (fe80::1%eth0): the zone names the server's interface, not the client.
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${new ipaddr.IPv6(parsed.parts).toString()}/${ipv6Prefix}`);
  return `${network.toString()}/${ipv6Prefix}`;
}

/** Records each request's client before any route or resolver runs. */
export function useClientAddress({ trustProxy, ipv6Prefix }: { trustProxy: boolean; ipv6Prefix: number }): Plugin {
  return {
    onRequest({ request, serverContext }) {
      const peer = socketPeerOf(serverContext as NodeServerContext | undefined) ?? IN_PROCESS_CLIENT;
      const forwarded = trustProxy ? lastForwardedHop(request.headers.get('x-forwarded-for')) : null;
      clients.set(request, clientOf(forwarded ?? peer, ipv6Prefix));
    },
  };
}

/** The request's client as the per-client limits count it: an IPv4 address or an IPv6 network (`2001:db8:1:2::/64`). */
export const clientAddressOf = (request: Request): string => clients.get(request) ?? IN_PROCESS_CLIENT;
