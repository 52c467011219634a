// The authorization side of the OAuth 2.0 code flow with PKCE (RFC 6749 §4.1, RFC 7636): checking the
// request, the signed-in user's consent, and the single-use code sent back to the platform.
import { randomBase62, sha256Hex } from '../../crypto/tokens.ts';
import type { Prisma } from '../../db/database.ts';
import type { OAuthAuthorization, Prisma as PrismaTypes, User } from '../../generated/prisma/client.ts';
import { newId } from '../../core/ids.ts';
import { platformBrand, type Brand } from '../platform/branding.ts';
import { findOAuthClient } from './client-settings.ts';
import { parseScopeParameter, type GrantScope } from '../../auth/grant-scopes.ts';

const CONSENT_TTL_MS = 10 * 60 * 1000;
/** Codes are exchanged by the platform's server right after the redirect: a minute is plenty. */
const CODE_TTL_MS = 60 * 1000;
const CODE_LENGTH = 43;
const MAX_STATE_LENGTH = 500;
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** A problem shown to the user: the client or redirect URI cannot be trusted, so nothing is redirected. */
export class OAuthPageError extends Error {}

/** A problem reported to the platform by redirecting back with `error` (RFC 6749 §4.1.2.1). */
export class OAuthRedirectError extends Error {
  constructor(
    readonly location: string,
    message: string,
  ) {
    super(message);
  }
}

/** A consent form to show again, with what was wrong. */
export class ConsentFormError extends Error {}

export interface AuthorizationRequest {
  platformOrganizationId: string;
  brand: Brand;
  clientId: string;
  redirectUri: string;
  scopes: GrantScope[];
  state: string | null;
  codeChallenge: string;
}

/** The platform's redirect URI with the response parameters (and the client's state) added. */
export function redirectWith(redirectUri: string, parameters: Record<string, string>, state: string | null): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  if (state !== null) url.searchParams.set('state', state);
  return url.href;
}

/** The query of `GET /oauth/authorize` (or the same fields posted back by the sign-in form), checked. */
export async function readAuthorizationRequest(prisma: Prisma, parameters: URLSearchParams): Promise<AuthorizationRequest> {
  const clientId = parameters.get('client_id') ?? '';
  const platform = clientId ? await findOAuthClient(prisma, clientId) : null;
  if (!platform) throw new OAuthPageError('This link does not come from a known platform (unknown client_id).');
  const redirectUri = parameters.get('redirect_uri') ?? '';
  if (!platform.oauthRedirectUris.includes(redirectUri)) {
    throw new OAuthPageError('The redirect_uri is not one the platform registered: nothing was sent back to it.');
  }
  const rawState = parameters.get('state');
  const state = rawState === null ? null : rawState.slice(0, MAX_STATE_LENGTH);
  const refuse = (error: string, description: string) =>
    new OAuthRedirectError(redirectWith(redirectUri, { error, error_description: description }, state), description);

  if (parameters.get('response_type') !== 'code') throw refuse('unsupported_response_type', 'response_type must be code.');
  const scopes = parseScopeParameter(parameters.get('scope'));
  if (!scopes) throw refuse('invalid_scope', 'scope must list known scopes, such as connections:read.');
  const codeChallenge = parameters.get('code_challenge') ?? '';
  if (parameters.get('code_challenge_method') !== 'S256' || !PKCE_CHALLENGE.test(codeChallenge)) {
    throw refuse('invalid_request', 'PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256.');
  }
  return {
    platformOrganizationId: platform.organizationId,
    brand: await platformBrand(prisma, platform.organizationId),
    clientId,
    redirectUri,
    scopes,
    state,
    codeChallenge,
  };
}

/** The query of `/oauth/authorize` that starts this request again, for someone else to sign in ("not you?"). */
export function restartQuery(
  request: Pick<AuthorizationRequest, 'clientId' | 'redirectUri' | 'state' | 'codeChallenge'> & { scopes: readonly string[] },
): string {
  const query = new URLSearchParams({
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scopes.join(' '),
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  });
  if (request.state !== null) query.set('state', request.state);
  return query.toString();
}

