// The fairness drill of `npm run events` (docs/reliability.md): one tenant with 150 webhook endpoints
// that never answer, against 49 tenants with 18 endpoints each (1,032 endpoints in all), on
// PostgreSQL and on PGlite. The victims' delivery lag is measured without the bad tenant, then with
// it, after a steady state whose statistics are stale (the attacker's reproduction: ANALYZE while
// most deliveries are DELIVERED, then the burst); /health is timed throughout, and SIGTERM at the end.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createOrganization, graphql, startPostgresCluster, startServerProcess, type ServerProcess } from '../lib/harness.ts';
import { inBatches, percentile } from './measure.ts';

const VICTIMS = Number(process.env.FAIRNESS_VICTIMS ?? 49);
const ENDPOINTS_PER_VICTIM = 18;
const ATTACKER_ENDPOINTS = 150;
const BURST_EVENTS = 5;
/** Events per victim before the measurements: the history whose statistics go stale. */
const STEADY_EVENTS_PER_VICTIM = Number(process.env.FAIRNESS_STEADY_EVENTS ?? 25);
/**
 * The measured workload, below what the embedded database delivers (about 150 deliveries a second
 * here), so that the lag measures waiting for a turn, not a backlog: a round a second, each an event
 * of the next 5 victims (90 deliveries), 20 rounds.
 */
const MEASURED_ROUNDS = 20;
const VICTIMS_PER_ROUND = 5;
const MEASURE_WAIT_SECONDS = Number(process.env.FAIRNESS_WAIT_SECONDS ?? 300);

interface Victim {
  auth: Record<string, string>;
  connectionId: string;
}

/** One receiver for every victim endpoint: counts receipts and keeps each one's lag from the event's commit. */
async function victimReceiver() {
  const state = { received: 0, lagsMs: [] as number[] };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      state.received += 1;
      state.lagsMs.push(Date.now() - Date.parse((JSON.parse(body) as { createdAt: string }).createdAt));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** Accepts connections and never answers: every send to it holds its slot until the 10 s timeout. */
async function silentReceiver() {
  const sockets = new Set<Socket>();
  const server: Server = createServer(() => {});
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Times GET /health every 50 ms until stopped. */
function healthProbe(url: string) {
  const timesMs: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(30_000) }).then(
        (response) => response.ok,
        () => false,
      );
      timesMs.push(ok ? performance.now() - started : 30_000);
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { probes: timesMs.length, p99: percentile(timesMs, 99), max: Math.round(Math.max(...timesMs)) };
    },
  };
}

const mutation = (name: string, input: string, fields: string) =>
  `mutation { ${name}(input: ${input}) { __typename ... on Error { message } ${fields} } }`;

async function call<T extends Record<string, { __typename: string }>>(
  server: ServerProcess,
  auth: Record<string, string>,
  query: string,
): Promise<T> {
  const data = await graphql<T>(server.url, query, auth);
  for (const result of Object.values(data)) if (!result.__typename.endsWith('Payload')) throw new Error(JSON.stringify(data));
  return data;
}

async function newEndpoint(server: ServerProcess, auth: Record<string, string>, url: string, eventTypes: string) {
  await call(server, auth, mutation('createWebhookEndpoint', `{ url: "${url}", eventTypes: ${eventTypes} }`, ''));
}

async function newConnection(server: ServerProcess, auth: Record<string, string>): Promise<string> {
  const created = await call<{ createConnection: { __typename: string; connection: { id: string } } }>(
    server,
    auth,
    mutation(
      'createConnection',
      '{ name: "Drill", providerType: FLEXPRICE, secrets: { generic: { data: { token: "drill" } } } }',
      '... on CreateConnectionPayload { connection { id } }',
    ),
  );
  return created.createConnection.connection.id;
}

const touch = (server: ServerProcess, victim: Victim, label: string) =>
  call(server, victim.auth, mutation('updateConnection', `{ id: "${victim.connectionId}", name: "${label}" }`, ''));

async function waitFor(condition: () => boolean, what: string, limitMs: number) {
  const until = performance.now() + limitMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`${what}: not within ${limitMs / 1000} s`);
    await sleep(200);
  }
}

/** The victims' measured workload: their lag from commit to receipt, and /health meanwhile. */
async function measure(server: ServerProcess, victims: Victim[], receiver: Awaited<ReturnType<typeof victimReceiver>>, label: string) {
  const expected = receiver.received + MEASURED_ROUNDS * VICTIMS_PER_ROUND * ENDPOINTS_PER_VICTIM;
  const firstLag = receiver.lagsMs.length;
  const health = healthProbe(server.url);
  for (let round = 0; round < MEASURED_ROUNDS; round += 1) {
    const next = sleep(1_000);
    const turn = Array.from(
      { length: VICTIMS_PER_ROUND },
      (_, index) => victims[(round * VICTIMS_PER_ROUND + index) % victims.length] as Victim,
    );
    await Promise.all(turn.map((victim) => touch(server, victim, `${label} ${round}`)));
    await next;
  }
  // At most MEASURE_WAIT_SECONDS for the last of them (a server that starves its tenants, as the
  // lease before the queues did, is reported with what arrived, not waited for).
  const until = performance.now() + MEASURE_WAIT_SECONDS * 1000;
  while (receiver.received < expected && performance.now() < until) await sleep(200);
  const lags = receiver.lagsMs.slice(firstLag);
  const sent = MEASURED_ROUNDS * VICTIMS_PER_ROUND * ENDPOINTS_PER_VICTIM;
  return { lagP50: percentile(lags, 50), lagP99: percentile(lags, 99), delivered: `${lags.length}/${sent}`, health: await health.stop() };
}

