// An attacker's tries at the event log, webhooks and idempotency keys: other platforms, sandbox
// tenants, acting endpoints after a revocation, the account owner against the platform's endpoint,
// secrets in any answer, and the address guard. Each was a flaw or a hold; all now hold.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { RevokeConnectedAccountDocument } from '../generated/graphql.ts';
import { sha256Hex } from '../../src/crypto/tokens.ts';
import { issueApiKeySecret } from '../../src/auth/api-key-secrets.ts';
import { newId } from '../../src/core/ids.ts';
import { startTestServer, TEST_ENCRYPTION_KEYS, withKey, type TestServer } from '../support/server.ts';
import { deliveriesOf, givenConnection as givenFirstConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver } from '../webhooks/receiver.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Attacked Platform');
  const stranger = await seed.connectPlatform('Attacker Platform');
  return { platform, stranger };
});

type Answer = {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: an answer to a document typed by no codegen, read field by field.
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};
const gql = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> =>
  world.server.request({ toString: () => query } as never, variables as never, headers) as never;

/** A key in another tenant of an organization, made the way a dashboard would (no GraphQL creates tenants). */
async function givenTenantKey(organizationId: string, environment: 'PRODUCTION' | 'SANDBOX', tenantId?: string) {
  const tenant = tenantId ?? newId('Tenant');
  if (!tenantId) await world.server.prisma.tenant.create({ data: { id: tenant, organizationId, name: `t ${tenant}`, environment } });
  const issued = issueApiKeySecret(environment);
  const id = newId('ApiKey');
  await world.server.prisma.apiKey.create({
    data: { id, tenantId: tenant, name: 'attack', prefix: issued.prefix, secretHash: issued.secretHash },
  });
  return { tenantId: tenant, apiKey: issued.secret, apiKeyId: id };
}

/** The tenant's connection (made once per key's tenant, one per provider): each call records an event about it. */
const connectionsByKey = new Map<string, Awaited<ReturnType<typeof givenFirstConnection>>>();
async function givenConnection(_server: TestServer, apiKey: string) {
  const tenant = (await world.server.prisma.apiKey.findUniqueOrThrow({ where: { secretHash: sha256Hex(apiKey) } })).tenantId;
  const existing = connectionsByKey.get(tenant);
  if (existing) {
    await existing.touch();
    return existing;
  }
  const made = await givenFirstConnection(world.server, apiKey);
  connectionsByKey.set(tenant, made);
  return made;
}

const EVENTS = `query($filter: EventFilter) { events(first: 100, filter: $filter) { totalCount nodes { id type tenant: objectId data } } }`;