/** Who signed in on a pending consent, and the query that starts it again as someone else. */
export async function consentSigner(prisma: Prisma, authorization: OAuthAuthorization) {
  const [user, platform] = await Promise.all([
    prisma.user.findUniqueOrThrow({ where: { id: authorization.userId }, select: { email: true } }),
    prisma.connectPlatform.findUniqueOrThrow({
      where: { organizationId: authorization.platformOrganizationId },
      select: { oauthClientId: true },
    }),
  ]);
  const request = {
    clientId: platform.oauthClientId ?? '',
    redirectUri: authorization.redirectUri,
    scopes: authorization.requestedScopes,
    state: authorization.state,
    codeChallenge: authorization.codeChallenge,
  };
  return { email: user.email, restartQuery: restartQuery(request) };
}

/** The organizations a user owns, with their tenants: what the user may grant. */
export async function ownedOrganizations(prisma: Prisma, userId: string) {
  return prisma.organization.findMany({
    where: { members: { some: { userId, role: 'OWNER' } } },
    select: { id: true, name: true, tenants: { select: { id: true, name: true, environment: true }, orderBy: { createdAt: 'asc' } } },
    orderBy: { createdAt: 'asc' },
  });
}

export type OwnedOrganization = Awaited<ReturnType<typeof ownedOrganizations>>[number];

/** After sign-in: a consent token that only the consent page holds, and the organizations to choose from. */
export async function startConsent(prisma: Prisma, request: AuthorizationRequest, user: User, now: Date) {
  const organizations = await ownedOrganizations(prisma, user.id);
  if (organizations.length === 0) {
    throw new OAuthPageError(`You own no organization that could be connected to ${request.brand.name}.`);
  }
  const consentToken = randomBase62(CODE_LENGTH);
  await prisma.oAuthAuthorization.create({
    data: {
      id: newId('OAuthAuthorization'),
      platformOrganizationId: request.platformOrganizationId,
      userId: user.id,
      redirectUri: request.redirectUri,
      requestedScopes: request.scopes,
      state: request.state,
      codeChallenge: request.codeChallenge,
      consentTokenHash: sha256Hex(consentToken),
      consentExpiresAt: new Date(now.getTime() + CONSENT_TTL_MS),
    },
  });
  return { consentToken, organizations };
}

export interface ConsentDecision {
  consentToken: string;
  approve: boolean;
  organizationId: string;
  tenantIds: string[];
}

/** The authorization a consent form belongs to, while it can still be decided. */
export async function pendingConsent(prisma: Prisma, consentToken: string, now: Date) {
  const authorization = /^[0-9A-Za-z]{43}$/.test(consentToken)
    ? await prisma.oAuthAuthorization.findUnique({ where: { consentTokenHash: sha256Hex(consentToken) } })
    : null;
  if (!authorization || authorization.decidedAt || authorization.consentExpiresAt.getTime() <= now.getTime()) {
    throw new OAuthPageError('This consent page has expired or was already answered: start again from the platform.');
  }
  return authorization;
}

/** Approves (a code) or denies (`access_denied`); either way, where the browser goes next. */
export async function decideConsent(prisma: Prisma, decision: ConsentDecision, now: Date): Promise<string> {
  const authorization = await pendingConsent(prisma, decision.consentToken, now);
  const decide = async (data: PrismaTypes.OAuthAuthorizationUpdateManyMutationInput) => {
    const claimed = await prisma.oAuthAuthorization.updateMany({
      where: { id: authorization.id, decidedAt: null },
      data: { decidedAt: now, ...data },
    });
    if (claimed.count === 0) throw new OAuthPageError('This consent page was already answered: start again from the platform.');
  };
  if (!decision.approve) {
    await decide({});
    return redirectWith(
      authorization.redirectUri,
      { error: 'access_denied', error_description: 'The user denied the request.' },
      authorization.state,
    );
  }
  const organization = (await ownedOrganizations(prisma, authorization.userId)).find((owned) => owned.id === decision.organizationId);
  if (!organization) throw new ConsentFormError('Choose one of your organizations.');
  const tenantIds = [...new Set(decision.tenantIds)];
  if (tenantIds.length === 0 || !tenantIds.every((id) => organization.tenants.some((tenant) => tenant.id === id))) {
    throw new ConsentFormError(`Choose at least one tenant of ${organization.name} to grant.`);
  }
  const code = randomBase62(CODE_LENGTH);
  await decide({
    connectedOrganizationId: organization.id,
    grantedTenantIds: tenantIds,
    codeHash: sha256Hex(code),
    codeExpiresAt: new Date(now.getTime() + CODE_TTL_MS),
  });
  return redirectWith(authorization.redirectUri, { code }, authorization.state);
}
