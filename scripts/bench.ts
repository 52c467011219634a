// npm run bench: our server against the physical limit (raw node:http + pg) and PostGraphile 5, on
// one PostgreSQL on loopback with one platform holding 10,000 connected accounts. Prints the table
// and writes it to docs/performance.md. BENCH_SECONDS (default 10) per query and target. A run in which
// any request failed (non-2xx or error) writes nothing and exits 1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { get as httpGet } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { bootstrapPlatform, machine, startPostgresCluster, startServerProcess } from './lib/harness.ts';
import { cpuMicrosWithChildren } from './bench/proc.ts';
import { nodeFromNpm } from './lib/node-from-npm.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ACCOUNTS = 10_000;
const POSTGRAPHILE_DIR = 'scripts/bench/postgraphile';
const START_MARKER = '<!-- bench:start -->';
const END_MARKER = '<!-- bench:end -->';
/** BENCH_ONLY=Q2 (comma-separated: Q0, Q1, Q2, Q3, M1, SQL) runs only those, e.g. to profile one query. */
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (name: string) => !only || only.some((prefix) => name.startsWith(prefix));
/** BENCH_PROCESSES=2 runs our server as a node:cluster primary and 2 workers (WEB_CONCURRENCY); its CPU and memory sum them all. */
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);

/** BENCH_REFERENCES=off measures our server alone (for a profile of it under load only). */
const references = process.env.BENCH_REFERENCES !== 'off';

const versionOf = (node: string) => execFileSync(node, ['-v'], { encoding: 'utf8' }).trim();
const majorOf = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

/**
 * SERVER_NODE: the Node.js every target runs on, ours and the references alike, so that a ratio
 * compares the servers and not two V8s: a major version fetched from the npm registry as the `node`
 * package (default 22, the oldest PostGraphile runs on), or `machine`, the Node running this script.
 * When that is not the machine's Node, ours is also measured on the machine's Node for Q1 and Q2,
 * after the rest (with the references on; BENCH_MACHINE_NODE=off skips it).
 */
function serverNode(choice: string): string {
  if (choice === 'machine') return process.execPath;
  if (!/^\d+$/.test(choice)) throw new Error(`SERVER_NODE is a major version (22, 24) or "machine", not "${choice}"`);
  return nodeFromNpm(Number(choice));
}
const comparisonNode = serverNode(process.env.SERVER_NODE ?? '22');
const comparisonVersion = versionOf(comparisonNode);
const machineVersion = process.version;
const machineRows = references && process.env.BENCH_MACHINE_NODE !== 'off' && comparisonVersion !== machineVersion;

const ACCOUNT_FIELDS =
  'id connectionType onboardingMode status platformOrganizationId connectedOrganizationId connectedTenantId platformCustomerId pendingEmail pendingOrganizationName pendingCountry createdAt updatedAt';
/** PostGraphile calls the primary key rowId (its `id` is a Node id). */
const PG_ACCOUNT_FIELDS = ACCOUNT_FIELDS.replace(/^id /, 'rowId ');

const ours = {
  Q1: (first: number) => ({
    operationName: 'Q1',
    query: `query Q1 { connectedAccounts(first: ${first}, filter: { status: [ACTIVE] }) { totalCount nodes { ${ACCOUNT_FIELDS} connectedOrganization { id name } } } }`,
  }),
  Q2: (id: string) => ({
    operationName: 'Q2',
    query: `query Q2($id: ID!) { connectedAccount(id: $id) { ${ACCOUNT_FIELDS} } }`,
    variables: { id },
  }),
  M1: () => ({
    query:
      'mutation M1 { createConnectedAccount(input: { connectionType: EXPRESS, email: "a@shop.example", organizationName: "Shop" }) { __typename } }',
  }),
  Q3: () => ({ operationName: 'Q3', query: 'query Q3 { viewer { organizationId tenantId apiKeyId actingAs { id } } }' }),
};
const postgraphile = {
  // No authentication of its own: the platform's id in the condition stands for our tenant filter, so
  // both read the same rows through the same index.
  Q1: (first: number, platformId: string) => ({
    operationName: 'Q1',
    query: `query Q1 { allConnectedAccounts(first: ${first}, condition: { status: ACTIVE, platformOrganizationId: "${platformId}" }, orderBy: [CREATED_AT_ASC, PRIMARY_KEY_ASC]) { totalCount nodes { ${PG_ACCOUNT_FIELDS} organizationByConnectedOrganizationId { rowId name } } } }`,
  }),
  Q2: (id: string) => ({
    operationName: 'Q2',
    query: `query Q2($id: String!) { connectedAccountByRowId(rowId: $id) { ${PG_ACCOUNT_FIELDS} } }`,
    variables: { id },
  }),
};
const raw = {
  Q1: (first: number) => ({ operationName: 'Q1', variables: { first } }),
  Q2: (id: string) => ({ operationName: 'Q2', variables: { id } }),
};

