import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateTenantDocument,
  EventsDocument,
  TenantsDocument,
  ViewerDocument,
  ViewerOrganizationTenantsDocument,
  type CreateTenantInput,
} from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { actingFor, givenActiveAccount, givenConnectPlatform } from '../support/givens/connect.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from '../support/givens/oauth.ts';
import { withKey } from '../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const organization = await seed.organization('Tenant Owner');
  return { organization };
});

const createTenant = (headers: Record<string, string>, input: CreateTenantInput) =>
  world.server.request(CreateTenantDocument, { input }, headers);

async function createdTenant(apiKey: string, name: string) {
  const response = await createTenant(withKey(apiKey), { name, environment: 'SANDBOX' });
  const result = response.data?.createTenant;
  if (result?.__typename !== 'CreateTenantPayload') return expect.fail(JSON.stringify(response));
  return result;
}

const tenantIds = async (headers: Record<string, string>) =>
  (await world.server.request(TenantsDocument, { first: 100 }, headers)).data?.tenants.nodes.map((tenant) => tenant.id);

describe('tenants', () => {
  test('makes a sandbox with a first key that acts in it, and lists it beside production', async () => {
    const { tenant, apiKey } = await createdTenant(world.organization.apiKey, 'Staging');
    expect(tenant).toMatchObject({ name: 'Staging', environment: 'SANDBOX', organizationId: world.organization.organizationId });
    expect(apiKey).toMatchObject({ tenantId: tenant.id, secret: expect.stringMatching(/^mk_test_/) });

    const viewer = await world.server.request(ViewerDocument, {}, withKey(apiKey.secret!));
    expect(viewer.data?.viewer).toMatchObject({
      tenantId: tenant.id,
      organizationId: world.organization.organizationId,
      tenant: { environment: 'SANDBOX' },
    });

    const listed = await world.server.request(
      TenantsDocument,
      { first: 10, orderBy: { field: 'CREATED_AT', direction: 'ASC' } },
      withKey(world.organization.apiKey),
    );
    expect(listed.data?.tenants.nodes.map((node) => [node.id, node.environment])).toEqual([
      [world.organization.tenantId, 'PRODUCTION'],
      [tenant.id, 'SANDBOX'],
    ]);
    const sandboxes = await world.server.request(TenantsDocument, { filter: { environment: ['SANDBOX'] } }, withKey(apiKey.secret!));
    expect(sandboxes.data?.tenants).toMatchObject({ totalCount: 1, nodes: [{ id: tenant.id }] });
  });

  test('records tenant.created, which every key of the organization sees', async () => {
    const { tenant, apiKey } = await createdTenant(world.organization.apiKey, 'Audit sandbox');
    for (const key of [world.organization.apiKey, apiKey.secret!]) {
      const events = await world.server.request(
        EventsDocument,
        { filter: { type: ['tenant.created'], objectId: tenant.id } },
        withKey(key),
      );
      expect(events.data?.events.nodes).toMatchObject([
        { type: 'tenant.created', data: { object: { id: tenant.id, name: 'Audit sandbox', environment: 'SANDBOX' } } },
      ]);
      expect(JSON.stringify(events.data)).not.toContain(apiKey.secret!);
    }
  });

  test('refuses a second production tenant, a blank name and a name taken in another letter case', async () => {
    const production = await createTenant(withKey(world.organization.apiKey), { name: 'Live 2', environment: 'PRODUCTION' });
    expect(production.data?.createTenant).toMatchObject({ __typename: 'ValidationError', fields: ['input.environment'] });
    const blank = await createTenant(withKey(world.organization.apiKey), { name: '  ', environment: 'SANDBOX' });
    expect(blank.data?.createTenant).toMatchObject({ __typename: 'ValidationError', fields: ['input.name'] });

    await createdTenant(world.organization.apiKey, 'QA');
    const clash = await createTenant(withKey(world.organization.apiKey), { name: 'qa', environment: 'SANDBOX' });
    expect(clash.data?.createTenant).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  test('makes one tenant of two concurrent calls with one name', async () => {
    const results = await Promise.all(
      ['Race', 'RACE'].map((name) => createTenant(withKey(world.organization.apiKey), { name, environment: 'SANDBOX' })),
    );
    expect(results.map((result) => result.data?.createTenant.__typename).sort()).toEqual(['ConflictError', 'CreateTenantPayload']);
    const names = await world.server.prisma.tenant.findMany({
      where: { organizationId: world.organization.organizationId, name: { in: ['Race', 'RACE'] } },
    });
    expect(names).toHaveLength(1);
  });

  test('stops at 20 tenants an organization', async () => {
    const small = await givenOrganization(world.server, 'Many tenants');
    for (let index = 1; index < 20; index += 1) await createdTenant(small.apiKey, `Sandbox ${index}`);
    const refused = await createTenant(withKey(small.apiKey), { name: 'One too many', environment: 'SANDBOX' });
    expect(refused.data?.createTenant).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    expect(await world.server.prisma.tenant.count({ where: { organizationId: small.organizationId } })).toBe(20);
  });

  test("never lists another organization's tenants", async () => {
    const other = await givenOrganization(world.server, 'Someone else');
    const otherSandbox = await createdTenant(other.apiKey, 'Private sandbox');
    const seen = await tenantIds(withKey(world.organization.apiKey));
    expect(seen).not.toContain(other.tenantId);
    expect(seen).not.toContain(otherSandbox.tenant.id);
  });
});

describe('tenants and connected accounts', () => {
  test('is not for a platform acting on behalf of an account, which sees only the tenant it acts in', async () => {
    const platform = await givenConnectPlatform(world.server, 'Express Platform');
    const account = await givenActiveAccount(world.server, platform);
    const refused = await createTenant(actingFor(platform, account.accountId), { name: 'Sneaky', environment: 'SANDBOX' });
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await world.server.prisma.tenant.count({ where: { name: 'Sneaky' } })).toBe(0);
    expect(await tenantIds(actingFor(platform, account.accountId))).toEqual([account.tenantId]);
  });

  test('shows a STANDARD platform only the tenants the organization granted, through any field', async () => {
    const platform = await givenOAuthPlatform(world.server, 'Standard Platform');
    const owner = await givenOwnedOrganization(world.server);
    const account = await givenStandardAccount(world.server, platform, owner, { tenantIds: [owner.sandboxTenantId] });

    const viewer = await world.server.request(ViewerOrganizationTenantsDocument, {}, account.actingIn(owner.sandboxTenantId));
    expect(viewer.data?.viewer.organization.tenants.map((tenant) => tenant.id)).toEqual([owner.sandboxTenantId]);
    const production = await world.server.request(ViewerDocument, {}, account.actingIn(owner.tenantId));
    expect(production.status).toBe(403);
    const refused = await createTenant(account.actingIn(owner.sandboxTenantId), { name: 'Granted?', environment: 'SANDBOX' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(viewer)).not.toContain(owner.tenantId);
  });
});
