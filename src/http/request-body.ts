// Every request body is read through a byte cap, whatever route reads it and however (text, json,
// formData): one plugin, first in the chain, swaps the body for a counting stream that errors once
// the cap is passed, so no route, today's or a future one, can hold more than the cap in memory.
// A declared Content-Length above the cap, or any body to a route that takes none, is answered 413
// before anything is read; so is an answer yoga gave before this plugin ran. What is left unread
// is discarded up to the cap, then the connection is cut (lingering-close.ts).
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { parseJsonRequest } from './json-body.ts';
import { discardUnreadBody, nodeExchangeOf } from './lingering-close.ts';

type FetchAPI = Parameters<NonNullable<Plugin['onRequest']>>[0]['fetchAPI'];

/** Thrown by a capped body's reader when the body goes past the cap. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The request body exceeds ${maxBytes} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/** The GraphQL form of the refusal, for /graphql's request parser. */
const payloadTooLarge = (error: BodyTooLargeError) =>
  new GraphQLError(error.message, { extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } } });

/** How a browser is told, as a page the web layer draws, that its request was too large (413). */
export type TooLargePage = (message: string) => Response;

/** A 413 for any route: a short page for browsers, the GraphQL error shape for everything else. */
export function bodyTooLargeResponse(request: Request, maxBytes: number, fetchAPI: FetchAPI, tooLargePage: TooLargePage): Response {
  const { message } = new BodyTooLargeError(maxBytes);
  if ((request.headers.get('accept') ?? '').includes('text/html')) return tooLargePage(message);
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }), {
    status: 413,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * The same request with its body read through a counter: past `maxBytes` the body errors with
 * BodyTooLargeError and the source is read no further. A transform stream passes one chunk at a
 * time on demand (backpressure), so nothing piles up ahead of the reader.
 */
function capBody(
  request: Request,
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  fetchAPI: FetchAPI,
  onOverflow: () => void,
): Request {
  // A native stream (a Request built in process) must go through the native TransformStream, the
  // ponyfill's through the ponyfill's, as yoga's own limit does (graphql-yoga issue 4583).
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let received = 0;
  const counted = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) {
          onOverflow();
          controller.error(new BodyTooLargeError(maxBytes));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: counted,
    duplex: 'half',
  } as RequestInit);
}

/**
 * Whether node's HTTP parser already bounds the body under the cap: it delivers exactly the declared
 * Content-Length and no byte more (refusing a request that declares it twice, or together with
 * Transfer-Encoding), so counting again would only cost a stream pipeline per request. Chunked bodies,
 * and requests built in process, are counted.
 */
function boundedByNode(serverContext: object | undefined, maxBytes: number): boolean {
  const request = nodeExchangeOf(serverContext)?.request;
  if (!request || request.headers['transfer-encoding'] !== undefined) return false;
  // Neither header: the request has no body (RFC 9112, section 6.3), and node delivers none.
  const declared = request.headers['content-length'] ?? '0';
  return /^\d+$/.test(declared) && Number(declared) <= maxBytes;
}

/**
 * Whether a request is refused before a byte of its body is read: it has a body node does not bound
 * under the cap, and that body declares more than the cap, or the route takes none (a cap of 0).
 */
function refusedUnread(request: Request, serverContext: object | undefined, maxBytes: number): boolean {
  if (nodeExchangeOf(serverContext) ? boundedByNode(serverContext, maxBytes) : request.body === null) return false;
  return maxBytes === 0 || Number(request.headers.get('content-length') ?? 0) > maxBytes;
}

const isJson = (request: Request) => /^application\/(graphql\+)?json\b/i.test(request.headers.get('content-type') ?? '');

/**
 * `maxBytesFor(url)` is the cap of a request's body by its URL; 0 for a route that takes no body.
 * Must come first among the plugins: it replaces the request, and per-request state elsewhere
 * (request ids, client addresses) is keyed by the request object the later plugins see.
 */
export function useBodyLimit(maxBytesFor: (url: URL) => number, tooLargePage: TooLargePage): Plugin {
  const overflowed = new WeakMap<Request, number>();
  /** The cap of each request onRequest saw; yoga answers its health check (and CORS preflights) before any plugin of ours runs. */
  const judged = new WeakMap<Request, number>();
  return {
    onRequest({ request, url, setRequest, endResponse, fetchAPI, serverContext }) {
      const maxBytes = maxBytesFor(url);
      judged.set(request, maxBytes);
      if (refusedUnread(request, serverContext, maxBytes)) {
        endResponse(bodyTooLargeResponse(request, maxBytes, fetchAPI, tooLargePage));
        return;
      }
      // Checked before `request.body` is touched: asking for it makes a web stream of the body.
      if (boundedByNode(serverContext, maxBytes)) return;
      const body = request.body;
      if (!body) return;
      const capped = capBody(request, body, maxBytes, fetchAPI, () => overflowed.set(capped, maxBytes));
      judged.set(capped, maxBytes);
      setRequest(capped);
    },
    // /graphql: our JSON parser (it never quotes the body back), and the overflow as a 413 whatever
    // parser read the body.
    onRequestParse({ request, requestParser, setRequestParser }) {
      const parser = request.method === 'POST' && isJson(request) ? parseJsonRequest : requestParser;
      if (!parser) return;
      setRequestParser(async (parsed) => {
        try {
          return await parser(parsed);
        } catch (error) {
          if (error instanceof BodyTooLargeError) throw payloadTooLarge(error);
          throw error;
        }
      });
    },
    onResponse({ request, response, setResponse, fetchAPI, serverContext }) {
      // Whoever read the body and however it answered the overflow (a 400, a 500), the client gets 413.
      const overflow = overflowed.get(request);
      if (overflow !== undefined && response.status !== 413) setResponse(bodyTooLargeResponse(request, overflow, fetchAPI, tooLargePage));
      let maxBytes = judged.get(request);
      if (maxBytes === undefined) {
        // An answer given before onRequest ran is judged here by the same rule, its body unread (yoga's
        // /health answered 200 to a 200 MiB POST, which node then read whole).
        maxBytes = maxBytesFor(new URL(request.url));
        if (refusedUnread(request, serverContext, maxBytes)) setResponse(bodyTooLargeResponse(request, maxBytes, fetchAPI, tooLargePage));
      }
      discardUnreadBody(serverContext, maxBytes);
    },
  };
}
