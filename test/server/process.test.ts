// The server as a process: what `npm start` runs (scripts/start.sh: the compiled dist/server.js, which
// the global setup builds, with production's Node flags), on the embedded database (pglite project)
// or on PostgreSQL through DATABASE_URL (postgres project, where the migrations run in a worker
// thread started from the compiled file).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, get as httpGet, request as httpRequest, type ClientRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newKeyEntry } from '../../src/crypto/key-ring.ts';
import { DEVELOPMENT_DEFAULTS_WARNING } from '../../src/deployment-checks.ts';
import {
  CreateOrganizationDocument,
  CreateWebhookEndpointDocument,
  RevokeApiKeyDocument,
  ViewerDocument,
  type TypedDocumentString,
} from '../generated/graphql.ts';
import { createPostgresDatabase } from '../support/test-databases.ts';
import { freePort, pgliteDataDir, startServerProcess as startProcess, waitForReady } from '../support/server-process.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const startServerProcess = (environment: Record<string, string>) => startProcess(environment, cleanups);

/**
 * Where the process keeps its data: a new, empty database (the server creates and migrates it, as
 * on a first start), or with `migrated` one the migrations already ran on (the global setup's
 * migrated copy), for the tests about something else, which then skip initdb and the migrations.
 */
async function databaseEnvironment({ migrated = false } = {}): Promise<Record<string, string>> {
  if (process.env.TEST_DATABASE === 'postgres') {
    const { url, drop } = await createPostgresDatabase({ migrated });
    cleanups.push(drop);
    return { DATABASE_URL: url };
  }
  return { DATA_DIR: await pgliteDataDir(cleanups, { migrated }) };
}

describe('the server process', () => {
  it('refuses to start on bad configuration, naming every bad variable', async () => {
    const server = startServerProcess({ PORT: 'eighty', DATABASE_URL: 'mysql://db/x', LOG_LEVEL: 'loud' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT: .+/);
    expect(server.output()).toMatch(/DATABASE_URL: .+/);
    expect(server.output()).toMatch(/LOG_LEVEL: .+/);
  });

  it('migrates, serves, prints how to get a key, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = startServerProcess({ PORT: String(port), HOST: '127.0.0.1', ...(await databaseEnvironment()) });
    await waitForReady(port);
    expect(server.output()).toContain('x-admin-secret');
    // A development server with DATABASE_URL (the postgres project) looks like a production deployment.
    expect(server.output().includes(DEVELOPMENT_DEFAULTS_WARNING)).toBe(process.env.TEST_DATABASE === 'postgres');

    const inFlight = fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const response = await inFlight;
    server.child.kill('SIGTERM');
    expect(response.status).toBe(200);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
    // initdb in WebAssembly and the migrations from empty: about 10 s on a quiet 2-core machine.
  }, 90_000);
});

describe('production-safe defaults', () => {
  it('refuses to start in production without METRICS_TOKEN', async () => {
    const server = startServerProcess({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://unused.invalid/db',
      ENCRYPTION_KEYS: newKeyEntry(1),
    });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/METRICS_TOKEN: required in production/);
  });

  it('warns at start when a development server looks like a production deployment', async () => {
    const port = await freePort();
    const server = startServerProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://connect.example.com',
      ...(await databaseEnvironment()),
    });
    await expect.poll(server.output, { timeout: 20_000 }).toContain(DEVELOPMENT_DEFAULTS_WARNING);
    expect(server.output()).toContain('PUBLIC_URL is https');
    server.child.kill('SIGKILL');
  });
});

const MiB = 1024 * 1024;
const residentBytes = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** Resolves when the request can take more, or is closed. */
function writable(request: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      request.off('drain', done).off('close', done);
      resolve();
    };
    request.on('drain', done).on('close', done);
  });
}

/**
 * Offers `totalBytes` as one chunked body (no Content-Length), written as fast as the server reads,
 * and stops when the server answers. Samples the server's resident memory every 20 ms meanwhile.
 */
