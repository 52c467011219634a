// A receiver's outage, end to end with the server's own worker on a shortened retry schedule: every
// delivery fails, the endpoint's owner hears `webhook_endpoint.failing`; once the receiver is back,
// recoverWebhookDeliveries queues the window's FAILED deliveries again, which arrive in their order,
// each once, and the owner hears `webhook_endpoint.recovered`.
import { describe, expect } from 'vitest';
import { RecoverWebhookDeliveriesDocument } from '../generated/graphql.ts';
import { platformWorld } from '../support/world.ts';
import { withKey } from '../support/server.ts';
import { deliveriesOf, givenConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver } from './receiver.ts';

// The 3.9 days of retries take about 0.3 s; the endpoint is never disabled here.
const { test, world } = platformWorld(
  { environment: { WEBHOOK_RETRY_SCALE: '0.000001', WEBHOOK_DISABLE_AFTER_FAILURES: '1000', WEBHOOK_POLL_MS: '200' } },
  async (seed) => ({ platform: await seed.organization('Outage Platform') }),
);

const WAIT = { timeout: 20_000, interval: 100 };

describe('a receiver outage', () => {
  test('FAILED deliveries of the window are recovered in order, each once; failing then recovered are recorded', async () => {
    const { platform } = world;
    let down = true;
    const hooks = await startReceiver(() => (down ? { status: 503 } : { status: 204 }));
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(platform.apiKey), { url: hooks.url, eventTypes: ['connection.*'] });
      const statuses = async () => (await deliveriesOf(world.server, platform.apiKey, endpoint.id)).map((delivery) => delivery.status);

      // Before the window: one delivery that fails and stays failed.
      const before = await givenConnection(world.server, platform.apiKey);
      await expect.poll(statuses, WAIT).toEqual(['FAILED']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const since = new Date();

      const connection = await givenConnection(world.server, platform.apiKey);
      await connection.touch();
      await connection.touch();
      await expect.poll(statuses, WAIT).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
      const failing = await world.server.prisma.event.findMany({ where: { objectId: endpoint.id, type: 'webhook_endpoint.failing' } });
      expect(failing).toHaveLength(1);
      expect(failing[0]).toMatchObject({ organizationId: platform.organizationId, tenantId: platform.tenantId });

      down = false;
      const received = hooks.receipts.length;
      const recover = () =>
        world.server.request(
          RecoverWebhookDeliveriesDocument,
          { input: { endpointId: endpoint.id, since: since.toISOString() } },
          withKey(platform.apiKey),
        );
      const first = await recover();
      expect(first.data?.recoverWebhookDeliveries).toEqual({ __typename: 'RecoverWebhookDeliveriesPayload', requeued: 3 });
      // Called again at once: nothing is queued twice.
      const again = await recover();
      expect(again.data?.recoverWebhookDeliveries).toMatchObject({ requeued: 0 });

      await expect.poll(statuses, WAIT).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED', 'FAILED']);
      const after = hooks.receipts.slice(received).map((receipt) => receipt.event);
      const window = await world.server.prisma.event.findMany({
        where: { objectId: connection.id },
        orderBy: { sequence: 'asc' },
      });
      expect(after.map((event) => event.id)).toEqual(window.map((event) => event.id));
      expect(after.map((event) => event.id)).not.toContain(
        (await world.server.prisma.event.findFirstOrThrow({ where: { objectId: before.id } })).id,
      );
      await expect
        .poll(() => world.server.prisma.event.count({ where: { objectId: endpoint.id, type: 'webhook_endpoint.recovered' } }), WAIT)
        .toBe(1);

      // Another window with nothing FAILED, and a window that ends before it starts.
      expect((await recover()).data?.recoverWebhookDeliveries).toMatchObject({ requeued: 0 });
      const backwards = await world.server.request(
        RecoverWebhookDeliveriesDocument,
        { input: { endpointId: endpoint.id, since: since.toISOString(), until: new Date(since.getTime() - 1000).toISOString() } },
        withKey(platform.apiKey),
      );
      expect(backwards.data?.recoverWebhookDeliveries).toMatchObject({ __typename: 'ValidationError' });
    } finally {
      await hooks.close();
    }
  });

  test("another tenant's endpoint is NOT_FOUND", async ({ seed }) => {
    const other = await seed.organization('Outsider');
    const { endpoint } = await givenEndpoint(world.server, withKey(world.platform.apiKey), {
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['tenant.created'],
    });
    const response = await world.server.request(
      RecoverWebhookDeliveriesDocument,
      { input: { endpointId: endpoint.id, since: new Date(0).toISOString() } },
      withKey(other.apiKey),
    );
    expect(response.data?.recoverWebhookDeliveries).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });
});
