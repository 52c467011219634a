// node(id:) and nodes(ids:): every prefix of the contract resolves for its owner; an id of another
// tenant, an unknown one, a user's and a malformed one are all null, without an error or a log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

let server: TestServer;
let platform: OrganizationFixture;
let other: OrganizationFixture;
/** One id the platform owns for each prefix API.md lists, but `usr_`. */
let own: Record<string, string>;
let userId: string;

async function post(query: string, variables: Record<string, unknown>, key = platform.apiKey) {
  const response = await server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...withKey(key) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] } };
}

async function mutate(name: string, inputType: string, input: Record<string, unknown>, selection: string) {
  const { body, text } = await post(`mutation($input: ${inputType}!) { ${name}(input: $input) { __typename ${selection} } }`, { input });
  const result = body.data?.[name] as Record<string, unknown> | undefined;
  if (!result?.__typename?.toString().endsWith('Payload')) return expect.fail(text);
  return result;
}

beforeAll(async () => {
  server = await startTestServer({ environment: { RATE_LIMIT_PER_SECOND: '0' } });
  platform = await givenConnectPlatform(server, 'Node Platform');
  other = await givenOrganization(server, 'Another Platform');
  const { account, link } = await givenExpressAccount(server, platform);
  const purpose = await mutate(
    'createPermissiblePurpose',
    'CreatePermissiblePurposeInput',
    { name: 'Screening' },
    '... on CreatePermissiblePurposePayload { permissiblePurpose { id } }',
  );
  const purposeId = (purpose.permissiblePurpose as { id: string }).id;
  const subAccount = await mutate(
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
    'createConnection',
    'CreateConnectionInput',
    { name: 'Billing', providerType: 'FLEXPRICE', secrets: { generic: { data: { apiKey: 'flex_0123456789abcdef' } } } },
    '... on CreateConnectionPayload { connection { id } }',
  );
  const invoicingEntity = await server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: platform.tenantId } });
  // A user as the hosted onboarding makes one: no API caller ever sees users.
  userId = (await server.prisma.user.create({ data: { id: newId('User'), email: 'owner@merchant.example', passwordHash: 'not used' } })).id;
  own = {
    org_: platform.organizationId,
    ten_: platform.tenantId,
    cacc_: account.id,
    sacc_: (subAccount.subAccount as { id: string }).id,
    conn_: (connection.connection as { id: string }).id,
    olink_: link.id,
    key_: platform.apiKeyId,
    ie_: invoicingEntity.id,
  };
});
afterAll(() => server?.close());

const NODE = 'query($id: ID!) { node(id: $id) { __typename id } }';
const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }';

describe('node(id:)', () => {
  it('resolves every prefix of the contract for its owner', async () => {
    expect(Object.keys(own).sort()).toEqual(['cacc_', 'conn_', 'ie_', 'key_', 'olink_', 'org_', 'sacc_', 'ten_']);
    for (const [prefix, id] of Object.entries(own)) {
      const { body, text } = await post(NODE, { id });
      expect(id.startsWith(prefix)).toBe(true);
      expect(body, text).toEqual({ data: { node: { __typename: expect.any(String), id } } });
    }
  });

  it('answers null, with no error and no log line, for an id of another tenant, an unknown, a user or a malformed one', async () => {
    const before = server.logs().length;
    const ids = [...Object.values(own), userId, 'org_doesNotExist', 'usr_doesNotExist', 'zzz_abc', 'not an id', 'org_', ''];
    for (const id of ids) {
      // Every id the platform owns is foreign to the other platform.
      const { status, body, text } = await post(NODE, { id }, other.apiKey);
      expect(status, text).toBe(200);
      expect(body, text).toEqual({ data: { node: null } });
    }
    expect(server.logs().slice(before)).not.toMatch(/"level":"(error|warn)"/);
  });
});

describe('nodes(ids:)', () => {
  it('answers each id in order: the visible ones, and null for the others', async () => {
    const ids = [own.org_, other.organizationId, own.sacc_, userId, 'org_doesNotExist', own.conn_];
    const { body, text } = await post(NODES, { ids });
    expect(body, text).toEqual({
      data: {
        nodes: [
          { __typename: 'Organization', id: own.org_ },
          null,
          { __typename: 'SubAccount', id: own.sacc_ },
          null,
          null,
          { __typename: 'Connection', id: own.conn_ },
        ],
      },
    });
  });

  it('takes at most 100 ids', async () => {
    const { body, text } = await post(NODES, { ids: Array.from({ length: 101 }, () => own.org_) });
    expect(body.errors?.[0], text).toMatchObject({ extensions: { code: 'VALIDATION', fields: ['ids'] } });
  });
});