describe('cross-tenant reads of events and webhooks', () => {
  test("another platform gets nothing of A's endpoint, deliveries or events by id, node, nodes, filter or mutation", async () => {
    const hooks = await startReceiver();
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(world.platform.apiKey), { url: hooks.url, eventTypes: ['*'] });
      const connection = await givenConnection(world.server, world.platform.apiKey);
      await world.server.webhooks.deliverDue();
      const [delivery] = await deliveriesOf(world.server, world.platform.apiKey, endpoint.id);
      const event = await world.server.prisma.event.findFirstOrThrow({ where: { objectId: connection.id } });
      const as = withKey(world.stranger.apiKey);

      const byId = await gql(
        `query($id: ID!) { event(id: $id) { id } node(id: $id) { id } nodes(ids: [$id]) { id } }`,
        { id: event.id },
        as,
      );
      expect(byId.data).toEqual({ event: null, node: null, nodes: [null] });
      const filtered = await gql(EVENTS, { filter: { objectId: connection.id } }, as);
      expect(filtered.data?.events.totalCount).toBe(0);
      const filteredByAccount = await gql(EVENTS, { filter: { connectedAccountId: null, type: ['connection.created', '*'] } }, as);
      expect(JSON.stringify(filteredByAccount.data)).not.toContain(connection.id);

      const deliveries = await gql(
        `query($id: ID!) { webhookDeliveries(endpointId: $id, first: 10) { totalCount } webhookEndpoint(id: $id) { id } node(id: $id) { id } }`,
        { id: endpoint.id },
        as,
      );
      expect(JSON.stringify(deliveries)).not.toContain(delivery!.id);
      expect(deliveries.data?.webhookEndpoint ?? null).toBeNull();
      expect(deliveries.data?.node ?? null).toBeNull();
      const deliveryNode = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: delivery!.id }, as);
      expect(deliveryNode.data?.node ?? null).toBeNull();

      const mutations = [
        [`mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) { __typename ... on Error { code } } }`, delivery!.id],
        [
          `mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, url: "http://127.0.0.1:1/x" }) { __typename ... on Error { code } } }`,
          endpoint.id,
        ],
        [`mutation($id: ID!) { rotateWebhookEndpointSecret(input: { id: $id }) { __typename ... on Error { code } } }`, endpoint.id],
        [`mutation($id: ID!) { deleteWebhookEndpoint(input: { id: $id }) { __typename ... on Error { code } } }`, endpoint.id],
      ] as const;
      for (const [mutation, id] of mutations) {
        const answer = await gql(mutation, { id }, as);
        expect(JSON.stringify(answer), mutation).toMatch(/NOT_FOUND/);
      }
      const still = await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
      expect(still.url).toBe(hooks.url);
    } finally {
      await hooks.close();
    }
  });

  test("acting for an EXPRESS account shows none of the platform's own events", async () => {
    const { accountId } = await world.platform.activeAccount();
    const own = await givenConnection(world.server, world.platform.apiKey);
    const acting = await gql(EVENTS, { filter: { objectId: own.id } }, world.platform.actingFor(accountId));
    expect(acting.data?.events.totalCount).toBe(0);
    const all = await gql(EVENTS, {}, world.platform.actingFor(accountId));
    expect(JSON.stringify(all.data)).not.toContain(world.platform.tenantId);
  });

  test('shows a SANDBOX tenant’s key none of the production tenant’s events (connections it cannot read directly)', async () => {
    const sandbox = await givenTenantKey(world.platform.organizationId, 'SANDBOX');
    const production = await givenConnection(world.server, world.platform.apiKey);
    // The tenant boundary holds for the connection itself...
    const direct = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: production.id }, withKey(sandbox.apiKey));
    expect(direct.data?.node ?? null).toBeNull();
    // ...but not for its events.
    const leaked = await gql(EVENTS, { filter: { objectId: production.id } }, withKey(sandbox.apiKey));
    expect(leaked.data?.events.totalCount).toBe(0);
  });

  test("sends a SANDBOX tenant's webhook endpoint none of the production tenant's events", async () => {
    const sandbox = await givenTenantKey(world.platform.organizationId, 'SANDBOX');
    const hooks = await startReceiver();
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(sandbox.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.updated'],
      });
      const production = await givenConnection(world.server, world.platform.apiKey);
      await production.touch();
      await world.server.webhooks.deliverDue();
      const queued = await world.server.prisma.webhookDelivery.count({ where: { endpointId: endpoint.id } });
      expect(queued).toBe(0);
      expect(JSON.stringify(hooks.receipts)).not.toContain(production.id);
    } finally {
      await hooks.close();
    }
  });
});

