import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeysDocument, CreateOrganizationDocument, ViewerDocument } from '../generated/graphql.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { ADMIN_SECRET, startTestServer, withKey, type TestServer } from '../support/server.ts';

let server: TestServer;
let platform: OrganizationFixture;

beforeAll(async () => {
  server = await startTestServer();
  platform = await givenOrganization(server);
});
afterAll(() => server?.close());

function expectUnauthenticated(response: { status: number; errors?: { extensions?: { code?: string } }[]; data?: unknown }) {
  expect(response.status).toBe(401);
  expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(response.data ?? null).toBeNull();
}

describe('who is asking', () => {
  it('refuses a request without a key with 401 UNAUTHENTICATED', async () => {
    expectUnauthenticated(await server.request(ViewerDocument, {}));
  });

  it('refuses unknown, malformed and mangled keys with 401', async () => {
    const mangled = `${platform.apiKey.slice(0, -1)}${platform.apiKey.endsWith('a') ? 'b' : 'a'}`;
    for (const headers of [
      withKey('mk_live_0000000000000000000000000000000000000000'),
      withKey('not-a-key'),
      withKey(mangled),
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer' },
      { 'x-api-key': 'mk_test_unknown' },
    ]) {
      expectUnauthenticated(await server.request(ViewerDocument, {}, headers));
    }
  });

  it('accepts x-api-key as an alias of Authorization: Bearer', async () => {
    const response = await server.request(ViewerDocument, {}, { 'x-api-key': platform.apiKey });
    expect(response.data?.viewer).toMatchObject({
      organizationId: platform.organizationId,
      tenantId: platform.tenantId,
      apiKeyId: platform.apiKeyId,
      tenant: { environment: 'PRODUCTION' },
    });
  });

  it('records when a key was last used', async () => {
    await server.request(ViewerDocument, {}, withKey(platform.apiKey));
    const keys = await server.request(ApiKeysDocument, {}, withKey(platform.apiKey));
    const lastUsedAt = keys.data?.apiKeys.nodes.find((node) => node.id === platform.apiKeyId)?.lastUsedAt;
    expect(Date.now() - Date.parse(lastUsedAt ?? '')).toBeLessThan(60_000);
  });
});

describe('the admin bootstrap', () => {
  const input = { input: { name: 'Bootstrapped', country: 'DE' } };

  it('creates an organization, its production tenant, an invoicing entity and a first key', async () => {
    const response = await server.request(CreateOrganizationDocument, input, { 'x-admin-secret': ADMIN_SECRET });
    expect(response.data?.createOrganization).toMatchObject({
      __typename: 'CreateOrganizationPayload',
      organization: { name: 'Bootstrapped', country: 'DE' },
      tenant: { environment: 'PRODUCTION' },
      invoicingEntity: { legalName: 'Bootstrapped', country: 'DE', isDefault: true },
      apiKey: { secret: expect.stringMatching(/^mk_live_/) },
    });
  });

  it('refuses a missing or wrong admin secret, and creates nothing', async () => {
    const before = await server.prisma.organization.count();
    expectUnauthenticated(await server.request(CreateOrganizationDocument, input));
    expectUnauthenticated(await server.request(CreateOrganizationDocument, input, { 'x-admin-secret': 'wrong-secret-wrong-secret' }));
    expectUnauthenticated(await server.request(CreateOrganizationDocument, input, { 'x-admin-secret': ADMIN_SECRET.slice(0, -1) }));
    expect(await server.prisma.organization.count()).toBe(before);
  });

  it('is not reachable with an API key, and the admin secret opens nothing else', async () => {
    expectUnauthenticated(await server.request(CreateOrganizationDocument, input, withKey(platform.apiKey)));
    expectUnauthenticated(await server.request(ViewerDocument, {}, { 'x-admin-secret': ADMIN_SECRET }));
  });

  it('answers an invalid name with a VALIDATION error', async () => {
    const response = await server.request(
      CreateOrganizationDocument,
      { input: { name: ' ', country: 'FR' } },
      { 'x-admin-secret': ADMIN_SECRET },
    );
    expect(response.data?.createOrganization).toMatchObject({ __typename: 'ValidationError', fields: ['input.name'] });
  });

  it('is disabled in production without ADMIN_SECRET', async () => {
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
