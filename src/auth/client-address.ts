// The address a request comes from, which the per-client limits count by: the TCP peer, or, behind
// one trusted proxy (TRUST_PROXY), the last hop of X-Forwarded-For, the address that proxy saw.
// Earlier hops are written by the client and never trusted. A request without a socket (the
// application called in-process, as the tests do with yoga.fetch) counts as one client, `local`.
import type { Plugin } from 'graphql-yoga';

/** What yoga's node adapter passes as the server context: node's request, with its socket. */
export interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string | undefined } };
}

/** The TCP peer's address, or undefined in process (yoga.fetch), where there is no socket. */
export const socketPeerOf = (serverContext: NodeServerContext | undefined): string | undefined => serverContext?.req?.socket?.remoteAddress;

export const IN_PROCESS_CLIENT = 'local';

const addresses = new WeakMap<Request, string>();

function lastForwardedHop(header: string | null): string | null {
  const hops = header?.split(',').map((hop) => hop.trim()).filter(Boolean) ?? [];
  return hops.at(-1) ?? null;
}

/** Records each request's client address before any route or resolver runs. */
export function useClientAddress(trustProxy: boolean): Plugin {
  return {
    onRequest({ request, serverContext }) {
      const peer = socketPeerOf(serverContext as NodeServerContext | undefined) ?? IN_PROCESS_CLIENT;
      const forwarded = trustProxy ? lastForwardedHop(request.headers.get('x-forwarded-for')) : null;
      addresses.set(request, (forwarded ?? peer).slice(0, 64));
    },
  };
}

export const clientAddressOf = (request: Request): string => addresses.get(request) ?? IN_PROCESS_CLIENT;
