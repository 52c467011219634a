// One tenant's dead receivers never slow another's deliveries (issue 23): the sends are shared out
// per tenant, the lease reads a few rows whatever the backlog and however stale the statistics, a
// receiver that stops answering trips its breaker, and a tenant's endpoints are capped.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, onTestFinished } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateTenantDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  UpdateWebhookEndpointDocument,
} from '../generated/graphql.ts';
import { sendWebhook } from '../../src/webhooks/sender.ts';
import type { WebhookWorker } from '../../src/webhooks/worker.ts';
import { claimDueQueues, headArguments, TAKE_HEADS } from '../../src/webhooks/queue/lease.ts';
import { OPEN_FIRST_MS, UNANSWERED_TO_OPEN } from '../../src/webhooks/queue/breaker.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { deliveriesOf, givenConnection, givenEndpoint, startTestWorker } from '../support/givens/webhooks.ts';
import { startReceiver } from './receiver.ts';

/** A receiver that accepts connections and never answers: each send to it waits for its timeout. */
async function startSilentReceiver() {
  const sockets = new Set<Socket>();
  const load = { seen: 0 };
  const server: Server = createServer(() => {});
  server.on('connection', (socket) => {
    sockets.add(socket);
    load.seen += 1;
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    load,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A receiver that resets every connection at once: a send fails unanswered, as to a dead host. A
 * port of its own for the test's length (a closed port could be taken by another test's server
 * meanwhile, which then answered or stalled the sends).
 */
async function startResettingReceiver() {
  const server = createNetServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const workers: WebhookWorker[] = [];

/** A worker of the test's own, whose sends give up after `timeoutMs` instead of 10 s. */
function worker(sends: { perProcess: number; perOrganization: number }, timeoutMs = 10_000, server = world.server): WebhookWorker {
  const started = startTestWorker(server, {
    sends,
    send: (message, policy, cancel) => sendWebhook(message, policy, timeoutMs, cancel),
  });
  workers.push(started);
  return started;
}

const { test, world } = platformWorld(
  { environment: { WEBHOOK_POLL_MS: '3600000', WEBHOOK_ENDPOINTS_PER_TENANT: '200' } },
  async (seed) => {
    // The application's own worker is woken by every committed event: stopped here, so that the
    // workers each test starts are the only ones sending.
    await seed.server.webhooks.stop();
    return {};
  },
);
test.afterAll(async () => {
  await Promise.all(workers.map((started) => started.stop()));
});

describe('sending for many tenants', () => {
  test("gives an organization with silent receivers, across its tenants, only its share of the sends: another's delivery goes at once", async () => {
    const attacker = await givenOrganization(world.server, 'Silent Receivers Org');
    const victim = await givenOrganization(world.server, 'Victim Org');
    const silent = await startSilentReceiver();
    const hooks = await startReceiver();
    try {
      // Its production tenant and two sandboxes (an outsider's probe held every send this way when
      // shares were per tenant): two silent endpoints and two events in each.
      const keys = [attacker.apiKey];
      for (const name of ['Sandbox one', 'Sandbox two']) {
        const made = await world.server.request(
          CreateTenantDocument,
          { input: { name, environment: 'SANDBOX' } },
          withKey(attacker.apiKey),
        );
        keys.push(
          made.data?.createTenant.__typename === 'CreateTenantPayload'
            ? (made.data.createTenant.apiKey.secret ?? '')
            : expect.fail(JSON.stringify(made)),
        );
      }
      for (const [tenant, key] of keys.entries()) {
        for (const index of [1, 2])
          await givenEndpoint(world.server, withKey(key), { url: `${silent.url}/${tenant}/${index}`, eventTypes: ['connection.created'] });
        await givenConnection(world.server, key);
        await givenConnection(world.server, key);
      }
      await givenEndpoint(world.server, withKey(victim.apiKey), { url: hooks.url, eventTypes: ['connection.created'] });
      await givenConnection(world.server, victim.apiKey);

      let silentSeenAtVictim = -1;
      const watch = setInterval(() => {
        if (silentSeenAtVictim < 0 && hooks.receipts.length > 0) silentSeenAtVictim = silent.load.seen;
      }, 5);
      const started = Date.now();
      await worker({ perProcess: 4, perOrganization: 2 }, 300).deliverDue();
      const elapsed = Date.now() - started;
      clearInterval(watch);

      expect(hooks.receipts.map((receipt) => receipt.event.type)).toEqual(['connection.created']);
      // The victim's delivery went out with the attacker's first two sends, not after its twelve.
      expect(silentSeenAtVictim).toBeLessThanOrEqual(2);
      expect(silent.load.seen).toBe(12);
      // Two at a time, each held its 300 ms: twelve took at least six rounds of it (four at a time, the process's
      // whole room, would have taken three).
      expect(elapsed).toBeGreaterThanOrEqual(6 * 300);
    } finally {
      await Promise.all([silent.close(), hooks.close()]);
    }
  });

  test('leases again when an event comes while its sends wait on silent receivers, not after their timeout', async () => {
    const attacker = await givenOrganization(world.server, 'Waiting Sends Org');
    const victim = await givenOrganization(world.server, 'Waiting Victim Org');
    const silent = await startSilentReceiver();
    const hooks = await startReceiver();
    try {
      for (const index of [1, 2])
        await givenEndpoint(world.server, withKey(attacker.apiKey), { url: `${silent.url}/${index}`, eventTypes: ['connection.created'] });
      await givenConnection(world.server, attacker.apiKey);
      await givenEndpoint(world.server, withKey(victim.apiKey), { url: hooks.url, eventTypes: ['connection.created'] });
      const sender = worker({ perProcess: 4, perOrganization: 2 }, 3_000);
      const round = sender.deliverDue();
      await expect.poll(() => silent.load.seen).toBe(2);

      const committed = Date.now();
      await givenConnection(world.server, victim.apiKey);
      sender.wake(); // as the event's notification does
      await expect.poll(() => hooks.receipts.length, { timeout: 2_000, interval: 20 }).toBe(1);
      // Delivered while the two silent sends still wait for their 3 s.
      expect(Date.now() - committed).toBeLessThan(2_500);
      await round;
    } finally {
      await Promise.all([silent.close(), hooks.close()]);
    }
  });

  test('leases by reading a few delivery rows per endpoint, whatever the backlog and however stale the statistics', async () => {
    const attacker = await givenOrganization(world.server, 'Backlog Org');
    const victim = await givenOrganization(world.server, 'Backlog Victim Org');
    const hooks = await startReceiver();
    try {
      // The attacker's shape: 150 endpoints whose history is mostly delivered, statistics taken
      // then, and 6,000 deliveries pending after them (written in SQL: what matters is the shape).
      const endpointIds = await world.server.prisma.$queryRaw<{ id: string }[]>`
        INSERT INTO "WebhookEndpoint" ("id", "organizationId", "tenantId", "url", "eventTypes", "secretCiphertext", "updatedAt")
        SELECT 'we_backlog' || n, ${attacker.organizationId}, ${attacker.tenantId}, 'https://dead.example/' || n, ARRAY['*'], 'unused', now()
        FROM generate_series(1, 150) n RETURNING "id"`;
      const bulk = async (count: number, status: 'DELIVERED' | 'PENDING') => {
        await world.server.prisma.$executeRaw`
          WITH events AS (
            INSERT INTO "Event" ("id", "type", "organizationId", "tenantId", "objectId", "data", "actorType")
            SELECT 'evt_' || ${status} || n, 'connection.updated', ${attacker.organizationId}, ${attacker.tenantId}, 'conn_bulk', '{}'::jsonb, 'SYSTEM'
            FROM generate_series(1, ${count}) n RETURNING "id", "sequence"
          )
          INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "organizationId", "tenantId", "eventSequence", "status", "nextAttemptAt")
          SELECT 'whd_' || events."id", 'we_backlog' || (1 + events."sequence" % 150), events."id", ${attacker.organizationId}, ${attacker.tenantId},
                 events."sequence", ${status}::"WebhookDeliveryStatus", CASE WHEN ${status} = 'PENDING' THEN now() END
          FROM events`;
      };
      await bulk(10_000, 'DELIVERED');
      await world.server.prisma.$executeRawUnsafe('ANALYZE "WebhookDelivery"');
      await bulk(6_000, 'PENDING');
      await world.server.prisma.$executeRaw`
        INSERT INTO "WebhookQueue" ("endpointId", "accountableOrganizationId", "dueAt") SELECT "id", "organizationId", now() - interval '1 minute'
        FROM "WebhookEndpoint" WHERE "id" = ANY(${endpointIds.map(({ id }) => id)})`;
      const { endpoint } = await givenEndpoint(world.server, withKey(victim.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created'],
      });
      await givenConnection(world.server, victim.apiKey);

      // What the lease reads, measured by PostgreSQL itself (in a transaction rolled back: nothing is leased).
      const request = { now: world.server.clock.now(), room: 32, perOrganization: 8, sending: new Map<string, number>() };
      let plan: { Plan: PlanNode }[] = [];
      await world.server.prisma
        .$transaction(async (tx) => {
          const claimed = await claimDueQueues(tx, request);
          const [row] = await tx.$queryRawUnsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
            `EXPLAIN (ANALYZE, FORMAT JSON) ${TAKE_HEADS}`,
            ...headArguments(claimed, request.now),
          );
          plan = row?.['QUERY PLAN'] ?? [];
          throw new RolledBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) throw error;
        });
      const deliveryRowsRead = rowsRead(plan[0]?.Plan, 'WebhookDelivery');
      // 9 endpoints leased (8 of the attacker's, 1 of the victim's): a handful of rows each.
      expect(deliveryRowsRead).toBeGreaterThan(0);
      expect(deliveryRowsRead).toBeLessThan(100);

      await worker({ perProcess: 32, perOrganization: 8 }, 300).deliverDue();
      expect(hooks.receipts.map((receipt) => receipt.event.type)).toEqual(['connection.created']);
      expect(await deliveriesOf(world.server, victim.apiKey, endpoint.id)).toMatchObject([{ status: 'DELIVERED', attempts: 1 }]);
    } finally {
      await hooks.close();
    }
  });
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

class RolledBack extends Error {}

/** Rows a plan's scans of `relation` read: those returned and those its filters removed, over every loop. */
function rowsRead(node: PlanNode | undefined, relation: string): number {
  if (!node) return 0;
  const own =
    node['Relation Name'] === relation
      ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, relation), 0);
}

describe("an endpoint's circuit breaker", () => {
  test('opens after 3 unanswered attempts, tries one delivery once it is due again, and closes on an answer', async () => {
    // A server of its own: the clock moves ten minutes on, which would make the file's earlier endpoints
    // due (silent receivers, and the failing events of their owners) and this test's rounds send them too.
    const server = await startTestServer({ environment: { WEBHOOK_POLL_MS: '3600000' } });
    onTestFinished(() => server.close());
    await server.webhooks.stop();
    const owner = await givenOrganization(server, 'Breaker Org');
    const dead = await startResettingReceiver();
    onTestFinished(dead.close);
    const deadUrl = dead.url;
    const { endpoint } = await givenEndpoint(server, withKey(owner.apiKey), {
      url: deadUrl,
      eventTypes: ['connection.created', 'connection.updated'],
    });
    const connection = await givenConnection(server, owner.apiKey);
    for (let index = 0; index < 4; index += 1) await connection.touch();
    const sender = worker({ perProcess: 4, perOrganization: 4 }, 10_000, server);

    await sender.deliverDue();
    const attempted = async () => (await deliveriesOf(server, owner.apiKey, endpoint.id)).filter((delivery) => delivery.attempts > 0);
    // Three reset connections open it: the other two deliveries wait, their attempts unspent.
    expect(await attempted()).toHaveLength(UNANSWERED_TO_OPEN);
    const queue = await server.prisma.webhookQueue.findUniqueOrThrow({ where: { endpointId: endpoint.id } });
    expect(queue.unansweredInARow).toBe(UNANSWERED_TO_OPEN);
    expect(queue.openUntil?.getTime()).toBeGreaterThan(server.clock.now().getTime());

    // The first retries come due (30 s), the breaker is still open (1 min): nothing is sent.
    server.clock.advance(40_000);
    await sender.deliverDue();
    expect(await attempted()).toHaveLength(UNANSWERED_TO_OPEN);

    // Open time over: one delivery tries the receiver; still reset, the breaker opens for twice as long.
    server.clock.advance(OPEN_FIRST_MS);
    await sender.deliverDue();
    const probes = (await deliveriesOf(server, owner.apiKey, endpoint.id)).reduce((sum, delivery) => sum + delivery.attempts, 0);
    expect(probes).toBe(UNANSWERED_TO_OPEN + 1);
    const reopened = await server.prisma.webhookQueue.findUniqueOrThrow({ where: { endpointId: endpoint.id } });
    expect((reopened.openUntil?.getTime() ?? 0) - server.clock.now().getTime()).toBeGreaterThan(OPEN_FIRST_MS * 1.5);

    // Its owner points it at a receiver that answers: the breaker closes and everything due goes, in order.
    const hooks = await startReceiver();
    try {
      const moved = await server.request(
        UpdateWebhookEndpointDocument,
        { input: { id: endpoint.id, url: hooks.url } },
        withKey(owner.apiKey),
      );
      expect(moved.data?.updateWebhookEndpoint.__typename).toBe('UpdateWebhookEndpointPayload');
      server.clock.advance(10 * 60 * 1000);
      await sender.deliverDue();
      const events = await server.prisma.event.findMany({ where: { objectId: connection.id }, orderBy: { sequence: 'asc' } });
      expect(hooks.receipts.map((receipt) => receipt.event.id)).toEqual(events.map((event) => event.id));
      expect(await server.prisma.webhookQueue.findUniqueOrThrow({ where: { endpointId: endpoint.id } })).toMatchObject({
        unansweredInARow: 0,
        openUntil: null,
        dueAt: null,
      });
    } finally {
      await hooks.close();
    }
  }, 60_000);
});

describe('endpoints per tenant', () => {
  let capped: TestServer;
  let owner: OrganizationFixture;
  test.beforeAll(async () => {
    capped = await startTestServer({ environment: { WEBHOOK_POLL_MS: '3600000', WEBHOOK_ENDPOINTS_PER_TENANT: '3' } });
    owner = await givenOrganization(capped, 'Capped Org');
  });
  test.afterAll(() => capped?.close());

  test('are capped: one more is LIMIT_REACHED, also when created at once; deleting one makes room', async () => {
    const create = (index: number) =>
      capped.request(
        CreateWebhookEndpointDocument,
        { input: { url: `http://localhost:9/hooks/${index}`, eventTypes: ['*'] } },
        withKey(owner.apiKey),
      );
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => create(index)));
    const typenames = results.map((result) => result.data?.createWebhookEndpoint.__typename);
    expect(typenames.filter((name) => name === 'CreateWebhookEndpointPayload')).toHaveLength(3);
    expect(typenames.filter((name) => name === 'LimitReachedError')).toHaveLength(3);
    const refused = results.find((result) => result.data?.createWebhookEndpoint.__typename === 'LimitReachedError');
    expect(refused?.data?.createWebhookEndpoint).toMatchObject({
      code: 'LIMIT_REACHED',
      message: expect.stringMatching(/3 webhook endpoints/),
    });
    expect(await capped.prisma.webhookEndpoint.count({ where: { tenantId: owner.tenantId } })).toBe(3);

    const kept = results.find((result) => result.data?.createWebhookEndpoint.__typename === 'CreateWebhookEndpointPayload')?.data
      ?.createWebhookEndpoint;
    const id = kept?.__typename === 'CreateWebhookEndpointPayload' ? kept.webhookEndpoint.id : expect.fail('no endpoint made');
    const deleted = await capped.request(DeleteWebhookEndpointDocument, { input: { id } }, withKey(owner.apiKey));
    expect(deleted.data?.deleteWebhookEndpoint.__typename).toBe('DeleteWebhookEndpointPayload');
    expect((await create(7)).data?.createWebhookEndpoint.__typename).toBe('CreateWebhookEndpointPayload');
  });
});
