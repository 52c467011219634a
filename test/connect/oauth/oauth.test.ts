// STANDARD connected accounts: an organization's owner grants a platform scoped access through the
// OAuth 2.0 code flow with PKCE; the platform then acts with its own key and the connect and tenant
// headers, within the granted scopes, until either side revokes.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  ActingViewerDocument,
  ConfigureConnectOAuthDocument,
  ApiKeysDocument,
  ConnectedPlatformsDocument,
  ConnectionsDocument,
  CreateConnectionDocument,
  DisconnectPlatformDocument,
  RevokeConnectedAccountDocument,
  StandardAccountDocument,
  SubAccountsDocument,
  type CreateConnectionInput,
} from '../../generated/graphql.ts';
import { givenOrganization } from '../../support/givens/organizations.ts';
import {
  approvedCode,
  authorizeQuery,
  decideConsent,
  exchange,
  givenOAuthPlatform,
  givenOwnedOrganization,
  type givenStandardAccount,
  OAUTH_REDIRECT_URI,
  pkcePair,
  signInForConsent,
  type OwnedOrganization,
} from '../../support/givens/oauth.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.oauthPlatform('Consent Platform');
  return { platform };
});

const s3Connection: CreateConnectionInput = {
  name: 'Exports',
  providerType: 'S3',
  secrets: { s3: { awsAccessKeyId: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'aws-secret-example-0001' } },
};

const redirectParameters = (response: Response) => new URL(response.headers.get('location') ?? expect.fail('no redirect')).searchParams;

describe('the OAuth client settings', () => {
  test('accept only https redirect URIs (http on loopback), without fragments, and need Connect enabled', async () => {
    const configure = (redirectUris: string[], key = world.platform.apiKey) =>
      world.server.request(ConfigureConnectOAuthDocument, { input: { redirectUris } }, withKey(key));
    const bad = await configure(['https://ok.example/cb', 'http://platform.example/cb', 'https://platform.example/cb#frag']);
    expect(bad.data?.configureConnectOAuth).toMatchObject({ code: 'VALIDATION', fields: ['input.redirectUris.1', 'input.redirectUris.2'] });
    expect((await configure([])).data?.configureConnectOAuth).toMatchObject({ code: 'VALIDATION', fields: ['input.redirectUris'] });
    const loopback = await configure(['http://localhost:3000/cb', OAUTH_REDIRECT_URI]);
    expect(loopback.data?.configureConnectOAuth).toMatchObject({
      clientSecret: null,
      connectPlatform: { oauthClientId: world.platform.clientId },
    });

    const notEnabled = await givenOrganization(world.server, 'No Connect');
    expect((await configure([OAUTH_REDIRECT_URI], notEnabled.apiKey)).data?.configureConnectOAuth).toMatchObject({
      code: 'CONNECT_NOT_ENABLED',
    });
  });

  test('rotate the client secret: the previous one stops working at once', async () => {
    const rotating = await givenOAuthPlatform(world.server, 'Rotating Platform');
    const rotated = await world.server.request(
      ConfigureConnectOAuthDocument,
      { input: { redirectUris: [OAUTH_REDIRECT_URI], rotateClientSecret: true } },
      withKey(rotating.apiKey),
    );
    const result = rotated.data?.configureConnectOAuth;
    if (result?.__typename !== 'ConfigureConnectOAuthPayload' || !result.clientSecret) return expect.fail(JSON.stringify(rotated));
    expect(result.clientSecret).not.toBe(rotating.clientSecret);
    const owner = await givenOwnedOrganization(world.server);
    const { code, verifier } = await approvedCode(world.server, rotating, owner);
    expect(await exchange(world.server, rotating, code, verifier)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await exchange(world.server, { ...rotating, clientSecret: result.clientSecret }, code, verifier)).status).toBe(200);
  });
});

