// Who is asking. The context factory is the one place that decides it for every request: which
// API key, which organization and tenant the request acts in, and the database client confined
// to that tenant.
import type { YogaInitialContext } from 'graphql-yoga';
import { authenticateApiKey } from '../api-keys/authenticate.ts';
import { actOnBehalf, CONNECT_ACCOUNT_HEADER, TENANT_HEADER } from '../connected-accounts/acting.ts';
import type { ConnectedAccount } from '../generated/prisma/client.ts';
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
import { RateLimiter } from '../http/rate-limit.ts';
import type { CallerCaches } from './caller-caches.ts';
import type { GrantScope } from '../oauth/scopes.ts';
import { crossTenantAccess, type CrossTenant } from '../auth/cross-tenant.ts';

export interface Caller {
  apiKeyId: string;
  /** The organization and tenant the key belongs to. */
  keyScope: TenantScope;
  /** The organization and tenant this request reads and writes in. */
  actingScope: TenantScope;
  /** The sub-account the key belongs to: it manages itself, never Connect or other accounts. */
  subAccountId: string | null;
  /** The connected account the request acts for, when it carries the connect header. */
  actingAs: ConnectedAccount | null;
  /** Acting for a STANDARD account: the scopes its organization granted. Null: no such limit. */
  grantedScopes: GrantScope[] | null;
}

export interface Context {
  requestId: string;
  log: Logger;
  clock: Clock;
  config: Config;
  /** Confined to what the caller may see (src/db/tenant-scope.ts); everything a resolver reads or writes goes through it. */
  db: TenantDb;
  /** The unconfined client, for the named flows that cross tenants by design, and nothing else. */
  crossTenant: CrossTenant;
  caller: Caller | null;
  /** The request carries the right `x-admin-secret` (only `createOrganization` looks at it). */
  isAdmin: boolean;
  keyRing: KeyRing;
}

export interface ContextDependencies {
  config: Config;
  prisma: Prisma;
  log: Logger;
  clock: Clock;
  keyRing: KeyRing;
  isReady: () => boolean;
  callerCaches: CallerCaches;
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
  const rateLimiter = new RateLimiter(config.rateLimit, clock);
  return async (initial: YogaInitialContext): Promise<Context> => {
    try {
      return await buildContext(initial);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw databaseUnavailable();
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
    let caller: Caller | null = null;
    if (secret !== undefined) {
      const key = await authenticateApiKey(prisma, deps.callerCaches.keys, secret, clock.now());
      if (!key) throw unauthenticated('The API key is unknown, revoked or malformed.');
      rateLimiter.take(key.apiKeyId);
      caller = {
        apiKeyId: key.apiKeyId,
        keyScope: key.scope,
        actingScope: key.scope,
        subAccountId: key.subAccountId,
        actingAs: null,
        grantedScopes: null,
      };
    }

    // The one place where the acting tenant switches to a connected account's.
    const connectedAccountId = request.headers.get(CONNECT_ACCOUNT_HEADER);
    const tenantId = request.headers.get(TENANT_HEADER)?.trim() ?? null;
    if (connectedAccountId !== null) {
      if (!caller) throw unauthenticated(`${CONNECT_ACCOUNT_HEADER} needs the platform's API key.`);
      const acting = await actOnBehalf(prisma, deps.callerCaches.accounts, caller.keyScope, connectedAccountId.trim(), tenantId);
      caller = { ...caller, actingScope: acting.scope, actingAs: acting.account, grantedScopes: acting.grantedScopes };
    } else if (tenantId !== null && caller && tenantId !== caller.keyScope.tenantId) {
      throw forbidden(`${TENANT_HEADER} names another tenant than the API key's: a key acts in its own tenant.`);
    }

    return {
      requestId,
      log,
      clock,
      config,
      db: scopeToTenant(prisma, caller ? confinementOf(caller) : nowhere),
      crossTenant,
      caller,
      isAdmin,
      keyRing: deps.keyRing,
    };
  }
}

/** What the caller may see: the tenant it acts in, and its organization's other tenants only with its own key. */
function confinementOf(caller: Caller): TenantScope {
  return caller.actingAs === null ? { ...caller.actingScope, organizationWide: true } : { ...caller.actingScope, actingForAccountId: caller.actingAs.id };
}

/** The caller of a field that the `apiKey` scope already guards. */
export function callerOf(context: Context): Caller {
  if (!context.caller) throw unauthenticated('A valid API key is required.');
  return context.caller;
}
