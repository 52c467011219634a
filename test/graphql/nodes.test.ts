// node(id:) and nodes(ids:): every prefix of the contract resolves for its owner; an id of another
// tenant, an unknown one, a user's and a malformed one are all null, without an error or a log line.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { newId } from '../../src/core/ids.ts';
import { givenExpressAccount } from '../support/givens/connect.ts';
import { withKey } from '../support/server.ts';

/** One id the platform owns for each prefix API.md lists, but `usr_`. */

type Posted = { status: number; text: string; body: { data?: Record<string, unknown> | null; errors?: unknown[] } };

async function post(query: string, variables: Record<string, unknown>, key: string = world.platform.apiKey): Promise<Posted> {
  const response = await world.server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...withKey(key) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] } };
}

async function mutate(
  key: string,
  name: string,
  inputType: string,
  input: Record<string, unknown>,
  selection: string,
): Promise<Record<string, unknown>> {
  const { body, text } = await post(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { __typename ${selection} } }`,
    { input },
    key,
  );
  const result = body.data?.[name] as Record<string, unknown> | undefined;
  if (!result?.__typename?.toString().endsWith('Payload')) return expect.fail(text);
  return result;
}

const { test, world } = platformWorld({ environment: { RATE_LIMIT_PER_SECOND: '0' } }, async (seed) => {
  const platform = await seed.connectPlatform('Node Platform');
  const other = await seed.organization('Another Platform');
  const { account, link } = await givenExpressAccount(seed.server, platform);
  const purpose = await mutate(
    platform.apiKey,
    'createPermissiblePurpose',
    'CreatePermissiblePurposeInput',
    { name: 'Screening' },
    '... on CreatePermissiblePurposePayload { permissiblePurpose { id } }',
  );
  const purposeId = (purpose.permissiblePurpose as { id: string }).id;
  const subAccount = await mutate(
    platform.apiKey,
    'createSubAccount',
    'CreateSubAccountInput',
    {
      accountName: 'Branch',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emailAddress: 'ada@branch.example',
      address: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'US' },
      permissiblePurposeIds: [purposeId],
      createApiKey: false,
    },
    '... on CreateSubAccountPayload { subAccount { id } }',
  );
  const connection = await mutate(
    platform.apiKey,
    'createConnection',
    'CreateConnectionInput',
    { name: 'Billing', providerType: 'FLEXPRICE', secrets: { generic: { data: { apiKey: 'flex_0123456789abcdef' } } } },
    '... on CreateConnectionPayload { connection { id } }',
  );
  const invoicingEntity = await seed.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: platform.tenantId } });
  // A user as the hosted onboarding makes one: no API caller ever sees users.
  const userId = (
    await seed.server.prisma.user.create({ data: { id: newId('User'), email: 'owner@merchant.example', passwordHash: 'not used' } })
  ).id;
  const own = {
    org_: platform.organizationId,
    ten_: platform.tenantId,
    cacc_: account.id,
    sacc_: (subAccount.subAccount as { id: string }).id,
    conn_: (connection.connection as { id: string }).id,
    olink_: link.id,
    key_: platform.apiKeyId,
    ie_: invoicingEntity.id,
  };
  return { platform, other, userId, own };
});

const NODE = 'query($id: ID!) { node(id: $id) { __typename id } }';
const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }';

describe('node(id:)', () => {
  test('resolves every prefix of the contract for its owner', async () => {
    expect(Object.keys(world.own).sort()).toEqual(['cacc_', 'conn_', 'ie_', 'key_', 'olink_', 'org_', 'sacc_', 'ten_']);
    for (const [prefix, id] of Object.entries(world.own)) {
      const { body, text } = await post(NODE, { id });
      expect(id.startsWith(prefix)).toBe(true);
      expect(body, text).toEqual({ data: { node: { __typename: expect.any(String), id } } });
    }
  });

  test('answers null, with no error and no log line, for an id of another tenant, an unknown, a user or a malformed one', async () => {
    const before = world.server.logs().length;
    const ids = [...Object.values(world.own), world.userId, 'org_doesNotExist', 'usr_doesNotExist', 'zzz_abc', 'not an id', 'org_', ''];
    for (const id of ids) {
      // Every id the platform owns is foreign to the other platform.
      const { status, body, text } = await post(NODE, { id }, world.other.apiKey);
      expect(status, text).toBe(200);
      expect(body, text).toEqual({ data: { node: null } });
    }
    expect(world.server.logs().slice(before)).not.toMatch(/"level":"(error|warn)"/);
  });
});

describe('nodes(ids:)', () => {
  test('answers each id in order: the visible ones, and null for the others', async () => {
    const ids = [world.own.org_, world.other.organizationId, world.own.sacc_, world.userId, 'org_doesNotExist', world.own.conn_];
    const { body, text } = await post(NODES, { ids });
    expect(body, text).toEqual({
      data: {
        nodes: [
          { __typename: 'Organization', id: world.own.org_ },
          null,
          { __typename: 'SubAccount', id: world.own.sacc_ },
          null,
          null,
          { __typename: 'Connection', id: world.own.conn_ },
        ],
      },
    });
  });

  test('takes at most 100 ids', async () => {
    const { body, text } = await post(NODES, { ids: Array.from({ length: 101 }, () => world.own.org_) });
    expect(body.errors?.[0], text).toMatchObject({ extensions: { code: 'VALIDATION', fields: ['ids'] } });
  });
});