async function seed(url: string, platformOrganizationId: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Statuses cycle ACTIVE×4, PENDING×3, SUSPENDED×2, REVOKED×1; each ACTIVE one has its organization and tenant.
    await client.query(
      `
      WITH n AS (SELECT i, (ARRAY['ACTIVE','ACTIVE','ACTIVE','ACTIVE','PENDING','PENDING','PENDING','SUSPENDED','SUSPENDED','REVOKED'])[1 + i % 10] AS status FROM generate_series(1, ${ACCOUNTS}) i),
      orgs AS (INSERT INTO "Organization" (id, name, country, "updatedAt") SELECT 'org_bench' || i, 'Merchant ' || i, 'DE', now() FROM n WHERE status = 'ACTIVE' RETURNING id),
      tenants AS (INSERT INTO "Tenant" (id, "organizationId", name, environment, "updatedAt") SELECT 'ten_bench' || i, 'org_bench' || i, 'Production', 'PRODUCTION', now() FROM n WHERE status = 'ACTIVE' RETURNING id)
      INSERT INTO "ConnectedAccount" (id, "platformOrganizationId", "connectionType", "onboardingMode", status, "connectedOrganizationId", "connectedTenantId", "platformCustomerId", "pendingEmail", "pendingOrganizationName", "pendingCountry", "createdAt", "updatedAt")
      SELECT 'cacc_bench' || i, $1, 'EXPRESS', 'EXPRESS', status::"ConnectedAccountStatus",
        CASE WHEN status = 'ACTIVE' THEN 'org_bench' || i END, CASE WHEN status = 'ACTIVE' THEN 'ten_bench' || i END,
        'cus_' || i, 'owner' || i || '@shop.example', 'Merchant ' || i, 'DE', now() - (i || ' seconds')::interval, now()
      FROM n`,
      [platformOrganizationId],
    );
    // As a database that has lived a while is: vacuumed (its visibility map lets a count read the index
    // alone) and with fresh statistics. Every target gets the same plans.
    await client.query('VACUUM ANALYZE');
    const active = await client.query<{ id: string }>(`SELECT id FROM "ConnectedAccount" WHERE status = 'ACTIVE'`);
    return active.rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** CPU milliseconds per request: of the target's process, and of PostgreSQL meanwhile. */
  cpuMs: number;
  postgresCpuMs: number;
}

/** A target to measure: its URL and its process, whose CPU time is read around the measured run. */
interface Target {
  url: string;
  pid: number;
}

let postmasterPid = 0;

/** /ready answered 200 on 2 × PROCESSES new connections in a row: node:cluster hands them to the workers in turn. */
async function everyWorkerReady(url: string) {
  for (let inARow = 0; inARow < 2 * PROCESSES; ) {
    const status = await new Promise<number>((resolve) =>
      httpGet(`${url}/ready`, { agent: false }, (response) => resolve(response.resume().statusCode ?? 0)).on('error', () => resolve(0)),
    );
    inARow = status === 200 ? inARow + 1 : 0;
    if (inARow === 0) await sleep(100);
  }
}

/** One request first: it must answer data without errors, or the figures would measure a failure. */
async function verified(url: string, headers: Record<string, string>, body: () => object) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body()),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"') || !text.includes('"data"'))
    throw new Error(`${url} does not answer the query: ${text.slice(0, 300)}`);
}

async function measure({ url, pid }: Target, headers: Record<string, string>, body: () => object): Promise<Measure> {
  await verified(url, headers, body);
  const run = (duration: number) =>
    autocannon({
      url: `${url}/graphql`,
      method: 'POST',
      connections: CONNECTIONS,
      duration,
      headers: { 'content-type': 'application/json', ...headers },
      requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }],
    });
  // Unmeasured first: every target gets its JIT warm and its pool filled before it is timed.
  if (WARMUP_SECONDS > 0) await run(WARMUP_SECONDS);
  const [cpuBefore, postgresBefore] = [cpuMicrosWithChildren(pid), cpuMicrosWithChildren(postmasterPid)];
  const result = await run(SECONDS);
  const perRequest = (micros: number) => Math.round((micros / 1000 / Math.max(1, result.requests.total)) * 100) / 100;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    cpuMs: perRequest(cpuMicrosWithChildren(pid) - cpuBefore),
    postgresCpuMs: perRequest(cpuMicrosWithChildren(postmasterPid) - postgresBefore),
  };
}

