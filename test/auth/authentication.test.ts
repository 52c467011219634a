import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { ApiKeysDocument, CreateOrganizationDocument, ViewerDocument } from '../generated/graphql.ts';
import { ADMIN_SECRET, startTestServer, withKey } from '../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.organization();
  return { platform };
});

function expectUnauthenticated(response: { status: number; errors?: { extensions?: { code?: string } }[]; data?: unknown }) {
  expect(response.status).toBe(401);
  expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(response.data ?? null).toBeNull();
}

describe('who is asking', () => {
  test('refuses a request without a key with 401 UNAUTHENTICATED', async () => {
    expectUnauthenticated(await world.server.request(ViewerDocument, {}));
  });

  test('refuses unknown, malformed and mangled keys with 401', async () => {
    const mangled = `${world.platform.apiKey.slice(0, -1)}${world.platform.apiKey.endsWith('a') ? 'b' : 'a'}`;
    for (const headers of [
      withKey('mk_live_0000000000000000000000000000000000000000'),
      withKey('not-a-key'),
      withKey(mangled),
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer' },
      { 'x-api-key': 'mk_test_unknown' },
    ]) {
      expectUnauthenticated(await world.server.request(ViewerDocument, {}, headers));
    }
  });

  test('accepts x-api-key as an alias of Authorization: Bearer', async () => {
    const response = await world.server.request(ViewerDocument, {}, { 'x-api-key': world.platform.apiKey });
    expect(response.data?.viewer).toMatchObject({
      organizationId: world.platform.organizationId,
      tenantId: world.platform.tenantId,
      apiKeyId: world.platform.apiKeyId,
      tenant: { environment: 'PRODUCTION' },
    });
  });

  test('records when a key was last used', async () => {
    await world.server.request(ViewerDocument, {}, withKey(world.platform.apiKey));
    const keys = await world.server.request(ApiKeysDocument, {}, withKey(world.platform.apiKey));
    const lastUsedAt = keys.data?.apiKeys.nodes.find((node) => node.id === world.platform.apiKeyId)?.lastUsedAt;
    expect(Date.now() - Date.parse(lastUsedAt ?? '')).toBeLessThan(60_000);
  });
});

describe('the admin bootstrap', () => {
  const input = { input: { name: 'Bootstrapped', country: 'DE' } };

  test('creates an organization, its production tenant, an invoicing entity and a first key', async () => {
    const response = await world.server.request(CreateOrganizationDocument, input, { 'x-admin-secret': ADMIN_SECRET });
    expect(response.data?.createOrganization).toMatchObject({
      __typename: 'CreateOrganizationPayload',
      organization: { name: 'Bootstrapped', country: 'DE' },
      tenant: { environment: 'PRODUCTION' },
      invoicingEntity: { legalName: 'Bootstrapped', country: 'DE', isDefault: true },
      apiKey: { secret: expect.stringMatching(/^mk_live_/) },
    });
  });

  test('refuses a missing or wrong admin secret, and creates nothing', async () => {
    const before = await world.server.prisma.organization.count();
    expectUnauthenticated(await world.server.request(CreateOrganizationDocument, input));
    expectUnauthenticated(await world.server.request(CreateOrganizationDocument, input, { 'x-admin-secret': 'wrong-secret-wrong-secret' }));
    expectUnauthenticated(await world.server.request(CreateOrganizationDocument, input, { 'x-admin-secret': ADMIN_SECRET.slice(0, -1) }));
    expect(await world.server.prisma.organization.count()).toBe(before);
  });

  test('is not reachable with an API key, and the admin secret opens nothing else', async () => {
    expectUnauthenticated(await world.server.request(CreateOrganizationDocument, input, withKey(world.platform.apiKey)));
    expectUnauthenticated(await world.server.request(ViewerDocument, {}, { 'x-admin-secret': ADMIN_SECRET }));
  });

  test('answers an invalid name with a VALIDATION error', async () => {
    const response = await world.server.request(
      CreateOrganizationDocument,
      { input: { name: ' ', country: 'FR' } },
      { 'x-admin-secret': ADMIN_SECRET },
    );
    expect(response.data?.createOrganization).toMatchObject({ __typename: 'ValidationError', fields: ['input.name'] });
  });

  test('is disabled in production without ADMIN_SECRET', async () => {
    const production = await startTestServer({
      environment: { NODE_ENV: 'production', ADMIN_SECRET: '', DATABASE_URL: 'postgresql://unused.invalid/db' },
    });
    try {
      const response = await production.request(CreateOrganizationDocument, input, { 'x-admin-secret': 'anything-anything' });
      expect(response.status).toBe(403);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await production.close();
    }
  });
});
