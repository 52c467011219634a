// npm run faults: what clients see when things break under load.
//   1. PostgreSQL stops mid-load: /ready turns 503 within 2 s, requests fail fast with 503 (no
//      hang), and once PostgreSQL is back the same process serves again by itself.
//   2. SIGTERM mid-load: every request already in flight completes; the process exits 0.
import { setTimeout as sleep } from 'node:timers/promises';
import { bootstrapPlatform, machine, startPostgresCluster, startServerProcess, type ServerProcess } from './lib/harness.ts';

const VIEWER = JSON.stringify({ query: '{ viewer { organizationId } connectedAccounts(first: 5) { totalCount } }' });

async function timedRequest(server: ServerProcess, apiKey: string) {
  const started = performance.now();
  const status = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: VIEWER,
    signal: AbortSignal.timeout(10_000),
  }).then(
    (response) => response.status,
    () => 0,
  );
  return { status, ms: performance.now() - started };
}

async function untilReady(server: ServerProcess, wanted: number, limitMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const status = await fetch(`${server.url}/ready`, { signal: AbortSignal.timeout(3_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === wanted) return Math.round(performance.now() - started);
    await sleep(50);
  }
  return null;
}

console.log(`faults, on ${machine()}`);
const cluster = await startPostgresCluster();
let failed = false;
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  failed ||= !ok;
};

try {
  // 1. The database goes away and comes back.
  const server = await startServerProcess(cluster.url, 4803);
  const apiKey = await bootstrapPlatform(server.url);
  let loading = true;
  const outcomes: { status: number; ms: number; phase: string }[] = [];
  let phase = 'before';
  const load = Promise.all(
    Array.from({ length: 8 }, async () => {
      while (loading) outcomes.push({ ...(await timedRequest(server, apiKey)), phase });
    }),
  );
  await sleep(3_000);
  phase = 'outage';
  cluster.stop('fast');
  const toUnready = await untilReady(server, 503, 10_000);
  check(toUnready !== null && toUnready <= 2_000, `/ready turned 503 ${toUnready ?? '(never)'} ms after PostgreSQL stopped`);
  await sleep(3_000);
  phase = 'recovery';
  cluster.start();
  const toReady = await untilReady(server, 200, 30_000);
  check(toReady !== null, `/ready back to 200 ${toReady ?? '(never)'} ms after PostgreSQL restarted, same process`);
  await sleep(2_000);
  phase = 'after';
  await sleep(2_000);
  loading = false;
  await load;
  const during = outcomes.filter((outcome) => outcome.phase === 'outage');
  const slowest = Math.round(Math.max(0, ...during.map((outcome) => outcome.ms)));
  check(
    during.length > 0 && during.every((outcome) => outcome.status === 503 || outcome.status === 200),
    `${during.length} requests during the outage: all 503 (or 200 before it bit), none hung or 500`,
  );
  check(slowest < 5_000, `slowest request during the outage: ${slowest} ms`);
  const after = outcomes.filter((outcome) => outcome.phase === 'after');
  check(after.length > 0 && after.every((outcome) => outcome.status === 200), `${after.length} requests after recovery: all 200`);
  server.child.kill('SIGTERM');
  await server.exited;

  // 2. SIGTERM while requests are in flight.
  const stopping = await startServerProcess(cluster.url, 4804);
  const key = await bootstrapPlatform(stopping.url);
  const inFlight = Array.from({ length: 40 }, () => timedRequest(stopping, key));
  await sleep(20);
  stopping.child.kill('SIGTERM');
  const results = await Promise.all(inFlight);
  const completed = results.filter((result) => result.status === 200).length;
  check(completed === results.length, `SIGTERM with ${results.length} requests in flight: ${completed} completed with 200`);
  const code = await stopping.exited;
  check(code === 0, `exit code after SIGTERM: ${code}`);
} finally {
  cluster.destroy();
}
if (failed) process.exitCode = 1;
