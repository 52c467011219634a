// Every request body is read through a byte cap, whatever route reads it and however (text, json,
// formData): one plugin, first in the chain, swaps the body for a counting stream that errors once
// the cap is passed, so no route, today's or a future one, can hold more than the cap in memory.
// A declared Content-Length above the cap is answered 413 before anything is read.
import { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { parseJsonRequest } from './json-body.ts';

type FetchAPI = Parameters<NonNullable<Plugin['onRequest']>>[0]['fetchAPI'];

/** Thrown by a capped body's reader when the body goes past the cap. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The request body exceeds ${maxBytes} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * A body not read to its end when the answer goes out (past the cap, or a route that did not need
 * it) is discarded as it arrives, nothing held, for a moment; then the connection is cut if the
 * client is still sending. Closing at once would reset the connection under a client still
 * writing, which then often loses the answer itself (EPIPE); an endless body is not taken for long
 * either way. This is nginx's "lingering close".
 */
const LINGER_MS = 2_000;

function discardUnreadBody(serverContext: object | undefined) {
  const request = serverContext && 'req' in serverContext ? serverContext.req : undefined;
  // In process (yoga.fetch) there is no node request, and no connection to free.
  if (!(request instanceof IncomingMessage) || request.complete) return;
  request.resume();
  // By then the client may have gone and node may have let go of the socket (null): nothing to cut.
  setTimeout(() => {
    if (!request.complete) request.socket?.destroy();
  }, LINGER_MS).unref();
}

/** The GraphQL form of the refusal, for /graphql's request parser. */
const payloadTooLarge = (error: BodyTooLargeError) => new GraphQLError(error.message, { extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } } });

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
function capBody(request: Request, body: ReadableStream<Uint8Array>, maxBytes: number, fetchAPI: FetchAPI, onOverflow: () => void): Request {
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
  const request = serverContext && 'req' in serverContext ? serverContext.req : undefined;
  if (!(request instanceof IncomingMessage) || request.headers['transfer-encoding'] !== undefined) return false;
  const declared = request.headers['content-length'];
  return declared !== undefined && /^\d+$/.test(declared) && Number(declared) <= maxBytes;
}

const isJson = (request: Request) => /^application\/(graphql\+)?json\b/i.test(request.headers.get('content-type') ?? '');

/**
 * `maxBytesFor(url)` is the cap of a request's body by its URL. Must come first among the plugins:
 * it replaces the request, and per-request state elsewhere (request ids, client addresses) is keyed
 * by the request object the later plugins see.
 */
export function useBodyLimit(maxBytesFor: (url: URL) => number, tooLargePage: TooLargePage): Plugin {
  const overflowed = new WeakMap<Request, number>();
  return {
    onRequest({ request, url, setRequest, endResponse, fetchAPI, serverContext }) {
      const maxBytes = maxBytesFor(url);
      // Checked before `request.body` is touched: asking for it makes a web stream of the body.
      if (boundedByNode(serverContext, maxBytes)) return;
      const body = request.body;
      if (!body) return;
      if (Number(request.headers.get('content-length') ?? 0) > maxBytes) {
        endResponse(bodyTooLargeResponse(request, maxBytes, fetchAPI, tooLargePage));
        return;
      }
      const capped = capBody(request, body, maxBytes, fetchAPI, () => overflowed.set(capped, maxBytes));
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
    // Whoever read the body and however it answered the overflow (a 400, a 500), the client gets 413.
    onResponse({ request, response, setResponse, fetchAPI, serverContext }) {
      const maxBytes = overflowed.get(request);
      if (maxBytes !== undefined && response.status !== 413) setResponse(bodyTooLargeResponse(request, maxBytes, fetchAPI, tooLargePage));
      discardUnreadBody(serverContext);
    },
  };
}
