// npm run soak: the mixed workload at a steady rate for SOAK_SECONDS (default 600), sampling the
// server's resident memory; after a warm-up (the first 20%), growth must stay under 10%.
import { setTimeout as sleep } from 'node:timers/promises';
import { bootstrapPlatform, lostWrites, machine, runWorkload, startPostgresCluster, startServerProcess } from './lib/harness.ts';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const rate = Number(process.env.SOAK_RATE ?? 60);

const cluster = await startPostgresCluster();
const server = await startServerProcess(cluster.url, 4802);
try {
  const apiKey = await bootstrapPlatform(server.url);
  console.log(`soak: ${seconds} s at ${rate} requests/s, on ${machine()}`);
  const samples: number[] = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      samples.push(server.rssBytes());
      await sleep(5_000);
    }
  })();
  const result = await runWorkload(server.url, apiKey, { seconds, connections: 8, rate });
  running = false;
  await sampler;
  const warm = samples[Math.floor(samples.length * 0.2)] ?? samples[0] ?? 0;
  const end = samples.at(-1) ?? 0;
  const growth = warm === 0 ? 0 : (end - warm) / warm;
  const lost = await lostWrites(cluster, result.acknowledgedCreates);
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  console.table({
    requests: result.total,
    'requests/s': result.requestsPerSecond,
    'p99 ms': result.p99Ms,
    '5xx': result.status5xx,
    'lost writes': lost,
    'RSS after warm-up MB': mb(warm),
    'RSS at end MB': mb(end),
    'RSS peak MB': mb(Math.max(...samples)),
    'growth %': Math.round(growth * 1000) / 10,
  });
  if (growth >= 0.1 || result.status5xx > 0 || lost > 0) {
    console.error('FAILED: memory grew 10% or more, or requests failed');
    process.exitCode = 1;
  }
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  cluster.destroy();
}
