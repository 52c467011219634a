// How a limit is counted, where every server process sees it: on PostgreSQL in one UNLOGGED table
// (rate-limiter-flexible's RateLimiterPostgres, on the application's own pg pool), so N processes
// allow the configured rate once, not N times; on PGlite, which one process owns, in memory, which
// is then exact. Counts are fixed windows; losing them in a crash is harmless, hence UNLOGGED (no
// WAL write per request). Which limits exist is ./rate-limits.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../core/logger.ts';
import { LeasedCounter } from './leased-counter.ts';

/**
 * Not a Prisma model: the library's own layout, created here at start (no migration), in a schema
 * of its own so that Prisma's migrations, which own `public`, never see it (a table there would
 * make a fresh database look "not empty" to them).
 */
export const RATE_LIMIT_SCHEMA = 'connect_rate_limits';
export const RATE_LIMIT_TABLE = 'counters';

/** Over a limit: the answer is 429 with Retry-After. */
export class RateLimitExceededError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Window {
  points: number;
  durationSeconds: number;
}

/** A counter of one limit (null: that limit is off). */
export type Counter = RateLimiterAbstract | null;

function storeLimiter(
  pool: pg.Pool,
  window: Window,
  options: { keyPrefix: string; points: number; duration: number },
  inMemoryBlock: boolean,
) {
  return new RateLimiterPostgres({
    ...options,
    storeClient: pool,
    storeType: 'pool',
    schemaName: RATE_LIMIT_SCHEMA,
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    // The refusal that crosses the limit blocks the key in this process for the rest of its window,
    // so later refusals cost no query.
    ...(inMemoryBlock ? { inMemoryBlockOnConsumed: window.points + 1 } : {}),
    // While the table is being created or cannot be reached, count in this process rather than fail.
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

export function counter(pool: pg.Pool | null, name: string, window: Window): Counter {
  if (window.points <= 0) return null;
  const options = { keyPrefix: name, points: window.points, duration: window.durationSeconds };
  return pool ? storeLimiter(pool, window, options, true) : new RateLimiterMemory(options);
}

export const secondsOf = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * A request refused for being over a limit is answered after a delay (RATE_LIMIT_REFUSAL_DELAY_MS, 1 s).
 * A refusal costs the server as much as any small request, so a client that ignores Retry-After and
 * asks again at once would turn refusals into a flood that slows everyone; held, it costs a timer and
 * one connection.
 */
export async function refuseLater(delayMs: number, seconds: number, message: string): Promise<never> {
  await sleep(delayMs);
  throw new RateLimitExceededError(seconds, message);
}

/** Spends one point of each key; over any limit, refunds nothing and throws (after delayMs) with the longest wait. */
export async function spend(entries: [Counter, string][], delayMs: number, message: (seconds: number) => string): Promise<void> {
  const refusals = await Promise.all(
    entries.map(async ([counted, key]) => {
      if (!counted) return 0;
      try {
        await counted.consume(key);
        return 0;
      } catch (error) {
        if (error instanceof RateLimiterRes) return Math.max(1, error.msBeforeNext);
        throw error;
      }
    }),
  );
  const waitMs = Math.max(...refusals);
  if (waitMs > 0) await refuseLater(delayMs, secondsOf(waitMs), message(secondsOf(waitMs)));
}

/**
 * A counter every request takes from, so it is leased (./leased-counter.ts): on PostgreSQL a process
 * takes a tenth of a window's points per query, which made the limiter's cost per request disappear
 * in the measurements (docs/security.md); in memory, one point at a time.
 */
function leased(pool: pg.Pool | null, name: string, window: Window): LeasedCounter | null {
  if (window.points <= 0) return null;
  const options = { keyPrefix: name, points: window.points, duration: window.durationSeconds };
  if (!pool) return new LeasedCounter(new RateLimiterMemory(options), 1);
  return new LeasedCounter(storeLimiter(pool, window, options, false), Math.max(1, Math.floor(window.points / 10)));
}

/** A request rate: a steady rate per second, and a burst on top of it. */
export interface Rate {
  perSecond: number;
  burst: number;
}

/** Takes one request of a key: 0 when allowed, else the milliseconds until one would be. */
export type RateCeiling = (key: string) => Promise<number>;

/**
 * A steady rate per second, and the rest of the burst from a slower window (a token bucket, in fixed
 * windows). Null when the rate is 0 (off).
 */
export function rateCeiling(pool: pg.Pool | null, name: string, { perSecond, burst }: Rate): RateCeiling | null {
  if (perSecond === 0) return null;
  const steadySeconds = perSecond >= 1 ? 1 : Math.ceil(1 / perSecond);
  const steadyPoints = Math.max(1, Math.floor(perSecond * steadySeconds));
  const steady = leased(pool, name, { points: steadyPoints, durationSeconds: steadySeconds });
  const extra = leased(pool, `${name}-burst`, { points: burst - steadyPoints, durationSeconds: Math.ceil(burst / perSecond) });
  return async (key) => {
    const steadyWaitMs = (await steady?.take(key)) ?? 0;
    if (steadyWaitMs === 0) return 0;
    const extraWaitMs = extra ? await extra.take(key) : steadyWaitMs;
    return extraWaitMs === 0 ? 0 : Math.min(steadyWaitMs, extraWaitMs);
  };
}

/** Creates the counters' table (idempotent; concurrent starts race harmlessly), retrying until the database answers. */
export function prepareRateLimitTable(pool: pg.Pool, log: Logger, retryMs = 1_000): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let warned = false;
  let stopped = false;
  const attempt = () => {
    pool
      .query(
        `CREATE SCHEMA IF NOT EXISTS "${RATE_LIMIT_SCHEMA}";
         CREATE UNLOGGED TABLE IF NOT EXISTS "${RATE_LIMIT_SCHEMA}"."${RATE_LIMIT_TABLE}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
      )
      .catch((error: { code?: string }) => {
        // 23505, 42P06, 42P07: another process created it at the same moment.
        if (stopped || ['23505', '42P06', '42P07'].includes(error.code ?? '')) return;
        // Until it exists each process counts in its own memory, so N processes allow N times a limit: say so, once.
        if (!warned)
          log.warn({ code: error.code }, 'the rate-limit table cannot be created yet: limits are counted per process until it is');
        warned = true;
        timer = setTimeout(attempt, retryMs);
        timer.unref();
      });
  };
  attempt();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
