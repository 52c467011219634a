// One POST to a receiver: 10 s for the whole exchange, no redirect followed (node:http never
// follows one), at most 1 KiB of the answer kept (the rest is not read), and the address guard's
// DNS lookup on the connection. The outcome's `error` is our own wording: never the URL (it may
// carry a token in its query) and never a header (the signature).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RefusedAddressError, sendTimeLookup, type AddressPolicy } from '../net/address-guard.ts';

export const SEND_TIMEOUT_MS = 10_000;
export const KEPT_RESPONSE_BYTES = 1024;

export interface SendOutcome {
  delivered: boolean;
  status: number | null;
  /** At most KEPT_RESPONSE_BYTES of the answer, as text. */
  body: string | null;
  error: string | null;
}

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

function readSome(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const done = () => {
      response.removeAllListeners('data');
      resolve(
        Buffer.concat(chunks)
          .subarray(0, KEPT_RESPONSE_BYTES)
          .toString('utf8')
          .replace(/\uFFFD+$/, ''),
      );
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      kept += chunk.length;
      if (kept >= KEPT_RESPONSE_BYTES) {
        done();
        response.destroy();
      }
    });
    response.on('end', done);
    response.on('error', done);
    response.on('aborted', done);
  });
}

const describe = (error: unknown): string => {
  if (error instanceof RefusedAddressError) return `refused: ${error.message} (private, loopback, link-local or metadata)`;
  const { name, code } = error as { name?: string; code?: string };
  if (name === 'AbortError' || name === 'TimeoutError' || code === 'ABORT_ERR') return `no answer within ${SEND_TIMEOUT_MS / 1000} s`;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return `connection failed: ${code}`;
  return 'connection failed';
};

/**
 * The signal a send runs under: aborted after `timeoutMs`, or when `cancel` is. Not
 * AbortSignal.any([AbortSignal.timeout(…), cancel]): on Node 20 the composite holds its sources
 * weakly, the timeout signal is collected, and the composite never fires (seen in the fairness
 * drill: sends to a silent receiver hung for good, and with them the worker's round).
 */
function sendSignal(timeoutMs: number, cancel: AbortSignal | undefined): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('no answer in time', 'TimeoutError')), timeoutMs);
  const cancelled = () => controller.abort(cancel?.reason);
  cancel?.addEventListener('abort', cancelled, { once: true });
  if (cancel?.aborted) cancelled();
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', cancelled);
    },
  };
}

/** One POST; `cancel` cuts it short (the worker is stopping), as its timeout would. */
export async function sendWebhook(
  message: WebhookRequest,
  policy: AddressPolicy,
  timeoutMs = SEND_TIMEOUT_MS,
  cancel?: AbortSignal,
): Promise<SendOutcome> {
  const url = new URL(message.url);
  const { signal, done } = sendSignal(timeoutMs, cancel);
  try {
    const lookup = sendTimeLookup(url, policy);
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...message.headers, 'content-length': String(Buffer.byteLength(message.body)) },
      signal,
      ...(lookup ? { lookup } : {}),
      // One connection per attempt: a pooled socket would skip the lookup on the next send.
      agent: false,
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (response) => {
        readSome(response).then((body) => resolve({ status: response.statusCode ?? 0, body }), reject);
      });
      request.on('error', reject);
    });
    request.end(message.body);
    const { status, body } = await answered;
    if (status >= 200 && status < 300) return { delivered: true, status, body, error: null };
    const error = status >= 300 && status < 400 ? `redirect (HTTP ${status}) not followed` : `HTTP ${status}`;
    return { delivered: false, status, body, error };
  } catch (error) {
    return { delivered: false, status: null, body: null, error: describe(error) };
  } finally {
    done();
  }
}
