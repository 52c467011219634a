// Who is asking, from a request: the API key (cached, rate limited), then the switch to a connected
// account's organization and tenant when the connect header names one. The context factory calls
// this once per request; nothing else reads these headers.
import type { Prisma } from '../db/database.ts';
import type { TenantScope } from '../db/tenant-scope.ts';
import { CONNECT_PRODUCTION_ONLY, forbidden, subAccountDeactivated, unauthenticated } from './request-errors.ts';
import { actOnBehalf, CONNECT_ACCOUNT_HEADER, TENANT_HEADER } from './acting-on-behalf.ts';
import type { Actor } from './actor.ts';
import { authenticateApiKey } from './api-key-authentication.ts';
import type { CallerCaches } from './caller-caches.ts';
import { PresentedApiKey } from './presented-api-key.ts';
import { claimsToBeSession } from './account-session-secrets.ts';
import { resolveSessionActor } from './session-caller.ts';
import { clientAddressOf } from './client-address.ts';
import type { RateLimits } from './rate-limits.ts';

export interface ActorDependencies {
  prisma: Prisma;
  callerCaches: CallerCaches;
  rateLimits: RateLimits;
}

function presentedApiKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw unauthenticated('Malformed Authorization header: expected "Bearer <api key>" or "Bearer <client secret>".');
    return match[1];
  }
  return headers.get('x-api-key') ?? undefined;
}

/** The actor of the request, or null when it presents no API key nor session (public and admin fields only). */
export async function resolveActor(request: Request, now: Date, deps: ActorDependencies): Promise<Actor | null> {
  const secret = presentedApiKey(request.headers);
  const connectedAccountId = request.headers.get(CONNECT_ACCOUNT_HEADER);
  const tenantId = request.headers.get(TENANT_HEADER)?.trim() ?? null;
  if (secret === undefined) {
    if (connectedAccountId !== null) throw unauthenticated(`${CONNECT_ACCOUNT_HEADER} needs the platform's API key.`);
    return null;
  }
  if (claimsToBeSession(secret)) return resolveSessionActor(request, secret, now, deps);
  const key = await deps.rateLimits.authenticatingKey(clientAddressOf(request), () =>
    authenticateApiKey(deps.prisma, deps.callerCaches.keys, secret, now),
  );
  if (!key) throw unauthenticated('The API key is unknown, revoked or malformed.');
  if (key.subAccountDeactivated) throw subAccountDeactivated();
  await deps.rateLimits.takeApiKeyRequest({ apiKeyId: key.apiKeyId, organizationId: key.accountableOrganizationId });
  const own: Actor = {
    apiKeyId: key.apiKeyId,
    apiKey: new PresentedApiKey(secret),
    keyScope: key.scope,
    actingScope: key.scope,
    subAccountId: key.subAccountId,
    accountableOrganizationId: key.accountableOrganizationId,
    actingAs: null,
    grantedScopes: null,
    now,
    session: null,
  };
  if (connectedAccountId === null) {
    if (tenantId !== null && tenantId !== key.scope.tenantId) {
      throw forbidden(`${TENANT_HEADER} names another tenant than the API key's: a key acts in its own tenant.`);
    }
    return own;
  }
  // Refused before the account is looked up: a sandbox key learns nothing of which ids exist.
  if (key.scope.environment !== 'PRODUCTION')
    throw forbidden(`${CONNECT_PRODUCTION_ONLY} A sandbox key cannot send ${CONNECT_ACCOUNT_HEADER}.`);
  // The one place where the acting tenant switches to a connected account's.
  const acting = await actOnBehalf(deps.prisma, deps.callerCaches.accounts, key.scope, connectedAccountId.trim(), tenantId);
  return { ...own, actingScope: acting.scope, actingAs: acting.account, grantedScopes: acting.grantedScopes };
}

/** What the actor may see: the tenant it acts in, and its organization's other tenants only with its own key. */
export function confinementOf(actor: Actor): TenantScope {
  return actor.actingAs === null
    ? { ...actor.actingScope, organizationWide: true }
    : { ...actor.actingScope, actingForAccountId: actor.actingAs.id };
}
