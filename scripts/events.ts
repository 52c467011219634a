// npm run events: the figures of docs/reliability.md for the event log, on a real PostgreSQL with a
// real server process. `npm run events -- fairness` runs the third part alone, `-- delivery` the first
// two, `-- subscriptions` the second alone.
//   1. Webhooks: 1,000 events to 3 endpoints, one of which answers 500 half of the time. Delivered,
//      duplicates, and the lag from commit to receipt. The retry schedule runs 2,000 times faster
//      (WEBHOOK_RETRY_SCALE) so that its ten retries fit in minutes; the order of retries is the same.
//   2. Subscriptions: 200 clients (SUBSCRIBERS) subscribed over Server-Sent Events, on one key; the
//      lag from commit to receipt of 200 events (LIVE_EVENTS), and the server's memory.
//   3. Fairness (./events/fairness.ts): one tenant's 150 silent endpoints against 49 tenants'
//      deliveries, on PostgreSQL and on PGlite.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { bootstrapPlatform, graphql, machine, startPostgresCluster, startServerProcess, type ServerProcess } from './lib/harness.ts';
import { fairnessDrill } from './events/fairness.ts';
import { inBatches, percentile } from './events/measure.ts';

const EVENTS = Number(process.env.EVENTS ?? 1000);
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 200);
const LIVE_EVENTS = Number(process.env.LIVE_EVENTS ?? 200);
/** Subscription requests in flight at once while the clients connect. */
const OPENING = Number(process.env.OPENING ?? 20);
const parts = process.argv.slice(2);
const runs = (part: string) => parts.length === 0 || parts.includes(part);

interface Receiver {
  url: string;
  server: Server;
  requests: number;
  /** Receipts answered 2xx, by event id: more than one is a duplicate. */
  delivered: Map<string, number>;
  lagsMs: number[];
}

