// The account session as a caller: `Authorization: Bearer acs_secret_…` from a platform's page. It
// acts as its platform acting for its one account (an ACTIVE one's tenant), or, for a PENDING account
// being onboarded, in no tenant at all (only its own fields work then). Its components limit what it
// may run (./session-components.ts, checked by src/graphql/session-gate.ts). Called by resolveActor.
import { nowhere } from '../db/tenant-scope.ts';
import type { Actor } from './actor.ts';
import { actOnBehalf, CONNECT_ACCOUNT_HEADER, findAccount, TENANT_HEADER } from './acting-on-behalf.ts';
import { clientAddressOf } from './client-address.ts';
import { PresentedApiKey } from './presented-api-key.ts';
import { forbidden, requestError } from './request-errors.ts';
import type { ActorDependencies } from './resolve-actor.ts';
import { authenticateSession, type AuthenticatedSession } from './session-authentication.ts';
import { usableComponents } from './session-components.ts';
import { platformOrigins } from './session-origins.ts';

/** 401: the page's component asks its platform for a new client secret (fetchClientSecret). */
export const sessionEnded = () =>
  requestError(
    'UNAUTHENTICATED',
    401,
    'The account session has ended (expired, revoked, its account or its key changed, or it was never valid): fetch a new client secret.',
    { sessionEnded: true },
  );

export const originNotAllowed = (origin: string | null) =>
  requestError(
    'ORIGIN_NOT_ALLOWED',
    403,
    origin === null
      ? 'An account session is used from a browser page: the request has no Origin.'
      : `The origin ${origin} is not among the platform's allowedOrigins.`,
  );

/**
 * The request's session, looked up once: the CORS step needs it before the actor is resolved, and a
 * secret that names no session is not cached, so without this each such request read it twice.
 */
const sessionLookups = new WeakMap<Request, Promise<AuthenticatedSession | null>>();
function sessionOf(request: Request, secret: string, now: Date, deps: Pick<ActorDependencies, 'prisma' | 'callerCaches'>) {
  let lookup = sessionLookups.get(request);
  if (!lookup) {
    lookup = authenticateSession(deps.prisma, deps.callerCaches.sessions, secret, now);
    sessionLookups.set(request, lookup);
  }
  return lookup;
}

export async function resolveSessionActor(request: Request, secret: string, now: Date, deps: ActorDependencies): Promise<Actor> {
  const { headers } = request;
  if (headers.has(CONNECT_ACCOUNT_HEADER) || headers.has(TENANT_HEADER)) {
    throw forbidden(`An account session acts for its own account only: send neither ${CONNECT_ACCOUNT_HEADER} nor ${TENANT_HEADER}.`);
  }
  const session = await deps.rateLimits.authenticatingKey(clientAddressOf(request), () => sessionOf(request, secret, now, deps));
  if (!session) throw sessionEnded();
  const platform = session.keyScope.organizationId;

  // The page's origin, as the browser sends it (a page cannot forge it): one its platform allows.
  const origin = headers.get('origin');
  const origins = await platformOrigins(deps.prisma, deps.callerCaches.origins);
  if (origin === null || !origins.byPlatform.get(platform)?.has(origin)) throw originNotAllowed(origin);

  await deps.rateLimits.takeSessionRequest({ sessionId: session.id, organizationId: platform });

  const account = await findAccount(deps.prisma, deps.callerCaches.accounts, session.connectedAccountId);
  const components = account ? usableComponents(session.components, account) : [];
  // Suspended, revoked, or past what its components are for (an onboarding-only session once ACTIVE).
  if (!account || components.length === 0) throw sessionEnded();

  const base = {
    apiKeyId: session.mintedByApiKeyId,
    // The session's secret stands where a key's would: idempotency keys and a subscription's watch use its hash.
    apiKey: new PresentedApiKey(secret),
    keyScope: session.keyScope,
    subAccountId: null,
    accountableOrganizationId: platform,
    grantedScopes: null,
    now,
    session: {
      id: session.id,
      components: session.components,
      usableComponents: components,
      connectedAccountId: account.id,
      mintedByApiKeyId: session.mintedByApiKeyId,
      expiresAt: session.expiresAt,
    },
  };
  if (account.status !== 'ACTIVE') return { ...base, actingScope: nowhere, actingAs: account };
  const acting = await actOnBehalf(deps.prisma, deps.callerCaches.accounts, session.keyScope, account.id, null);
  return { ...base, actingScope: acting.scope, actingAs: acting.account };
}

/** For CORS on an actual request: the origins the session's platform allows, or null for no live session. */
export async function originsOfSession(
  deps: Pick<ActorDependencies, 'prisma' | 'callerCaches'>,
  request: Request,
  secret: string,
  now: Date,
) {
  const session = await sessionOf(request, secret, now, deps);
  if (!session) return null;
  return (await platformOrigins(deps.prisma, deps.callerCaches.origins)).byPlatform.get(session.keyScope.organizationId) ?? null;
}

/** For CORS on a preflight: every origin some platform allows. */
export const anySessionOrigin = async (deps: Pick<ActorDependencies, 'prisma' | 'callerCaches'>) =>
  (await platformOrigins(deps.prisma, deps.callerCaches.origins)).any;
