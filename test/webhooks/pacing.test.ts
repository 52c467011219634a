// maxDeliveriesPerSecond: a backlog reaches a paced receiver at the pace it asked for (measured
// within 10 %), through the same fair queue as every other endpoint.
import { describe, expect } from 'vitest';
import { UpdateWebhookEndpointDocument } from '../generated/graphql.ts';
import { recordEvent } from '../../src/events/record.ts';
import { platformWorld } from '../support/world.ts';
import { withKey } from '../support/server.ts';
import { givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver } from './receiver.ts';

const { test, world } = platformWorld({ environment: { WEBHOOK_POLL_MS: '3600000' } }, async (seed) => ({
  platform: await seed.organization('Paced Platform'),
}));

const PACE = 10;
const BACKLOG = 31;

describe('a paced endpoint', () => {
  test(`receives a backlog at ${PACE} a second`, async () => {
    const { platform } = world;
    const arrivals: number[] = [];
    const hooks = await startReceiver(() => {
      arrivals.push(performance.now());
      return { status: 204 };
    });
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(platform.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.updated'],
        maxDeliveriesPerSecond: PACE,
      });
      expect(endpoint.maxDeliveriesPerSecond).toBe(PACE);
      const place = {
        organizationId: platform.organizationId,
        tenantId: platform.tenantId,
        connectedAccountId: null,
        platformOrganizationId: null,
      };
      // The backlog, committed at once.
      await world.server.prisma.$transaction(async (tx) => {
        for (let index = 0; index < BACKLOG; index += 1) {
          await recordEvent(tx, {
            type: 'connection.updated',
            objectId: 'conn_paced',
            data: { object: { index } },
            place,
            actor: { type: 'SYSTEM' },
          });
        }
      });
      await expect.poll(() => arrivals.length, { timeout: 15_000, interval: 50 }).toBe(BACKLOG);
      const seconds = ((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)) / 1000;
      const rate = (BACKLOG - 1) / seconds;
      console.info(`paced endpoint: ${BACKLOG} deliveries, ${rate.toFixed(2)} a second for a limit of ${PACE}`);
      expect(rate).toBeGreaterThanOrEqual(PACE * 0.9);
      expect(rate).toBeLessThanOrEqual(PACE * 1.1);
      expect(hooks.receipts.map((receipt) => (receipt.event.data.object as { index: number }).index)).toEqual(
        Array.from({ length: BACKLOG }, (_, index) => index),
      );
    } finally {
      await hooks.close();
    }
  });

  test('refuses a pace out of range, and clears it with null', async () => {
    const key = withKey(world.platform.apiKey);
    const { endpoint } = await givenEndpoint(world.server, key, {
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['*'],
      maxDeliveriesPerSecond: 5,
    });
    const update = (maxDeliveriesPerSecond: number | null) =>
      world.server.request(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, maxDeliveriesPerSecond } }, key);
    expect((await update(0)).data?.updateWebhookEndpoint).toMatchObject({
      __typename: 'ValidationError',
      fields: ['input.maxDeliveriesPerSecond'],
    });
    expect((await update(1001)).data?.updateWebhookEndpoint).toMatchObject({ __typename: 'ValidationError' });
    expect((await update(null)).data?.updateWebhookEndpoint).toMatchObject({ webhookEndpoint: { maxDeliveriesPerSecond: null } });
  });
});
