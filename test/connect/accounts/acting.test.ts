import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActingViewerDocument,
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateConnectedAccountDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
  UpdateConnectPlatformDocument,
} from '../../generated/graphql.ts';
import { actingFor, givenActiveAccount, givenConnectPlatform, givenExpressAccount } from '../../support/givens/connect.ts';
import type { OrganizationFixture } from '../../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../../support/server.ts';

let server: TestServer;
let platform: OrganizationFixture;
let otherPlatform: OrganizationFixture;

beforeAll(async () => {
  server = await startTestServer();
  platform = await givenConnectPlatform(server, 'Acting Platform');
  otherPlatform = await givenConnectPlatform(server, 'Stranger Platform');
});
afterAll(() => server?.close());

describe('acting on behalf of a connected account', () => {
  it('runs the request in the account’s organization and tenant, and viewer says so', async () => {
    const account = await givenActiveAccount(server, platform);
    const viewer = await server.request(ActingViewerDocument, {}, actingFor(platform, account.accountId));
    expect(viewer.data?.viewer).toEqual({
      organizationId: account.organizationId,
      tenantId: account.tenantId,
      apiKeyId: platform.apiKeyId,
      actingAs: { id: account.accountId, status: 'ACTIVE' },
    });
    const plain = await server.request(ActingViewerDocument, {}, withKey(platform.apiKey));
    expect(plain.data?.viewer).toMatchObject({ organizationId: platform.organizationId, tenantId: platform.tenantId, actingAs: null });

    const keys = await server.request(ApiKeysDocument, {}, actingFor(platform, account.accountId));
    expect(keys.data?.apiKeys.totalCount).toBe(0);
    expect(keys.data?.apiKeys.nodes.every((key) => key.tenantId === account.tenantId)).toBe(true);
  });

  it('refuses managing Connect while acting on behalf, with FORBIDDEN', async () => {
    const account = await givenActiveAccount(server, platform);
    const headers = actingFor(platform, account.accountId);
    const attempts = [
      server.request(SuspendConnectedAccountDocument, { input: { id: account.accountId } }, headers),
      server.request(RevokeConnectedAccountDocument, { input: { id: account.accountId } }, headers),
      server.request(UpdateConnectPlatformDocument, { input: { onboardingLinkTtlSeconds: 3600 } }, headers),
      server.request(
        CreateConnectedAccountDocument,
        { input: { connectionType: 'EXPRESS', email: 'a@b.example', organizationName: 'x' } },
        headers,
      ),
      server.request(CreateApiKeyDocument, { input: { name: 'sneaky' } }, headers),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: account.accountId } })).status).toBe('ACTIVE');
  });

  it('answers CONNECTED_ACCOUNT_NOT_FOUND for another platform’s account or an unknown id', async () => {
    const foreign = await givenActiveAccount(server, otherPlatform);
    for (const id of [foreign.accountId, 'cacc_unknown', 'garbage']) {
      const response = await server.request(ActingViewerDocument, {}, actingFor(platform, id));
      expect(response.status, id).toBe(404);
      expect(response.errors?.[0]?.extensions?.code).toBe('CONNECTED_ACCOUNT_NOT_FOUND');
      expect(response.data ?? null).toBeNull();
    }
  });

  it('answers CONNECTED_ACCOUNT_NOT_ACTIVE with the status, from the very next request after a change', async () => {
    const pending = await givenExpressAccount(server, platform);
    const pendingResponse = await server.request(ActingViewerDocument, {}, actingFor(platform, pending.account.id));
    expect(pendingResponse.status).toBe(403);
    expect(pendingResponse.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'PENDING' });

    const account = await givenActiveAccount(server, platform);
    expect((await server.request(ActingViewerDocument, {}, actingFor(platform, account.accountId))).status).toBe(200);
    await server.request(SuspendConnectedAccountDocument, { input: { id: account.accountId } }, withKey(platform.apiKey));
    const suspended = await server.request(ActingViewerDocument, {}, actingFor(platform, account.accountId));
    expect(suspended.status).toBe(403);
    expect(suspended.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'SUSPENDED' });

    await server.request(RevokeConnectedAccountDocument, { input: { id: account.accountId } }, withKey(platform.apiKey));
    const revoked = await server.request(ActingViewerDocument, {}, actingFor(platform, account.accountId));
    expect(revoked.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'REVOKED' });
  });

  it('needs the platform’s API key: the header alone is UNAUTHENTICATED', async () => {
    const account = await givenActiveAccount(server, platform);
    const response = await server.request(ActingViewerDocument, {}, { 'x-meteroid-connect-account': account.accountId });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
