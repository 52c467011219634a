// npm run load: the mixed read/write workload for LOAD_SECONDS (default 60) as fast as this machine
// goes, then checks that there was no 5xx and that every acknowledged create is in the database.
import { bootstrapPlatform, lostWrites, machine, runWorkload, startPostgresCluster, startServerProcess } from './lib/harness.ts';

const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const connections = Number(process.env.LOAD_CONNECTIONS ?? 32);

const cluster = await startPostgresCluster();
const server = await startServerProcess(cluster.url, 4801);
try {
  const apiKey = await bootstrapPlatform(server.url);
  console.log(`load: ${seconds} s, ${connections} connections, on ${machine()}`);
  const result = await runWorkload(server.url, apiKey, { seconds, connections });
  const lost = await lostWrites(cluster, result.acknowledgedCreates);
  console.table({
    'requests/s': result.requestsPerSecond,
    'p50 ms': result.p50Ms,
    'p99 ms': result.p99Ms,
    requests: result.total,
    '5xx': result.status5xx,
    'errors+timeouts': result.errors + result.timeouts,
    'acknowledged creates': result.acknowledgedCreates.length,
    'lost writes': lost,
    'server RSS MB': Math.round(server.rssBytes() / 1024 / 1024),
  });
  if (result.status5xx > 0 || lost > 0 || result.errors + result.timeouts > 0) {
    console.error('FAILED: 5xx, errors or lost writes');
    process.exitCode = 1;
  }
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  cluster.destroy();
}
