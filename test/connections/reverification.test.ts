// Published connections are checked again in the background, at most once an hour, by one process
// at a time: several server processes on one database check a due connection once.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { ConnectionDocument, CreateConnectionDocument, EventsDocument, ArchiveConnectionDocument } from '../generated/graphql.ts';
import { startConnectionReverification } from '../../src/connections/reverification.ts';
import { createLogger } from '../../src/core/logger.ts';
import { addressPolicyOf } from '../../src/net/address-guard.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey } from '../support/server.ts';
import { startStripe } from './stand-ins/providers.ts';
import { unique } from '../support/unique.ts';

const STRIPE_KEY = 'sk_test_51BackgroundKeyAbcdef4242';
const HOUR = 60 * 60 * 1000;

// Rounds run when a test asks (deliverDue), not on the timer (test/support/server.ts).
const { test, world } = platformWorld({}, async (seed) => {
  const stripe = await startStripe([STRIPE_KEY]);
  const owner = await seed.organization('Background checks');
  return { stripe, owner };
});
test.afterAll(async () => {
  await world.stripe?.close();
});

async function givenStripeConnection(organization: OrganizationFixture = world.owner, secretKey = STRIPE_KEY): Promise<string> {
  const input = {
    name: `Stripe ${unique()}`,
    providerType: 'STRIPE' as const,
    secrets: { stripe: { publishableKey: 'pk_test_51Publishable0000', secretKey } },
    settings: { endpoint: world.stripe.url },
  };
  const response = await world.server.request(CreateConnectionDocument, { input }, withKey(organization.apiKey));
  if (response.data?.createConnection.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(response));
  return response.data.createConnection.connection.id;
}

const checksOf = () => world.stripe.requests.filter(({ headers }) => headers.authorization === `Bearer ${STRIPE_KEY}`).length;

async function verificationEvents(id: string) {
  const response = await world.server.request(
    EventsDocument,
    { filter: { objectId: id, type: ['connection.verification_succeeded', 'connection.verification_failed'] } },
    withKey(world.owner.apiKey),
  );
  return response.data?.events.nodes ?? expect.fail(JSON.stringify(response));
}

describe('background re-verification', () => {
  test('checks a published connection not checked for an hour, as the SYSTEM, and not again before the hour', async () => {
    const id = await givenStripeConnection();
    const archived = await givenStripeConnection();
    await world.server.request(ArchiveConnectionDocument, { input: { id: archived } }, withKey(world.owner.apiKey));

    expect(await world.server.connectionChecks.deliverDue()).toBe(1);
    const read = await world.server.request(ConnectionDocument, { id }, withKey(world.owner.apiKey));
    expect(read.data?.connection?.health).toMatchObject({ status: 'HEALTHY', lastError: null });
    expect(await verificationEvents(id)).toMatchObject([
      { type: 'connection.verification_succeeded', actor: { type: 'SYSTEM', id: null } },
    ]);
    expect(await verificationEvents(archived)).toEqual([]);

    world.server.clock.advance(HOUR - 60_000);
    expect(await world.server.connectionChecks.deliverDue()).toBe(0);
    world.server.clock.advance(2 * 60_000);
    expect(await world.server.connectionChecks.deliverDue()).toBe(1);
    expect(await verificationEvents(id)).toHaveLength(2);
  });

  test('is done once when several workers on one database look at the same due connection', async () => {
    const id = await givenStripeConnection();
    const before = checksOf();
    world.stripe.answerAfter(300);
    const log = createLogger('silent');
    const workers = [1, 2, 3].map(() =>
      startConnectionReverification({
        prisma: world.server.prisma,
        keyRing: world.server.keyRing,
        addressPolicy: addressPolicyOf(world.server.config),
        verifyTimeoutMs: world.server.config.connectionVerifyTimeoutMs,
        clock: world.server.clock,
        log,
        pollMs: HOUR,
        active: () => true,
      }),
    );
    try {
      const counts = await Promise.all(workers.map((worker) => worker.deliverDue()));
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
    } finally {
      world.stripe.answerAfter(0);
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    expect(checksOf() - before).toBe(1);
    expect(await verificationEvents(id)).toHaveLength(1);
  });

  test.skipIf(process.env.TEST_DATABASE !== 'postgres')('is done once by two server processes on one PostgreSQL database', async () => {
    const id = await givenStripeConnection();
    const second = await startTestServer({ databaseUrl: world.server.databaseUrl ?? '' });
    const before = checksOf();
    world.stripe.answerAfter(300);
    try {
      const counts = await Promise.all([world.server.connectionChecks.deliverDue(), second.connectionChecks.deliverDue()]);
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
    } finally {
      world.stripe.answerAfter(0);
      await second.close();
    }
    expect(checksOf() - before).toBe(1);
    expect(await verificationEvents(id)).toHaveLength(1);
  });

  // Issue 23: a tenant with many slow connections no longer fills every round before another tenant's is checked.
  test("takes turns between tenants: one tenant's twenty slow checks do not go before another's one", async () => {
    const crowded = await givenOrganization(world.server, 'Crowded checks');
    const other = await givenOrganization(world.server, 'Other checks');
    const otherKey = 'sk_test_51OtherTenantKey0000000001';
    for (let index = 0; index < 20; index += 1) await givenStripeConnection(crowded);
    await givenStripeConnection(other, otherKey);
    // Every connection of the file is due again, the earlier tests' too.
    world.server.clock.advance(2 * HOUR);
    const first = world.stripe.requests.length;
    world.stripe.answerAfter(300);
    try {
      await world.server.connectionChecks.deliverDue();
    } finally {
      world.stripe.answerAfter(0);
    }
    const order = world.stripe.requests.slice(first).map(({ headers }) => headers.authorization);
    // The first batch holds at most 4 connections of a tenant (4 of the crowded one's, the few of the
    // earlier tests' owner, this one): the other tenant's check is among its requests. Before, the
    // first batch was 16 of the crowded tenant's, and the other's came after them.
    expect(order).toHaveLength(
      21 + (await world.server.prisma.connection.count({ where: { tenantId: world.owner.tenantId, status: 'PUBLISHED' } })),
    );
    expect(order.indexOf(`Bearer ${otherKey}`)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(`Bearer ${otherKey}`)).toBeLessThan(9);
  });
});
