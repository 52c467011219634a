// The delivery worker against a real receiver on loopback: retries on the schedule, every attempt
// signed and verified with `standardwebhooks`, the delivery log, order per endpoint, redirects and
// timeouts as failures, disabling a dead endpoint (with its event), restarts, and two processes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { UpdateWebhookEndpointDocument, WebhookEndpointDocument } from '../generated/graphql.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { createPostgresDatabase } from '../support/test-databases.ts';
import { MAX_ATTEMPTS, RETRY_SCHEDULE_MS, JITTER } from '../../src/webhooks/schedule.ts';
import { sendWebhook } from '../../src/webhooks/sender.ts';
import { recordEvent } from '../../src/events/record.ts';
import { deliveriesOf, givenConnection, givenEndpoint, startTestWorker } from '../support/givens/webhooks.ts';
import { startReceiver, verify, type Answer } from './receiver.ts';

const ON_POSTGRES = process.env.TEST_DATABASE === 'postgres';
/** Past the longest jittered wait after `attempts` failed attempts. */
const pastRetry = (attempts: number) => Math.ceil((RETRY_SCHEDULE_MS[attempts - 1] ?? 0) * (1 + JITTER)) + 1_000;
const seconds = (from: string | null | undefined, to: string | null | undefined) =>
  (new Date(to ?? 0).getTime() - new Date(from ?? 0).getTime()) / 1000;

// Rounds run when a test says so (and when an event is committed, as in production). One tenant
// gets 30 endpoints below, past the default cap of 20.
const { test, world } = platformWorld({ environment: { WEBHOOK_POLL_MS: '3600000', WEBHOOK_ENDPOINTS_PER_TENANT: '40' } });

async function owner(name: string): Promise<OrganizationFixture> {
  return givenOrganization(world.server, name);
}

