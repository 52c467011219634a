// Connect is production-only: a sandbox tenant's key (createTenant) neither sees nor manages the
// platform's connected accounts, Connect settings, links or their events, cannot act on behalf of
// an account, and its webhook endpoints never get a connected account's events. The production
// key of the same organization still does all of it.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { scopeToTenant } from '../../src/db/tenant-scope.ts';
import {
  ActingViewerDocument,
  ConfigureConnectOAuthDocument,
  ConnectPlatformDocument,
  ConnectedAccountDocument,
  ConnectedAccountsDocument,
  ConnectedPlatformsDocument,
  CreateAccountUpdateLinkDocument,
  CreateConnectedAccountDocument,
  CreateTenantDocument,
  CreateWebhookEndpointDocument,
  DisconnectPlatformDocument,
  EnableConnectPlatformDocument,
  EventDocument,
  EventsDocument,
  NodeDocument,
  ReactivateConnectedAccountDocument,
  RegenerateOnboardingLinkDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
  UpdateConnectPlatformDocument,
  UpdateConnectedAccountDocument,
} from '../generated/graphql.ts';
import { REDIRECT_URL, givenActiveAccount, givenExpressAccount } from '../support/givens/connect.ts';
import { withKey } from '../support/server.ts';
import { givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver } from '../webhooks/receiver.ts';

const PRODUCTION_ONLY = 'Connect is production-only: use a key of the production tenant.';

const { test, world } = platformWorld({ environment: { WEBHOOK_POLL_MS: '3600000' } }, async (seed) => {
  const platform = await seed.connectPlatform('Sandboxed Platform');
  const active = await givenActiveAccount(seed.server, platform);
  const pending = (await givenExpressAccount(seed.server, platform, { metadata: { plan: 'gold' } })).account;
  const created = await seed.server.request(
    CreateTenantDocument,
    { input: { name: 'Staging', environment: 'SANDBOX' } },
    withKey(platform.apiKey),
  );
  const result = created.data?.createTenant;
  if (result?.__typename !== 'CreateTenantPayload' || !result.apiKey.secret) return expect.fail(JSON.stringify(created));
  const sandbox = { tenantId: result.tenant.id, apiKey: result.apiKey.secret };
  const receiver = await startReceiver();
  return { platform, active, pending, sandbox, receiver };
});
test.afterAll(async () => {
  await world.receiver?.close();
});

const asSandbox = () => withKey(world.sandbox.apiKey);
const asProduction = () => withKey(world.platform.apiKey);

function expectProductionOnly(response: {
  status: number;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[] | undefined;
}) {
  expect(response.status, JSON.stringify(response)).toBe(403);
  expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(response.errors?.[0]?.message).toContain(PRODUCTION_ONLY);
}