/** A loopback receiver; `failRate` of its answers are 500. It reads the event's commit time from the body. */
async function receiver(failRate: number): Promise<Receiver> {
  const state = { requests: 0, delivered: new Map<string, number>(), lagsMs: [] as number[] };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      state.requests += 1;
      if (Math.random() < failRate) return void response.writeHead(500).end();
      const event = JSON.parse(body) as { id: string; createdAt: string };
      state.delivered.set(event.id, (state.delivered.get(event.id) ?? 0) + 1);
      state.lagsMs.push(Date.now() - Date.parse(event.createdAt));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` });
}

/** The deliveries' statuses, counted in the database. */
async function deliveriesByStatus(databaseUrl: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; count: string }>(
      'SELECT status, count(*) FROM "WebhookDelivery" GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  } finally {
    await client.end();
  }
}

console.log(`events, on ${machine()}`);

async function deliveryAndSubscriptions(parts: { webhooks: boolean }) {
  const cluster = await startPostgresCluster();
  const server = await startServerProcess(cluster.url, 4811, {
    // Plain-http receivers on loopback are for development only (API.md): the drill runs as one.
    NODE_ENV: 'development',
    WEBHOOK_RETRY_SCALE: '0.0005',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_POLL_MS: '200',
    // 200 clients on one key: the per-key bound (20 by default) would refuse 180 of them.
    MAX_SUBSCRIPTIONS_PER_KEY: String(SUBSCRIBERS),
    // ...and on one organization (100 by default since issue 23: the run of 2026-12-07 had 100 refused).
    MAX_SUBSCRIPTIONS_PER_ORGANIZATION: String(SUBSCRIBERS),
  });
  const receivers: Receiver[] = [];
  try {
    const apiKey = await bootstrapPlatform(server.url);
    const auth = { authorization: `Bearer ${apiKey}` };
    const call = <T>(query: string) => graphql<T>(server.url, query, auth);
    const created = await call<{ createConnection: { connection: { id: string } } }>(
      'mutation { createConnection(input: { name: "Drill", providerType: FLEXPRICE, secrets: { generic: { data: { token: "drill" } } } }) { ... on CreateConnectionPayload { connection { id } } } }',
    );
    const connectionId = created.createConnection.connection.id;
    if (parts.webhooks) await webhooks(cluster.url, connectionId, call, receivers);
    await subscriptions(server, auth, connectionId, call);
  } finally {
    for (const r of receivers) r.server.close();
    server.child.kill('SIGTERM');
    await server.exited;
    await cluster.destroy();
  }
}

type Call = <T>(query: string) => Promise<T>;

/** 1. Webhooks. */
async function webhooks(databaseUrl: string, connectionId: string, call: Call, receivers: Receiver[]) {
  // The fourth runs a payload fragment on each event's object at delivery (payloadFragment).
  receivers.push(await receiver(0), await receiver(0), await receiver(0.5), await receiver(0));
  const fragment = 'fragment on Connection { id name status health { status lastVerifiedAt } }';
  for (const [index, { url }] of receivers.entries()) {
    const shaped = index === 3 ? `, payloadFragment: ${JSON.stringify(fragment)}` : '';
    const made = await call<{ createWebhookEndpoint: { __typename: string } }>(
      `mutation { createWebhookEndpoint(input: { url: "${url}", eventTypes: ["connection.updated"]${shaped} }) { __typename ... on Error { message } } }`,
    );
    if (made.createWebhookEndpoint.__typename !== 'CreateWebhookEndpointPayload') throw new Error(JSON.stringify(made));
  }
  const started = performance.now();
  await inBatches(EVENTS, 8, (index) =>
    call(`mutation { updateConnection(input: { id: "${connectionId}", name: "Drill ${index}" }) { __typename } }`),
  );
  const committedInMs = Math.round(performance.now() - started);
  // Until nothing is left to send: every delivery DELIVERED, or FAILED after its last retry.
  const deadline = performance.now() + 10 * 60_000;
  while (performance.now() < deadline && (await deliveriesByStatus(databaseUrl)).PENDING) await sleep(500);
  const statuses = await deliveriesByStatus(databaseUrl);
  const rows = receivers.map((r, index) => ({
    endpoint: ['healthy 1', 'healthy 2', 'fails half the time', 'healthy, shaped payload'][index],
    delivered: `${r.delivered.size}/${EVENTS}`,
    duplicates: [...r.delivered.values()].reduce((sum, count) => sum + count - 1, 0),
    requests: r.requests,
    'lag p50 ms': percentile(r.lagsMs, 50),
    'lag p99 ms': percentile(r.lagsMs, 99),
  }));
  console.log(
    `\n1. webhooks: ${EVENTS} events committed in ${committedInMs} ms (8 clients); deliveries by status: ${JSON.stringify(statuses)}`,
  );
  console.table(rows);
}

/** 2. Subscriptions. */
async function subscriptions(server: ServerProcess, auth: Record<string, string>, connectionId: string, call: Call) {
  const rssBefore = server.rssBytes();
  const lags: number[] = [];
  let received = 0;
  const refused = new Map<number, number>();
  const controllers: AbortController[] = [];
  const subscription = JSON.stringify({ query: 'subscription { events(types: ["connection.updated"]) { id createdAt } }' });
  /** Streams that ended with an error instead of events, by its code. */
  const failed = new Map<string, number>();
  const streams: Promise<void>[] = [];
  // Opened OPENING at a time, each once the server answered the one before: a thousand requests in
  // the same instant queue for the database pool and time out (503) before any event is sent.
  const opened = inBatches(SUBSCRIBERS, OPENING, async () => {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: subscription,
      signal: controller.signal,
    }).catch(() => null);
    if (!response) return void refused.set(0, (refused.get(0) ?? 0) + 1);
    if (response.status !== 200) refused.set(response.status, (refused.get(response.status) ?? 0) + 1);
    streams.push(
      (async () => {
        const reader = response.body?.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const chunk = await reader?.read().catch(() => ({ done: true, value: undefined }));
          if (!chunk || chunk.done) return;
          buffer += decoder.decode(chunk.value, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = message
              .split('\n')
              .find((line) => line.startsWith('data:'))
              ?.slice(5)
              .trim();
            const body = data
              ? (JSON.parse(data) as { data?: { events?: { createdAt: string } }; errors?: { extensions?: { code?: string } }[] })
              : undefined;
            const event = body?.data?.events;
            if (event) {
              received += 1;
              lags.push(Date.now() - Date.parse(event.createdAt));
            }
            const code = body?.errors?.[0]?.extensions?.code;
            if (code) failed.set(code, (failed.get(code) ?? 0) + 1);
          }
        }
      })(),
    );
  });
  // Every client connected and subscribed: the server answers once the stream is open.
  const connecting = performance.now();
  await opened;
  const subscribedInMs = Math.round(performance.now() - connecting);
  await sleep(3_000);
  const rssSubscribed = server.rssBytes();
  await inBatches(LIVE_EVENTS, 4, async (index) => {
    await call(`mutation { updateConnection(input: { id: "${connectionId}", name: "Live ${index}" }) { __typename } }`);
    await sleep(50);
  });
  const expected = SUBSCRIBERS * LIVE_EVENTS;
  const until = performance.now() + 60_000;
  while (received < expected && performance.now() < until) await sleep(200);
  const rssPeak = server.rssBytes();
  for (const controller of controllers) controller.abort();
  await Promise.allSettled(streams);
  console.log(
    `\n2. subscriptions: ${SUBSCRIBERS} clients (all answered in ${subscribedInMs} ms; refused: ${JSON.stringify(Object.fromEntries(refused))}; ended with an error: ${JSON.stringify(Object.fromEntries(failed))}), ${LIVE_EVENTS} events`,
  );
  console.table([
    {
      received: `${received}/${expected}`,
      'lag p50 ms': percentile(lags, 50),
      'lag p99 ms': percentile(lags, 99),
      'lag max ms': percentile(lags, 100),
      'RSS before MB': Math.round(rssBefore / 2 ** 20),
      'RSS subscribed MB': Math.round(rssSubscribed / 2 ** 20),
      'RSS after events MB': Math.round(rssPeak / 2 ** 20),
    },
  ]);
}

if (runs('delivery') || runs('subscriptions')) await deliveryAndSubscriptions({ webhooks: runs('delivery') });
if (runs('fairness')) {
  // FAIRNESS_DATABASES=pglite (or postgresql) runs one of the two.
  const databases = (process.env.FAIRNESS_DATABASES ?? 'postgresql,pglite').split(',') as ('postgresql' | 'pglite')[];
  console.log(
    "\n3. fairness: victims' lag (ms) alone and with a tenant of 150 silent endpoints; /health (ms) during each; SIGTERM at the end",
  );
  for (const [index, database] of databases.entries()) {
    const { endpoints, steadyDeliveries, attackMadeInMs, alone, attacked, ratioP50, ratioP99, sigterm } = await fairnessDrill(
      database,
      4812 + index,
    );
    console.table([
      {
        database,
        endpoints,
        'steady deliveries': steadyDeliveries,
        'attack made in ms': attackMadeInMs,
        'delivered alone': alone.delivered,
        'delivered attacked': attacked.delivered,
        'lag p50 alone': alone.lagP50,
        'lag p99 alone': alone.lagP99,
        'lag p50 attacked': attacked.lagP50,
        'lag p99 attacked': attacked.lagP99,
        'ratio p50': ratioP50,
        'ratio p99': ratioP99,
        '/health max alone': alone.health.max,
        '/health max attacked': attacked.health.max,
        'SIGTERM to exit ms': sigterm.stoppedInMs,
      },
    ]);
    if (alone.delivered !== attacked.delivered || ratioP50 > 2 || ratioP99 > 2 || attacked.health.max >= 100 || alone.health.max >= 100) {
      console.error(`not fair on ${database}: deliveries missing, lag past 2x, or /health at 100 ms or more`);
      process.exitCode = 1;
    }
  }
}