export async function fairnessDrill(database: 'postgresql' | 'pglite', port: number) {
  const started = performance.now();
  const progress = (step: string) =>
    console.error(`  fairness on ${database}, ${Math.round((performance.now() - started) / 1000)} s: ${step}`);
  const cluster = database === 'postgresql' ? await startPostgresCluster() : null;
  const server = await startServerProcess(cluster?.url ?? null, port, {
    // Plain-http receivers on loopback are for development only (API.md): the drill runs as one.
    NODE_ENV: 'development',
    ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_POLL_MS: '200',
    // The attack needs 150 endpoints in one tenant: the drill lifts the cap (20 by default) to show
    // that fairness does not depend on it.
    WEBHOOK_ENDPOINTS_PER_TENANT: String(ATTACKER_ENDPOINTS),
  });
  const receiver = await victimReceiver();
  const silent = await silentReceiver();
  try {
    const victims: Victim[] = [];
    await inBatches(VICTIMS, 4, async (index) => {
      const auth = { authorization: `Bearer ${await createOrganization(server.url, `Victim ${index}`)}` };
      for (let endpoint = 0; endpoint < ENDPOINTS_PER_VICTIM; endpoint += 1) {
        await newEndpoint(server, auth, `${receiver.url}/t${index}/e${endpoint}`, '["connection.updated"]');
      }
      victims.push({ auth, connectionId: await newConnection(server, auth) });
    });

    progress(`${VICTIMS} tenants with ${ENDPOINTS_PER_VICTIM} endpoints each`);
    // A steady state: the victims' history, delivered; then its statistics taken (stale from here on).
    const steady = VICTIMS * STEADY_EVENTS_PER_VICTIM * ENDPOINTS_PER_VICTIM;
    await inBatches(VICTIMS * STEADY_EVENTS_PER_VICTIM, 8, (index) => touch(server, victims[index % VICTIMS] as Victim, `steady ${index}`));
    await waitFor(() => receiver.received >= steady, 'the steady state delivered', 15 * 60_000);
    if (cluster) {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      await client.query('ANALYZE');
      await client.end();
    }

    progress(`steady state: ${steady} deliveries delivered${cluster ? ', then ANALYZE' : ''}`);
    const alone = await measure(server, victims, receiver, 'alone');
    progress('measured alone');

    // The attack: 150 endpoints that never answer, each receiving every event of its tenant (the
    // creations of the ones after it included: 11,175 deliveries), then a burst.
    const attacker = { authorization: `Bearer ${await createOrganization(server.url, 'Attacker')}` };
    const attackStarted = performance.now();
    for (let endpoint = 0; endpoint < ATTACKER_ENDPOINTS; endpoint += 1)
      await newEndpoint(server, attacker, `${silent.url}/e${endpoint}`, '["*"]');
    const attackerVictim = { auth: attacker, connectionId: await newConnection(server, attacker) };
    for (let event = 1; event < BURST_EVENTS; event += 1) await touch(server, attackerVictim, `burst ${event}`);
    const attackMadeInMs = Math.round(performance.now() - attackStarted);
    progress(`the attack made in ${attackMadeInMs} ms`);
    const attacked = await measure(server, victims, receiver, 'attacked');
    progress('measured under attack');

    // SIGTERM with the attacker's sends in flight: the process stops within its drain time (1 s) and shutdown.
    const stopping = performance.now();
    server.child.kill('SIGTERM');
    const exitCode = await Promise.race([server.exited, sleep(60_000, 'still running after 60 s' as const)]);
    const stoppedInMs = Math.round(performance.now() - stopping);

    return {
      database,
      endpoints: VICTIMS * ENDPOINTS_PER_VICTIM + ATTACKER_ENDPOINTS,
      steadyDeliveries: steady,
      attackMadeInMs,
      alone,
      attacked,
      ratioP50: Number((attacked.lagP50 / Math.max(1, alone.lagP50)).toFixed(2)),
      ratioP99: Number((attacked.lagP99 / Math.max(1, alone.lagP99)).toFixed(2)),
      sigterm: { exitCode, stoppedInMs },
    };
  } finally {
    server.child.kill('SIGKILL');
    receiver.server.close();
    silent.close();
    cluster?.destroy();
  }
}
