// The context of every GraphQL request, built once per request: who is asking (src/auth/resolve-actor.ts
// decides it, here and nowhere else), the database client confined to what that actor may see, and
// the named door to the unconfined client for the flows that cross tenants by design.
import type { YogaInitialContext } from 'graphql-yoga';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { secretsEqual } from '../crypto/tokens.ts';
import type { Prisma } from '../db/database.ts';
import { nowhere, scopeToTenant, type TenantDb } from '../db/tenant-scope.ts';
import type { Logger } from '../core/logger.ts';
import { requestIdOf } from '../http/request-log.ts';
import { databaseUnavailable, serviceUnavailable, unauthenticated } from '../auth/request-errors.ts';
import { isDatabaseUnavailable } from '../db/prisma-errors.ts';
import { rateLimitedError, RateLimitExceededError, type RateLimits } from '../auth/rate-limits.ts';
import { clientAddressOf } from '../auth/client-address.ts';
import type { CallerCaches } from '../auth/caller-caches.ts';
import type { Actor } from '../auth/actor.ts';
import { crossTenantAccess, type CrossTenant } from '../auth/cross-tenant.ts';
import { confinementOf, resolveActor } from '../auth/resolve-actor.ts';
import { transactionTurns } from '../auth/transaction-turns.ts';
import type { LiveEvents } from './live-events.ts';

export interface Context {
  requestId: string;
  log: Logger;
  clock: Clock;
  config: Config;
  /** Confined to what the caller may see (src/db/tenant-scope.ts); everything a resolver reads or writes goes through it. */
  db: TenantDb;
  /** The unconfined client, for the named flows that cross tenants by design, and nothing else. */
  crossTenant: CrossTenant;
  /** Who is asking; null for a request without an API key (public and admin fields). */
  actor: Actor | null;
  /** The request carries the right `x-admin-secret` (only `createOrganization` looks at it). */
  isAdmin: boolean;
  keyRing: KeyRing;
  /** Shared across processes: per API key, unknown keys per client, failed sign-ins (src/auth/rate-limits.ts). */
  rateLimits: RateLimits;
  /** Where the request comes from (src/auth/client-address.ts), for the per-client limits. */
  clientAddress: string;
  /** The process's live events, for the `events` subscription. */
  liveEvents: LiveEvents;
}

export interface ContextDependencies {
  config: Config;
  prisma: Prisma;
  log: Logger;
  clock: Clock;
  keyRing: KeyRing;
  isReady: () => boolean;
  callerCaches: CallerCaches;
  rateLimits: RateLimits;
  liveEvents: LiveEvents;
}

export function createContextFactory(deps: ContextDependencies) {
  const { config, prisma, clock } = deps;
  const crossTenant = crossTenantAccess(prisma);
  const turns = transactionTurns(config.transactionsPerOrganization);
  return async (initial: YogaInitialContext): Promise<Context> => {
    try {
      return await buildContext(initial);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw databaseUnavailable();
      if (error instanceof RateLimitExceededError) throw rateLimitedError(error);
      throw error;
    }
  };

  async function buildContext({ request }: YogaInitialContext): Promise<Context> {
    const requestId = requestIdOf(request);
    const log = deps.log.child({ requestId });
    if (!deps.isReady()) throw serviceUnavailable('The server is starting: the database is not ready yet.');

    const adminSecret = request.headers.get('x-admin-secret');
    const isAdmin = adminSecret !== null && config.adminSecret !== undefined && secretsEqual(adminSecret, config.adminSecret);

    const actor = await resolveActor(request, clock.now(), deps);

    return {
      requestId,
      log,
      clock,
      config,
      // An authenticated request's transactions, on whichever client, take its organization's turns.
      db: actor ? turns.of(scopeToTenant(prisma, confinementOf(actor)), actor.accountableOrganizationId) : scopeToTenant(prisma, nowhere),
      crossTenant: actor ? (flow) => turns.of(crossTenant(flow), actor.accountableOrganizationId) : crossTenant,
      actor,
      isAdmin,
      keyRing: deps.keyRing,
      rateLimits: deps.rateLimits,
      clientAddress: clientAddressOf(request),
      liveEvents: deps.liveEvents,
    };
  }
}

/** The actor of a field that the `apiKey` scope already guards. */
export function actorOf(context: Context): Actor {
  if (!context.actor) throw unauthenticated('A valid API key is required.');
  return context.actor;
}
