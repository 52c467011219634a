// Start-up cost of the server process, run through tsx from src/ and as npm start runs it: time from
// spawn to /ready 200, and resident memory 5 s after, on the embedded database (a new data folder,
// and one already migrated) and on PostgreSQL (a new database, and one already migrated). The two
// ways alternate within each round, so a busy machine weighs on both alike.
// Usage: npx tsx scripts/bench/startup.ts [rounds, default 3]; SERVER_NODE_ARGS adds Node flags.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { newKeyEntry } from '../../src/crypto/key-ring.ts';
import { machine, startPostgresCluster } from '../lib/harness.ts';
import { cpuMicrosOf, residentBytes } from './proc.ts';

const ROUNDS = Number(process.argv[2] ?? 3);
const IDLE_MS = 5_000;
const PORT = 4830;
const nodeArgs = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const ways = {
  'tsx src/server.ts': [process.execPath, ...nodeArgs, '--import', 'tsx', 'src/server.ts'],
  'node dist/server.js': [process.execPath, ...nodeArgs, 'dist/server.js'],
  // What npm start runs: the build check (its own short-lived process), then the compiled server
  // with production's Node flags.
  'scripts/start.sh': ['sh', 'scripts/start.sh', ...nodeArgs],
};

interface Sample {
  readyMs: number;
  /** CPU time the process used until ready: what the start costs, however busy the machine is. */
  cpuMs: number;
  idleRssMb: number;
}

async function measureStart(args: string[], environment: Record<string, string>): Promise<Sample> {
  const started = performance.now();
  const [command = 'node', ...commandArgs] = args;
  const child = spawn(command, commandArgs, {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(PORT), LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_MS: '0', ...environment },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    while (
      (await fetch(`http://127.0.0.1:${PORT}/ready`).then(
        (response) => response.status,
        () => 0,
      )) !== 200
    ) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      await sleep(20);
    }
    const readyMs = performance.now() - started;
    const cpuMs = Math.round(cpuMicrosOf(child.pid!) / 1000);
    await sleep(IDLE_MS);
    return { readyMs: Math.round(readyMs), cpuMs, idleRssMb: Math.round(residentBytes(child.pid!) / 1024 / 1024) };
  } finally {
    // A clean stop: the reused embedded database must be closed properly to be reused.
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cluster = await startPostgresCluster();
const admin = new pg.Client({ connectionString: cluster.url });
await admin.connect();
let databases = 0;
const newDatabase = async () => {
  const name = `startup_${++databases}`;
  await admin.query(`CREATE DATABASE ${name}`);
  return cluster.url.replace(/\/postgres$/, `/${name}`);
};
const production = { NODE_ENV: 'production', ENCRYPTION_KEYS: newKeyEntry(1), METRICS_TOKEN: 'startup-metrics-token-0123456789' };
const folders: string[] = [];
const newFolder = () => {
  folders.push(mkdtempSync(path.join(tmpdir(), 'connect-startup-')));
  return folders.at(-1)!;
};
const reusedFolder = newFolder();
const migratedDatabase = await newDatabase();
// Once unmeasured: migrates the reused folder and database.
await measureStart(ways['scripts/start.sh'], { DATA_DIR: reusedFolder });
await measureStart(ways['scripts/start.sh'], { DATABASE_URL: migratedDatabase, ...production });

const scenarios: Record<string, () => Promise<Record<string, string>>> = {
  'embedded, new data folder': async () => ({ DATA_DIR: newFolder() }),
  'embedded, data folder reused': async () => ({ DATA_DIR: reusedFolder }),
  'PostgreSQL, new database': async () => ({ DATABASE_URL: await newDatabase(), ...production }),
  'PostgreSQL, migrated database': async () => ({ DATABASE_URL: migratedDatabase, ...production }),
};
const samples: Record<string, Sample[]> = {};
try {
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [scenario, environment] of Object.entries(scenarios)) {
      for (const [way, args] of Object.entries(ways)) {
        const sample = await measureStart(args, await environment());
        samples[`${scenario} | ${way}`] = [...(samples[`${scenario} | ${way}`] ?? []), sample];
        console.log(`round ${round}: ${scenario}, ${way}: ready in ${sample.readyMs} ms (${sample.cpuMs} ms CPU), ${sample.idleRssMb} MB`);
      }
    }
  }
} finally {
  await admin.end();
  cluster.destroy();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
}

console.log(`\n${machine()}; node flags: ${nodeArgs.join(' ') || 'none'}; median of ${ROUNDS}\n`);
console.log(
  '| database | started as | spawn to /ready 200, ms | CPU until ready, ms | RSS 5 s after ready, MB | all runs (ms / CPU ms / MB) |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, runs] of Object.entries(samples)) {
  const all = runs.map((run) => `${run.readyMs}/${run.cpuMs}/${run.idleRssMb}`).join(', ');
  const middle = (key: keyof Sample) => median(runs.map((run) => run[key]));
  console.log(`| ${name} | ${middle('readyMs')} | ${middle('cpuMs')} | ${middle('idleRssMb')} | ${all} |`);
}