describe('a sandbox key and Connect', () => {
  test('cannot act on behalf of an account: 403 before any lookup, the same for an id that does not exist', async () => {
    const real = await world.server.request(
      ActingViewerDocument,
      {},
      { ...asSandbox(), 'x-meteroid-connect-account': world.active.accountId },
    );
    const unknown = await world.server.request(
      ActingViewerDocument,
      {},
      { ...asSandbox(), 'x-meteroid-connect-account': 'acct_doesnotexist' },
    );
    expectProductionOnly(real);
    expect([unknown.status, unknown.errors]).toEqual([real.status, real.errors]);
    expect(real.data ?? null).toBeNull();

    const production = await world.server.request(ActingViewerDocument, {}, world.platform.actingFor(world.active.accountId));
    expect(production.data?.viewer.actingAs).toEqual({ id: world.active.accountId, status: 'ACTIVE' });
  });

  test('sees no connected account, setting or link: the Connect queries are FORBIDDEN, node finds nothing', async () => {
    for (const response of [
      await world.server.request(ConnectedAccountsDocument, {}, asSandbox()),
      await world.server.request(ConnectedAccountDocument, { id: world.pending.id }, asSandbox()),
      await world.server.request(ConnectPlatformDocument, {}, asSandbox()),
      await world.server.request(ConnectedPlatformsDocument, {}, asSandbox()),
    ]) {
      expectProductionOnly(response);
    }
    for (const id of [world.pending.id, world.active.accountId]) {
      expect((await world.server.request(NodeDocument, { id }, asSandbox())).data?.node).toBeNull();
      expect((await world.server.request(NodeDocument, { id }, asProduction())).data?.node).toEqual({ __typename: 'ConnectedAccount', id });
    }
    expect((await world.server.request(ConnectedAccountsDocument, {}, asProduction())).data?.connectedAccounts.totalCount).toBe(2);
    expect((await world.server.request(ConnectPlatformDocument, {}, asProduction())).data?.connectPlatform?.redirectUrl).toBe(REDIRECT_URL);
  });

  test('is confined below GraphQL too: a sandbox scope reads no Connect row and no Connect event', async () => {
    const db = scopeToTenant(world.server.prisma, {
      organizationId: world.platform.organizationId,
      tenantId: world.sandbox.tenantId,
      organizationWide: true,
      environment: 'SANDBOX',
    });
    expect(await db.connectedAccount.findMany({})).toEqual([]);
    expect(await db.connectedAccount.findMany({ where: { OR: [{ id: world.pending.id }, { id: world.active.accountId }] } })).toEqual([]);
    expect(await db.connectPlatform.count()).toBe(0);
    expect(await db.onboardingLink.count()).toBe(0);
    expect(await db.event.count({ where: { connectedAccountId: { not: null } } })).toBe(0);
    await expect(
      db.connectedAccount.create({ data: { id: 'acct_sneaky', connectionType: 'EXPRESS', status: 'PENDING' } as never }),
    ).rejects.toThrow(/production-only/);
  });

  test('manages nothing: every Connect mutation is FORBIDDEN and changes nothing', async () => {
    const id = world.pending.id;
    const before = await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id } });
    const platformBefore = await world.server.prisma.connectPlatform.findUniqueOrThrow({
      where: { organizationId: world.platform.organizationId },
    });
    const linksBefore = await world.server.prisma.onboardingLink.count();
    const attempts = [
      world.server.request(EnableConnectPlatformDocument, { input: { redirectUrl: 'https://sandbox.example/done' } }, asSandbox()),
      world.server.request(UpdateConnectPlatformDocument, { input: { redirectUrl: 'https://sandbox.example/done' } }, asSandbox()),
      world.server.request(
        ConfigureConnectOAuthDocument,
        { input: { redirectUris: ['https://sandbox.example/cb'], rotateClientSecret: true } },
        asSandbox(),
      ),
      world.server.request(
        CreateConnectedAccountDocument,
        { input: { connectionType: 'EXPRESS', email: 'a@b.example', organizationName: 'x' } },
        asSandbox(),
      ),
      world.server.request(RegenerateOnboardingLinkDocument, { input: { connectedAccountId: id } }, asSandbox()),
      world.server.request(UpdateConnectedAccountDocument, { input: { id, metadata: { plan: 'stolen' } } }, asSandbox()),
      world.server.request(SuspendConnectedAccountDocument, { input: { id: world.active.accountId } }, asSandbox()),
      world.server.request(ReactivateConnectedAccountDocument, { input: { id: world.active.accountId } }, asSandbox()),
      world.server.request(RevokeConnectedAccountDocument, { input: { id: world.active.accountId } }, asSandbox()),
      world.server.request(CreateAccountUpdateLinkDocument, { input: { connectedAccountId: world.active.accountId } }, asSandbox()),
      world.server.request(DisconnectPlatformDocument, { input: { connectedAccountId: world.active.accountId } }, asSandbox()),
    ];
    for (const response of await Promise.all(attempts)) expectProductionOnly(response);
    expect(await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect((await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: world.active.accountId } })).status).toBe('ACTIVE');
    expect(
      await world.server.prisma.connectPlatform.findUniqueOrThrow({ where: { organizationId: world.platform.organizationId } }),
    ).toEqual(platformBefore);
    expect(await world.server.prisma.onboardingLink.count()).toBe(linksBefore);
  });

  test("does not see the accounts' events, by list, by id or by node; the production key does", async () => {
    const accountEvents = await world.server.prisma.event.findMany({ where: { connectedAccountId: world.pending.id } });
    expect(accountEvents.length).toBeGreaterThan(0);
    // Where they are kept: with the platform organization, in no tenant.
    expect(accountEvents.every((event) => event.tenantId === null && event.organizationId === world.platform.organizationId)).toBe(true);
    const [event] = accountEvents;
    if (!event) return expect.fail('no event');

    const all = await world.server.request(EventsDocument, { first: 100 }, asSandbox());
    expect(all.data?.events.nodes.filter((node) => node.connectedAccountId !== null || node.objectId === world.pending.id)).toEqual([]);
    expect(
      (await world.server.request(EventsDocument, { filter: { connectedAccountId: world.pending.id } }, asSandbox())).data?.events
        .totalCount,
    ).toBe(0);
    expect((await world.server.request(EventDocument, { id: event.id }, asSandbox())).data?.event).toBeNull();
    expect((await world.server.request(NodeDocument, { id: event.id }, asSandbox())).data?.node).toBeNull();
    // Its own organization-level events still show: the tenant's own creation.
    expect(all.data?.events.nodes.map((node) => node.type)).toContain('tenant.created');

    expect(
      (await world.server.request(EventsDocument, { filter: { connectedAccountId: world.pending.id } }, asProduction())).data?.events
        .totalCount,
    ).toBe(accountEvents.length);
    expect((await world.server.request(EventDocument, { id: event.id }, asProduction())).data?.event?.id).toBe(event.id);
  });

  test("cannot make a connect endpoint, and a sandbox endpoint never gets a connected account's events", async () => {
    const refused = await world.server.request(
      CreateWebhookEndpointDocument,
      { input: { url: world.receiver.url, eventTypes: ['*'], connect: true } },
      asSandbox(),
    );
    const result = refused.data?.createWebhookEndpoint;
    expect(result?.__typename === 'ValidationError' && [result.fields, result.message]).toEqual([
      ['input.connect'],
      expect.stringContaining(PRODUCTION_ONLY),
    ]);

    // One made before the rule (connect set in the database) is not routed any account's event.
    const { endpoint: stale } = await givenEndpoint(world.server, asSandbox(), { url: world.receiver.url, eventTypes: ['*'] });
    await world.server.prisma.webhookEndpoint.update({ where: { id: stale.id }, data: { connect: true } });
    const { endpoint: production } = await givenEndpoint(world.server, asProduction(), {
      url: world.receiver.url,
      eventTypes: ['*'],
      connect: true,
    });

    const updated = await world.server.request(
      UpdateConnectedAccountDocument,
      { input: { id: world.pending.id, metadata: { plan: 'silver' } } },
      asProduction(),
    );
    expect(updated.data?.updateConnectedAccount.__typename).toBe('UpdateConnectedAccountPayload');
    const routed = async (endpointId: string) =>
      (await world.server.prisma.webhookDelivery.findMany({ where: { endpointId }, include: { event: true } })).map(
        (delivery) => delivery.event.type,
      );
    expect(await routed(production.id)).toEqual(['connected_account.updated']);
    // Its own creation, an event of its tenant, and nothing of the account.
    expect(await routed(stale.id)).toEqual(['webhook_endpoint.created']);
  });

  test('leaves the production key every Connect operation', async () => {
    const headers = asProduction();
    const changes = [
      await world.server.request(
        UpdateConnectedAccountDocument,
        { input: { id: world.pending.id, metadata: { plan: 'platinum' } } },
        headers,
      ),
      await world.server.request(SuspendConnectedAccountDocument, { input: { id: world.active.accountId } }, headers),
      await world.server.request(ReactivateConnectedAccountDocument, { input: { id: world.active.accountId } }, headers),
      await world.server.request(CreateAccountUpdateLinkDocument, { input: { connectedAccountId: world.active.accountId } }, headers),
      await world.server.request(RegenerateOnboardingLinkDocument, { input: { connectedAccountId: world.pending.id } }, headers),
      await world.server.request(UpdateConnectPlatformDocument, { input: { onboardingLinkTtlSeconds: 3600 } }, headers),
      await world.server.request(ConfigureConnectOAuthDocument, { input: { redirectUris: ['https://platform.example/cb'] } }, headers),
    ];
    for (const response of changes) {
      expect(response.errors, JSON.stringify(response)).toBeUndefined();
      expect(Object.values(response.data ?? {})[0]).toMatchObject({ __typename: expect.stringMatching(/Payload$/) });
    }
  });
});
