// A real server for one test file: the application built by createApp on a fresh database
// (in-memory PGlite, emptied from the worker's earlier servers, or a new database on the PostgreSQL cluster), spoken to over yoga.fetch.
// The database starts migrated (from the migrated snapshot or template the global setup made once),
// unless the test asks for an empty one to migrate itself.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { newKeyEntry } from '../../src/crypto/key-ring.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { applyMigrations } from '../../src/db/migrations.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { EmailSender } from '../../src/email/senders.ts';
import type { TypedDocumentString } from '../generated/graphql.ts';
import { TestClock } from './clock.ts';
import { createPostgresDatabase, testPGliteDatabase } from './test-databases.ts';

export const ADMIN_SECRET = 'test-admin-secret-0123456789';
/** A fresh key per test run: nothing encrypted by a test outlives it. */
export const TEST_ENCRYPTION_KEYS = newKeyEntry(1);

export interface GraphQLResponse<Result> {
  status: number;
  headers: Headers;
  data?: Result | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> & { code?: string } }[];
}

export interface TestServerOptions {
  /** Leave the database empty, as a server sees it before its migrations ran. */
  skipMigrations?: boolean;
  /** A PostgreSQL URL to use instead of a fresh database (e.g. one that cannot be reached). */
  databaseUrl?: string;
  environment?: Record<string, string>;
  /** Also listen on a loopback port (for a real browser); PUBLIC_URL is then that address. */
  listen?: boolean;
  emailSender?: EmailSender;
}

/** A loopback HTTP server whose handler is set once the application exists (its URL is needed first). */
async function loopbackServer() {
  let handler: RequestListener = (_request, response) => response.writeHead(503).end();
  const server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (listener: RequestListener) => {
      handler = listener;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function createTestDatabase(migrated: boolean): Promise<{ database: Database; url: string | null; drop: () => Promise<void> }> {
  if (process.env.TEST_DATABASE !== 'postgres') {
    return { database: await testPGliteDatabase(migrated), url: null, drop: async () => {} };
  }
  const { url, drop } = await createPostgresDatabase({ migrated });
  return { database: await openDatabase({ url, poolSize: 10 }), url, drop };
}

export async function startTestServer(options: TestServerOptions = {}) {
  const {
    database,
    url: databaseUrl,
    drop,
  } = options.databaseUrl
    ? { database: await openDatabase({ url: options.databaseUrl, poolSize: 2 }), url: options.databaseUrl, drop: async () => {} }
    : await createTestDatabase(!options.skipMigrations);
  const loopback = options.listen ? await loopbackServer() : null;
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    ADMIN_SECRET,
    PUBLIC_URL: loopback?.url ?? 'http://connect.test',
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    // A refused guess waits 1 s for its answer in production, against floods; the tests that count
    // refusals are not about that wait (the guessing-attack test in rate-limits.test.ts sets it back).
    RATE_LIMIT_REFUSAL_DELAY_MS: '10',
    // Every in-process request is one client (`local`), which makes a test file's whole world: its
    // dozens of sign-ups and dead links would pass the hourly and per-minute limits a real client
    // meets, and its concurrent sign-ins the checks one client may have at once. The tests of those
    // limits set them (sign-up.test.ts, test/auth/token-lookups.test.ts, test/auth/rate-limits.test.ts).
    VERIFICATION_EMAILS_PER_CLIENT: '1000',
    UNKNOWN_TOKENS_PER_MINUTE: '1000',
    PASSWORD_CHECKS_PER_CLIENT: '1000',
    // Password hashes at scrypt's N=2^10 instead of 2^15: a hundred times less CPU for the hundreds of
    // sign-ups and sign-ins the tests make; what they check is the flow, not the hash's strength
    // (the tests about hashing under load set production's cost back; production refuses a lower one).
    ...(options.environment?.NODE_ENV === 'production' ? {} : { PASSWORD_HASH_COST: '10' }),
    // The connections' background re-verification would check, after a minute, the connections a
    // test made against providers' public endpoints and record events it did not expect: it runs
    // when a test asks (`connectionChecks.deliverDue()`, test/connections/reverification.test.ts).
    CONNECTION_VERIFY_POLL_MS: '3600000',
    ...options.environment,
  });
  const logLines: string[] = [];
  const log = createLogger('debug', { write: (line: string) => void logLines.push(line) });
  const clock = new TestClock();
  const keyRing = config.encryptionKeys ?? expect.fail('the test server needs ENCRYPTION_KEYS');
  const app = await createApp({
    config,
    database,
    log,
    clock,
    keyRing,
    ...(options.emailSender ? { emailSender: options.emailSender } : {}),
  });
  loopback?.serve(app.yoga);

  async function migrate() {
    const applied = await applyMigrations(database.adapterFactory);
    app.markMigrated();
    return applied;
  }
  // Started from a migrated copy (or another server's database): nothing left to apply.
  if (!options.skipMigrations) app.markMigrated();

  async function request<Result, Variables>(
    document: TypedDocumentString<Result, Variables>,
    variables?: Variables,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<Result>> {
    const response = await app.yoga.fetch('http://connect.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<Result>, 'status' | 'headers'>;
    return { status: response.status, headers: response.headers, ...body };
  }

  return {
    config,
    keyRing,
    clock,
    prisma: database.prisma,
    migrate,
    request,
    /**
     * Any HTTP request to the application, e.g. `/ready`. In process there is no socket: pass a server
     * context such as `{ req: { socket: { remoteAddress: '127.0.0.1' } } }` to say where it comes from.
     */
    fetch: (path: string, init?: RequestInit, serverContext?: Record<string, unknown>) =>
      app.yoga.fetch(new URL(path, 'http://connect.test'), init ?? {}, serverContext ?? {}),
    /** The PostgreSQL database's URL (null on PGlite): another server process can share it. */
    databaseUrl,
    /** The loopback address, with `listen: true`. */
    url: loopback?.url ?? 'http://connect.test',
    outbox: app.outbox,
    /** The webhook worker: `deliverDue()` runs a round now. */
    webhooks: app.webhooks,
    /** The connections' background re-verification: `deliverDue()` runs a round now. */
    connectionChecks: app.connectionChecks,
    /** The check of requirement deadlines: `deliverDue()` runs a round now. */
    requirementDeadlines: app.requirementDeadlines,
    /** Everything the server logged, one JSON line each. */
    logs: () => logLines.join(''),
    close: async () => {
      await loopback?.close();
      await app.close();
      await database.close();
      await drop();
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** The headers that authenticate with an API key. */
export const withKey = (secret: string) => ({ authorization: `Bearer ${secret}` });