describe('endpoints made while acting for an account', () => {
  test('stops sending an endpoint made while acting once the platform revokes the account', async () => {
    const { accountId, organizationId, tenantId } = await world.platform.activeAccount();
    const hooks = await startReceiver();
    try {
      const { endpoint } = await givenEndpoint(world.server, world.platform.actingFor(accountId), { url: hooks.url, eventTypes: ['*'] });
      const revoked = await world.server.request(
        RevokeConnectedAccountDocument,
        { input: { id: accountId } },
        withKey(world.platform.apiKey),
      );
      expect(revoked.data?.revokeConnectedAccount.__typename, JSON.stringify(revoked)).toBe('RevokeConnectedAccountPayload');
      // The platform may no longer act for it...
      const refused = await gql(EVENTS, {}, world.platform.actingFor(accountId));
      expect(refused.errors?.length ?? 0).toBeGreaterThan(0);
      // ...nor, with its own key, find the endpoint to delete it (it lives in the account's tenant)...
      const deleted = await gql(
        `mutation($id: ID!) { deleteWebhookEndpoint(input: { id: $id }) { __typename ... on Error { code } } }`,
        { id: endpoint.id },
        withKey(world.platform.apiKey),
      );
      expect(JSON.stringify(deleted)).toMatch(/NOT_FOUND/);
      // ...yet what the account's owner does in its tenant afterwards is still sent to the platform's URL.
      const owner = await givenTenantKey(organizationId, 'PRODUCTION', tenantId);
      const secret = await givenConnection(world.server, owner.apiKey);
      await world.server.webhooks.deliverDue();
      const after = await world.server.prisma.webhookDelivery.count({ where: { endpointId: endpoint.id, event: { objectId: secret.id } } });
      expect(after).toBe(0);
    } finally {
      await hooks.close();
    }
  });

  test("keeps the platform's endpoint made while acting out of the account owner's reach (read, redirect, re-key)", async () => {
    const { accountId, organizationId, tenantId } = await world.platform.activeAccount();
    const { endpoint } = await givenEndpoint(world.server, world.platform.actingFor(accountId), {
      url: 'http://127.0.0.1:9/platform-hooks',
      eventTypes: ['*'],
    });
    const owner = await givenTenantKey(organizationId, 'PRODUCTION', tenantId);
    const seen = await gql(`query($id: ID!) { webhookEndpoint(id: $id) { id url } }`, { id: endpoint.id }, withKey(owner.apiKey));
    expect(seen.data?.webhookEndpoint ?? null).toBeNull();
    const rotated = await gql(
      `mutation($id: ID!) { rotateWebhookEndpointSecret(input: { id: $id }) { __typename ... on RotateWebhookEndpointSecretPayload { secret } } }`,
      { id: endpoint.id },
      withKey(owner.apiKey),
    );
    expect(rotated.data?.rotateWebhookEndpointSecret.__typename).not.toBe('RotateWebhookEndpointSecretPayload');
  });

  test('refuses connect: true while acting, and from a sub-account key', async () => {
    const { accountId } = await world.platform.activeAccount();
    const create = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on Error { code } } }`;
    const input = { url: 'http://127.0.0.1:9/x', eventTypes: ['*'], connect: true };
    const acting = await gql(create, { input }, world.platform.actingFor(accountId));
    expect(acting.data?.createWebhookEndpoint.__typename).toBe('ValidationError');
    expect(await world.server.prisma.webhookEndpoint.count({ where: { connect: true, actingForAccountId: accountId } })).toBe(0);
  });
});

describe('STANDARD grants', () => {
  test('a connections:read grant reads no events, endpoints or deliveries, and makes no endpoint', async () => {
    const oauth = await import('../support/givens/oauth.ts');
    const oauthPlatform = await oauth.givenOAuthPlatform(world.server, 'Attack OAuth Platform');
    const owner = await oauth.givenOwnedOrganization(world.server);
    const ownerKey = await givenTenantKey(owner.organizationId, 'PRODUCTION', owner.tenantId);
    const ownConnection = await givenConnection(world.server, ownerKey.apiKey);
    const { actingIn } = await oauth.givenStandardAccount(world.server, oauthPlatform, owner, { scope: 'connections:read' });
    const as = actingIn(owner.tenantId);
    const ownEvent = await world.server.prisma.event.findFirstOrThrow({ where: { objectId: ownConnection.id } });
    const reads = await gql(`query($id: ID!) { events(first: 5) { totalCount } }`, { id: ownEvent.id }, as);
    expect(reads.data?.events ?? null).toBeNull();
    for (const query of [
      `query($id: ID!) { event(id: $id) { id } }`,
      `query($id: ID!) { node(id: $id) { id ... on Event { data } } }`,
      `query { webhookEndpoints(first: 5) { totalCount } }`,
    ]) {
      const answer = await gql(query, { id: ownEvent.id }, as);
      expect(JSON.stringify(answer.data ?? null), query).not.toContain(ownEvent.id);
      expect(JSON.stringify(answer), query).not.toContain('connection.');
    }
    const made = await gql(
      `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/std", eventTypes: ["*"] }) { __typename } }`,
      {},
      as,
    );
    expect(made.data?.createWebhookEndpoint?.__typename ?? null).not.toBe('CreateWebhookEndpointPayload');
    expect(await world.server.prisma.webhookEndpoint.count({ where: { tenantId: owner.tenantId } })).toBe(0);
  });
});

