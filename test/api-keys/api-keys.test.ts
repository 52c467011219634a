import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { ApiKeysDocument, CreateApiKeyDocument, NodeDocument, RevokeApiKeyDocument, ViewerDocument } from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { withKey } from '../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.organization('Platform One');
  const otherPlatform = await seed.organization('Platform Two');
  return { platform, otherPlatform };
});

async function createKey(apiKey: string, name: string) {
  const response = await world.server.request(CreateApiKeyDocument, { input: { name } }, withKey(apiKey));
  const result = response.data?.createApiKey;
  if (result?.__typename !== 'CreateApiKeyPayload') return expect.fail(JSON.stringify(response));
  return result.apiKey;
}

describe('API keys', () => {
  test('shows a new key once, in the payload that made it, and authenticates with it', async () => {
    const key = await createKey(world.platform.apiKey, 'CI deploys');
    expect(key.secret).toMatch(/^mk_live_[0-9A-Za-z]{40}$/);
    expect(key.prefix).toBe(key.secret!.slice(0, 12));
    expect(key.tenantId).toBe(world.platform.tenantId);

    const viewer = await world.server.request(ViewerDocument, {}, withKey(key.secret!));
    expect(viewer.data?.viewer).toMatchObject({
      apiKeyId: key.id,
      tenantId: world.platform.tenantId,
      organizationId: world.platform.organizationId,
    });

    const list = await world.server.request(ApiKeysDocument, { first: 100 }, withKey(world.platform.apiKey));
    const listed = list.data?.apiKeys.nodes.find((node) => node.id === key.id);
    expect(listed).toMatchObject({ name: 'CI deploys', secret: null });
  });

  test('stores only a hash of the secret', async () => {
    const key = await createKey(world.platform.apiKey, 'hash check');
    const row = await world.server.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(JSON.stringify(row)).not.toContain(key.secret!);
  });

  test('refuses a revoked key from the very next request', async () => {
    const key = await createKey(world.platform.apiKey, 'to revoke');
    expect((await world.server.request(ViewerDocument, {}, withKey(key.secret!))).status).toBe(200);

    const revoked = await world.server.request(RevokeApiKeyDocument, { input: { id: key.id } }, withKey(world.platform.apiKey));
    expect(revoked.data?.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { id: key.id, secret: null } });

    const refused = await world.server.request(ViewerDocument, {}, withKey(key.secret!));
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('never lists another tenant’s keys, and treats their ids as unknown', async () => {
    const foreign = await createKey(world.otherPlatform.apiKey, 'foreign');
    const list = await world.server.request(ApiKeysDocument, { first: 100 }, withKey(world.platform.apiKey));
    const ids = list.data?.apiKeys.nodes.map((node) => node.id) ?? [];
    expect(ids).not.toContain(foreign.id);
    expect(ids).not.toContain(world.otherPlatform.apiKeyId);
    expect(list.data?.apiKeys.nodes.every((node) => node.tenantId === world.platform.tenantId)).toBe(true);
    expect(list.data?.apiKeys.totalCount).toBe(ids.length);

    const revoke = await world.server.request(RevokeApiKeyDocument, { input: { id: foreign.id } }, withKey(world.platform.apiKey));
    expect(revoke.data?.revokeApiKey).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const node = await world.server.request(NodeDocument, { id: foreign.id }, withKey(world.platform.apiKey));
    expect(node.data?.node).toBeNull();
    expect((await world.server.request(ViewerDocument, {}, withKey(foreign.secret!))).status).toBe(200);
  });

  test('resolves its own ids through node(id:)', async () => {
    for (const id of [world.platform.apiKeyId, world.platform.organizationId, world.platform.tenantId]) {
      const response = await world.server.request(NodeDocument, { id }, withKey(world.platform.apiKey));
      expect(response.data?.node?.id).toBe(id);
    }
    const foreignOrganization = await world.server.request(
      NodeDocument,
      { id: world.otherPlatform.organizationId },
      withKey(world.platform.apiKey),
    );
    expect(foreignOrganization.data?.node).toBeNull();
    const unknown = await world.server.request(NodeDocument, { id: 'nonsense' }, withKey(world.platform.apiKey));
    expect(unknown.data?.node).toBeNull();
  });

  test('answers a blank name with a VALIDATION error naming the field', async () => {
    const response = await world.server.request(CreateApiKeyDocument, { input: { name: '   ' } }, withKey(world.platform.apiKey));
    expect(response.data?.createApiKey).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', fields: ['input.name'] });
  });

  test('pages through keys with cursors, filters revoked ones and orders by name', async () => {
    const fresh = await givenOrganization(world.server, 'Paging Platform');
    for (const name of ['key c', 'key a', 'key b']) await createKey(fresh.apiKey, name);
    const firstPage = await world.server.request(
      ApiKeysDocument,
      { first: 2, orderBy: { field: 'NAME', direction: 'ASC' } },
      withKey(fresh.apiKey),
    );
    expect(firstPage.data?.apiKeys.nodes.map((node) => node.name)).toEqual(['Default', 'key a']);
    expect(firstPage.data?.apiKeys.totalCount).toBe(4);
    expect(firstPage.data?.apiKeys.pageInfo.hasNextPage).toBe(true);
    const secondPage = await world.server.request(
      ApiKeysDocument,
      { first: 2, after: firstPage.data?.apiKeys.pageInfo.endCursor, orderBy: { field: 'NAME', direction: 'ASC' } },
      withKey(fresh.apiKey),
    );
    expect(secondPage.data?.apiKeys.nodes.map((node) => node.name)).toEqual(['key b', 'key c']);

    const active = await world.server.request(ApiKeysDocument, { filter: { revoked: true } }, withKey(fresh.apiKey));
    expect(active.data?.apiKeys.totalCount).toBe(0);
  });
});
