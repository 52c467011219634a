// Rate limits, counted where every server process sees them: on PostgreSQL in one UNLOGGED table
// (rate-limiter-flexible's RateLimiterPostgres, on the application's own pg pool), so N processes
// allow the configured rate once, not N times; on PGlite, which one process owns, in memory, which
// is then exact. A key over its limit is refused from this process's memory until its window ends,
// so refused requests cost no query. Counts are fixed windows; losing them in a crash is harmless,
// hence UNLOGGED (no WAL write per request).
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { Logger } from '../core/logger.ts';
import { sha256Hex } from '../crypto/tokens.ts';
import { rateLimited } from './request-errors.ts';
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

interface Window {
  points: number;
  durationSeconds: number;
}

/** A counter: the store's limiter, plus how this process knows a key is over without asking the store. */
interface Counter {
  limiter: RateLimiterAbstract;
  /** Milliseconds this key stays refused, as far as this process knows (0: ask the store). */
  blockedMs(key: string): Promise<number>;
}

/** The library's in-memory block of a store limiter (public in its code, absent from its types). */
interface InMemoryBlocks {
  getInMemoryBlockMsBeforeExpire(rlKey: string): number;
}

function storeLimiter(pool: pg.Pool, window: Window, options: { keyPrefix: string; points: number; duration: number }, inMemoryBlock: boolean) {
  return new RateLimiterPostgres({
    ...options,
    storeClient: pool,
    storeType: 'pool',
    schemaName: RATE_LIMIT_SCHEMA,
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    // The refusal that crosses the limit blocks the key in this process for the rest of its window.
    ...(inMemoryBlock ? { inMemoryBlockOnConsumed: window.points + 1 } : {}),
    // While the table is being created or cannot be reached, count in this process rather than fail.
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

function counter(pool: pg.Pool | null, name: string, window: Window): Counter | null {
  if (window.points <= 0) return null;
  const options = { keyPrefix: name, points: window.points, duration: window.durationSeconds };
  if (!pool) {
    const limiter = new RateLimiterMemory(options);
    const blockedMs = async (key: string) => {
      const state = await limiter.get(key);
      return state && state.consumedPoints > window.points ? state.msBeforeNext : 0;
    };
    return { limiter, blockedMs };
  }
  const limiter = storeLimiter(pool, window, options, true);
  const blocks = limiter as unknown as InMemoryBlocks;
  return { limiter, blockedMs: async (key) => blocks.getInMemoryBlockMsBeforeExpire(limiter.getKey(key)) };
}

const secondsOf = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * A guess refused for being over a limit is answered after a delay (RATE_LIMIT_REFUSAL_DELAY_MS, 1 s).
 * A refusal costs the server as much as any small request, so a guesser that ignores Retry-After and
 * asks again at once would turn refusals into a flood that slows everyone; held, it costs a timer and
 * one connection.
 */
async function refuseLater(delayMs: number, seconds: number, message: string): Promise<never> {
  await sleep(delayMs);
  throw new RateLimitExceededError(seconds, message);
}

/** Spends one point of each key; over any limit, refunds nothing and throws (after delayMs) with the longest wait. */
async function spend(entries: [Counter | null, string][], delayMs: number, message: (seconds: number) => string): Promise<void> {
  const refusals = await Promise.all(
    entries.map(async ([counted, key]) => {
      if (!counted) return 0;
      try {
        await counted.limiter.consume(key);
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

/** A sign-in attempt is counted under these keys: the e-mail, the client address, and the onboarding link when there is one. */
export interface SignInKeys {
  email: string;
  client: string;
  linkId?: string | undefined;
}

export interface SignInAttempt {
  /** The password matched: the e-mail's failures are forgotten, the client and the link get their point back. */
  succeeded(): Promise<void>;
  /** The password could not be checked (the server was busy): the attempt does not count. */
  notChecked(): Promise<void>;
}

export interface RateLimits {
  /** Every request made with an API key (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST). */
  takeApiKeyRequest(apiKeyId: string): Promise<void>;
  /**
   * Authenticates a presented key within the limit of unknown keys per client address: a client
   * over it is refused before the database is asked, and each unknown key counts against it.
   */
  authenticatingKey<T>(client: string, authenticate: () => Promise<T | null>): Promise<T | null>;
  /** Counts a sign-in attempt before the password is checked; then say how it ended. */
  signInAttempt(keys: SignInKeys): Promise<SignInAttempt>;
}

/**
 * Per API key, the counter every request takes from, so it is leased (./leased-counter.ts): on
 * PostgreSQL a process takes a tenth of a window's points per query, which made the limiter's cost
 * per request disappear in the measurements (docs/security.md); in memory, one point at a time.
 */
function leased(pool: pg.Pool | null, name: string, window: Window): LeasedCounter | null {
  if (window.points <= 0) return null;
  const options = { keyPrefix: name, points: window.points, duration: window.durationSeconds };
  if (!pool) return new LeasedCounter(new RateLimiterMemory(options), 1);
  return new LeasedCounter(storeLimiter(pool, window, options, false), Math.max(1, Math.floor(window.points / 10)));
}

/** Per API key: a steady rate per second, and the rest of the burst from a slower window (a token bucket, in fixed windows). */
function apiKeyCounters(pool: pg.Pool | null, { perSecond, burst }: Config['rateLimit']) {
  if (perSecond === 0) return null;
  const steadySeconds = perSecond >= 1 ? 1 : Math.ceil(1 / perSecond);
  const steadyPoints = Math.max(1, Math.floor(perSecond * steadySeconds));
  return {
    steady: leased(pool, 'api-key', { points: steadyPoints, durationSeconds: steadySeconds }),
    extra: leased(pool, 'api-key-burst', { points: burst - steadyPoints, durationSeconds: Math.ceil(burst / perSecond) }),
  };
}

export function createRateLimits(
  pool: pg.Pool | null,
  config: Pick<Config, 'rateLimit' | 'signInFailures' | 'unknownApiKeysPerMinute' | 'refusalDelayMs'>,
): RateLimits {
  const perKey = apiKeyCounters(pool, config.rateLimit);
  const unknownKeys = counter(pool, 'unknown-api-key', { points: config.unknownApiKeysPerMinute, durationSeconds: 60 });
  const window = config.signInFailures.windowSeconds;
  const signIns = {
    account: counter(pool, 'sign-in-account', { points: config.signInFailures.perAccount, durationSeconds: window }),
    client: counter(pool, 'sign-in-client', { points: config.signInFailures.perClient, durationSeconds: window }),
    link: counter(pool, 'sign-in-link', { points: config.signInFailures.perLink, durationSeconds: window }),
  };

  return {
    async takeApiKeyRequest(apiKeyId) {
      if (!perKey?.steady) return;
      const steadyWaitMs = await perKey.steady.take(apiKeyId);
      if (steadyWaitMs === 0) return;
      const extraWaitMs = perKey.extra ? await perKey.extra.take(apiKeyId) : steadyWaitMs;
      if (extraWaitMs === 0) return;
      const seconds = secondsOf(Math.min(steadyWaitMs, extraWaitMs));
      throw new RateLimitExceededError(seconds, `Too many requests for this API key: retry in ${seconds} s.`);
    },

    async authenticatingKey(client, authenticate) {
      const message = (seconds: number) => `Too many requests with unknown API keys from this address: retry in ${seconds} s.`;
      const blockedMs = (await unknownKeys?.blockedMs(client)) ?? 0;
      if (blockedMs > 0) await refuseLater(config.refusalDelayMs, secondsOf(blockedMs), message(secondsOf(blockedMs)));
      const authenticated = await authenticate();
      if (authenticated === null) await spend([[unknownKeys, client]], config.refusalDelayMs, message);
      return authenticated;
    },

    async signInAttempt({ email, client, linkId }) {
      // The e-mail as a hash: no address is stored, and any length fits the key column. It arrives
      // normalized by signIn (src/auth/sign-in.ts), so every spelling of one address counts as one.
      const account = sha256Hex(email);
      const entries: [Counter | null, string][] = [
        [signIns.account, account],
        [signIns.client, client],
        ...(linkId ? [[signIns.link, linkId] as [Counter | null, string]] : []),
      ];
      await spend(entries, config.refusalDelayMs, (seconds) => `Too many failed sign-ins: retry in ${seconds} s.`);
      const giveBack = (keepAccount: boolean) =>
        Promise.all([
          keepAccount ? signIns.account?.limiter.reward(account) : signIns.account?.limiter.delete(account),
          signIns.client?.limiter.reward(client),
          linkId ? signIns.link?.limiter.reward(linkId) : undefined,
        ]).then(() => undefined);
      return { succeeded: () => giveBack(false), notChecked: () => giveBack(true) };
    },
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
        if (!warned) log.warn({ code: error.code }, 'the rate-limit table cannot be created yet: limits are counted per process until it is');
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

/** The top-level GraphQL error for a refusal (RATE_LIMITED, 429, Retry-After). */
export const rateLimitedError = (error: RateLimitExceededError) => rateLimited(error.retryAfterSeconds, error.message);