async function postChunked(port: number, pid: number, path: string, contentType: string, totalBytes: number) {
  const before = residentBytes(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 20);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  let answered = false;
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' },
  });
  const status = new Promise<number>((resolve, reject) => {
    request.on('response', (response) => {
      answered = true;
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', (error) => !answered && reject(error));
  });
  const writing = (async () => {
    while (sent < totalBytes && !answered && !request.destroyed) {
      sent += chunk.length;
      if (!request.write(chunk)) await writable(request);
    }
    if (!answered) request.end();
  })();
  try {
    return { status: await status, sentBytes: sent, growthBytes: Math.max(peak, residentBytes(pid)) - before };
  } finally {
    clearInterval(sampler);
    request.destroy();
    await writing;
  }
}

// Body caps are enforced while reading, before any database is asked: the embedded database's run says it all.
describe.runIf(process.env.TEST_DATABASE !== 'postgres')('request bodies over real HTTP', () => {
  it('answers 413 to a 200 MiB chunked body without holding it (resident memory grows far less), /health and /ready included', async () => {
    const port = await freePort();
    const server = startServerProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...(await databaseEnvironment({ migrated: true })),
    });
    await waitForReady(port);
    const pid = server.child.pid ?? expect.fail('no pid');
    for (const [path, contentType] of [
      ['/graphql', 'application/json'],
      ['/oauth/authorize', 'application/x-www-form-urlencoded'],
      // yoga answers /health before any plugin of ours: it once answered such a body 200 after
      // reading it whole (+41 MB); both probes take no body at all.
      ['/health', 'application/json'],
      ['/ready', 'application/json'],
    ] as const) {
      const result = await postChunked(port, pid, path, contentType, 200 * MiB);
      console.info(
        `${path}: ${result.status} after ${(result.sentBytes / MiB).toFixed(1)} MiB sent; server RSS +${(result.growthBytes / 1e6).toFixed(1)} MB`,
      );
      expect(result.status).toBe(413);
      expect(result.growthBytes).toBeLessThan(50e6);
    }
    // The server is still serving, also after the unread rest of the bodies was let go (2 s later).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  }, 120_000);
});

/** One request on a connection of its own, so that node:cluster hands each to a worker in turn. */
function requestOnNewConnection<Result, Variables>(
  port: number,
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
  headers: Record<string, string>,
) {
  return new Promise<{ status: number; requestId: string; data: Result | undefined }>((resolve, reject) => {
    const body = JSON.stringify({ query: document.toString(), variables });
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', connection: 'close', ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            requestId: String(response.headers['x-request-id']),
            data: (JSON.parse(text) as { data?: Result }).data,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function getOnNewConnection(port: number, path: string) {
  return new Promise<string>((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

const logLines = (output: string) =>
  output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as { msg: string; worker?: number; pid?: number; requestId?: string; path?: string; restartInMs?: number }];
    } catch {
      return [];
    }
  });

describe('stopping with webhook sends in flight', () => {
  // Issue 23: a shutdown waited for every send in flight, 10 s each to a receiver that never answers
  // (and on PGlite, under the attack, a stuck lease kept SIGTERM from stopping the server at all).
  it('stops on SIGTERM within its drain time while a send to a receiver that never answers is in flight', async () => {
    const silent = createHttpServer(() => {});
    const seen = { connections: 0 };
    silent.on('connection', () => (seen.connections += 1));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const port = await freePort();
    const server = startServerProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_SECRET: 'process-admin-secret-0123456789',
      ...(await databaseEnvironment({ migrated: true })),
    });
    await waitForReady(port);
    const created = (
      await requestOnNewConnection(
        port,
        CreateOrganizationDocument,
        { input: { name: 'Silent Hooks', country: 'FR' } },
        { 'x-admin-secret': 'process-admin-secret-0123456789' },
      )
    ).data?.createOrganization;
    if (created?.__typename !== 'CreateOrganizationPayload') return expect.fail('createOrganization failed');
    // An endpoint's first delivery is its own creation: the send starts at once, and hangs.
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks`;
    const endpoint = await requestOnNewConnection(
      port,
      CreateWebhookEndpointDocument,
      { input: { url, eventTypes: ['*'] } },
      { authorization: `Bearer ${created.apiKey.secret}` },
    );
    expect(endpoint.data?.createWebhookEndpoint.__typename).toBe('CreateWebhookEndpointPayload');
    await expect.poll(() => seen.connections, { timeout: 10_000 }).toBeGreaterThan(0);

    const stopping = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // The drain (SHUTDOWN_DRAIN_MS, 1 s) and the closing: well under the send's 10 s.
    expect(Date.now() - stopping).toBeLessThan(6_000);
    expect(server.output()).toContain('"msg":"stopped"');
  }, 90_000);
});

describe('WEB_CONCURRENCY', () => {
  it('above 1 without DATABASE_URL: refuses to start, since the embedded database belongs to one process', async () => {
    const server = startServerProcess({ WEB_CONCURRENCY: '2', DATA_DIR: path.join(tmpdir(), 'connect-never-created') });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('WEB_CONCURRENCY: more than 1 needs DATABASE_URL');
  });

  describe.runIf(process.env.TEST_DATABASE === 'postgres')('on PostgreSQL', () => {
    it('2 workers share the port; a key revoked through one is refused by the other; SIGTERM stops them all', async () => {
      const port = await freePort();
      const server = startServerProcess({ PORT: String(port), HOST: '127.0.0.1', WEB_CONCURRENCY: '2', ...(await databaseEnvironment()) });
      const lines = () => logLines(server.output());
      await expect.poll(() => lines().filter((line) => line.msg === 'ready' && line.worker).length, { timeout: 60_000 }).toBe(2);
      expect(lines().filter((line) => line.msg === 'migrations applied')).toHaveLength(1);

      // The development admin secret, generated once for the run: every worker takes it.
      const adminSecret =
        /Admin secret for this run \(set ADMIN_SECRET to keep one\): (\S+)/.exec(server.output())?.[1] ??
        expect.fail('no admin secret printed');
      const created = (
        await requestOnNewConnection(
          port,
          CreateOrganizationDocument,
          { input: { name: 'Acme', country: 'FR' } },
          { 'x-admin-secret': adminSecret },
        )
      ).data?.createOrganization;
      if (created?.__typename !== 'CreateOrganizationPayload') expect.fail('createOrganization failed');
      const owner = { apiKeyId: created.apiKey.id, apiKey: created.apiKey.secret ?? expect.fail('no secret') };

      /** Sends `count` requests, each on a new connection, and says which worker answered each, with what. */
      const statusesByWorker = async (count: number) => {
        const answers: { status: number; requestId: string }[] = [];
        for (let index = 0; index < count; index += 1)
          answers.push(await requestOnNewConnection(port, ViewerDocument, {}, { authorization: `Bearer ${owner.apiKey}` }));
        const workerOf = (requestId: string) => lines().find((line) => line.msg === 'request' && line.requestId === requestId)?.worker;
        await expect.poll(() => answers.every((answer) => workerOf(answer.requestId) !== undefined)).toBe(true);
        const byWorker = new Map<number, number[]>();
        for (const answer of answers) {
          const worker = workerOf(answer.requestId) ?? expect.fail('no log line');
          byWorker.set(worker, [...(byWorker.get(worker) ?? []), answer.status]);
        }
        return byWorker;
      };
      // Both workers answer (and both take the admin secret), and both now hold the key in their cache.
      for (let index = 0; index < 2; index += 1) {
        const spare = await requestOnNewConnection(
          port,
          CreateOrganizationDocument,
          { input: { name: 'Spare', country: 'FR' } },
          { 'x-admin-secret': adminSecret },
        );
        expect(spare.data?.createOrganization.__typename).toBe('CreateOrganizationPayload');
      }
      const warmed = await statusesByWorker(6);
      expect([...warmed.keys()].sort()).toEqual([1, 2]);
      expect([...warmed.values()].flat().every((status) => status === 200)).toBe(true);

      const revoked = await requestOnNewConnection(
        port,
        RevokeApiKeyDocument,
        { input: { id: owner.apiKeyId } },
        { authorization: `Bearer ${owner.apiKey}` },
      );
      expect(revoked.status).toBe(200);
      const refusedEverywhere = async () => {
        const after = await statusesByWorker(4);
        return after.size === 2 && [...after.values()].flat().every((status) => status === 401);
      };
      await expect.poll(refusedEverywhere, { interval: 1, timeout: 2_000 }).toBe(true);

      // /metrics counts every worker's requests (the primary sums them), whichever worker a scrape reaches.
      const graphqlRequests = lines().filter((line) => line.msg === 'request' && line.path === '/graphql').length;
      for (let scrape = 0; scrape < 2; scrape += 1) {
        const counted = [...(await getOnNewConnection(port, '/metrics')).matchAll(/^connect_http_requests_total\{.*\} (\d+)$/gm)].reduce(
          (sum, match) => sum + Number(match[1]),
          0,
        );
        expect(counted).toBe(graphqlRequests);
      }

      const workerPids = [...new Set(lines().flatMap((line) => (line.pid ? [line.pid] : [])))];
      expect(workerPids).toHaveLength(2);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(
        lines()
          .filter((line) => line.msg === 'stopped' && line.worker !== undefined)
          .map((line) => line.worker)
          .sort(),
      ).toEqual([1, 2]);
      expect(lines().at(-1)).toMatchObject({ msg: 'stopped', killed: false });
      for (const pid of workerPids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    }, 120_000);

    it('restarts a worker that dies, and backs off when workers die at start', async () => {
      const port = await freePort();
      const server = startServerProcess({
        PORT: String(port),
        HOST: '127.0.0.1',
        WEB_CONCURRENCY: '2',
        ...(await databaseEnvironment({ migrated: true })),
      });
      const lines = () => logLines(server.output());
      await expect.poll(() => lines().filter((line) => line.msg === 'ready' && line.worker).length, { timeout: 60_000 }).toBe(2);
      const first = lines().find((line) => line.msg === 'ready' && line.worker === 1)?.pid ?? expect.fail('no worker 1');
      process.kill(first, 'SIGKILL');
      // Another starts (within a second: it died right after it started), and serves.
      await expect.poll(() => lines().some((line) => line.msg === 'ready' && line.worker === 3), { timeout: 60_000 }).toBe(true);
      expect(lines().find((line) => line.msg === 'worker exited; starting another')).toMatchObject({
        worker: 1,
        restartInMs: expect.toBeOneOf([0, 1_000]),
      });
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);

      // Its port taken, every worker dies as it starts: the restarts wait 1 s, 2 s, 4 s …, not a loop.
      const taken = createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => taken.once('listening', resolve));
      cleanups.push(() => void taken.close());
      const crashing = startServerProcess({
        PORT: String((taken.address() as { port: number }).port),
        HOST: '127.0.0.1',
        WEB_CONCURRENCY: '2',
        ...(await databaseEnvironment({ migrated: true })),
      });
      const restartDelays = () =>
        logLines(crashing.output()).flatMap((line) => (line.msg === 'worker exited; starting another' ? [line.restartInMs] : []));
      await expect.poll(() => restartDelays().length, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
      expect(restartDelays().slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
      crashing.child.kill('SIGTERM');
      expect(await crashing.exited).toBe(0);
    }, 150_000);
  });
});
