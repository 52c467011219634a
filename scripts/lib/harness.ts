// What the reliability scripts share: a real server process on a real PostgreSQL, a platform to
// call it as, and the mixed workload (reads, and creates whose ids are kept to check none is lost).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { newKeyEntry } from '../../src/crypto/key-ring.ts';
import { childPidsOf, residentBytes } from '../bench/proc.ts';
import { startPostgresCluster, type PostgresCluster } from '../../test/support/throwaway-postgres.ts';

const ADMIN_SECRET = 'reliability-admin-secret-0123456789';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Of the process and its children: with WEB_CONCURRENCY > 1, the cluster's primary and its workers. */
  rssBytes(): number;
}

/**
 * What `npm start` runs (scripts/start.sh): the compiled server, built first when the sources changed;
 * on PostgreSQL at `databaseUrl`, or with null on the embedded database in a new data folder (which
 * needs NODE_ENV=development in `environment`: production refuses it).
 */
export async function startServerProcess(
  databaseUrl: string | null,
  port: number,
  environment: Record<string, string> = {},
  /** The `node` binary to run it on (its folder first on PATH for scripts/start.sh); by default the one on PATH. */
  node?: string,
): Promise<ServerProcess> {
  // SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profile", to profile the server under load.
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // SERVER_RUNNER=tsx runs src/server.ts through tsx, as `npm start` did before the compiled build
  // (and as older commits can only be run): to measure what the build changed.
  const [command, args] =
    process.env.SERVER_RUNNER === 'tsx'
      ? [node ?? process.execPath, [...nodeArgs, '--import', 'tsx', 'src/server.ts']]
      : ['sh', ['scripts/start.sh', ...nodeArgs]];
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  if (node) inherited.PATH = `${path.dirname(node)}${path.delimiter}${inherited.PATH ?? ''}`;
  const dataDir = databaseUrl ? null : mkdtempSync(path.join(tmpdir(), 'connect-drill-'));
  const database = dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: databaseUrl ?? '' };
  const child = spawn(command, args, {
    env: {
      ...inherited,
      NODE_ENV: 'production',
      ...database,
      DATABASE_POOL_SIZE: '20',
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_SECRET,
      ENCRYPTION_KEYS: newKeyEntry(1),
      METRICS_TOKEN: 'reliability-metrics-token-0123456789',
      RATE_LIMIT_PER_SECOND: '0',
      RATE_LIMIT_PER_ORGANIZATION_PER_SECOND: '0',
      LOG_LEVEL: 'warn',
      ...environment,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (
      (await fetch(`${url}/ready`).then(
        (response) => response.status,
        () => 0,
      )) === 200
    ) {
      const pid = child.pid ?? 0;
      return { url, child, exited, rssBytes: () => [pid, ...childPidsOf(pid)].reduce((total, each) => total + residentBytes(each), 0) };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('the server did not become ready within 30 s');
}

export async function graphql<T>(url: string, query: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** An organization, and its first key. */
export async function createOrganization(url: string, name: string): Promise<string> {
  const created = await graphql<{ createOrganization: { apiKey: { secret: string } } }>(
    url,
    `mutation { createOrganization(input: { name: ${JSON.stringify(name)}, country: "FR" }) { ... on CreateOrganizationPayload { apiKey { secret } } } }`,
    { 'x-admin-secret': ADMIN_SECRET },
  );
  return created.createOrganization.apiKey.secret;
}

/** A platform with Connect enabled, and its key. */
export async function bootstrapPlatform(url: string): Promise<string> {
  const apiKey = await createOrganization(url, 'Load Platform');
  await graphql(url, 'mutation { enableConnectPlatform(input: { redirectUrl: "https://platform.example/done" }) { __typename } }', {
    authorization: `Bearer ${apiKey}`,
  });
  return apiKey;
}

const LIST = '{"query":"{ connectedAccounts(first: 20, filter: { status: [PENDING] }) { totalCount nodes { id status createdAt } } }"}';
const VIEWER = '{"query":"{ viewer { organizationId tenantId apiKeyId } }"}';
const CREATE = JSON.stringify({
  query:
    'mutation { createConnectedAccount(input: { connectionType: EXPRESS, email: "owner@shop.example", organizationName: "Shop", country: "DE" }) { ... on CreateConnectedAccountPayload { connectedAccount { id } } } }',
});

export interface WorkloadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  status5xx: number;
  errors: number;
  timeouts: number;
  acknowledgedCreates: string[];
}

/** Reads and writes, 2:1:1 list, viewer, create. `rate` caps requests per second (absent: as fast as it goes). */
export async function runWorkload(
  url: string,
  apiKey: string,
  options: { seconds: number; connections: number; rate?: number },
): Promise<WorkloadResult> {
  const acknowledgedCreates: string[] = [];
  let status5xx = 0;
  const onResponse = (status: number) => {
    if (status >= 500) status5xx += 1;
  };
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    ...(options.rate ? { overallRate: options.rate } : {}),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    requests: [
      { body: LIST, onResponse },
      { body: VIEWER, onResponse },
      { body: LIST, onResponse },
      {
        body: CREATE,
        onResponse: (status: number, body: string) => {
          onResponse(status);
          const id = /"id":"(cacc_[A-Za-z0-9]+)"/.exec(body)?.[1];
          if (status === 200 && id) acknowledgedCreates.push(id);
        },
      },
    ],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    status5xx,
    errors: result.errors,
    timeouts: result.timeouts,
    acknowledgedCreates,
  };
}

/** How many of the ids the database does not hold. */
export async function lostWrites(cluster: PostgresCluster, ids: string[]): Promise<number> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    const found = await client.query<{ count: string }>('SELECT count(*) FROM "ConnectedAccount" WHERE id = ANY($1)', [ids]);
    return ids.length - Number(found.rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}

export { startPostgresCluster };

/** The machine, and the Node the figures were measured on (by default the one running this script). */
export function machine(nodeVersion = process.version): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const memory = Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024);
  return `${cpu}, ${(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm) ?? []).length} cores, ${memory} GiB, Node ${nodeVersion}, PostgreSQL 15 on loopback`;
}