describe('secrets', () => {
  test('no whsec_, API key or provider secret in events, deliveries, receipts or logs', async () => {
    const hooks = await startReceiver(() => ({ status: 500, body: 'nope' }));
    try {
      const { endpoint, secret } = await givenEndpoint(world.server, withKey(world.platform.apiKey), { url: hooks.url, eventTypes: ['*'] });
      const rotated = await gql(
        `mutation($id: ID!) { rotateWebhookEndpointSecret(input: { id: $id }) { ... on RotateWebhookEndpointSecretPayload { secret } } }`,
        { id: endpoint.id },
        withKey(world.platform.apiKey),
      );
      const newSecret = rotated.data?.rotateWebhookEndpointSecret.secret as string;
      expect(newSecret).toMatch(/^whsec_/);
      await givenConnection(world.server, world.platform.apiKey);
      await world.server.webhooks.deliverDue();
      const everything = JSON.stringify(
        [
          await world.server.prisma.event.findMany({ where: { organizationId: world.platform.organizationId } }),
          await world.server.prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id } }),
          hooks.receipts.map((receipt) => receipt.body),
          (await gql(EVENTS, {}, withKey(world.platform.apiKey))).data,
          world.server.logs(),
        ],
        (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value),
      );
      for (const leaked of [
        secret,
        newSecret,
        secret.slice(6),
        newSecret.slice(6),
        world.platform.apiKey,
        sha256Hex(world.platform.apiKey),
        'fp_test_key',
      ]) {
        expect(everything).not.toContain(leaked);
      }
    } finally {
      await hooks.close();
    }
  });
});

