// Connect is production-only: a sandbox tenant's key (createTenant) neither sees nor manages the
// platform's connected accounts, Connect settings, links or their events, cannot act on behalf of
// an account, and its webhook endpoints never get a connected account's events. The production
// key of the same organization still does all of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { REDIRECT_URL, actingFor, givenActiveAccount, givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';

const PRODUCTION_ONLY = 'Connect is production-only: use a key of the production tenant.';

let server: TestServer;
let platform: OrganizationFixture;
let sandbox: { tenantId: string; apiKey: string };
let active: { accountId: string };
let pending: { id: string };
let receiver: Receiver;

beforeAll(async () => {
  server = await startTestServer({ environment: { WEBHOOK_POLL_MS: '3600000' } });
  platform = await givenConnectPlatform(server, 'Sandboxed Platform');
  active = await givenActiveAccount(server, platform);
  pending = (await givenExpressAccount(server, platform, { metadata: { plan: 'gold' } })).account;
  const created = await server.request(
    CreateTenantDocument,
    { input: { name: 'Staging', environment: 'SANDBOX' } },
    withKey(platform.apiKey),
  );
  const result = created.data?.createTenant;
  if (result?.__typename !== 'CreateTenantPayload' || !result.apiKey.secret) return expect.fail(JSON.stringify(created));
  sandbox = { tenantId: result.tenant.id, apiKey: result.apiKey.secret };
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

const asSandbox = () => withKey(sandbox.apiKey);
const asProduction = () => withKey(platform.apiKey);

function expectProductionOnly(response: {
  status: number;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[] | undefined;
}) {
  expect(response.status, JSON.stringify(response)).toBe(403);
  expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(response.errors?.[0]?.message).toContain(PRODUCTION_ONLY);
}

describe('a sandbox key and Connect', () => {
  it('cannot act on behalf of an account: 403 before any lookup, the same for an id that does not exist', async () => {
    const real = await server.request(ActingViewerDocument, {}, { ...asSandbox(), 'x-meteroid-connect-account': active.accountId });
    const unknown = await server.request(ActingViewerDocument, {}, { ...asSandbox(), 'x-meteroid-connect-account': 'acct_doesnotexist' });
    expectProductionOnly(real);
    expect([unknown.status, unknown.errors]).toEqual([real.status, real.errors]);
    expect(real.data ?? null).toBeNull();

    const production = await server.request(ActingViewerDocument, {}, actingFor(platform, active.accountId));
    expect(production.data?.viewer.actingAs).toEqual({ id: active.accountId, status: 'ACTIVE' });
  });

  it('sees no connected account, setting or link: the Connect queries are FORBIDDEN, node finds nothing', async () => {
    for (const response of [
      await server.request(ConnectedAccountsDocument, {}, asSandbox()),
      await server.request(ConnectedAccountDocument, { id: pending.id }, asSandbox()),
      await server.request(ConnectPlatformDocument, {}, asSandbox()),
      await server.request(ConnectedPlatformsDocument, {}, asSandbox()),
    ]) {
      expectProductionOnly(response);
    }
    for (const id of [pending.id, active.accountId]) {
      expect((await server.request(NodeDocument, { id }, asSandbox())).data?.node).toBeNull();
      expect((await server.request(NodeDocument, { id }, asProduction())).data?.node).toEqual({ __typename: 'ConnectedAccount', id });
    }
    expect((await server.request(ConnectedAccountsDocument, {}, asProduction())).data?.connectedAccounts.totalCount).toBe(2);
    expect((await server.request(ConnectPlatformDocument, {}, asProduction())).data?.connectPlatform?.redirectUrl).toBe(REDIRECT_URL);
  });

  it('is confined below GraphQL too: a sandbox scope reads no Connect row and no Connect event', async () => {
    const db = scopeToTenant(server.prisma, {
      organizationId: platform.organizationId,
      tenantId: sandbox.tenantId,
      organizationWide: true,
      environment: 'SANDBOX',
    });
    expect(await db.connectedAccount.findMany({})).toEqual([]);
    expect(await db.connectedAccount.findMany({ where: { OR: [{ id: pending.id }, { id: active.accountId }] } })).toEqual([]);
    expect(await db.connectPlatform.count()).toBe(0);
    expect(await db.onboardingLink.count()).toBe(0);
    expect(await db.event.count({ where: { connectedAccountId: { not: null } } })).toBe(0);
    await expect(
      db.connectedAccount.create({ data: { id: 'acct_sneaky', connectionType: 'EXPRESS', status: 'PENDING' } as never }),
    ).rejects.toThrow(/production-only/);
  });

  it('manages nothing: every Connect mutation is FORBIDDEN and changes nothing', async () => {
    const id = pending.id;
    const before = await server.prisma.connectedAccount.findUniqueOrThrow({ where: { id } });
    const platformBefore = await server.prisma.connectPlatform.findUniqueOrThrow({ where: { organizationId: platform.organizationId } });
    const linksBefore = await server.prisma.onboardingLink.count();
    const attempts = [
      server.request(EnableConnectPlatformDocument, { input: { redirectUrl: 'https://sandbox.example/done' } }, asSandbox()),
      server.request(UpdateConnectPlatformDocument, { input: { redirectUrl: 'https://sandbox.example/done' } }, asSandbox()),
      server.request(
        ConfigureConnectOAuthDocument,
        { input: { redirectUris: ['https://sandbox.example/cb'], rotateClientSecret: true } },
        asSandbox(),
      ),
      server.request(
        CreateConnectedAccountDocument,
        { input: { connectionType: 'EXPRESS', email: 'a@b.example', organizationName: 'x' } },
        asSandbox(),
      ),
      server.request(RegenerateOnboardingLinkDocument, { input: { connectedAccountId: id } }, asSandbox()),
      server.request(UpdateConnectedAccountDocument, { input: { id, metadata: { plan: 'stolen' } } }, asSandbox()),
      server.request(SuspendConnectedAccountDocument, { input: { id: active.accountId } }, asSandbox()),
      server.request(ReactivateConnectedAccountDocument, { input: { id: active.accountId } }, asSandbox()),
      server.request(RevokeConnectedAccountDocument, { input: { id: active.accountId } }, asSandbox()),
      server.request(CreateAccountUpdateLinkDocument, { input: { connectedAccountId: active.accountId } }, asSandbox()),
      server.request(DisconnectPlatformDocument, { input: { connectedAccountId: active.accountId } }, asSandbox()),
    ];
    for (const response of await Promise.all(attempts)) expectProductionOnly(response);
    expect(await server.prisma.connectedAccount.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect((await server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: active.accountId } })).status).toBe('ACTIVE');
    expect(await server.prisma.connectPlatform.findUniqueOrThrow({ where: { organizationId: platform.organizationId } })).toEqual(
      platformBefore,
    );
    expect(await server.prisma.onboardingLink.count()).toBe(linksBefore);
  });

  it("does not see the accounts' events, by list, by id or by node; the production key does", async () => {
    const accountEvents = await server.prisma.event.findMany({ where: { connectedAccountId: pending.id } });
    expect(accountEvents.length).toBeGreaterThan(0);
    // Where they are kept: with the platform organization, in no tenant.
    expect(accountEvents.every((event) => event.tenantId === null && event.organizationId === platform.organizationId)).toBe(true);
    const [event] = accountEvents;
    if (!event) return expect.fail('no event');

    const all = await server.request(EventsDocument, { first: 100 }, asSandbox());
    expect(all.data?.events.nodes.filter((node) => node.connectedAccountId !== null || node.objectId === pending.id)).toEqual([]);
    expect(
      (await server.request(EventsDocument, { filter: { connectedAccountId: pending.id } }, asSandbox())).data?.events.totalCount,
    ).toBe(0);
    expect((await server.request(EventDocument, { id: event.id }, asSandbox())).data?.event).toBeNull();
    expect((await server.request(NodeDocument, { id: event.id }, asSandbox())).data?.node).toBeNull();
    // Its own organization-level events still show: the tenant's own creation.
    expect(all.data?.events.nodes.map((node) => node.type)).toContain('tenant.created');

    expect(
      (await server.request(EventsDocument, { filter: { connectedAccountId: pending.id } }, asProduction())).data?.events.totalCount,
    ).toBe(accountEvents.length);
    expect((await server.request(EventDocument, { id: event.id }, asProduction())).data?.event?.id).toBe(event.id);
  });

  it("cannot make a connect endpoint, and a sandbox endpoint never gets a connected account's events", async () => {
    const refused = await server.request(
      CreateWebhookEndpointDocument,
      { input: { url: receiver.url, eventTypes: ['*'], connect: true } },
      asSandbox(),
    );
    const result = refused.data?.createWebhookEndpoint;
    expect(result?.__typename === 'ValidationError' && [result.fields, result.message]).toEqual([
      ['input.connect'],
      expect.stringContaining(PRODUCTION_ONLY),
    ]);

    // One made before the rule (connect set in the database) is not routed any account's event.
    const { endpoint: stale } = await givenEndpoint(server, asSandbox(), { url: receiver.url, eventTypes: ['*'] });
    await server.prisma.webhookEndpoint.update({ where: { id: stale.id }, data: { connect: true } });
    const { endpoint: production } = await givenEndpoint(server, asProduction(), { url: receiver.url, eventTypes: ['*'], connect: true });

    const updated = await server.request(
      UpdateConnectedAccountDocument,
      { input: { id: pending.id, metadata: { plan: 'silver' } } },
      asProduction(),
    );
    expect(updated.data?.updateConnectedAccount.__typename).toBe('UpdateConnectedAccountPayload');
    const routed = async (endpointId: string) =>
      (await server.prisma.webhookDelivery.findMany({ where: { endpointId }, include: { event: true } })).map(
        (delivery) => delivery.event.type,
      );
    expect(await routed(production.id)).toEqual(['connected_account.updated']);
    // Its own creation, an event of its tenant, and nothing of the account.
    expect(await routed(stale.id)).toEqual(['webhook_endpoint.created']);
  });

  it('leaves the production key every Connect operation', async () => {
    const headers = asProduction();
    const changes = [
      await server.request(UpdateConnectedAccountDocument, { input: { id: pending.id, metadata: { plan: 'platinum' } } }, headers),
      await server.request(SuspendConnectedAccountDocument, { input: { id: active.accountId } }, headers),
      await server.request(ReactivateConnectedAccountDocument, { input: { id: active.accountId } }, headers),
      await server.request(CreateAccountUpdateLinkDocument, { input: { connectedAccountId: active.accountId } }, headers),
      await server.request(RegenerateOnboardingLinkDocument, { input: { connectedAccountId: pending.id } }, headers),
      await server.request(UpdateConnectPlatformDocument, { input: { onboardingLinkTtlSeconds: 3600 } }, headers),
      await server.request(ConfigureConnectOAuthDocument, { input: { redirectUris: ['https://platform.example/cb'] } }, headers),
    ];
    for (const response of changes) {
      expect(response.errors, JSON.stringify(response)).toBeUndefined();
      expect(Object.values(response.data ?? {})[0]).toMatchObject({ __typename: expect.stringMatching(/Payload$/) });
    }
  });
});
