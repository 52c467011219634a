// HTTP agents for one provider check, to an address a tenant chose. Every connection they open is
// held to the address guard: a host name through its DNS `lookup`, and an IP-literal host (for which
// Node never calls `lookup`: a redirect to https://10.0.0.5/ would otherwise pass) before connecting.
// A check makes one request, so the agents open one connection: a second one is a redirect the SDK
// follows (HubSpot's node-fetch does), refused wherever it goes. They read at most MAX_ANSWER_BYTES
// (an SDK buffers a whole error body), none is pooled beyond the call, and all are destroyed when
// `signal` aborts, which ends a request an SDK would otherwise keep waiting on. `refusal` rejects with
// the first of these refusals, so the caller learns why whatever the SDK makes of the socket's error.
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { refusedConnectHost, RefusedAddressError, sendTimeLookup, type AddressPolicy } from './address-guard.ts';

/** What a provider check may read, headers included: far more than any answer it needs. */
export const MAX_ANSWER_BYTES = 1 << 20;

export class AnswerTooLargeError extends Error {
  readonly code = 'EANSWERTOOLARGE';
}

/** A second connection: the provider redirected the check, which is never followed. */
export class RedirectRefusedError extends Error {
  readonly code = 'EREDIRECTREFUSED';
}

export interface GuardedAgents {
  http: HttpAgent;
  https: HttpsAgent;
  /** The one for `url`'s scheme. */
  forUrl: HttpAgent | HttpsAgent;
  /** Rejects with the first refusal of the agents (an address, a second connection, too many bytes); never resolves. */
  refusal: Promise<never>;
}

type Connect = (options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) => Duplex | null | undefined;

/** Throws RefusedAddressError at once for a refused IP-literal host. */
export function guardedAgents(url: URL, policy: AddressPolicy, signal: AbortSignal): GuardedAgents {
  const lookup = sendTimeLookup(url, policy);
  const options = { keepAlive: false, ...(lookup ? { lookup } : {}) };
  const agents = { http: new HttpAgent(options), https: new HttpsAgent(options) };
  let refuse: (error: Error) => void = () => {};
  const refusal = new Promise<never>((_resolve, reject) => (refuse = reject));
  refusal.catch(() => {}); // Read by the caller who races it; unobserved otherwise.
  let connections = 0;
  let bytesRead = 0;

  const guard = (agent: HttpAgent | HttpsAgent) => {
    const connect = agent.createConnection.bind(agent) as Connect;
    agent.createConnection = ((connectOptions, callback) => {
      connections += 1;
      const host = String(connectOptions.host ?? connectOptions.hostname ?? '');
      const refused =
        connections > 1
          ? new RedirectRefusedError('a provider check makes one request: a redirect is not followed')
          : refusedConnectHost(host, policy)
            ? new RefusedAddressError('the host is a refused address')
            : null;
      if (refused) {
        refuse(refused);
        process.nextTick(() => callback?.(refused, undefined as never));
        return undefined;
      }
      const socket = connect(connectOptions, callback);
      if (!socket) return socket;
      // Counted where the socket hands its bytes on (net's and tls's reads call `push`), not with a
      // 'data' listener: node-fetch 2 (HubSpot's) takes any 'data' listener left on the socket at
      // the end of a chunked answer for a premature close.
      const push = socket.push.bind(socket);
      socket.push = (chunk: unknown, encoding?: BufferEncoding) => {
        bytesRead += Buffer.isBuffer(chunk) || typeof chunk === 'string' ? chunk.length : 0;
        if (bytesRead <= MAX_ANSWER_BYTES) return push(chunk, encoding);
        const tooLarge = new AnswerTooLargeError(`the answer passed ${MAX_ANSWER_BYTES} bytes`);
        refuse(tooLarge);
        socket.destroy(tooLarge);
        return false;
      };
      return socket;
    }) as Connect;
  };
  guard(agents.http);
  guard(agents.https);

  const destroy = () => {
    agents.http.destroy();
    agents.https.destroy();
  };
  if (signal.aborted) destroy();
  else signal.addEventListener('abort', destroy, { once: true });
  return { ...agents, forUrl: url.protocol === 'https:' ? agents.https : agents.http, refusal };
}
