// The address a request comes from, which the per-client limits count by: the TCP peer, or, behind
// one trusted proxy (TRUST_PROXY), the last hop of X-Forwarded-For, the address that proxy saw.
// Earlier hops are written by the client and never trusted. A request without a socket (the
// application called in-process, as the tests do with yoga.fetch) counts as one client, `local`.
import type { Plugin } from 'graphql-yoga';
import type { NodeServerContext } from '../http/loopback.ts';

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
      // node:http's request, which yoga's node adapter passes as the server context.
      const peer = (serverContext as NodeServerContext | undefined)?.req?.socket?.remoteAddress ?? IN_PROCESS_CLIENT;
      const forwarded = trustProxy ? lastForwardedHop(request.headers.get('x-forwarded-for')) : null;
      addresses.set(request, (forwarded ?? peer).slice(0, 64));
    },
  };
}

export const clientAddressOf = (request: Request): string => addresses.get(request) ?? IN_PROCESS_CLIENT;
