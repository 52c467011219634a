// Opens the one Prisma client: embedded PostgreSQL (PGlite) when no URL is given, else a pg pool.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaClient } from '../generated/prisma/client.ts';
import { listenOnPostgres, type Listen } from './notifications.ts';
import { takingTurns } from './pglite-turns.ts';

export type Prisma = PrismaClient;

/** The unscoped client inside `prisma.$transaction(async (tx) => ...)`. */
export type Transaction = Parameters<Parameters<Prisma['$transaction']>[0]>[0];

export interface Database {
  prisma: PrismaClient;
  /**
   * The background workers' client (webhooks, e-mail, re-verification, clean-up). On PostgreSQL, a
   * small pool of its own whose every statement runs under `statement_timeout`: a statement whose
   * plan went bad is cancelled instead of holding the worker, and the workers never take the
   * requests' connections. On PGlite, the one client (PGlite has no statement timeout).
   */
  background: PrismaClient;
  kind: 'pglite' | 'postgres';
  /** Used by the migration runner; it needs the same connection the client uses. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
  /** Connections of the pool (PostgreSQL only), for the metrics. */
  poolStats(): { total: number; idle: number; waiting: number } | null;
  /** The pg pool the client uses (PostgreSQL only): shared rate-limit counters use it too. */
  pool: pg.Pool | null;
  /** LISTEN on a channel: NOTIFYs from every process sharing the database. */
  listen: Listen;
}

export interface DatabaseOptions {
  /** postgres:// URL of a server; when absent, PGlite. */
  url?: string | undefined;
  /** PGlite's data folder; absent means in memory. */
  dataDir?: string | undefined;
  poolSize?: number;
  /** A PGlite data-folder dump to start from instead of running initdb (seconds saved per start). */
  pgliteSnapshot?: Blob | undefined;
  /** The background client's `statement_timeout` (PostgreSQL only). */
  backgroundStatementTimeoutMs?: number;
  /** Named prepared statements (PostgreSQL only; default true): see statementNames. */
  preparedStatements?: boolean;
}

/** Connections of the background workers' pool: their statements are short, and they share them. */
const BACKGROUND_POOL_SIZE = 4;

/** The database the configuration names: DATABASE_URL, else PGlite in `<DATA_DIR>/pglite`. */
export function openConfiguredDatabase(config: {
  databaseUrl: string | undefined;
  dataDir: string;
  databasePoolSize: number;
  backgroundStatementTimeoutMs: number;
  databasePreparedStatements: boolean;
}) {
  return openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : path.resolve(config.dataDir, 'pglite'),
    poolSize: config.databasePoolSize,
    backgroundStatementTimeoutMs: config.backgroundStatementTimeoutMs,
    preparedStatements: config.databasePreparedStatements,
  });
}

