import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  ConnectPlatformDocument,
  CreateConnectedAccountDocument,
  EnableConnectPlatformDocument,
  UpdateConnectPlatformDocument,
} from '../../generated/graphql.ts';
import { givenOrganization } from '../../support/givens/organizations.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld();

describe('Connect platform settings', () => {
  test('are null until enabled, then hold the redirect URL and a 7-day link lifetime by default', async () => {
    const platform = await givenOrganization(world.server);
    const before = await world.server.request(ConnectPlatformDocument, {}, withKey(platform.apiKey));
    expect(before.data?.connectPlatform).toBeNull();

    const enabled = await world.server.request(
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
    const after = await world.server.request(ConnectPlatformDocument, {}, withKey(platform.apiKey));
    expect(after.data?.connectPlatform?.redirectUrl).toBe('https://platform.example/back');

    const again = await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://x.example' } },
      withKey(platform.apiKey),
    );
    expect(again.data?.enableConnectPlatform).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  test('updates only the settings given, and brands with an invoicing entity of its own tenant only', async () => {
    const platform = await givenOrganization(world.server);
    const other = await givenOrganization(world.server);
    await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example/back' } },
      withKey(platform.apiKey),
    );
    const ownEntity = await world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: platform.tenantId } });
    const foreignEntity = await world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: other.tenantId } });

    const updated = await world.server.request(
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

    const foreign = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { brandingInvoicingEntityId: foreignEntity.id } },
      withKey(platform.apiKey),
    );
    expect(foreign.data?.updateConnectPlatform).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });

    const removed = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { brandingInvoicingEntityId: null } },
      withKey(platform.apiKey),
    );
    expect(removed.data?.updateConnectPlatform).toMatchObject({
      connectPlatform: { brandingInvoicingEntity: null, onboardingLinkTtlSeconds: 3600 },
    });
  });

  test('rejects a link lifetime out of bounds and a redirect URL a browser cannot follow', async () => {
    const platform = await givenOrganization(world.server);
    const shortTtl = await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example', onboardingLinkTtlSeconds: 10 } },
      withKey(platform.apiKey),
    );
    expect(shortTtl.data?.enableConnectPlatform).toMatchObject({ code: 'VALIDATION', fields: ['input.onboardingLinkTtlSeconds'] });

    const ftp = await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'ftp://platform.example' } },
      withKey(platform.apiKey),
    );
    expect(ftp.data?.enableConnectPlatform).toMatchObject({ code: 'VALIDATION', fields: ['input.redirectUrl'] });

    const notAUrl = await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'not a url' } },
      withKey(platform.apiKey),
    );
    expect(notAUrl.status).toBe(400);
  });

  test('is enabled once under concurrent calls: the others get CONFLICT', async () => {
    const platform = await givenOrganization(world.server);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        world.server.request(
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

  test('must be enabled before a connected account is created, and cannot be updated before', async () => {
    const platform = await givenOrganization(world.server);
    const created = await world.server.request(
      CreateConnectedAccountDocument,
      { input: { connectionType: 'EXPRESS', email: 'a@b.example', organizationName: 'Shop' } },
      withKey(platform.apiKey),
    );
    expect(created.data?.createConnectedAccount).toMatchObject({ __typename: 'ConnectNotEnabledError', code: 'CONNECT_NOT_ENABLED' });
    const updated = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { onboardingLinkTtlSeconds: 3600 } },
      withKey(platform.apiKey),
    );
    expect(updated.data?.updateConnectPlatform).toMatchObject({ code: 'CONNECT_NOT_ENABLED' });
    expect(await world.server.prisma.connectedAccount.count({ where: { platformOrganizationId: platform.organizationId } })).toBe(0);
  });

  test('require the business details given, each once, in the order given; an update replaces them, empty requires none', async () => {
    const platform = await givenOrganization(world.server);
    const enabled = await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example/back', requiredBusinessDetails: ['VAT_NUMBER', 'LEGAL_NAME', 'VAT_NUMBER'] } },
      withKey(platform.apiKey),
    );
    expect(enabled.data?.enableConnectPlatform).toMatchObject({
      connectPlatform: { requiredBusinessDetails: ['VAT_NUMBER', 'LEGAL_NAME'] },
    });

    const untouched = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { onboardingLinkTtlSeconds: 3600 } },
      withKey(platform.apiKey),
    );
    expect(untouched.data?.updateConnectPlatform).toMatchObject({
      connectPlatform: { requiredBusinessDetails: ['VAT_NUMBER', 'LEGAL_NAME'] },
    });

    const replaced = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: ['PHONE', 'ADDRESS', 'PHONE'] } },
      withKey(platform.apiKey),
    );
    expect(replaced.data?.updateConnectPlatform).toMatchObject({ connectPlatform: { requiredBusinessDetails: ['PHONE', 'ADDRESS'] } });

    const emptied = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: [] } },
      withKey(platform.apiKey),
    );
    expect(emptied.data?.updateConnectPlatform).toMatchObject({ connectPlatform: { requiredBusinessDetails: [] } });
    const read = await world.server.request(ConnectPlatformDocument, {}, withKey(platform.apiKey));
    expect(read.data?.connectPlatform?.requiredBusinessDetails).toEqual([]);

    const unknown = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: ['SHOE_SIZE' as 'PHONE'] } },
      withKey(platform.apiKey),
    );
    expect(unknown.status).toBe(400);
  });
});