describe('the OAuth consent flow', () => {
  test('turns an owner’s consent into an ACTIVE STANDARD account the platform acts for in a granted tenant', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const authorizePage = await world.server.fetch(`/oauth/authorize?${authorizeQuery(world.platform)}`);
    expect(authorizePage.status).toBe(200);
    expect(authorizePage.headers.get('x-frame-options')).toBe('DENY');
    expect(await authorizePage.text()).toContain('Consent Platform asks to connect');

    const { code, verifier, location } = await approvedCode(world.server, world.platform, owner);
    expect(location.origin + location.pathname).toBe(OAUTH_REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('st-42');
    const token = await exchange(world.server, world.platform, code, verifier);
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    expect(token.body).toEqual({
      token_type: 'connected_account',
      connected_account_id: expect.stringMatching(/^cacc_/),
      connected_organization_id: owner.organizationId,
      scope: 'connections:read connections:write',
      tenant_ids: [owner.tenantId],
    });

    const accountId = String(token.body.connected_account_id);
    const account = await world.server.request(StandardAccountDocument, { id: accountId }, withKey(world.platform.apiKey));
    expect(account.data?.connectedAccount).toMatchObject({
      connectionType: 'STANDARD',
      status: 'ACTIVE',
      connectedOrganizationId: owner.organizationId,
      connectedTenantId: null,
      grantedScopes: ['connections:read', 'connections:write'],
      grantedTenantIds: [owner.tenantId],
      events: { nodes: [{ type: 'CONNECTED_BY_CONSENT', toStatus: 'ACTIVE', actorUserId: expect.stringMatching(/^usr_/) }] },
    });

    const headers = { ...world.platform.actingFor(accountId), 'x-meteroid-tenant': owner.tenantId };
    const viewer = await world.server.request(ActingViewerDocument, {}, headers);
    expect(viewer.data?.viewer).toMatchObject({
      organizationId: owner.organizationId,
      tenantId: owner.tenantId,
      actingAs: { id: accountId },
    });
    const created = await world.server.request(CreateConnectionDocument, { input: s3Connection }, headers);
    expect(created.data?.createConnection).toMatchObject({ connection: { tenantId: owner.tenantId } });
    const ownView = await world.server.request(ConnectionsDocument, {}, withKey(owner.apiKey));
    expect(ownView.data?.connections.nodes.map((node) => node.name)).toEqual(['Exports']);
  });

  test('requires PKCE with S256, redirecting the refusal to the platform with its state', async () => {
    const missingPkce: Record<string, string | null>[] = [
      { code_challenge: null },
      { code_challenge_method: 'plain' },
      { code_challenge_method: null },
    ];
    for (const overrides of missingPkce) {
      const response = await world.server.fetch(`/oauth/authorize?${authorizeQuery(world.platform, overrides)}`);
      expect(response.status).toBe(303);
      expect(Object.fromEntries(redirectParameters(response))).toMatchObject({ error: 'invalid_request', state: 'st-42' });
    }
    const unknownScope = await world.server.fetch(
      `/oauth/authorize?${authorizeQuery(world.platform, { scope: 'connections:read admin' })}`,
    );
    expect(redirectParameters(unknownScope).get('error')).toBe('invalid_scope');
  });

  test('refuses a wrong code_verifier without spending the code', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const { code, verifier } = await approvedCode(world.server, world.platform, owner);
    const wrong = await exchange(world.server, world.platform, code, pkcePair().verifier);
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await exchange(world.server, world.platform, code, verifier)).status).toBe(200);
  });

  test('never redirects to an unregistered redirect_uri, and the exchange needs the same one', async () => {
    const page = await world.server.fetch(
      `/oauth/authorize?${authorizeQuery(world.platform, { redirect_uri: 'https://evil.example/cb' })}`,
    );
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).toContain('redirect_uri is not one the platform registered');
    const prefix = await world.server.fetch(
      `/oauth/authorize?${authorizeQuery(world.platform, { redirect_uri: `${OAUTH_REDIRECT_URI}/more` })}`,
    );
    expect(prefix.status).toBe(400);

    const owner = await givenOwnedOrganization(world.server);
    const { code, verifier } = await approvedCode(world.server, world.platform, owner);
    const mismatch = await exchange(world.server, world.platform, code, verifier, { redirect_uri: 'https://platform.example/other' });
    expect(mismatch).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  test('authenticates the client: an unknown client_id is a page, a wrong secret is 401 invalid_client', async () => {
    const page = await world.server.fetch(`/oauth/authorize?${authorizeQuery(world.platform, { client_id: 'cli_unknown' })}`);
    expect(page.status).toBe(400);
    const owner = await givenOwnedOrganization(world.server);
    const { code, verifier } = await approvedCode(world.server, world.platform, owner);
    const wrongSecret = await exchange(world.server, world.platform, code, verifier, { client_secret: `${world.platform.clientSecret}x` });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const otherPlatform = await givenOAuthPlatform(world.server, 'Other Platform');
    const stolen = await exchange(world.server, otherPlatform, code, verifier);
    expect(stolen).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // HTTP Basic, the RFC's preferred way, works as well as the body parameters.
    const basic = await world.server.fetch('/oauth/token', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${world.platform.clientId}:${world.platform.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: OAUTH_REDIRECT_URI,
        code_verifier: verifier,
      }).toString(),
    });
    expect(basic.status).toBe(200);
  });

  test('revokes what a code granted when the code is presented again', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const { code, verifier } = await approvedCode(world.server, world.platform, owner);
    const first = await exchange(world.server, world.platform, code, verifier);
    const accountId = String(first.body.connected_account_id);
    const replay = await exchange(world.server, world.platform, code, verifier);
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const account = await world.server.request(StandardAccountDocument, { id: accountId }, withKey(world.platform.apiKey));
    expect(account.data?.connectedAccount?.status).toBe('REVOKED');
    const acting = await world.server.request(
      ActingViewerDocument,
      {},
      { ...world.platform.actingFor(accountId), 'x-meteroid-tenant': owner.tenantId },
    );
    expect(acting.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'REVOKED' });
  });

  test('sends access_denied back when the owner denies, and the consent page cannot be answered twice', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const { consentToken } = await signInForConsent(world.server, authorizeQuery(world.platform), owner.email);
    const denied = await decideConsent(world.server, consentToken ?? expect.fail('no consent page'), 'deny', owner.organizationId, []);
    expect(denied.status).toBe(303);
    expect(Object.fromEntries(redirectParameters(denied))).toMatchObject({ error: 'access_denied', state: 'st-42' });
    const again = await decideConsent(world.server, consentToken ?? '', 'approve', owner.organizationId, [owner.tenantId]);
    expect(again.status).toBe(400);
  });

  test('lets only an owner with the right password consent, and only to its own tenants', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const wrongPassword = await signInForConsent(world.server, authorizeQuery(world.platform), owner.email, 'not the password');
    expect(wrongPassword.response.status).toBe(401);
    expect(wrongPassword.consentToken).toBeNull();

    const stranger = await givenOwnedOrganization(world.server);
    const { consentToken } = await signInForConsent(world.server, authorizeQuery(world.platform), owner.email);
    const foreignTenant = await decideConsent(
      world.server,
      consentToken ?? expect.fail('no consent page'),
      'approve',
      owner.organizationId,
      [stranger.tenantId],
    );
    expect(foreignTenant.status).toBe(400);
    expect(await foreignTenant.text()).toContain('Choose at least one tenant');
    const foreignOrganization = await decideConsent(world.server, consentToken ?? '', 'approve', stranger.organizationId, [
      stranger.tenantId,
    ]);
    expect(foreignOrganization.status).toBe(400);
  });

  test('lets no one consent for an organization they are only a member of', async () => {
    const member = await world.platform.onboardedUser();
    const { response, page, consentToken } = await signInForConsent(
      world.server,
      authorizeQuery(world.platform),
      member.email,
      member.password,
    );
    expect(response.status).toBe(400);
    expect(page).toContain('You own no organization');
    expect(consentToken).toBeNull();
  });

  test('gives one of two concurrent exchanges of a code the account, and revokes it for the replay', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const { code, verifier } = await approvedCode(world.server, world.platform, owner);
    const answers = await Promise.all([
      exchange(world.server, world.platform, code, verifier),
      exchange(world.server, world.platform, code, verifier),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    const granted = answers.find((answer) => answer.status === 200);
    const account = await world.server.request(
      StandardAccountDocument,
      { id: String(granted?.body.connected_account_id) },
      withKey(world.platform.apiKey),
    );
    expect(account.data?.connectedAccount?.status).toBe('REVOKED');
    expect(await world.server.prisma.connectedAccount.count({ where: { connectedOrganizationId: owner.organizationId } })).toBe(1);
  });

  test('refuses a NUL character in a query string or a form with 400, logging no error', async () => {
    const query = authorizeQuery(world.platform, { client_id: `${world.platform.clientId}\u0000` });
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const answers = [
      await world.server.fetch(`/oauth/authorize?${query}`),
      await world.server.fetch('/oauth/authorize', { ...form, body: query.toString() }),
      await world.server.fetch('/oauth/token', {
        ...form,
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'cli_\u0000', code: 'x' }).toString(),
      }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400]);
    expect(await answers[0]?.text()).toContain('NUL character');
    expect(world.server.logs()).not.toMatch(/"level":50/);
  });

  test('refuses a form posted from another site', async () => {
    const response = await world.server.fetch('/oauth/consent', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'consent_token=x&decision=approve',
    });
    expect(response.status).toBe(403);
  });
});

