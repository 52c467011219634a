import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  ActingViewerDocument,
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateConnectedAccountDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
  UpdateConnectPlatformDocument,
} from '../../generated/graphql.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Acting Platform');
  const otherPlatform = await seed.connectPlatform('Stranger Platform');
  return { platform, otherPlatform };
});

describe('acting on behalf of a connected account', () => {
  test('runs the request in the account’s organization and tenant, and viewer says so', async () => {
    const account = await world.platform.activeAccount();
    const viewer = await world.server.request(ActingViewerDocument, {}, world.platform.actingFor(account.accountId));
    expect(viewer.data?.viewer).toEqual({
      organizationId: account.organizationId,
      tenantId: account.tenantId,
      apiKeyId: world.platform.apiKeyId,
      actingAs: { id: account.accountId, status: 'ACTIVE' },
    });
    const plain = await world.server.request(ActingViewerDocument, {}, withKey(world.platform.apiKey));
    expect(plain.data?.viewer).toMatchObject({
      organizationId: world.platform.organizationId,
      tenantId: world.platform.tenantId,
      actingAs: null,
    });

    const keys = await world.server.request(ApiKeysDocument, {}, world.platform.actingFor(account.accountId));
    expect(keys.data?.apiKeys.totalCount).toBe(0);
    expect(keys.data?.apiKeys.nodes.every((key) => key.tenantId === account.tenantId)).toBe(true);
  });

  test('refuses managing Connect while acting on behalf, with FORBIDDEN', async () => {
    const account = await world.platform.activeAccount();
    const headers = world.platform.actingFor(account.accountId);
    const attempts = [
      world.server.request(SuspendConnectedAccountDocument, { input: { id: account.accountId } }, headers),
      world.server.request(RevokeConnectedAccountDocument, { input: { id: account.accountId } }, headers),
      world.server.request(UpdateConnectPlatformDocument, { input: { onboardingLinkTtlSeconds: 3600 } }, headers),
      world.server.request(
        CreateConnectedAccountDocument,
        { input: { connectionType: 'EXPRESS', email: 'a@b.example', organizationName: 'x' } },
        headers,
      ),
      world.server.request(CreateApiKeyDocument, { input: { name: 'sneaky' } }, headers),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: account.accountId } })).status).toBe('ACTIVE');
  });

  test('answers CONNECTED_ACCOUNT_NOT_FOUND for another platform’s account or an unknown id', async () => {
    const foreign = await world.otherPlatform.activeAccount();
    for (const id of [foreign.accountId, 'cacc_unknown', 'garbage']) {
      const response = await world.server.request(ActingViewerDocument, {}, world.platform.actingFor(id));
      expect(response.status, id).toBe(404);
      expect(response.errors?.[0]?.extensions?.code).toBe('CONNECTED_ACCOUNT_NOT_FOUND');
      expect(response.data ?? null).toBeNull();
    }
  });

  test('answers CONNECTED_ACCOUNT_NOT_ACTIVE with the status, from the very next request after a change', async () => {
    const pending = await world.platform.expressAccount();
    const pendingResponse = await world.server.request(ActingViewerDocument, {}, world.platform.actingFor(pending.account.id));
    expect(pendingResponse.status).toBe(403);
    expect(pendingResponse.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'PENDING' });

    const account = await world.platform.activeAccount();
    expect((await world.server.request(ActingViewerDocument, {}, world.platform.actingFor(account.accountId))).status).toBe(200);
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: account.accountId } }, withKey(world.platform.apiKey));
    const suspended = await world.server.request(ActingViewerDocument, {}, world.platform.actingFor(account.accountId));
    expect(suspended.status).toBe(403);
    expect(suspended.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'SUSPENDED' });

    await world.server.request(RevokeConnectedAccountDocument, { input: { id: account.accountId } }, withKey(world.platform.apiKey));
    const revoked = await world.server.request(ActingViewerDocument, {}, world.platform.actingFor(account.accountId));
    expect(revoked.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'REVOKED' });
  });

  test('needs the platform’s API key: the header alone is UNAUTHENTICATED', async () => {
    const account = await world.platform.activeAccount();
    const response = await world.server.request(ActingViewerDocument, {}, { 'x-meteroid-connect-account': account.accountId });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