describe('idempotency', () => {
  const CREATE = `mutation($input: CreateConnectedAccountInput!) { createConnectedAccount(input: $input) { __typename ... on CreateConnectedAccountPayload { connectedAccount { id } } } }`;
  const post = (headers: Record<string, string>, email: string) =>
    world.server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        query: CREATE,
        variables: { input: { connectionType: 'EXPRESS', email, organizationName: 'Idem', country: 'DE' } },
      }),
    });

  test("another key of the same tenant does not get the first key's answer replayed", async () => {
    const second = await givenTenantKey(world.platform.organizationId, 'PRODUCTION', world.platform.tenantId);
    const first = await post({ ...withKey(world.platform.apiKey), 'idempotency-key': 'attack-shared-key' }, 'idem-a@merchant.example');
    const again = await post({ ...withKey(second.apiKey), 'idempotency-key': 'attack-shared-key' }, 'idem-a@merchant.example');
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await again.text()).not.toBe(await first.text());
  });

  test('the same key with another acting header is not a replay of the first', async () => {
    const { accountId } = await world.platform.activeAccount();
    const body = { query: `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/i", eventTypes: ["*"] }) { __typename } }` };
    const send = (headers: Record<string, string>) =>
      world.server.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'attack-acting', ...headers },
        body: JSON.stringify(body),
      });
    const own = await send(withKey(world.platform.apiKey));
    expect(own.status).toBe(200);
    const acting = await send(world.platform.actingFor(accountId));
    expect(acting.headers.get('idempotent-replayed')).toBeNull();
    expect(acting.status).toBe(422);
  });

  test("does not replay a kept answer (a webhook secret) to a key revoked since, nor to a suspended account's acting header", async () => {
    const other = await givenTenantKey(world.platform.organizationId, 'PRODUCTION', world.platform.tenantId);
    const make = `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/revoked", eventTypes: ["*"] }) { __typename ... on CreateWebhookEndpointPayload { secret } } }`;
    const send = (headers: Record<string, string>) =>
      world.server.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'attack-revoked', ...headers },
        body: JSON.stringify({ query: make }),
      });
    const first = await send(withKey(other.apiKey));
    expect(await first.text()).toContain('whsec_');
    const revoked = await gql(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`,
      { id: other.apiKeyId },
      withKey(world.platform.apiKey),
    );
    expect(revoked.data?.revokeApiKey.__typename, JSON.stringify(revoked)).toBe('RevokeApiKeyPayload');
    const replay = await send(withKey(other.apiKey));
    expect(replay.status).toBe(401);
    expect(await replay.text()).not.toContain('whsec_');

    const { accountId } = await world.platform.activeAccount();
    const acting = await send(world.platform.actingFor(accountId));
    expect(await acting.text()).toContain('whsec_');
    const suspended = await gql(
      `mutation($id: ID!) { suspendConnectedAccount(input: { id: $id }) { __typename } }`,
      { id: accountId },
      withKey(world.platform.apiKey),
    );
    expect(suspended.data?.suspendConnectedAccount.__typename).toBe('SuspendConnectedAccountPayload');
    const actingReplay = await send(world.platform.actingFor(accountId));
    expect(actingReplay.headers.get('idempotent-replayed')).toBeNull();
    expect(await actingReplay.text()).not.toContain('whsec_');
  });

  test('refuses a 256-character key and one with a control character, before running anything', async () => {
    for (const key of ['k'.repeat(256), 'a\tb']) {
      const answer = await post({ ...withKey(world.platform.apiKey), 'idempotency-key': key }, 'idem-huge@merchant.example');
      expect(answer.status, key).toBe(400);
    }
    expect(await world.server.prisma.connectedAccount.count({ where: { pendingEmail: 'idem-huge@merchant.example' } })).toBe(0);
  });
});

describe('cost of a query', () => {
  test('caps `first`, and answers a 20,000-type filter without falling over', async () => {
    const big = await gql(`query { events(first: 100000) { nodes { id } } }`, {}, withKey(world.platform.apiKey));
    expect(JSON.stringify(big)).toMatch(/first|at most|VALIDATION|too|Cost limit/i);
    const types = Array.from({ length: 20_000 }, (_, index) => `connection.junk${index}`);
    const started = Date.now();
    const filtered = await gql(EVENTS, { filter: { type: types } }, withKey(world.platform.apiKey));
    expect(filtered.data?.events.totalCount ?? 0).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('subscriptions', () => {
  test('refuses junk in `types`, and an `after` that is not an event of the caller', async () => {
    const open = (variables: Record<string, unknown>) =>
      world.server.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...withKey(world.stranger.apiKey) },
        body: JSON.stringify({
          query: `subscription($types: [String!], $after: ID) { events(types: $types, after: $after) { id } }`,
          variables,
        }),
      });
    const junk = await open({ types: ['connection.created\'); DROP TABLE "Event"; --'] });
    expect(await junk.text()).toMatch(/VALIDATION/);
    const platformEvent = await world.server.prisma.event.findFirstOrThrow({ where: { organizationId: world.platform.organizationId } });
    const after = await open({ after: platformEvent.id });
    expect(await after.text()).toMatch(/NOT_FOUND/);
  });
});

describe('sub-account keys', () => {
  async function givenSubAccount(name: string) {
    const purpose = await gql(
      `mutation($input: CreatePermissiblePurposeInput!) { createPermissiblePurpose(input: $input) { ... on CreatePermissiblePurposePayload { permissiblePurpose { id } } } }`,
      { input: { name: `Purpose ${name}` } },
      withKey(world.platform.apiKey),
    );
    const answer = await gql(
      `mutation($input: CreateSubAccountInput!) { createSubAccount(input: $input) { __typename ... on CreateSubAccountPayload { subAccount { id } apiKey { secret } } } }`,
      {
        input: {
          accountName: name,
          firstName: 'Ada',
          lastName: 'Lovelace',
          emailAddress: 'ada@branch.example',
          address: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'US' },
          permissiblePurposeIds: [purpose.data?.createPermissiblePurpose.permissiblePurpose.id],
        },
      },
      withKey(world.platform.apiKey),
    );
    const result = answer.data?.createSubAccount;
    if (result?.__typename !== 'CreateSubAccountPayload') return expect.fail(JSON.stringify(answer));
    return { id: result.subAccount.id as string, apiKey: result.apiKey.secret as string };
  }

  test("see neither their platform's events nor a sibling's, and cannot make a connect endpoint", async () => {
    const mine = await givenSubAccount('Attack Branch A');
    const sibling = await givenSubAccount('Attack Branch B');
    const siblingConnection = await givenConnection(world.server, sibling.apiKey);
    const platformConnection = await givenConnection(world.server, world.platform.apiKey);
    const seen = JSON.stringify((await gql(EVENTS, {}, withKey(mine.apiKey))).data);
    expect(seen).not.toContain(siblingConnection.id);
    expect(seen).not.toContain(platformConnection.id);
    expect(seen).not.toContain(sibling.id);
    const siblingEvent = await world.server.prisma.event.findFirstOrThrow({ where: { objectId: siblingConnection.id } });
    const byId = await gql(`query($id: ID!) { event(id: $id) { id } node(id: $id) { id } }`, { id: siblingEvent.id }, withKey(mine.apiKey));
    expect(byId.data).toEqual({ event: null, node: null });
    const connect = await gql(
      `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/x", eventTypes: ["*"], connect: true }) { __typename } }`,
      {},
      withKey(mine.apiKey),
    );
    expect(connect.data?.createWebhookEndpoint.__typename).toBe('ValidationError');
  });
});

