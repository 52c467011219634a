// `connect listen`: the events of the caller, followed over Server-Sent Events (the `events`
// subscription), each signed per Standard Webhooks with a secret made for the run and POSTed to a
// local URL, as a webhook endpoint would receive it. When the stream drops, it resumes with `after`
// (the last event forwarded), so nothing is missed and nothing is forwarded twice.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import type { Server } from './http-client.ts';

const SUBSCRIPTION = `subscription($types: [String!], $after: ID) {
  events(types: $types, after: $after) { id type createdAt data objectId connectedAccountId } }`;

export interface ListenedEvent {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
  connectedAccountId: string | null;
}

export interface ListenOptions {
  server: Server;
  forwardTo: string;
  /** Types or `<prefix>.*` patterns; none: all. */
  types: string[] | null;
  /** true: the connected accounts' events (as a `connect: true` endpoint gets them); false: the platform's own. */
  connect: boolean;
  log: (line: string) => void;
  /** Stops following (tests, Ctrl-C). */
  signal: AbortSignal;
  /** Wait before resuming after the stream dropped. */
  retryMs?: number;
}

export const newListenSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** The events of one SSE response, as they come; ends when the stream ends. */
async function* eventsOf(response: Response): AsyncGenerator<ListenedEvent> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      const payload = JSON.parse(data) as { data?: { events?: ListenedEvent }; errors?: { message: string }[] };
      if (payload.errors?.length) throw new Error(payload.errors.map((error) => error.message).join(' '));
      if (payload.data?.events) yield payload.data.events;
    }
  }
}

/** Signs and POSTs one event; the receiver's HTTP status, or the reason it could not be reached. */
async function forward(webhook: Webhook, url: string, event: ListenedEvent): Promise<string> {
  const body = JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.data });
  const timestamp = new Date();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Connect-CLI (Standard Webhooks)',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': webhook.sign(event.id, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return String(response.status);
  } catch (error) {
    return `not delivered (${(error as Error).message})`;
  }
}

/** Follows and forwards until `signal` aborts; returns how many events were forwarded. */
export async function listen(options: ListenOptions, secret: string): Promise<number> {
  const { server, forwardTo, types, connect, log, signal } = options;
  const webhook = new Webhook(secret);
  let after: string | null = null;
  let forwarded = 0;
  while (!signal.aborted) {
    try {
      const response: Response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...server.headers },
        body: JSON.stringify({ query: SUBSCRIPTION, variables: { types, after } }),
        signal,
      });
      if (response.status === 401 || response.status === 403) throw new Error(`the server refused the key (HTTP ${response.status})`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      for await (const event of eventsOf(response) as AsyncGenerator<ListenedEvent>) {
        after = event.id;
        // What a webhook endpoint with this `connect` would get: its own events, or its accounts'.
        if ((event.connectedAccountId !== null) !== connect) continue;
        const status = await forward(webhook, forwardTo, event);
        forwarded += 1;
        log(`${event.createdAt}  ${event.type.padEnd(44)} ${event.id}  → ${status}`);
      }
    } catch (error) {
      if (signal.aborted) break;
      if ((error as Error).message.startsWith('the server refused')) throw error;
      log(`stream dropped (${(error as Error).message}): resuming${after ? ` after ${after}` : ''}`);
    }
    if (!signal.aborted) await sleep(options.retryMs ?? 1_000, undefined, { signal }).catch(() => undefined);
  }
  return forwarded;
}
