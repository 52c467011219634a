import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectPlatformDocument,
  CreateConnectedAccountDocument,
  EnableConnectPlatformDocument,
  UpdateConnectPlatformDocument,
} from '../../generated/graphql.ts';
import { givenOrganization } from '../../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('Connect platform settings', () => {
  it('are null until enabled, then hold the redirect URL and a 7-day link lifetime by default', async () => {
    const platform = await givenOrganization(server);
    const before = await server.request(ConnectPlatformDocument, {}, withKey(platform.apiKey));
    expect(before.data?.connectPlatform).toBeNull();

    const enabled = await server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example/back' } },
      withKey(platform.apiKey),
    );
    expect(enabled.data?.enableConnectPlatform).toEqual({
      __typename: 'EnableConnectPlatformPayload',
      connectPlatform: {
        organizationId: platform.organizationId,
        redirectUrl: 'https://platform.example/back',
        onboardingLinkTtlSeconds: 604800,
        requiredBusinessDetails: [],
        brandingInvoicingEntity: null,
      },
    });
    const after = await server.request(ConnectPlatformDocument, {}, withKey(platform.apiKey));
    expect(after.data?.connectPlatform?.redirectUrl).toBe('https://platform.example/back');

    const again = await server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://x.example' } },
      withKey(platform.apiKey),
    );
    expect(again.data?.enableConnectPlatform).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it('updates only the settings given, and brands with an invoicing entity of its own tenant only', async () => {
    const platform = await givenOrganization(server);
    const other = await givenOrganization(server);
    await server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example/back' } },
      withKey(platform.apiKey),
    );
    const ownEntity = await server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: platform.tenantId } });
    const foreignEntity = await server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: other.tenantId } });

    const updated = await server.request(
      UpdateConnectPlatformDocument,
      { input: { brandingInvoicingEntityId: ownEntity.id, onboardingLinkTtlSeconds: 3600 } },
      withKey(platform.apiKey),
    );
    expect(updated.data?.updateConnectPlatform).toMatchObject({
      connectPlatform: {
        redirectUrl: 'https://platform.example/back',
        onboardingLinkTtlSeconds: 3600,
        brandingInvoicingEntity: { id: ownEntity.id },
      },
    });

    const foreign = await server.request(
      UpdateConnectPlatformDocument,
      { input: { brandingInvoicingEntityId: foreignEntity.id } },
      withKey(platform.apiKey),
    );
    expect(foreign.data?.updateConnectPlatform).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });

    const removed = await server.request(
      UpdateConnectPlatformDocument,
      { input: { brandingInvoicingEntityId: null } },
      withKey(platform.apiKey),
    );
    expect(removed.data?.updateConnectPlatform).toMatchObject({
      connectPlatform: { brandingInvoicingEntity: null, onboardingLinkTtlSeconds: 3600 },
    });
  });

  it('rejects a link lifetime out of bounds and a redirect URL a browser cannot follow', async () => {
    const platform = await givenOrganization(server);
    const shortTtl = await server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example', onboardingLinkTtlSeconds: 10 } },
      withKey(platform.apiKey),
    );
    expect(shortTtl.data?.enableConnectPlatform).toMatchObject({ code: 'VALIDATION', fields: ['input.onboardingLinkTtlSeconds'] });

    const ftp = await server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'ftp://platform.example' } },
      withKey(platform.apiKey),
    );
    expect(ftp.data?.enableConnectPlatform).toMatchObject({ code: 'VALIDATION', fields: ['input.redirectUrl'] });

    const notAUrl = await server.request(EnableConnectPlatformDocument, { input: { redirectUrl: 'not a url' } }, withKey(platform.apiKey));
    expect(notAUrl.status).toBe(400);
  });

  it('is enabled once under concurrent calls: the others get CONFLICT', async () => {
    const platform = await givenOrganization(server);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        server.request(
          EnableConnectPlatformDocument,
          { input: { redirectUrl: 'https://platform.example/back' } },
          withKey(platform.apiKey),
        ),
      ),
    );
    const kinds = responses.map((response) => response.data?.enableConnectPlatform.__typename);
    expect(kinds.filter((kind) => kind === 'EnableConnectPlatformPayload')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'ConflictError')).toHaveLength(4);
  });

  it('must be enabled before a connected account is created, and cannot be updated before', async () => {
    const platform = await givenOrganization(server);
    const created = await server.request(
      CreateConnectedAccountDocument,
      { input: { connectionType: 'EXPRESS', email: 'a@b.example', organizationName: 'Shop' } },
      withKey(platform.apiKey),
    );
    expect(created.data?.createConnectedAccount).toMatchObject({ __typename: 'ConnectNotEnabledError', code: 'CONNECT_NOT_ENABLED' });
    const updated = await server.request(
      UpdateConnectPlatformDocument,
      { input: { onboardingLinkTtlSeconds: 3600 } },
      withKey(platform.apiKey),
    );
    expect(updated.data?.updateConnectPlatform).toMatchObject({ code: 'CONNECT_NOT_ENABLED' });
    expect(await server.prisma.connectedAccount.count({ where: { platformOrganizationId: platform.organizationId } })).toBe(0);
  });

  it('require the business details given, each once, in the order given; an update replaces them, empty requires none', async () => {
    const platform = await givenOrganization(server);
    const enabled = await server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example/back', requiredBusinessDetails: ['VAT_NUMBER', 'LEGAL_NAME', 'VAT_NUMBER'] } },
      withKey(platform.apiKey),
    );
    expect(enabled.data?.enableConnectPlatform).toMatchObject({
      connectPlatform: { requiredBusinessDetails: ['VAT_NUMBER', 'LEGAL_NAME'] },
    });

    const untouched = await server.request(
      UpdateConnectPlatformDocument,
      { input: { onboardingLinkTtlSeconds: 3600 } },
      withKey(platform.apiKey),
    );
    expect(untouched.data?.updateConnectPlatform).toMatchObject({
      connectPlatform: { requiredBusinessDetails: ['VAT_NUMBER', 'LEGAL_NAME'] },
    });

    const replaced = await server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: ['PHONE', 'ADDRESS', 'PHONE'] } },
      withKey(platform.apiKey),
    );
    expect(replaced.data?.updateConnectPlatform).toMatchObject({ connectPlatform: { requiredBusinessDetails: ['PHONE', 'ADDRESS'] } });

    const emptied = await server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: [] } },
      withKey(platform.apiKey),
    );
    expect(emptied.data?.updateConnectPlatform).toMatchObject({ connectPlatform: { requiredBusinessDetails: [] } });
    const read = await server.request(ConnectPlatformDocument, {}, withKey(platform.apiKey));
    expect(read.data?.connectPlatform?.requiredBusinessDetails).toEqual([]);

    const unknown = await server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: ['SHOE_SIZE' as 'PHONE'] } },
      withKey(platform.apiKey),
    );
    expect(unknown.status).toBe(400);
  });
});