/** A pg pool as every client here needs it: fails fast when the server is down, survives dropped idle connections. */
function pgPool(url: string, options: pg.PoolConfig): pg.Pool {
  // A short connect timeout: with the server down, requests fail fast with 503 instead of queueing.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 2_000, ...options });
  // An idle connection the server drops (restart, failover) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/** Distinct SQL texts given a name, per process: past it, statements go unnamed (parsed and planned each time), as before. */
export const MAX_NAMED_STATEMENTS = 500;
/** Only data statements are named: BEGIN, SAVEPOINT and the other utility statements are parsed each time. */
const NAMEABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/**
 * Names for PostgreSQL prepared statements (PrismaPg's `statementNameGenerator`): a connection
 * parses and plans a statement once, then only binds and executes it. One name for one SQL text
 * across the pools that share a generator (a Database's two), given in order of first use (`p1`,
 * `p2`, ...), so a name never stands for two texts on any connection (pg refuses that) and no hash
 * can collide. Bounded: Prisma's SQL has a few hundred shapes, but an `IN` list may render its
 * length into the text and some raw SQL is assembled at run time, so only the first
 * MAX_NAMED_STATEMENTS texts get a name; each connection then keeps at most that many statements
 * (PostgreSQL frees them with the connection).
 */
export function statementNames(max = MAX_NAMED_STATEMENTS) {
  const names = new Map<string, string>();
  return {
    generate(query: SqlQuery): string {
      const known = names.get(query.sql);
      if (known !== undefined) return known;
      // '' is no name: pg then parses the statement unnamed, as without a generator.
      if (names.size >= max || !NAMEABLE.test(query.sql)) return '';
      const name = `p${names.size + 1}`;
      names.set(query.sql, name);
      return name;
    },
    get size() {
      return names.size;
    },
  };
}

/**
 * A prepared statement whose result columns a migration changed (a column's type) fails on that
 * connection with this, every time, until the connection closes: PostgreSQL re-plans a prepared
 * statement after a schema change but refuses to change its result type.
 */
const STALE_PLAN = 'cached plan must not change result type';

/**
 * So a connection with such a statement is closed when it goes back to the pool (a pool.query that
 * fails already discards its connection; a transaction's connection comes back with no error), and
 * its statements are prepared afresh on a new one: one failed request per connection and statement
 * after such a migration, not a failure on every use.
 */
function dropConnectionsWithStalePlans(pool: pg.Pool) {
  const stale = new WeakSet<pg.Client>();
  pool.on('connect', (client) => {
    const query: (...args: unknown[]) => unknown = client.query;
    const noteStale = (error: unknown) => {
      if (error instanceof Error && error.message.includes(STALE_PLAN)) stale.add(client);
    };
    client.query = function (this: pg.Client, ...args: unknown[]) {
      const callback = args.findLast((arg) => typeof arg === 'function') as ((error: unknown, ...rest: unknown[]) => void) | undefined;
      if (callback)
        args[args.lastIndexOf(callback)] = (error: unknown, ...rest: unknown[]) => {
          noteStale(error);
          callback(error, ...rest);
        };
      const result = Reflect.apply(query, this, args);
      if (result instanceof Promise) result.catch(noteStale);
      return result;
    } as typeof client.query;
  });
  // 'release' runs before the pool decides whether to keep the connection: an ending one it drops.
  pool.on('release', (_error, client) => {
    if (stale.has(client)) void client.end().catch(() => {});
  });
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = pgPool(options.url, { max: options.poolSize ?? 10 });
    const named = options.preparedStatements !== false;
    // One generator for both pools: a name stands for one text in the whole process.
    const adapterOptions = named ? { statementNameGenerator: statementNames().generate } : {};
    const adapterFactory = new PrismaPg(pool, adapterOptions);
    const prisma = new PrismaClient({ adapter: adapterFactory });
    const timeout = options.backgroundStatementTimeoutMs ?? 5_000;
    // lock_timeout too: a worker waiting on a row lock gives up as a slow statement would.
    const backgroundPool = pgPool(options.url, { max: BACKGROUND_POOL_SIZE, statement_timeout: timeout, lock_timeout: timeout });
    const background = new PrismaClient({ adapter: new PrismaPg(backgroundPool, adapterOptions) });
    if (named) for (const each of [pool, backgroundPool]) dropConnectionsWithStalePlans(each);
    return {
      prisma,
      background,
      kind: 'postgres',
      adapterFactory,
      close: async () => {
        await Promise.all([prisma.$disconnect(), background.$disconnect()]);
        await Promise.all([pool.end().catch(() => {}), backgroundPool.end().catch(() => {})]);
      },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      pool,
      listen: listenOnPostgres(options.url),
    };
  }
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  // Loaded only for the embedded database: a server on PostgreSQL does not pay its memory.
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create({ dataDir: options.dataDir, loadDataDir: options.pgliteSnapshot }).catch((error: unknown) => {
    unlock();
    throw error;
  });
  return databaseOnPGlite(pglite, async () => {
    await pglite.close();
    unlock();
  });
}

/**
 * The database over an open PGlite instance. Its `close` ends the Prisma client, then calls `release`
 * for the instance: closing it (and freeing its data folder), or, in the tests, keeping it for the
 * next server (test/support/test-databases.ts).
 */
export async function databaseOnPGlite(pglite: PGlite, release: () => Promise<void>): Promise<Database> {
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const adapterFactory = new PrismaPGlite(takingTurns(pglite));
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    background: prisma,
    kind: 'pglite',
    adapterFactory,
    close: async () => {
      await prisma.$disconnect();
      await release();
    },
    poolStats: () => null,
    pool: null,
    // One process owns an embedded database: its notifications never get lost on the way.
    listen: async (channel, handlers) => {
      const stop = await pglite.listen(channel, (payload) => handlers.message(payload));
      handlers.listening(true);
      return stop;
    },
  };
}
