// Whether a request comes from this machine, for what development serves to its developer only
// (the outbox with its verification links). Judged from the TCP peer of node's request, which
// yoga passes as the server context. A request without one (the application called in process,
// as tests do with yoga.fetch) has no address, and no address is not loopback: refused. A request
// carrying a forwarding header came through a proxy, so its real client is elsewhere: refused too,
// even when the proxy itself runs on this machine.

import { socketPeerOf, type NodeServerContext } from '../auth/client-address.ts';

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export function isLoopbackClient(request: Request, serverContext: NodeServerContext | undefined): boolean {
  if (request.headers.has('forwarded') || request.headers.has('x-forwarded-for')) return false;
  return LOOPBACK.test(socketPeerOf(serverContext) ?? '');
}
