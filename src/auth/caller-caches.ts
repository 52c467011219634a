// Who-is-asking, cached per process: API keys and account sessions by their hash, connected accounts
// by id, the platforms' session origins. The database invalidates them (triggers NOTIFY on channel
// connect_auth), so a revoked key or session, a deactivated sub-account's keys, a revoked key's
// sessions or a suspended account are refused from the next request in every process;
// while the listener is down nothing is served from these caches.
import { randomUUID } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CachedKey } from './api-key-authentication.ts';
import type { AuthenticatedSession } from './session-authentication.ts';
import { platformOriginsKey, type PlatformOrigins } from './session-origins.ts';
import type { Database } from '../db/database.ts';
import { InvalidatedCache } from '../db/invalidated-cache.ts';
import type { ConnectedAccount } from '../generated/prisma/client.ts';

/**
 * The channel on which the database's triggers say that a key (`key:<hash>`), an account session
 * (`session:<hash>`), a connected account (`account:<id>`) or a platform's session origins
 * (`origins:<organization id>`) changed; a process also sends itself `sync-<process>:<marker>` on it.
 */
export const AUTH_CHANNEL = 'connect_auth';

/** A notification of AUTH_CHANNEL: what changed, and its id. */
export function authChangeOf(payload: string): { kind: string; id: string } {
  const separator = payload.indexOf(':');
  return { kind: payload.slice(0, separator), id: payload.slice(separator + 1) };
}

const MAX_ENTRIES = 10_000;
const SYNC_TIMEOUT_MS = 1_000;

export interface CallerCaches {
  keys: InvalidatedCache<CachedKey>;
  accounts: InvalidatedCache<ConnectedAccount>;
  sessions: InvalidatedCache<AuthenticatedSession>;
  /** One entry: every platform's session origins. */
  origins: InvalidatedCache<PlatformOrigins>;
  /**
   * Resolves once this process has received every notification committed before the call.
   * Writes call it before they answer, so the writer's next request already sees its change.
   */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

/** `ttlMs` 0 turns caching off (the caches never go live). */
export async function startCallerCaches(database: Database, ttlMs: number): Promise<CallerCaches> {
  const keys = new InvalidatedCache<CachedKey>({ ttlMs, maxEntries: MAX_ENTRIES });
  const accounts = new InvalidatedCache<ConnectedAccount>({ ttlMs, maxEntries: MAX_ENTRIES });
  const sessions = new InvalidatedCache<AuthenticatedSession>({ ttlMs, maxEntries: MAX_ENTRIES });
  const origins = new InvalidatedCache<PlatformOrigins>({ ttlMs, maxEntries: 1 });
  if (ttlMs <= 0) return { keys, accounts, sessions, origins, sync: async () => {}, stop: async () => {} };

  // PostgreSQL delivers notifications in commit order: when our own marker comes back, every
  // change committed before it has been received and applied.
  const processId = randomUUID();
  const waiting = new Map<number, () => void>();
  let markers = 0;
  let live = false;
  const setLive = (up: boolean) => {
    live = up;
    keys.setLive(up);
    accounts.setLive(up);
    sessions.setLive(up);
    origins.setLive(up);
  };
  const stop = await database.listen(AUTH_CHANNEL, {
    message(payload) {
      const { kind, id } = authChangeOf(payload);
      if (kind === 'key') keys.invalidate(id);
      else if (kind === 'account') accounts.invalidate(id);
      else if (kind === 'session') sessions.invalidate(id);
      else if (kind === 'origins') origins.invalidate(platformOriginsKey);
      else if (kind === `sync-${processId}`) waiting.get(Number(id))?.();
    },
    listening: setLive,
  });

  async function sync(): Promise<void> {
    if (!live) return;
    const marker = ++markers;
    const received = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), SYNC_TIMEOUT_MS);
      waiting.set(marker, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    try {
      await database.prisma.$executeRaw`SELECT pg_notify(${AUTH_CHANNEL}, ${`sync-${processId}:${marker}`})`;
      // No marker in time: notifications are late, so nothing cached can be trusted; start afresh.
      if (!(await received)) setLive(live);
    } finally {
      waiting.delete(marker);
    }
  }

  return { keys, accounts, sessions, origins, sync, stop };
}

/** Every mutation answers only once this process's caches have seen what it committed. */
export function useCallerCacheSync(caches: CallerCaches): Plugin {
  const mutations = new WeakSet<Request>();
  return {
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation === 'mutation') {
        mutations.add((args.contextValue as { request: Request }).request);
      }
    },
    // Not async: a promise per request would be waited on by every query too.
    onResultProcess({ request }) {
      if (mutations.has(request)) return caches.sync();
    },
  };
}
