import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeysDocument, CreateApiKeyDocument, NodeDocument, RevokeApiKeyDocument, ViewerDocument } from '../generated/graphql.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

let server: TestServer;
let platform: OrganizationFixture;
let otherPlatform: OrganizationFixture;

beforeAll(async () => {
  server = await startTestServer();
  platform = await givenOrganization(server, 'Platform One');
  otherPlatform = await givenOrganization(server, 'Platform Two');
});
afterAll(() => server?.close());

async function createKey(apiKey: string, name: string) {
  const response = await server.request(CreateApiKeyDocument, { input: { name } }, withKey(apiKey));
  const result = response.data?.createApiKey;
  if (result?.__typename !== 'CreateApiKeyPayload') return expect.fail(JSON.stringify(response));
  return result.apiKey;
}

describe('API keys', () => {
  it('shows a new key once, in the payload that made it, and authenticates with it', async () => {
    const key = await createKey(platform.apiKey, 'CI deploys');
    expect(key.secret).toMatch(/^mk_live_[0-9A-Za-z]{40}$/);
    expect(key.prefix).toBe(key.secret!.slice(0, 12));
    expect(key.tenantId).toBe(platform.tenantId);

    const viewer = await server.request(ViewerDocument, {}, withKey(key.secret!));
    expect(viewer.data?.viewer).toMatchObject({ apiKeyId: key.id, tenantId: platform.tenantId, organizationId: platform.organizationId });

    const list = await server.request(ApiKeysDocument, { first: 100 }, withKey(platform.apiKey));
    const listed = list.data?.apiKeys.nodes.find((node) => node.id === key.id);
    expect(listed).toMatchObject({ name: 'CI deploys', secret: null });
  });

  it('stores only a hash of the secret', async () => {
    const key = await createKey(platform.apiKey, 'hash check');
    const row = await server.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(JSON.stringify(row)).not.toContain(key.secret!);
  });

  it('refuses a revoked key from the very next request', async () => {
    const key = await createKey(platform.apiKey, 'to revoke');
    expect((await server.request(ViewerDocument, {}, withKey(key.secret!))).status).toBe(200);

    const revoked = await server.request(RevokeApiKeyDocument, { input: { id: key.id } }, withKey(platform.apiKey));
    expect(revoked.data?.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { id: key.id, secret: null } });

    const refused = await server.request(ViewerDocument, {}, withKey(key.secret!));
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never lists another tenant’s keys, and treats their ids as unknown', async () => {
    const foreign = await createKey(otherPlatform.apiKey, 'foreign');
    const list = await server.request(ApiKeysDocument, { first: 100 }, withKey(platform.apiKey));
    const ids = list.data?.apiKeys.nodes.map((node) => node.id) ?? [];
    expect(ids).not.toContain(foreign.id);
    expect(ids).not.toContain(otherPlatform.apiKeyId);
    expect(list.data?.apiKeys.nodes.every((node) => node.tenantId === platform.tenantId)).toBe(true);
    expect(list.data?.apiKeys.totalCount).toBe(ids.length);

    const revoke = await server.request(RevokeApiKeyDocument, { input: { id: foreign.id } }, withKey(platform.apiKey));
    expect(revoke.data?.revokeApiKey).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const node = await server.request(NodeDocument, { id: foreign.id }, withKey(platform.apiKey));
    expect(node.data?.node).toBeNull();
    expect((await server.request(ViewerDocument, {}, withKey(foreign.secret!))).status).toBe(200);
  });

  it('resolves its own ids through node(id:)', async () => {
    for (const id of [platform.apiKeyId, platform.organizationId, platform.tenantId]) {
      const response = await server.request(NodeDocument, { id }, withKey(platform.apiKey));
      expect(response.data?.node?.id).toBe(id);
    }
    const foreignOrganization = await server.request(NodeDocument, { id: otherPlatform.organizationId }, withKey(platform.apiKey));
    expect(foreignOrganization.data?.node).toBeNull();
    const unknown = await server.request(NodeDocument, { id: 'nonsense' }, withKey(platform.apiKey));
    expect(unknown.data?.node).toBeNull();
  });

  it('answers a blank name with a VALIDATION error naming the field', async () => {
    const response = await server.request(CreateApiKeyDocument, { input: { name: '   ' } }, withKey(platform.apiKey));
    expect(response.data?.createApiKey).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', fields: ['input.name'] });
  });

  it('pages through keys with cursors, filters revoked ones and orders by name', async () => {
    const fresh = await givenOrganization(server, 'Paging Platform');
    for (const name of ['key c', 'key a', 'key b']) await createKey(fresh.apiKey, name);
    const firstPage = await server.request(
      ApiKeysDocument,
      { first: 2, orderBy: { field: 'NAME', direction: 'ASC' } },
      withKey(fresh.apiKey),
    );
    expect(firstPage.data?.apiKeys.nodes.map((node) => node.name)).toEqual(['Default', 'key a']);
    expect(firstPage.data?.apiKeys.totalCount).toBe(4);
    expect(firstPage.data?.apiKeys.pageInfo.hasNextPage).toBe(true);
    const secondPage = await server.request(
      ApiKeysDocument,
      { first: 2, after: firstPage.data?.apiKeys.pageInfo.endCursor, orderBy: { field: 'NAME', direction: 'ASC' } },
      withKey(fresh.apiKey),
    );
    expect(secondPage.data?.apiKeys.nodes.map((node) => node.name)).toEqual(['key b', 'key c']);

    const active = await server.request(ApiKeysDocument, { filter: { revoked: true } }, withKey(fresh.apiKey));
    expect(active.data?.apiKeys.totalCount).toBe(0);
  });
});
