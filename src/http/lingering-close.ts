// What happens to a request body nobody read to its end once the answer goes out (past the cap, a
// route that did not need it, an answer yoga gave before any plugin of ours ran): nginx's
// "lingering close", bounded in time and in bytes.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closing at once would reset the connection under a client still writing, which then often loses
 * the answer itself (EPIPE): the rest of the body is discarded as it arrives for a moment, then the
 * connection is cut if the client is still sending.
 */
const LINGER_MS = 2_000;

/** The node request and response behind a request that came over a socket; none in process (yoga.fetch). */
export function nodeExchangeOf(
  serverContext: object | undefined,
): { request: IncomingMessage; response: ServerResponse | undefined } | undefined {
  if (!serverContext || !('req' in serverContext) || !(serverContext.req instanceof IncomingMessage)) return undefined;
  const response = 'res' in serverContext && serverContext.res instanceof ServerResponse ? serverContext.res : undefined;
  return { request: serverContext.req, response };
}

/**
 * Discards the unread rest of a request's body, at most `maxBytes` of it (the route's cap), then
 * reads no more: the socket stops, the client's writes wait in kernel buffers, and the connection is
 * cut when the linger ends. Unbounded, node discarded a fast client's 200 MiB within the 2 s
 * (and dumps an unread body itself once the answer is sent), allocating a buffer per read.
 */
export function discardUnreadBody(serverContext: object | undefined, maxBytes: number) {
  const exchange = nodeExchangeOf(serverContext);
  if (!exchange || exchange.request.complete) return;
  const { request, response } = exchange;
  // Taken now: node lets go of the request's socket when a stream pipeline reading the body is
  // destroyed (a read past the cap ends so), and of the response's once the answer is sent.
  const socket: Socket | null = request.socket ?? response?.socket ?? null;
  if (!request.destroyed) {
    let discarded = 0;
    request.on('data', (chunk: Buffer) => {
      discarded += chunk.byteLength;
      if (discarded > maxBytes) request.pause();
    });
    // Reading now also stops node from dumping the body itself, unbounded, when the answer is sent.
    request.resume();
  }
  // By then the client may have gone and the socket with it: nothing to cut.
  setTimeout(() => {
    if (!request.complete && socket && !socket.destroyed) socket.destroy();
  }, LINGER_MS).unref();
}
