// HTTP for the OAuth flow: the authorization and consent pages a user's browser sees, and the token
// endpoint the platform's server calls.
import type { Clock } from '../core/clock.ts';
import type { Prisma } from '../db/database.ts';
import { platformBrand } from '../connect/platform/branding.ts';
import { readForm, seeOther } from './html.ts';
import { messagePage, type PageRoute } from './page-routes.ts';
import { clientAddressOf } from '../auth/client-address.ts';
import { RateLimitExceededError, type RateLimits } from '../auth/rate-limits.ts';
import { countingFailedLookups } from '../auth/token-lookups.ts';
import { INVALID_CREDENTIALS_MESSAGE, refusedSignInPage, signIn, signInRefusalOf } from '../auth/sign-in.ts';
import {
  ConsentFormError,
  consentSigner,
  decideConsent,
  OAuthPageError,
  OAuthRedirectError,
  ownedOrganizations,
  pendingConsent,
  readAuthorizationRequest,
  restartQuery,
  startConsent,
} from '../connect/oauth/authorize.ts';
import { consentPage, signInPage } from './oauth-pages.ts';
import { isGrantScope } from '../auth/grant-scopes.ts';
import { exchangeCode, OAuthTokenError, type TokenRequest } from '../connect/oauth/token.ts';

interface Dependencies {
  prisma: Prisma;
  clock: Clock;
  rateLimits: RateLimits;
}

/** The expected failures of the browser side: a page for the user, or a redirect back to the platform. */
async function answeringFailures(action: () => Promise<Response>): Promise<Response> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof OAuthRedirectError) return seeOther(error.location);
    if (error instanceof OAuthPageError) return messagePage('Cannot connect', error.message, null, 400);
    throw error;
  }
}

const badForm = () => messagePage('Cannot connect', 'The form could not be read.', null, 400);

function tokenResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...headers } });
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or from the body. */
function tokenRequestOf(request: Request, form: URLSearchParams): TokenRequest {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const credentials = basic ? Buffer.from(basic, 'base64').toString('utf8') : null;
  const separator = credentials?.indexOf(':') ?? -1;
  const formDecoded = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part; // not percent-encoded after all: compared as given, so a wrong secret stays wrong
    }
  };
  const [basicId, basicSecret] =
    credentials && separator >= 0 ? [formDecoded(credentials.slice(0, separator)), formDecoded(credentials.slice(separator + 1))] : [];
  return {
    grantType: form.get('grant_type'),
    code: form.get('code'),
    redirectUri: form.get('redirect_uri'),
    clientId: basicId ?? form.get('client_id'),
    clientSecret: basicSecret ?? form.get('client_secret'),
    codeVerifier: form.get('code_verifier'),
  };
}

/**
 * Lookups that found no client (or none with that redirect_uri), consent or code to use, or a wrong
 * client secret: counted against the client's limit of unknown tokens (src/auth/token-lookups.ts).
 */
const isPageFailure = (error: unknown) => error instanceof OAuthPageError;
const isTokenFailure = (error: unknown) =>
  error instanceof OAuthTokenError && (error.error === 'invalid_client' || error.error === 'invalid_grant');

export function oauthRoutes({ prisma, clock, rateLimits }: Dependencies): PageRoute[] {
  const sourceOf = (request: Request) => ({ limits: rateLimits, client: clientAddressOf(request) });
  const authorizationRequest = (request: Request, parameters: URLSearchParams) =>
    countingFailedLookups(sourceOf(request), () => readAuthorizationRequest(prisma, parameters), isPageFailure);

  return [
    {
      method: 'GET',
      path: /^\/oauth\/authorize$/,
      handle: (request) =>
        answeringFailures(async () => {
          const parameters = new URL(request.url).searchParams;
          return signInPage(await authorizationRequest(request, parameters), parameters, null);
        }),
    },
    {
      method: 'POST',
      path: /^\/oauth\/authorize$/,
      browserForm: true,
      handle: (request) =>
        answeringFailures(async () => {
          const form = await readForm(request);
          if (!form) return badForm();
          const authorization = await authorizationRequest(request, form);
          const credentials = { email: form.get('email') ?? '', password: form.get('password') ?? '', client: clientAddressOf(request) };
          let user: Awaited<ReturnType<typeof signIn>>;
          try {
            user = await signIn(prisma, rateLimits, credentials);
          } catch (error) {
            const refusal = signInRefusalOf(error);
            if (!refusal) throw error;
            return refusedSignInPage(refusal, signInPage(authorization, form, refusal.message));
          }
          if (!user) return signInPage(authorization, form, INVALID_CREDENTIALS_MESSAGE);
          const { consentToken, organizations } = await startConsent(prisma, authorization, user, clock.now());
          const signedIn = { email: user.email, restartQuery: restartQuery(authorization) };
          return consentPage({ brand: authorization.brand, scopes: authorization.scopes, consentToken, organizations, signedIn }, null);
        }),
    },
    {
      method: 'POST',
      path: /^\/oauth\/consent$/,
      browserForm: true,
      handle: (request) =>
        answeringFailures(async () => {
          const form = await readForm(request);
          if (!form) return badForm();
          const consentToken = form.get('consent_token') ?? '';
          try {
            const decision = {
              consentToken,
              approve: form.get('decision') === 'approve',
              organizationId: form.get('organization_id') ?? '',
              tenantIds: form.getAll('tenant_id'),
            };
            const decide = () => decideConsent(prisma, decision, clock.now());
            return seeOther(await countingFailedLookups(sourceOf(request), decide, isPageFailure));
          } catch (error) {
            if (!(error instanceof ConsentFormError)) throw error;
            const authorization = await pendingConsent(prisma, consentToken, clock.now());
            return consentPage(
              {
                brand: await platformBrand(prisma, authorization.platformOrganizationId),
                scopes: authorization.requestedScopes.filter(isGrantScope),
                consentToken,
                organizations: await ownedOrganizations(prisma, authorization.userId),
                signedIn: await consentSigner(prisma, authorization),
              },
              error.message,
            );
          }
        }),
    },
    {
      method: 'POST',
      path: /^\/oauth\/token$/,
      handle: async (request) => {
        const form = await readForm(request);
        if (!form) return tokenResponse(400, { error: 'invalid_request', error_description: 'Send application/x-www-form-urlencoded.' });
        try {
          const exchange = () => exchangeCode(prisma, tokenRequestOf(request, form), clock.now());
          return tokenResponse(200, await countingFailedLookups(sourceOf(request), exchange, isTokenFailure));
        } catch (error) {
          if (error instanceof RateLimitExceededError) {
            const body = { error: 'rate_limited', error_description: error.message };
            return tokenResponse(429, body, { 'retry-after': String(error.retryAfterSeconds) });
          }
          if (!(error instanceof OAuthTokenError)) throw error;
          const body = { error: error.error, error_description: error.message };
          return error.error === 'invalid_client'
            ? tokenResponse(401, body, { 'www-authenticate': 'Basic realm="connect"' })
            : tokenResponse(400, body);
        }
      },
    },
  ];
}
