// The context of every GraphQL request, built once per request: who is asking (src/auth/resolve-actor.ts
// decides it, here and nowhere else), the database client confined to what that actor may see, and
// the named door to the unconfined client for the flows that cross tenants by design.
import { randomBytes } from 'node:crypto';
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
import { PresentedApiKey } from '../auth/presented-api-key.ts';
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

/** Who made a webhook endpoint, as the endpoint row says: its payload fragment runs as this caller. */
export interface EndpointOwner {
  endpointId: string;
  organizationId: string;
  tenantId: string;
  actingForAccountId: string | null;
}

/**
 * A context for an endpoint's owner, confined exactly as the key that made the endpoint: its tenant
 * (organization-wide), or the account it acted for. No key is presented (an unusable random secret
 * stands for it), nothing is rate limited or idempotent, and no field that writes is reachable from
 * a fragment. Null when the owner may no longer read anything (the account it acted for is gone).
 */
export async function endpointOwnerContext(
  deps: Omit<ContextDependencies, 'isReady' | 'callerCaches'>,
  owner: EndpointOwner,
): Promise<Context | null> {
  const { prisma, clock } = deps;
  const tenant = await prisma.tenant.findUnique({ where: { id: owner.tenantId }, select: { environment: true } });
  const actingAs = owner.actingForAccountId ? await prisma.connectedAccount.findUnique({ where: { id: owner.actingForAccountId } }) : null;
  if (!tenant || (owner.actingForAccountId && actingAs?.status !== 'ACTIVE')) return null;
  const scope = { organizationId: owner.organizationId, tenantId: owner.tenantId, environment: tenant.environment };
  const actor: Actor = {
    apiKeyId: `webhook:${owner.endpointId}`,
    apiKey: new PresentedApiKey(randomBytes(32).toString('base64url')),
    keyScope: scope,
    actingScope: scope,
    subAccountId: null,
    accountableOrganizationId: actingAs?.platformOrganizationId ?? owner.organizationId,
    actingAs,
    grantedScopes: null,
    // The owner's own confinement, never an account session's narrower one.
    session: null,
    now: clock.now(),
  };
  return {
    requestId: `webhook:${owner.endpointId}`,
    log: deps.log.child({ endpointId: owner.endpointId }),
    clock,
    config: deps.config,
    db: scopeToTenant(prisma, confinementOf(actor)),
    crossTenant: crossTenantAccess(prisma),
    actor,
    isAdmin: false,
    keyRing: deps.keyRing,
    rateLimits: deps.rateLimits,
    clientAddress: 'webhook',
    liveEvents: deps.liveEvents,
  };
}

/** The actor of a field that the `apiKey` scope already guards. */
export function actorOf(context: Context): Actor {
  if (!context.actor) throw unauthenticated('A valid API key is required.');
  return context.actor;
}