describe('delivering a webhook', () => {
  test('retries a failing receiver on the schedule until it answers 2xx, every attempt signed', async () => {
    const org = await owner('Retry Org');
    const answers: Answer[] = [{ status: 500, body: 'x'.repeat(5000) }, { status: 503 }];
    const hooks = await startReceiver((_receipt, index) => answers[index] ?? { status: 200, body: 'ok' });
    try {
      const { endpoint, secret } = await givenEndpoint(world.server, withKey(org.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created'],
      });
      const connection = await givenConnection(world.server, org.apiKey);
      const event = await world.server.prisma.event.findFirstOrThrow({ where: { type: 'connection.created', objectId: connection.id } });

      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(1);
      let [delivery] = await deliveriesOf(world.server, org.apiKey, endpoint.id);
      expect(delivery).toMatchObject({ eventId: event.id, status: 'PENDING', attempts: 1, lastResponseStatus: 500, lastError: 'HTTP 500' });
      expect(seconds(delivery?.lastAttemptAt, delivery?.nextAttemptAt)).toBeGreaterThanOrEqual(27 - 0.01);
      expect(seconds(delivery?.lastAttemptAt, delivery?.nextAttemptAt)).toBeLessThanOrEqual(33 + 0.01);
      const stored = await world.server.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery?.id ?? '' } });
      expect(stored.lastResponseBody).toBe('x'.repeat(1024));

      // Not due yet: nothing is sent.
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(1);

      world.server.clock.advance(pastRetry(1));
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(2);
      [delivery] = await deliveriesOf(world.server, org.apiKey, endpoint.id);
      expect(delivery).toMatchObject({ status: 'PENDING', attempts: 2, lastResponseStatus: 503 });
      expect(seconds(delivery?.lastAttemptAt, delivery?.nextAttemptAt)).toBeGreaterThanOrEqual(108 - 0.01);
      expect(seconds(delivery?.lastAttemptAt, delivery?.nextAttemptAt)).toBeLessThanOrEqual(132 + 0.01);

      world.server.clock.advance(pastRetry(2));
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(3);
      [delivery] = await deliveriesOf(world.server, org.apiKey, endpoint.id);
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 3, lastResponseStatus: 200, lastError: null, nextAttemptAt: null });

      for (const receipt of hooks.receipts) {
        expect(verify(secret, receipt)).toEqual({
          id: event.id,
          type: 'connection.created',
          createdAt: event.createdAt.toISOString(),
          data: event.data,
        });
        expect(receipt.headers['webhook-id']).toBe(event.id);
        expect(receipt.headers['user-agent']).toMatch(/^Connect-Webhooks\//);
        expect(receipt.headers['content-type']).toBe('application/json');
        expect(Object.keys(JSON.parse(receipt.body) as object)).toEqual(['id', 'type', 'createdAt', 'data']);
      }
      expect(await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).toMatchObject({
        consecutiveFailures: 0,
        failingSince: null,
      });
      expect(world.server.logs()).not.toContain(secret.slice('whsec_'.length, 20));
    } finally {
      await hooks.close();
    }
  });

  test("sends an endpoint's events one at a time, in the order they happened", async () => {
    const org = await owner('Ordered Org');
    let healthy = false;
    const hooks = await startReceiver(() => (healthy ? { status: 200, delayMs: 20 } : { status: 500 }));
    try {
      await givenEndpoint(world.server, withKey(org.apiKey), { url: hooks.url, eventTypes: ['connection.created', 'connection.updated'] });
      const connection = await givenConnection(world.server, org.apiKey);
      for (let index = 0; index < 5; index += 1) await connection.touch();
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(6);

      // All six retries are due at once: they still go one by one, oldest first.
      healthy = true;
      world.server.clock.advance(pastRetry(1));
      await world.server.webhooks.deliverDue();
      const events = await world.server.prisma.event.findMany({ where: { objectId: connection.id }, orderBy: { sequence: 'asc' } });
      expect(events).toHaveLength(6);
      expect(hooks.receipts.slice(6).map((receipt) => receipt.event.id)).toEqual(events.map((event) => event.id));
      expect(hooks.maxInFlight).toBe(1);
    } finally {
      await hooks.close();
    }
  });

  test('takes a redirect as a failure and does not follow it', async () => {
    const org = await owner('Redirect Org');
    const hooks = await startReceiver((receipt) => ({ status: 302, headers: { location: '/elsewhere' }, body: receipt.event.id }));
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(org.apiKey), { url: hooks.url, eventTypes: ['connection.created'] });
      await givenConnection(world.server, org.apiKey);
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(1);
      const [delivery] = await deliveriesOf(world.server, org.apiKey, endpoint.id);
      expect(delivery).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        lastResponseStatus: 302,
        lastError: 'redirect (HTTP 302) not followed',
      });
    } finally {
      await hooks.close();
    }
  });

  test('gives up on a receiver that does not answer in time', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks`;
      const started = Date.now();
      const outcome = await sendWebhook({ url, body: '{}', headers: {} }, { production: false, allowPrivateNetworks: false }, 300);
      expect(outcome).toEqual({ delivered: false, status: null, body: null, error: 'no answer within 10 s' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('marks a delivery FAILED after its last attempt, while the endpoint keeps receiving others', async () => {
    const org = await owner('Poison Org');
    const connection = await givenConnection(world.server, org.apiKey);
    // The receiver refuses the first update (a poison message) and takes everything else.
    let poison: string | null = null;
    const hooks = await startReceiver((receipt) => {
      poison ??= receipt.event.id;
      return { status: receipt.event.id === poison ? 422 : 204 };
    });
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(org.apiKey), { url: hooks.url, eventTypes: ['connection.updated'] });
      await connection.touch();
      await world.server.webhooks.deliverDue();
      for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
        world.server.clock.advance(pastRetry(attempt));
        await connection.touch(); // delivered: the endpoint is not dead, one message is
        await world.server.webhooks.deliverDue();
      }
      const poisoned = hooks.receipts.filter((receipt) => receipt.event.id === poison);
      expect(poisoned).toHaveLength(MAX_ATTEMPTS);
      const deliveries = await deliveriesOf(world.server, org.apiKey, endpoint.id);
      const failed = deliveries.filter((delivery) => delivery.status === 'FAILED');
      expect(failed).toMatchObject([{ eventId: poison, attempts: MAX_ATTEMPTS, nextAttemptAt: null, lastResponseStatus: 422 }]);
      expect(deliveries.filter((delivery) => delivery.status === 'DELIVERED')).toHaveLength(MAX_ATTEMPTS - 1);
      const row = await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
      expect(row.status).toBe('ENABLED');
    } finally {
      await hooks.close();
    }
  });

  test('disables an endpoint whose deliveries all failed for 3 days, recording webhook_endpoint.disabled', async () => {
    const org = await owner('Dead Org');
    const dead = await startReceiver(() => ({ status: 500 }));
    const watcher = await startReceiver();
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(org.apiKey), { url: dead.url, eventTypes: ['connection.created'] });
      await givenEndpoint(world.server, withKey(org.apiKey), { url: watcher.url, eventTypes: ['webhook_endpoint.disabled'] });
      await givenConnection(world.server, org.apiKey);
      await world.server.webhooks.deliverDue();
      let attempts = 1;
      for (; attempts < MAX_ATTEMPTS; attempts += 1) {
        const row = await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
        if (row.status === 'DISABLED') break;
        world.server.clock.advance(pastRetry(attempts));
        await world.server.webhooks.deliverDue();
      }
      const row = await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
      expect(row).toMatchObject({ status: 'DISABLED', disabledReason: 'every delivery failed for 3 days' });
      expect(row.failingSince && Date.parse(row.updatedAt.toISOString()) - row.failingSince.getTime()).toBeGreaterThanOrEqual(
        3 * 24 * 3600 * 1000,
      );
      expect(dead.receipts.length).toBeLessThan(MAX_ATTEMPTS);
      expect(watcher.receipts.map((receipt) => receipt.event.type)).toEqual(['webhook_endpoint.disabled']);
      expect(watcher.receipts[0]?.event.data).toMatchObject({
        object: { id: endpoint.id, status: 'DISABLED' },
        previous: { status: 'ENABLED' },
      });
    } finally {
      await dead.close();
      await watcher.close();
    }
  });
});

describe('workers racing for the same deliveries', () => {
  test('send each due attempt once, whichever worker leases it', async () => {
    const org = await owner('Raced Org');
    let healthy = false;
    const hooks = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    const workers = Array.from({ length: 4 }, () => startTestWorker(world.server));
    try {
      const endpoints = [];
      for (let index = 0; index < 30; index += 1) {
        endpoints.push(
          (await givenEndpoint(world.server, withKey(org.apiKey), { url: `${hooks.url}/${index}`, eventTypes: ['connection.created'] }))
            .endpoint,
        );
      }
      await givenConnection(world.server, org.apiKey);
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(30);

      // 30 retries due at once, and five workers (the server's and four more) after them.
      healthy = true;
      world.server.clock.advance(pastRetry(1));
      await Promise.all([world.server.webhooks.deliverDue(), ...workers.map((worker) => worker.deliverDue())]);
      expect(hooks.receipts).toHaveLength(60);
      const deliveries = await world.server.prisma.webhookDelivery.findMany({ where: { endpointId: { in: endpoints.map((e) => e.id) } } });
      expect(deliveries.map((delivery) => [delivery.status, delivery.attempts])).toEqual(
        Array.from({ length: 30 }, () => ['DELIVERED', 2]),
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await hooks.close();
    }
  });
});

describe('an event committed while the worker settles its endpoint', () => {
  // Issue 23: on PostgreSQL, a settle that waited for the queue row an event's transaction held read
  // the deliveries as they were before that commit, and left the new delivery pending with nothing due.
  test('is delivered: the settle that waited for it sees it', async () => {
    const org = await owner('Busy Settling Org');
    const hooks = await startReceiver(() => ({ status: 204, delayMs: 500 }));
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(org.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created', 'connection.updated'],
      });
      const connection = await givenConnection(world.server, org.apiKey);
      // The first delivery is being sent (500 ms) when an event's transaction queues the second and holds it open.
      const round = world.server.webhooks.deliverDue();
      await expect.poll(() => hooks.receipts.length).toBe(1);
      const place = { organizationId: org.organizationId, tenantId: org.tenantId, connectedAccountId: null, platformOrganizationId: null };
      await world.server.prisma.$transaction(async (tx) => {
        await recordEvent(tx, {
          type: 'connection.updated',
          objectId: connection.id,
          data: { object: { id: connection.id } },
          place,
          actor: { type: 'SYSTEM' },
        });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      });
      await round;
      await world.server.webhooks.deliverDue();
      expect(
        await world.server.prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id, status: { not: 'DELIVERED' } } }),
      ).toEqual([]);
      expect(hooks.receipts.map((receipt) => receipt.event.type)).toEqual(['connection.created', 'connection.updated']);
    } finally {
      await hooks.close();
    }
  });
});

describe('an endpoint failing many times in a row', () => {
  let strict: TestServer;
  test.beforeAll(async () => {
    // The threshold is 50 in production: 3 here, so the test needs no 50 attempts.
    strict = await startTestServer({ environment: { WEBHOOK_POLL_MS: '3600000', WEBHOOK_DISABLE_AFTER_FAILURES: '3' } });
  });
  test.afterAll(() => strict?.close());

  test('is disabled with its event, and enabled again sends what waited, in order', async () => {
    const org = await givenOrganization(strict, 'Flaky Org');
    let healthy = false;
    const hooks = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    const watcher = await startReceiver();
    try {
      const { endpoint, secret } = await givenEndpoint(strict, withKey(org.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created', 'connection.updated'],
      });
      await givenEndpoint(strict, withKey(org.apiKey), { url: watcher.url, eventTypes: ['webhook_endpoint.disabled'] });
      const connection = await givenConnection(strict, org.apiKey);
      await connection.touch();
      await connection.touch();
      await strict.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(3);

      const shown = await strict.request(WebhookEndpointDocument, { id: endpoint.id }, withKey(org.apiKey));
      expect(shown.data?.webhookEndpoint).toMatchObject({ status: 'DISABLED', disabledReason: '3 deliveries in a row failed' });
      expect(watcher.receipts.map((receipt) => receipt.event.data)).toMatchObject([{ object: { id: endpoint.id, status: 'DISABLED' } }]);
      const event = await strict.prisma.event.findFirstOrThrow({ where: { type: 'webhook_endpoint.disabled', objectId: endpoint.id } });
      expect(event).toMatchObject({ actorType: 'SYSTEM', tenantId: org.tenantId });

      // Disabled: nothing new is queued for it, and nothing is sent.
      await connection.touch();
      strict.clock.advance(pastRetry(1));
      await strict.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(3);

      healthy = true;
      const enabled = await strict.request(
        UpdateWebhookEndpointDocument,
        { input: { id: endpoint.id, enabled: true } },
        withKey(org.apiKey),
      );
      expect(JSON.stringify(enabled.data)).toContain('"status":"ENABLED"');
      await strict.webhooks.deliverDue();
      const sent = hooks.receipts.slice(3);
      const events = await strict.prisma.event.findMany({ where: { objectId: connection.id }, orderBy: { sequence: 'asc' }, take: 3 });
      expect(sent.map((receipt) => receipt.event.id)).toEqual(events.map((e) => e.id));
      for (const receipt of hooks.receipts) expect(verify(secret, receipt)).toBeTruthy();
      expect((await deliveriesOf(strict, org.apiKey, endpoint.id)).map((delivery) => delivery.status)).toEqual([
        'DELIVERED',
        'DELIVERED',
        'DELIVERED',
      ]);
    } finally {
      await hooks.close();
      await watcher.close();
    }
  });
});

describe.skipIf(!ON_POSTGRES)('server processes sharing one PostgreSQL database (PGlite: one process per in-memory database)', () => {
  test('delivers after a restart in the middle of a retry schedule', async () => {
    const database = await createPostgresDatabase();
    let healthy = false;
    const hooks = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    const first = await startTestServer({ databaseUrl: database.url, environment: { WEBHOOK_POLL_MS: '3600000' } });
    let second: TestServer | null = null;
    try {
      await first.migrate();
      const org = await givenOrganization(first, 'Restarted Org');
      const { endpoint, secret } = await givenEndpoint(first, withKey(org.apiKey), { url: hooks.url, eventTypes: ['connection.created'] });
      await givenConnection(first, org.apiKey);
      await first.webhooks.deliverDue();
      first.clock.advance(pastRetry(1));
      await first.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(2);
      await first.close();

      healthy = true;
      second = await startTestServer({ databaseUrl: database.url, environment: { WEBHOOK_POLL_MS: '3600000' } });
      second.clock.advance(pastRetry(1) + pastRetry(2));
      await second.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(3);
      expect(verify(secret, hooks.receipts[2] ?? expect.fail())).toBeTruthy();
      expect(await deliveriesOf(second, org.apiKey, endpoint.id)).toMatchObject([{ status: 'DELIVERED', attempts: 3 }]);
    } finally {
      await second?.close();
      await first.close().catch(() => {});
      await hooks.close();
      await database.drop();
    }
  });

  test('sends each event once to each endpoint when two processes deliver at once', async () => {
    const database = await createPostgresDatabase();
    const hooks = [await startReceiver(), await startReceiver()];
    const environment = { WEBHOOK_POLL_MS: '50' };
    const one = await startTestServer({ databaseUrl: database.url, environment });
    await one.migrate();
    const two = await startTestServer({ databaseUrl: database.url, environment });
    try {
      const org = await givenOrganization(one, 'Busy Org');
      const eventTypes = ['connection.created', 'connection.updated'];
      for (const receiver of hooks) await givenEndpoint(one, withKey(org.apiKey), { url: receiver.url, eventTypes });
      const connection = await givenConnection(two, org.apiKey);
      const touches = [];
      for (let index = 0; index < 20; index += 1) touches.push(connection.touch());
      await Promise.all(touches);
      await Promise.all([one.webhooks.deliverDue(), two.webhooks.deliverDue(), one.webhooks.deliverDue(), two.webhooks.deliverDue()]);
      for (let waited = 0; waited < 100; waited += 1) {
        if ((await one.prisma.webhookDelivery.count({ where: { status: { not: 'DELIVERED' } } })) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const events = await one.prisma.event.findMany({ where: { objectId: connection.id }, orderBy: { sequence: 'asc' } });
      expect(events).toHaveLength(21);
      for (const receiver of hooks) {
        expect(receiver.receipts.map((receipt) => receipt.event.id).sort()).toEqual(events.map((event) => event.id).sort());
      }
      expect(await one.prisma.webhookDelivery.findMany({ where: { attempts: { not: 1 } } })).toEqual([]);
    } finally {
      await one.close();
      await two.close();
      await Promise.all(hooks.map((receiver) => receiver.close()));
      await database.drop();
    }
  });
});
