// payloadFragment: a receiver chooses its payload with a GraphQL fragment, checked on save, run at
// delivery with what the endpoint's owner may read (never more), its errors on the delivery.
import { describe, expect } from 'vitest';
import { CreateWebhookEndpointDocument, UpdateWebhookEndpointDocument } from '../generated/graphql.ts';
import { endpointOwnerContext, type ContextDependencies } from '../../src/graphql/context.ts';
import { shapeObject } from '../../src/webhooks/payload-fragment.ts';
import { schema } from '../../src/schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { platformWorld } from '../support/world.ts';
import { withKey } from '../support/server.ts';
import { deliveriesOf, givenConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver } from './receiver.ts';

const { test, world } = platformWorld({}, async (seed) => ({
  platform: await seed.connectPlatform('Fragment Platform'),
  other: await seed.organization('Fragment Outsider'),
}));

const FRAGMENT = 'fragment on Connection { id name providerType health { status } }';
const WAIT = { timeout: 15_000, interval: 100 };

function ownerDeps(): Omit<ContextDependencies, 'isReady' | 'callerCaches'> {
  const { server } = world;
  return {
    config: server.config,
    prisma: server.prisma,
    log: createLogger('silent'),
    clock: server.clock,
    keyRing: server.keyRing,
    // Not read by a fragment: nothing in it is rate limited or live.
    rateLimits: {} as never,
    liveEvents: {} as never,
  };
}

describe('a payload fragment', () => {
  test("replaces data.object with the fragment's result, signed like any payload", async () => {
    const key = withKey(world.platform.apiKey);
    const hooks = await startReceiver();
    try {
      const { endpoint } = await givenEndpoint(world.server, key, {
        url: hooks.url,
        eventTypes: ['connection.created'],
        payloadFragment: FRAGMENT,
      });
      expect(endpoint.payloadFragment).toBe(FRAGMENT);
      const connection = await givenConnection(world.server, world.platform.apiKey);
      await expect.poll(() => hooks.receipts.length, WAIT).toBe(1);
      expect(hooks.receipts[0]?.event).toMatchObject({
        type: 'connection.created',
        data: {
          object: {
            id: connection.id,
            name: expect.stringMatching(/^Flexprice/),
            providerType: 'FLEXPRICE',
            health: { status: 'UNKNOWN' },
          },
        },
      });
      expect(Object.keys(hooks.receipts[0]?.event.data.object as object).sort()).toEqual(['health', 'id', 'name', 'providerType']);
    } finally {
      await hooks.close();
    }
  });

  test('is refused on save when it is not a valid fragment on an object type, with the GraphQL error', async () => {
    const key = withKey(world.platform.apiKey);
    const refused = async (payloadFragment: string) => {
      const response = await world.server.request(
        CreateWebhookEndpointDocument,
        { input: { url: 'http://127.0.0.1:9/hooks', eventTypes: ['*'], payloadFragment } },
        key,
      );
      const result = response.data?.createWebhookEndpoint;
      if (result?.__typename !== 'ValidationError') return expect.fail(JSON.stringify(response));
      expect(result.fields).toEqual(['input.payloadFragment']);
      return result.message;
    };
    expect(await refused('fragment on Connection { id secretsCiphertext }')).toMatch(
      /Cannot query field "secretsCiphertext" on type "Connection"/,
    );
    expect(await refused('fragment on Nothing { id }')).toMatch(/Nothing/);
    expect(await refused('fragment on Connection { id')).toMatch(/does not parse/);
    expect(await refused('query { viewer { organizationId } }')).toMatch(/exactly one fragment/);
    const aliases = Array.from({ length: 20 }, (_, index) => `a${index}: id`).join(' ');
    expect(await refused(`fragment on Connection { ${aliases} }`)).toMatch(/aliases/i);

    const { endpoint } = await givenEndpoint(world.server, key, { url: 'http://127.0.0.1:9/hooks', eventTypes: ['*'] });
    const update = await world.server.request(
      UpdateWebhookEndpointDocument,
      { input: { id: endpoint.id, payloadFragment: 'fragment on Connection { nope }' } },
      key,
    );
    expect(update.data?.updateWebhookEndpoint).toMatchObject({ __typename: 'ValidationError', fields: ['input.payloadFragment'] });
  });

  test("never reaches what its owner cannot read: another organization's object, or the platform's from an account's endpoint", async () => {
    const connection = await givenConnection(world.server, world.platform.apiKey);
    const run = async (owner: { organizationId: string; tenantId: string; actingForAccountId: string | null }) =>
      shapeObject(schema, await endpointOwnerContext(ownerDeps(), { endpointId: 'we_test', ...owner }), FRAGMENT, connection.id);

    expect(
      await run({ organizationId: world.platform.organizationId, tenantId: world.platform.tenantId, actingForAccountId: null }),
    ).toMatchObject({
      object: { id: connection.id },
    });
    expect(await run({ organizationId: world.other.organizationId, tenantId: world.other.tenantId, actingForAccountId: null })).toEqual({
      object: null,
    });
    const account = await world.platform.activeAccount();
    expect(
      await run({ organizationId: account.organizationId, tenantId: account.tenantId, actingForAccountId: account.accountId }),
    ).toEqual({
      object: null,
    });
    // A fragment on another type than the event's object leaves the payload as it was.
    expect(await shapeObject(schema, null, 'fragment on ConnectedAccount { id }', connection.id)).toBeNull();
  });

  test('records its errors on the delivery, which is not sent', async () => {
    const key = withKey(world.platform.apiKey);
    const hooks = await startReceiver();
    try {
      const { endpoint } = await givenEndpoint(world.server, key, {
        url: hooks.url,
        eventTypes: ['connection.updated'],
        payloadFragment: FRAGMENT,
      });
      // The schema moved on since it was saved: what it names is gone.
      await world.server.prisma.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { payloadFragment: 'fragment on Connection { gone }' },
      });
      const connection = await givenConnection(world.server, world.platform.apiKey);
      await connection.touch();
      // The attempt is counted when leased, its error when settled.
      await expect
        .poll(async () => (await deliveriesOf(world.server, world.platform.apiKey, endpoint.id))[0]?.lastError ?? null, WAIT)
        .not.toBeNull();
      const [delivery] = await deliveriesOf(world.server, world.platform.apiKey, endpoint.id);
      expect(delivery).toMatchObject({ status: 'PENDING', lastResponseStatus: null });
      expect(delivery?.lastError).toMatch(/^payloadFragment: Cannot query field "gone"/);
      expect(hooks.receipts).toHaveLength(0);
    } finally {
      await hooks.close();
    }
  });
});
