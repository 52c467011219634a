// Givens for STANDARD accounts: a platform with an OAuth client, an organization with an owner who
// can sign in, and the browser's and the platform server's sides of the OAuth code flow over HTTP.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ConfigureConnectOAuthDocument, CreateOrganizationDocument, CreateTenantDocument } from '../../generated/graphql.ts';
import { givenConnectPlatform } from './connect.ts';
import type { OrganizationFixture } from './organizations.ts';
import { ADMIN_SECRET, withKey, type TestServer } from '../server.ts';

export const OAUTH_REDIRECT_URI = 'https://platform.example/oauth/callback';
export const OWNER_PASSWORD = 'owner password 123';

export interface OAuthPlatform extends OrganizationFixture {
  clientId: string;
  clientSecret: string;
}

export async function givenOAuthPlatform(server: TestServer, name = 'Acme Platform'): Promise<OAuthPlatform> {
  const platform = await givenConnectPlatform(server, name);
  const response = await server.request(
    ConfigureConnectOAuthDocument,
    { input: { redirectUris: [OAUTH_REDIRECT_URI] } },
    withKey(platform.apiKey),
  );
  const result = response.data?.configureConnectOAuth;
  if (result?.__typename !== 'ConfigureConnectOAuthPayload' || !result.clientSecret || !result.connectPlatform.oauthClientId) {
    return expect.fail(JSON.stringify(response));
  }
  return { ...platform, clientId: result.connectPlatform.oauthClientId, clientSecret: result.clientSecret };
}

let owners = 0;

/** An organization with an owner, and a second tenant (SANDBOX) so grants can pick. */
export async function givenOwnedOrganization(server: TestServer) {
  owners += 1;
  const email = `owner${owners}-${randomBytes(3).toString('hex')}@merchant.example`;
  const response = await server.request(
    CreateOrganizationDocument,
    { input: { name: `Merchant ${owners}`, country: 'DE', owner: { email, password: OWNER_PASSWORD } } },
    { 'x-admin-secret': ADMIN_SECRET },
  );
  const result = response.data?.createOrganization;
  if (result?.__typename !== 'CreateOrganizationPayload') return expect.fail(JSON.stringify(response));
  const apiKey = result.apiKey.secret ?? expect.fail('no key');
  const sandbox = await server.request(CreateTenantDocument, { input: { name: 'Sandbox', environment: 'SANDBOX' } }, withKey(apiKey));
  const created = sandbox.data?.createTenant;
  if (created?.__typename !== 'CreateTenantPayload') return expect.fail(JSON.stringify(sandbox));
  return {
    email,
    organizationId: result.organization.id,
    tenantId: result.tenant.id,
    sandboxTenantId: created.tenant.id,
    apiKey,
  };
}

export type OwnedOrganization = Awaited<ReturnType<typeof givenOwnedOrganization>>;

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeQuery(platform: OAuthPlatform, overrides: Record<string, string | null> = {}) {
  const parameters: Record<string, string | null> = {
    client_id: platform.clientId,
    redirect_uri: OAUTH_REDIRECT_URI,
    response_type: 'code',
    scope: 'connections:read connections:write',
    state: 'st-42',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  return new URLSearchParams(Object.entries(parameters).flatMap(([name, value]) => (value === null ? [] : [[name, value]])));
}

const form = (fields: [string, string][]) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** The consent page after signing in, and the consent token it holds. */
export async function signInForConsent(server: TestServer, query: URLSearchParams, email: string, password = OWNER_PASSWORD) {
  const response = await server.fetch('/oauth/authorize', form([...query.entries(), ['email', email], ['password', password]]));
  const page = await response.text();
  return { response, page, consentToken: /name="consent_token" value="([^"]+)"/.exec(page)?.[1] ?? null };
}

export async function decideConsent(
  server: TestServer,
  consentToken: string,
  decision: 'approve' | 'deny',
  organizationId: string,
  tenantIds: string[],
) {
  return server.fetch(
    '/oauth/consent',
    form([
      ['consent_token', consentToken],
      ['decision', decision],
      ['organization_id', organizationId],
      ...tenantIds.map((id): [string, string] => ['tenant_id', id]),
    ]),
  );
}

export async function exchange(
  server: TestServer,
  platform: OAuthPlatform,
  code: string,
  verifier: string,
  overrides: Record<string, string> = {},
) {
  const response = await server.fetch(
    '/oauth/token',
    form(
      Object.entries({
        grant_type: 'authorization_code',
        code,
        redirect_uri: OAUTH_REDIRECT_URI,
        client_id: platform.clientId,
        client_secret: platform.clientSecret,
        code_verifier: verifier,
        ...overrides,
      }),
    ),
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** The whole browser side, approved: the code the platform receives on its redirect URI. */
export async function approvedCode(
  server: TestServer,
  platform: OAuthPlatform,
  owner: OwnedOrganization,
  options: { scope?: string; tenantIds?: string[] } = {},
) {
  const { verifier, challenge } = pkcePair();
  const query = authorizeQuery(platform, { code_challenge: challenge, ...(options.scope ? { scope: options.scope } : {}) });
  const { consentToken } = await signInForConsent(server, query, owner.email);
  const decided = await decideConsent(
    server,
    consentToken ?? expect.fail('no consent page'),
    'approve',
    owner.organizationId,
    options.tenantIds ?? [owner.tenantId],
  );
  expect(decided.status).toBe(303);
  const location = new URL(decided.headers.get('location') ?? expect.fail('no redirect'));
  return { code: location.searchParams.get('code') ?? expect.fail(`no code in ${location.href}`), verifier, location };
}

/** A STANDARD account granted by `owner` to `platform`, and the headers that act for it in one tenant. */
export async function givenStandardAccount(
  server: TestServer,
  platform: OAuthPlatform,
  owner: OwnedOrganization,
  options: { scope?: string; tenantIds?: string[] } = {},
) {
  const { code, verifier } = await approvedCode(server, platform, owner, options);
  const token = await exchange(server, platform, code, verifier);
  expect(token.status, JSON.stringify(token.body)).toBe(200);
  const accountId = String(token.body.connected_account_id);
  return {
    accountId,
    token: token.body,
    actingIn: (tenantId: string) => ({
      ...withKey(platform.apiKey),
      'x-meteroid-connect-account': accountId,
      'x-meteroid-tenant': tenantId,
    }),
  };
}