/**
 * PostGraphile 5 needs Node 22, so it is no dependency of the project (which runs on 20.19 too): it
 * has a folder of its own, scripts/bench/postgraphile/ (its package.json and lock file committed), which
 * is installed here when its lock file is newer than its install, by npm running on the Node it runs
 * on: SERVER_NODE's, unless that is older than 22 (SERVER_NODE=machine on Node 20), then Node 22
 * fetched from the npm registry (and the tables say so).
 */
function postgraphileNode(): string {
  const node = majorOf(comparisonVersion) >= 22 ? comparisonNode : nodeFromNpm(22);
  const installed = `${POSTGRAPHILE_DIR}/node_modules/.package-lock.json`;
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(`${POSTGRAPHILE_DIR}/package-lock.json`).mtimeMs) {
    console.log(`installing PostGraphile into ${POSTGRAPHILE_DIR}/ with Node ${execFileSync(node, ['-v'], { encoding: 'utf8' }).trim()}`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: POSTGRAPHILE_DIR,
      env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return node;
}

/**
 * A port no process listens on now, from the kernel: fixed ports collided with the other drills
 * (scripts/events.ts) when they ran on the machine at the same time.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function spawnReference(script: string, port: number, databaseUrl: string): Promise<ChildProcess> {
  const node = script.startsWith(POSTGRAPHILE_DIR) ? postgraphileNode() : comparisonNode;
  const child = spawn(node, ['--import', 'tsx', script], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), NODE_ENV: 'production', GRAPHILE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => data.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before it was ready`)));
  });
  return child;
}

/** SQL statements PostgreSQL ran per request, from pg_stat_statements, over `count` requests of a body. */
async function statementsPerRequest(databaseUrl: string, url: string, headers: Record<string, string>, body: object, count: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await verified(url, headers, () => body);
    await client.query('SELECT pg_stat_statements_reset()');
    for (let index = 0; index < count; index += 1) {
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    }
    const calls = await client.query<{ calls: string }>(
      `SELECT coalesce(sum(calls), 0) AS calls FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' AND query NOT IN ('BEGIN', 'COMMIT')`,
    );
    return Math.round((Number(calls.rows[0]?.calls) / count) * 10) / 10;
  } finally {
    await client.end();
  }
}

/** BENCH_STATEMENTS=1: the statements that took PostgreSQL the most time over the run, with their plans' mean cost. */
async function printCostliestStatements(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ calls: string; mean_ms: number; total_ms: number; query: string }>(
      `SELECT calls, round(mean_exec_time::numeric, 3)::float AS mean_ms, round(total_exec_time::numeric)::float AS total_ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 400) AS query
       FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 8`,
    );
    console.table(rows);
  } finally {
    await client.end();
  }
}