describe('webhook URLs in production', () => {
  let production: TestServer;
  let key: string;
  test.beforeAll(async () => {
    production = await startTestServer({
      environment: { NODE_ENV: 'production', DATABASE_URL: 'postgresql://unused.invalid/db', ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
    });
    const organization = await (await import('../support/givens/organizations.ts')).givenOrganization(production, 'Prod Platform');
    key = organization.apiKey;
  });
  test.afterAll(() => production?.close());

  const refused = [
    'https://169.254.169.254/latest/meta-data/',
    'https://localhost/hooks',
    'https://foo.localhost/hooks',
    'https://127.1/hooks',
    'https://2130706433/hooks',
    'https://0x7f000001/hooks',
    'https://0177.0.0.1/hooks',
    'https://0.0.0.0/hooks',
    'https://[::]/hooks',
    'https://[::1]/hooks',
    'https://[::ffff:127.0.0.1]/hooks',
    'https://[::ffff:a9fe:a9fe]/hooks',
    'https://[fd00:ec2::254]/hooks',
    'https://10.0.0.1/hooks',
    'https://192.168.1.1/hooks',
    'http://93.184.215.14/hooks',
    'https://does-not-resolve.invalid/hooks',
  ];
  test.each(refused)('refuses %s at creation', async (url) => {
    const answer = await production.request(
      {
        toString: () =>
          `mutation($url: URL!) { createWebhookEndpoint(input: { url: $url, eventTypes: ["*"] }) { __typename ... on ValidationError { fields } } }`,
      } as never,
      { url } as never,
      withKey(key),
    );
    expect(JSON.stringify(answer)).toMatch(/ValidationError|VALIDATION|BAD_USER_INPUT|Invalid/);
    expect(await production.prisma.webhookEndpoint.count({ where: { url: { contains: new URL(url).hostname } } })).toBe(0);
  });

  // IPv6 forms that reach IPv4 space through translation, not blocked by the list in address-guard.ts.
  test.each(['https://[64:ff9b::a9fe:a9fe]/hooks', 'https://[::a9fe:a9fe]/hooks', 'https://[2002:a9fe:a9fe::1]/hooks'])(
    'refuses the translated IPv6 form %s of the metadata address',
    async (url) => {
      const answer = await production.request(
        {
          toString: () => `mutation($url: URL!) { createWebhookEndpoint(input: { url: $url, eventTypes: ["*"] }) { __typename } }`,
        } as never,
        { url } as never,
        withKey(key),
      );
      expect(JSON.stringify(answer)).toMatch(/ValidationError/);
    },
  );
});