describe('a STANDARD account in use', () => {
  let owner: OwnedOrganization;
  let readOnly: Awaited<ReturnType<typeof givenStandardAccount>>;

  test.beforeAll(async () => {
    owner = await givenOwnedOrganization(world.server);
    readOnly = await world.platform.standardAccount(owner, { scope: 'connections:read' });
  });

  test('allows only the granted scopes, naming the missing one', async () => {
    const headers = readOnly.actingIn(owner.tenantId);
    expect((await world.server.request(ConnectionsDocument, {}, headers)).status).toBe(200);
    const write = await world.server.request(CreateConnectionDocument, { input: s3Connection }, headers);
    expect(write.status).toBe(403);
    expect(write.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScope: 'connections:write' });
    const subAccounts = await world.server.request(SubAccountsDocument, {}, headers);
    expect(subAccounts.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScope: 'subaccounts:read' });
    const apiKeys = await world.server.request(ApiKeysDocument, {}, headers);
    expect(apiKeys.status).toBe(403);
    expect(apiKeys.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  test('needs x-meteroid-tenant naming a granted tenant', async () => {
    const base = world.platform.actingFor(readOnly.accountId);
    const cases = [
      base,
      readOnly.actingIn(owner.sandboxTenantId),
      readOnly.actingIn(world.platform.tenantId),
      readOnly.actingIn('ten_unknown'),
    ];
    for (const headers of cases) {
      const response = await world.server.request(ActingViewerDocument, {}, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const express = await world.platform.activeAccount();
    const expressOwn = await world.server.request(
      ActingViewerDocument,
      {},
      { ...world.platform.actingFor(express.accountId), 'x-meteroid-tenant': express.tenantId },
    );
    expect(expressOwn.data?.viewer.tenantId).toBe(express.tenantId);
    const expressOther = await world.server.request(
      ActingViewerDocument,
      {},
      { ...world.platform.actingFor(express.accountId), 'x-meteroid-tenant': owner.tenantId },
    );
    expect(expressOther.status).toBe(403);
    const ownKeyElsewhere = await world.server.request(
      ActingViewerDocument,
      {},
      { ...withKey(world.platform.apiKey), 'x-meteroid-tenant': owner.tenantId },
    );
    expect(ownKeyElsewhere.status).toBe(403);
  });

  test('grants several tenants when the owner picks them', async () => {
    const both = await givenOwnedOrganization(world.server);
    const account = await world.platform.standardAccount(both, {
      scope: 'subaccounts:read',
      tenantIds: [both.tenantId, both.sandboxTenantId],
    });
    expect(account.token.tenant_ids).toEqual([both.tenantId, both.sandboxTenantId]);
    const sandbox = await world.server.request(SubAccountsDocument, {}, account.actingIn(both.sandboxTenantId));
    expect(sandbox.data?.subAccounts.totalCount).toBe(0);
  });
});

describe('revocation', () => {
  test('by the platform ends access on the next request', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const account = await world.platform.standardAccount(owner);
    const revoked = await world.server.request(
      RevokeConnectedAccountDocument,
      { input: { id: account.accountId } },
      withKey(world.platform.apiKey),
    );
    expect(revoked.data?.revokeConnectedAccount).toMatchObject({ connectedAccount: { status: 'REVOKED' } });
    const next = await world.server.request(ConnectionsDocument, {}, account.actingIn(owner.tenantId));
    expect(next.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'REVOKED' });
  });

  test('by the connected organization, which lists its platforms and disconnects one', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const account = await world.platform.standardAccount(owner);
    const listed = await world.server.request(ConnectedPlatformsDocument, {}, withKey(owner.apiKey));
    expect(listed.data?.connectedPlatforms).toMatchObject({
      totalCount: 1,
      nodes: [{ connectedAccountId: account.accountId, platformName: 'Consent Platform', connectionType: 'STANDARD', status: 'ACTIVE' }],
    });
    const stranger = await givenOwnedOrganization(world.server);
    const foreign = await world.server.request(
      DisconnectPlatformDocument,
      { input: { connectedAccountId: account.accountId } },
      withKey(stranger.apiKey),
    );
    expect(foreign.data?.disconnectPlatform).toMatchObject({ code: 'NOT_FOUND' });
    expect((await world.server.request(ConnectedPlatformsDocument, {}, withKey(stranger.apiKey))).data?.connectedPlatforms.totalCount).toBe(
      0,
    );

    const disconnected = await world.server.request(
      DisconnectPlatformDocument,
      { input: { connectedAccountId: account.accountId } },
      withKey(owner.apiKey),
    );
    expect(disconnected.data?.disconnectPlatform).toMatchObject({
      connectedPlatform: { status: 'REVOKED', revokedAt: expect.any(String) },
    });
    const next = await world.server.request(ConnectionsDocument, {}, account.actingIn(owner.tenantId));
    expect(next.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'REVOKED' });
    const twice = await world.server.request(
      DisconnectPlatformDocument,
      { input: { connectedAccountId: account.accountId } },
      withKey(owner.apiKey),
    );
    expect(twice.data?.disconnectPlatform).toMatchObject({ code: 'INVALID_STATE' });
  });
});
