// `<prefix>.*` in an endpoint's event types: every type under the prefix, and nothing else.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { withKey } from '../support/server.ts';
import { deliveriesOf, givenConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { CreateTenantDocument } from '../generated/graphql.ts';

const { test, world } = platformWorld({ environment: { WEBHOOK_POLL_MS: '3600000' } }, async (seed) => ({
  platform: await seed.organization('Pattern Platform'),
}));

describe('event type patterns', () => {
  test('an endpoint for connection.* gets every connection event and no other', async () => {
    const key = withKey(world.platform.apiKey);
    const { endpoint } = await givenEndpoint(world.server, key, { url: 'http://127.0.0.1:9/hooks', eventTypes: ['connection.*'] });
    const connection = await givenConnection(world.server, world.platform.apiKey);
    await connection.touch();
    const tenant = await world.server.request(CreateTenantDocument, { input: { name: 'Sandbox', environment: 'SANDBOX' } }, key);
    expect(tenant.data?.createTenant.__typename, JSON.stringify(tenant)).toBe('CreateTenantPayload');

    const deliveries = await deliveriesOf(world.server, world.platform.apiKey, endpoint.id);
    const events = await world.server.prisma.event.findMany({ where: { id: { in: deliveries.map((delivery) => delivery.eventId) } } });
    expect(events.map((event) => event.type).sort()).toEqual(['connection.created', 'connection.updated']);
  });
});
