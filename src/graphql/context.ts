// Who is asking. The context factory is the one place that decides it for every request: which
// API key, which organization and tenant the request acts in, and the database client confined
// to that tenant.
import type { YogaInitialContext } from 'graphql-yoga';
import { authenticateApiKey } from '../api-keys/authenticate.ts';
import { actOnBehalf, CONNECT_ACCOUNT_HEADER, TENANT_HEADER } from '../auth/acting-on-behalf.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { secretsEqual } from '../crypto/tokens.ts';
import type { Prisma } from '../db/database.ts';
import { nowhere, scopeToTenant, type TenantDb, type TenantScope } from '../db/tenant-scope.ts';
import type { Logger } from '../logger.ts';
import { requestIdOf } from '../http/request-log.ts';
import { databaseUnavailable, forbidden, serviceUnavailable, unauthenticated } from './request-errors.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { rateLimitedError, RateLimitExceededError, type RateLimits } from '../auth/rate-limits.ts';
import { clientAddressOf } from '../auth/client-address.ts';
import type { CallerCaches } from '../auth/caller-caches.ts';
import type { Actor } from '../auth/actor.ts';
import { crossTenantAccess, type CrossTenant } from '../auth/cross-tenant.ts';

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
}

function presentedApiKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw unauthenticated('Malformed Authorization header: expected "Bearer <api key>".');
    return match[1];
  }
  return headers.get('x-api-key') ?? undefined;
}

export function createContextFactory(deps: ContextDependencies) {
  const { config, prisma, clock } = deps;
  const crossTenant = crossTenantAccess(prisma);
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

    const secret = presentedApiKey(request.headers);
    const now = clock.now();
    let actor: Actor | null = null;
    if (secret !== undefined) {
      const key = await deps.rateLimits.authenticatingKey(clientAddressOf(request), () => authenticateApiKey(prisma, deps.callerCaches.keys, secret, now));
      if (!key) throw unauthenticated('The API key is unknown, revoked or malformed.');
      await deps.rateLimits.takeApiKeyRequest(key.apiKeyId);
      actor = {
        apiKeyId: key.apiKeyId,
        keyScope: key.scope,
        actingScope: key.scope,
        subAccountId: key.subAccountId,
        actingAs: null,
        grantedScopes: null,
        now,
      };
    }

    // The one place where the acting tenant switches to a connected account's.
    const connectedAccountId = request.headers.get(CONNECT_ACCOUNT_HEADER);
    const tenantId = request.headers.get(TENANT_HEADER)?.trim() ?? null;
    if (connectedAccountId !== null) {
      if (!actor) throw unauthenticated(`${CONNECT_ACCOUNT_HEADER} needs the platform's API key.`);
      const acting = await actOnBehalf(prisma, deps.callerCaches.accounts, actor.keyScope, connectedAccountId.trim(), tenantId);
      actor = { ...actor, actingScope: acting.scope, actingAs: acting.account, grantedScopes: acting.grantedScopes };
    } else if (tenantId !== null && actor && tenantId !== actor.keyScope.tenantId) {
      throw forbidden(`${TENANT_HEADER} names another tenant than the API key's: a key acts in its own tenant.`);
    }

    return {
      requestId,
      log,
      clock,
      config,
      db: scopeToTenant(prisma, actor ? confinementOf(actor) : nowhere),
      crossTenant,
      actor,
      isAdmin,
      keyRing: deps.keyRing,
      rateLimits: deps.rateLimits,
      clientAddress: clientAddressOf(request),
    };
  }
}

/** What the actor may see: the tenant it acts in, and its organization's other tenants only with its own key. */
function confinementOf(actor: Actor): TenantScope {
  return actor.actingAs === null ? { ...actor.actingScope, organizationWide: true } : { ...actor.actingScope, actingForAccountId: actor.actingAs.id };
}

/** The actor of a field that the `apiKey` scope already guards. */
export function actorOf(context: Context): Actor {
  if (!context.actor) throw unauthenticated('A valid API key is required.');
  return context.actor;
}