const cluster = await startPostgresCluster({ shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' });
console.log(`every target on Node ${comparisonVersion} (${comparisonNode}); the machine's: ${machineVersion}`);
let server = await startServerProcess(cluster.url, await freePort(), { WEB_CONCURRENCY: String(PROCESSES) }, comparisonNode);
const children: ChildProcess[] = [];
try {
  await everyWorkerReady(server.url);
  const setup = new pg.Client({ connectionString: cluster.url });
  await setup.connect();
  await setup.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const dataDirectory = await setup.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'data_directory'`);
  postmasterPid = Number(readFileSync(`${dataDirectory.rows[0]!.setting}/postmaster.pid`, 'utf8').split('\n')[0]);
  await setup.end();
  const apiKey = await bootstrapPlatform(server.url);
  const auth = { authorization: `Bearer ${apiKey}` };
  const me = (await (
    await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: '{"query":"{ viewer { organizationId } }"}',
    })
  ).json()) as { data: { viewer: { organizationId: string } } };
  const platformId = me.data.viewer.organizationId;
  const activeIds = await seed(cluster.url, platformId);
  const randomId = () => activeIds[Math.floor(Math.random() * activeIds.length)]!;
  const ports = { raw: await freePort(), postgraphile: await freePort(), yoga: await freePort() };
  if (references) {
    children.push(await spawnReference('scripts/bench/raw-server.ts', ports.raw, cluster.url));
    children.push(await spawnReference(`${POSTGRAPHILE_DIR}/server.ts`, ports.postgraphile, cluster.url));
    children.push(await spawnReference('scripts/bench/yoga-server.ts', ports.yoga, cluster.url));
  }
  const ourTarget: Target = { url: server.url, pid: server.child.pid! };
  const rawTarget: Target = { url: `http://127.0.0.1:${ports.raw}`, pid: children[0]?.pid ?? 0 };
  const pgTarget: Target = { url: `http://127.0.0.1:${ports.postgraphile}`, pid: children[1]?.pid ?? 0 };
  const yogaTarget: Target = { url: `http://127.0.0.1:${ports.yoga}`, pid: children[2]?.pid ?? 0 };
  const postgraphileVersion = references ? versionOf(postgraphileNode()) : comparisonVersion;
  /** Which Node each figure of a row is on: ours and the references on one, unless PostGraphile could not run on it. */
  const comparisonNodes =
    postgraphileVersion === comparisonVersion ? comparisonVersion : `${comparisonVersion}; PostGraphile ${postgraphileVersion}`;
  await sleep(500);

  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(server.rssBytes()), 1_000);
  const rows: Record<string, Record<string, string | number>> = {};
  let failedRequests = 0;
  const row = (name: string, ourMeasure: Measure, rawMeasure?: Measure, pgMeasure?: Measure, node = comparisonNodes) => {
    failedRequests += [ourMeasure, rawMeasure, pgMeasure].reduce((sum, each) => sum + (each?.non2xx ?? 0), 0);
    rows[name] = {
      Node: node,
      'ours req/s': ourMeasure.rps,
      'ours p50/p99 ms': `${ourMeasure.p50}/${ourMeasure.p99}`,
      'raw req/s': rawMeasure?.rps ?? '-',
      'PostGraphile req/s': pgMeasure?.rps ?? '-',
      'PostGraphile p50/p99 ms': pgMeasure ? `${pgMeasure.p50}/${pgMeasure.p99}` : '-',
      'ours/raw': rawMeasure ? (ourMeasure.rps / rawMeasure.rps).toFixed(2) : '-',
      'ours/PostGraphile': pgMeasure ? (ourMeasure.rps / pgMeasure.rps).toFixed(2) : '-',
      'non-2xx (ours)': ourMeasure.non2xx,
      'CPU ms/req ours (PostgreSQL)': `${ourMeasure.cpuMs} (${ourMeasure.postgresCpuMs})`,
      raw: rawMeasure ? `${rawMeasure.cpuMs} (${rawMeasure.postgresCpuMs})` : '-',
      PostGraphile: pgMeasure ? `${pgMeasure.cpuMs} (${pgMeasure.postgresCpuMs})` : '-',
    };
    console.log(name, JSON.stringify(rows[name]));
  };
  const reference = (target: Target, headers: Record<string, string>, body: () => object) =>
    references ? measure(target, headers, body) : undefined;
  if (wanted('Q1')) {
    row(
      'Q1 list 50',
      await measure(ourTarget, auth, () => ours.Q1(50)),
      await reference(rawTarget, auth, () => raw.Q1(50)),
      await reference(pgTarget, {}, () => postgraphile.Q1(50, platformId)),
    );
  }
  if (wanted('Q2')) {
    row(
      'Q2 get',
      await measure(ourTarget, auth, () => ours.Q2(randomId())),
      await reference(rawTarget, auth, () => raw.Q2(randomId())),
      await reference(pgTarget, {}, () => postgraphile.Q2(randomId())),
    );
  }
  // The framework floor: yoga alone answering `{ hello }`, beside our cheapest request.
  const floor = wanted('Q0') && references ? await measure(yogaTarget, {}, () => ({ query: '{ hello }' })) : undefined;
  if (wanted('Q3'))
    row('Q3 viewer on behalf', await measure(ourTarget, { ...auth, 'x-meteroid-connect-account': randomId() }, () => ours.Q3()));
  // Counted before M1: its accounts queue e-mail, and the outbox worker's statements would be counted too.
  const statements = !wanted('SQL')
    ? {}
    : {
        'ours Q1 first 10': await statementsPerRequest(cluster.url, server.url, auth, ours.Q1(10), 20),
        'ours Q1 first 100': await statementsPerRequest(cluster.url, server.url, auth, ours.Q1(100), 20),
        'PostGraphile Q1 first 10': await statementsPerRequest(cluster.url, pgTarget.url, {}, postgraphile.Q1(10, platformId), 20),
        'PostGraphile Q1 first 100': await statementsPerRequest(cluster.url, pgTarget.url, {}, postgraphile.Q1(100, platformId), 20),
      };
  if (wanted('M1')) row('M1 create', await measure(ourTarget, auth, () => ours.M1()));
  clearInterval(sampler);
  if (process.env.BENCH_STATEMENTS) await printCostliestStatements(cluster.url);
  const peakMb = Math.round(Math.max(...rss) / 1024 / 1024);
  // Ours again on the machine's Node, after the rest: a second server on the same database, the first one stopped.
  let machinePeakMb = 0;
  if (machineRows && (wanted('Q1') || wanted('Q2'))) {
    server.child.kill('SIGTERM');
    await server.exited;
    server = await startServerProcess(cluster.url, await freePort(), { WEB_CONCURRENCY: String(PROCESSES) }, process.execPath);
    await everyWorkerReady(server.url);
    const machineTarget: Target = { url: server.url, pid: server.child.pid! };
    const machineRss: number[] = [];
    const machineSampler = setInterval(() => machineRss.push(server.rssBytes()), 1_000);
    const oursOnly = `${machineVersion} (ours alone)`;
    if (wanted('Q1'))
      row(`Q1 list 50, ours on the machine's Node`, await measure(machineTarget, auth, () => ours.Q1(50)), undefined, undefined, oursOnly);
    if (wanted('Q2'))
      row(
        `Q2 get, ours on the machine's Node`,
        await measure(machineTarget, auth, () => ours.Q2(randomId())),
        undefined,
        undefined,
        oursOnly,
      );
    clearInterval(machineSampler);
    machinePeakMb = Math.round(Math.max(...machineRss) / 1024 / 1024);
  }
  console.table(rows);
  console.table(statements);
  const memoryLine = `Peak resident memory of our server under load: ${peakMb} MB on Node ${comparisonVersion}${machinePeakMb ? `, ${machinePeakMb} MB on Node ${machineVersion} (Q1 and Q2 only)` : ''}.`;
  console.log(`${memoryLine} (WEB_CONCURRENCY=${PROCESSES}, all its processes)`);
  const floorLine = floor
    ? `graphql-yoga alone answering \`{ hello }\` (no plugin, no context, no database), on Node ${comparisonVersion}: ${floor.rps} req/s, p50/p99 ${floor.p50}/${floor.p99} ms, ${floor.cpuMs} ms of CPU per request.`
    : '';
  if (floorLine) console.log(floorLine);

  const table = (data: Record<string, Record<string, string | number>>) => {
    const columns = Object.keys(Object.values(data)[0] ?? {});
    return [
      `| query | ${columns.join(' | ')} |`,
      `| --- | ${columns.map(() => '---').join(' | ')} |`,
      ...Object.entries(data).map(([name, values]) => `| ${name} | ${columns.map((column) => values[column]).join(' | ')} |`),
    ].join('\n');
  };
  // The measured part of docs/performance.md sits between two markers; the analysis around it stays.
  const document = readFileSync('docs/performance.md', 'utf8');
  const [before, rest = ''] = document.split(START_MARKER);
  const after = rest.split(END_MARKER)[1] ?? '';
  const measured = [
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` (${SECONDS} s per cell, ${CONNECTIONS} connections, ${ACCOUNTS} connected accounts) on ${machine(comparisonVersion)} (\`SERVER_NODE=${process.env.SERVER_NODE ?? '22'}\`; the machine's own Node is ${machineVersion}). The column Node says which Node each row's figures are on.`,
    '',
    table(rows),
    '',
    `| SQL statements per request (ours on Node ${comparisonVersion}, PostGraphile on ${postgraphileVersion}) | |`,
    '| --- | --- |',
    ...Object.entries(statements).map(([name, value]) => `| ${name} | ${value} |`),
    '',
    memoryLine,
    ...(floorLine ? ['', floorLine] : []),
  ].join('\n');
  // Figures of failed requests measure the failure: the run fails (CI's smoke run relies on it).
  if (failedRequests > 0) {
    console.error(`${failedRequests} requests failed (non-2xx or errors): the figures above do not measure the queries`);
    process.exitCode = 1;
  } else if (!only) {
    writeFileSync('docs/performance.md', `${before}${START_MARKER}\n${measured}\n${END_MARKER}${after}`);
    console.log('wrote the measured table into docs/performance.md');
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  await server.exited;
  cluster.destroy();
}
