// An attacker's tries at what issue 15 added: tenants (a SANDBOX tenant and its key) and who may make them. Each test is an attack and now a regression test:
// those that got through at first say so where they are (each fixed), the others are refusals that
// held from the start.
import { describe, expect } from 'vitest';
import { startStripe } from '../connections/stand-ins/providers.ts';
import { VERIFY, givenStripeConnection } from '../support/givens/connections.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from '../support/givens/oauth.ts';
import { CREATE_TENANT, givenOrganization, givenSandboxKey } from '../support/givens/organizations.ts';
import { CREATE_SUB_ACCOUNT, givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';
import { withKey } from '../support/server.ts';
import { outcome, untypedRequest } from '../support/untyped-graphql.ts';
import { platformWorld } from '../support/world.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Attacked Platform');
  const purposeId = await givenPurpose(seed.server, platform, 'Employment screening');
  return { platform, purposeId };
});

const gql = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  untypedRequest(world.server, query, variables, headers);

describe('tenants', () => {
  test('createTenant is refused acting for an EXPRESS account and with a sub-account key', async () => {
    const { accountId } = await world.platform.activeAccount();
    const acting = await gql(CREATE_TENANT, { input: { name: 'Sneaky', environment: 'SANDBOX' } }, world.platform.actingFor(accountId));
    expect(acting.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const sub = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [world.purposeId] }));
    const bySub = await gql(CREATE_TENANT, { input: { name: 'Sneaky', environment: 'SANDBOX' } }, withKey(sub.apiKey!.secret!));
    expect(bySub.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const row = await world.server.prisma.subAccount.findUniqueOrThrow({ where: { id: sub.subAccount.id } });
    expect(await world.server.prisma.tenant.count({ where: { organizationId: row.organizationId } })).toBe(1);
  });

  test('refuses PRODUCTION, control characters and over-long names, and holds the limit of 20 under a burst', async () => {
    const owner = await givenOrganization(world.server, 'Tenant Burst');
    for (const input of [
      { name: 'Second prod', environment: 'PRODUCTION' },
      { name: 'bell\u0007name', environment: 'SANDBOX' },
      { name: 'nul\u0000name', environment: 'SANDBOX' },
      { name: 'x'.repeat(101), environment: 'SANDBOX' },
      { name: '   ', environment: 'SANDBOX' },
      { name: '\u202Eevil', environment: 'SANDBOX' },
    ]) {
      const answer = await gql(CREATE_TENANT, { input }, withKey(owner.apiKey));
      expect(outcome(answer, 'createTenant'), JSON.stringify(input)).toBe('VALIDATION');
    }
    const burst = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        gql(CREATE_TENANT, { input: { name: `Sandbox ${index}`, environment: 'SANDBOX' } }, withKey(owner.apiKey)),
      ),
    );
    const made = burst.filter((answer) => outcome(answer, 'createTenant') === 'CreateTenantPayload').length;
    expect(made).toBe(19);
    expect(await world.server.prisma.tenant.count({ where: { organizationId: owner.organizationId } })).toBe(20);
    const twin = await gql(CREATE_TENANT, { input: { name: 'SANDBOX 3', environment: 'SANDBOX' } }, withKey(owner.apiKey));
    expect(['CONFLICT', 'INVALID_STATE']).toContain(outcome(twin, 'createTenant'));
  });

  test('a STANDARD grant never shows the ungranted tenant: tenants, viewer, node(s), events, x-meteroid-tenant', async () => {
    const oauth = await givenOAuthPlatform(world.server, 'OAuth Platform');
    const owner = await givenOwnedOrganization(world.server);
    const { actingIn } = await givenStandardAccount(world.server, oauth, owner, { scope: 'connections:read connections:write' });
    const headers = actingIn(owner.tenantId);
    for (const query of [
      `query($id: ID!) { tenants(first: 50) { totalCount nodes { id } } }`,
      `query($id: ID!) { viewer { organization { tenants { id } } } }`,
      `query($id: ID!) { node(id: $id) { id } }`,
      `query($id: ID!) { nodes(ids: [$id]) { id } }`,
      `query($id: ID!) { events(first: 100) { nodes { data } } connections(first: 50) { nodes { tenantId } } }`,
    ]) {
      const seen = await gql(query, { id: owner.sandboxTenantId }, headers);
      expect(JSON.stringify(seen.data ?? null), query).not.toContain(owner.sandboxTenantId);
    }
    const made = await gql(CREATE_TENANT, { input: { name: 'Granted?', environment: 'SANDBOX' } }, headers);
    expect(made.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const switched = await gql(`{ connections(first: 5) { totalCount } }`, {}, actingIn(owner.sandboxTenantId));
    expect(switched.errors?.[0]?.extensions?.code, JSON.stringify(switched)).toMatch(/FORBIDDEN|NOT_FOUND/);
  });

  test('a SANDBOX key reads nothing of production: connections, keys, events', async () => {
    const owner = await givenOrganization(world.server, 'Sandboxed Org');
    const stripe = await startStripe([]);
    try {
      const productionConnection = await givenStripeConnection(
        world.server,
        withKey(owner.apiKey),
        stripe.url,
        'sk_test_ProductionSecret0001',
      );
      const sandbox = await givenSandboxKey(world.server, owner, 'Tests');
      const read = await gql(
        `query($id: ID!, $key: ID!) { connection(id: $id) { id } node(id: $id) { id } nodes(ids: [$id, $key]) { id }
          connections(first: 50) { totalCount } apiKeys(first: 50) { nodes { id } } events(first: 100, filter: { objectId: $id }) { totalCount } }`,
        { id: productionConnection, key: owner.apiKeyId },
        withKey(sandbox.apiKey),
      );
      expect(read.data?.connection).toBeNull();
      expect(read.data?.node).toBeNull();
      expect(read.data?.nodes).toEqual([null, null]);
      expect(read.data?.connections.totalCount).toBe(0);
      expect(read.data?.events.totalCount).toBe(0);
      expect(JSON.stringify(read.data?.apiKeys)).not.toContain(owner.apiKeyId);
      const switched = await gql(
        `{ connections(first: 5) { totalCount } }`,
        {},
        { ...withKey(sandbox.apiKey), 'x-meteroid-tenant': owner.tenantId },
      );
      expect(switched.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const verify = await gql(VERIFY, { id: productionConnection }, withKey(sandbox.apiKey));
      expect(outcome(verify, 'verifyConnection')).toBe('NOT_FOUND');
      expect(stripe.requests).toHaveLength(0);
    } finally {
      await stripe.close();
    }
  });

  // Fixed (was a medium finding: a SANDBOX key minted live keys for, and deactivated, production's
  // sub-accounts). Sub-accounts and the catalog belong to the platform tenant that made them
  // (SubAccount/PermissiblePurpose/AccountPackage.platformTenantId, src/db/confinement-rules.ts): a
  // sandbox key finds none of production's, nor their events, nor archives production's purposes; its
  // own sub-accounts are apart (the same name makes a new one) and get a SANDBOX tenant and mk_test_ keys.
  test('a SANDBOX key cannot mint live keys for, or deactivate, a sub-account the production key made', async () => {
    const sub = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [world.purposeId] }));
    const sandbox = await givenSandboxKey(world.server, world.platform, 'Platform tests');
    const minted = await gql(
      `mutation($id: ID!) { createSubAccountApiKey(input: { subAccountId: $id, name: "from sandbox" }) { __typename ... on Error { code } ... on CreateSubAccountApiKeyPayload { apiKey { id secret } } } }`,
      { id: sub.subAccount.id },
      withKey(sandbox.apiKey),
    );
    const deactivated = await gql(
      `mutation($id: ID!) { deactivateSubAccount(input: { id: $id }) { __typename ... on Error { code } } }`,
      { id: sub.subAccount.id },
      withKey(sandbox.apiKey),
    );
    expect(outcome(minted, 'createSubAccountApiKey')).toBe('NOT_FOUND');
    expect(outcome(deactivated, 'deactivateSubAccount')).toBe('NOT_FOUND');
    const archived = await gql(
      `mutation($id: ID!) { archivePermissiblePurpose(input: { id: $id }) { __typename ... on Error { code } } }`,
      { id: world.purposeId },
      withKey(sandbox.apiKey),
    );
    expect(outcome(archived, 'archivePermissiblePurpose')).toBe('NOT_FOUND');
    const read = await gql(
      `query($id: ID!) { node(id: $id) { id } subAccounts(first: 100) { nodes { id } } permissiblePurposes(first: 100) { nodes { id } } events(first: 100, filter: { objectId: $id }) { totalCount } }`,
      { id: sub.subAccount.id },
      withKey(sandbox.apiKey),
    );
    expect(read.data?.node).toBeNull();
    expect(read.data?.events.totalCount).toBe(0);
    expect(JSON.stringify(read.data)).not.toContain(sub.subAccount.id);
    expect(JSON.stringify(read.data)).not.toContain(world.purposeId);
    // Its own sub-account of the same name is another one, in a sandbox, with a test key.
    const sandboxPurpose = await givenPurpose(world.server, { ...world.platform, apiKey: sandbox.apiKey }, 'Employment screening');
    const own = await gql(
      CREATE_SUB_ACCOUNT,
      { input: subAccountInput({ permissiblePurposeIds: [sandboxPurpose] }, { accountName: sub.subAccount.accountName ?? '' }) },
      withKey(sandbox.apiKey),
    );
    expect(outcome(own, 'createSubAccount')).toBe('CreateSubAccountPayload');
    expect(own.data!.createSubAccount.subAccount.id).not.toBe(sub.subAccount.id);
    expect(own.data!.createSubAccount.apiKey.secret).toMatch(/^mk_test_/);
    const ownTenant = await world.server.prisma.tenant.findUniqueOrThrow({ where: { id: own.data!.createSubAccount.subAccount.tenantId } });
    expect(ownTenant.environment).toBe('SANDBOX');
    // Production's is as it was, and its key still works.
    expect((await world.server.prisma.subAccount.findUniqueOrThrow({ where: { id: sub.subAccount.id } })).status).toBe('ACTIVE');
    expect((await gql(`{ viewer { apiKeyId } }`, {}, withKey(sub.apiKey!.secret!))).status).toBe(200);
    expect(await world.server.prisma.apiKey.count({ where: { tenantId: sub.subAccount.tenantId ?? '' } })).toBe(1);
  });
});
