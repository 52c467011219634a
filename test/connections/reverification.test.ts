// Published connections are checked again in the background, at most once an hour, by one process
// at a time: several server processes on one database check a due connection once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionDocument, CreateConnectionDocument, EventsDocument, ArchiveConnectionDocument } from '../generated/graphql.ts';
import { startConnectionReverification } from '../../src/connections/reverification.ts';
import { createLogger } from '../../src/core/logger.ts';
import { addressPolicyOf } from '../../src/net/address-guard.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { startStripe, type StandIn } from './stand-ins/providers.ts';

const STRIPE_KEY = 'sk_test_51BackgroundKeyAbcdef4242';
const HOUR = 60 * 60 * 1000;

let server: TestServer;
let owner: OrganizationFixture;
let stripe: StandIn;

beforeAll(async () => {
  // Rounds run when a test asks (deliverDue), not on the timer (test/support/server.ts).
  server = await startTestServer();
  stripe = await startStripe([STRIPE_KEY]);
  owner = await givenOrganization(server, 'Background checks');
});
afterAll(async () => {
  await stripe?.close();
  await server?.close();
});

let names = 0;
async function givenStripeConnection(organization = owner, secretKey = STRIPE_KEY): Promise<string> {
  const input = {
    name: `Stripe ${(names += 1)}`,
    providerType: 'STRIPE' as const,
    secrets: { stripe: { publishableKey: 'pk_test_51Publishable0000', secretKey } },
    settings: { endpoint: stripe.url },
  };
  const response = await server.request(CreateConnectionDocument, { input }, withKey(organization.apiKey));
  if (response.data?.createConnection.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(response));
  return response.data.createConnection.connection.id;
}

const checksOf = () => stripe.requests.filter(({ headers }) => headers.authorization === `Bearer ${STRIPE_KEY}`).length;

async function verificationEvents(id: string) {
  const response = await server.request(
    EventsDocument,
    { filter: { objectId: id, type: ['connection.verification_succeeded', 'connection.verification_failed'] } },
    withKey(owner.apiKey),
  );
  return response.data?.events.nodes ?? expect.fail(JSON.stringify(response));
}

describe('background re-verification', () => {
  it('checks a published connection not checked for an hour, as the SYSTEM, and not again before the hour', async () => {
    const id = await givenStripeConnection();
    const archived = await givenStripeConnection();
    await server.request(ArchiveConnectionDocument, { input: { id: archived } }, withKey(owner.apiKey));

    expect(await server.connectionChecks.deliverDue()).toBe(1);
    const read = await server.request(ConnectionDocument, { id }, withKey(owner.apiKey));
    expect(read.data?.connection?.health).toMatchObject({ status: 'HEALTHY', lastError: null });
    expect(await verificationEvents(id)).toMatchObject([
      { type: 'connection.verification_succeeded', actor: { type: 'SYSTEM', id: null } },
    ]);
    expect(await verificationEvents(archived)).toEqual([]);

    server.clock.advance(HOUR - 60_000);
    expect(await server.connectionChecks.deliverDue()).toBe(0);
    server.clock.advance(2 * 60_000);
    expect(await server.connectionChecks.deliverDue()).toBe(1);
    expect(await verificationEvents(id)).toHaveLength(2);
  });

  it('is done once when several workers on one database look at the same due connection', async () => {
    const id = await givenStripeConnection();
    const before = checksOf();
    stripe.answerAfter(300);
    const log = createLogger('silent');
    const workers = [1, 2, 3].map(() =>
      startConnectionReverification({
        prisma: server.prisma,
        keyRing: server.keyRing,
        addressPolicy: addressPolicyOf(server.config),
        clock: server.clock,
        log,
        pollMs: HOUR,
        active: () => true,
      }),
    );
    try {
      const counts = await Promise.all(workers.map((worker) => worker.deliverDue()));
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
    } finally {
      stripe.answerAfter(0);
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    expect(checksOf() - before).toBe(1);
    expect(await verificationEvents(id)).toHaveLength(1);
  });

  it.skipIf(process.env.TEST_DATABASE !== 'postgres')('is done once by two server processes on one PostgreSQL database', async () => {
    const id = await givenStripeConnection();
    const second = await startTestServer({ databaseUrl: server.databaseUrl ?? '' });
    const before = checksOf();
    stripe.answerAfter(300);
    try {
      const counts = await Promise.all([server.connectionChecks.deliverDue(), second.connectionChecks.deliverDue()]);
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
    } finally {
      stripe.answerAfter(0);
      await second.close();
    }
    expect(checksOf() - before).toBe(1);
    expect(await verificationEvents(id)).toHaveLength(1);
  });

  // Issue 23: a tenant with many slow connections no longer fills every round before another tenant's is checked.
  it("takes turns between tenants: one tenant's twenty slow checks do not go before another's one", async () => {
    const crowded = await givenOrganization(server, 'Crowded checks');
    const other = await givenOrganization(server, 'Other checks');
    const otherKey = 'sk_test_51OtherTenantKey0000000001';
    for (let index = 0; index < 20; index += 1) await givenStripeConnection(crowded);
    await givenStripeConnection(other, otherKey);
    // Every connection of the file is due again, the earlier tests' too.
    server.clock.advance(2 * HOUR);
    const first = stripe.requests.length;
    stripe.answerAfter(300);
    try {
      await server.connectionChecks.deliverDue();
    } finally {
      stripe.answerAfter(0);
    }
    const order = stripe.requests.slice(first).map(({ headers }) => headers.authorization);
    // The first batch holds at most 4 connections of a tenant (4 of the crowded one's, the few of the
    // earlier tests' owner, this one): the other tenant's check is among its requests. Before, the
    // first batch was 16 of the crowded tenant's, and the other's came after them.
    expect(order).toHaveLength(21 + (await server.prisma.connection.count({ where: { tenantId: owner.tenantId, status: 'PUBLISHED' } })));
    expect(order.indexOf(`Bearer ${otherKey}`)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(`Bearer ${otherKey}`)).toBeLessThan(9);
  });
});
