// Opens the one Prisma client: embedded PostgreSQL (PGlite) when no URL is given, else a pg pool.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
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
}

/** Connections of the background workers' pool: their statements are short, and they share them. */
const BACKGROUND_POOL_SIZE = 4;

/** The database the configuration names: DATABASE_URL, else PGlite in `<DATA_DIR>/pglite`. */
export function openConfiguredDatabase(config: {
  databaseUrl: string | undefined;
  dataDir: string;
  databasePoolSize: number;
  backgroundStatementTimeoutMs: number;
}) {
  return openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : path.resolve(config.dataDir, 'pglite'),
    poolSize: config.databasePoolSize,
    backgroundStatementTimeoutMs: config.backgroundStatementTimeoutMs,
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

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = pgPool(options.url, { max: options.poolSize ?? 10 });
    const adapterFactory = new PrismaPg(pool);
    const prisma = new PrismaClient({ adapter: adapterFactory });
    const timeout = options.backgroundStatementTimeoutMs ?? 5_000;
    // lock_timeout too: a worker waiting on a row lock gives up as a slow statement would.
    const backgroundPool = pgPool(options.url, { max: BACKGROUND_POOL_SIZE, statement_timeout: timeout, lock_timeout: timeout });
    const background = new PrismaClient({ adapter: new PrismaPg(backgroundPool) });
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
 * next server (test/support/pglite-pool.ts).
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
