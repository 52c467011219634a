// Stories about the event log: every change records its event in the same transaction, a caller
// sees exactly what the Event rule allows, and no secret ever reaches an event's data.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateConnectionDocument,
  CreatePermissiblePurposeDocument,
  CreateSubAccountDocument,
  EventDocument,
  EventsDocument,
  NodeDocument,
  SuspendConnectedAccountDocument,
  UpdateSubAccountDocument,
  type CreateConnectionInput,
  type EventFilter,
} from '../generated/graphql.ts';
import { withKey } from '../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Eventful Platform');
  const stranger = await seed.connectPlatform('Stranger Platform');
  return { platform, stranger };
});

const SECRET_KEY = 'sk_live_51EventsNeverShowThisSecret9999';
const stripe = (name: string): CreateConnectionInput => ({
  name,
  providerType: 'STRIPE',
  secrets: { stripe: { publishableKey: 'pk_live_51EventsPublishable0000', secretKey: SECRET_KEY } },
});

async function events(filter: EventFilter = {}, headers: Record<string, string> = withKey(world.platform.apiKey)) {
  const response = await world.server.request(EventsDocument, { first: 100, filter }, headers);
  return response.data?.events ?? expect.fail(JSON.stringify(response));
}

describe('the event log', () => {
  test('records each step of an account, newest first, with the object after the change and what it changed', async () => {
    const { accountId } = await world.platform.activeAccount();
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey));

    const log = await events({ objectId: accountId });
    expect(log.nodes.map((event) => event.type)).toEqual([
      'connected_account.suspended',
      'connected_account.activated',
      'connected_account.onboarding_link.created',
      'connected_account.created',
    ]);
    const [suspended, activated] = log.nodes;
    expect(suspended).toMatchObject({
      connectedAccountId: accountId,
      actor: { type: 'API_KEY', id: world.platform.apiKeyId },
      data: { object: { id: accountId, status: 'SUSPENDED', object: 'connected_account' }, previous: { status: 'ACTIVE' } },
    });
    expect(activated?.actor).toMatchObject({ type: 'USER', id: expect.stringMatching(/^usr_/) });
    expect(log.totalCount).toBe(4);
  });

  test('records nothing for a change that rolled back', async () => {
    const first = await world.server.request(CreateConnectionDocument, { input: stripe('Stripe A') }, withKey(world.platform.apiKey));
    expect(first.data?.createConnection.__typename).toBe('CreateConnectionPayload');
    // A connection's name is unique per tenant in any case: the second create conflicts and its transaction rolls back.
    const second = await world.server.request(CreateConnectionDocument, { input: stripe('STRIPE A') }, withKey(world.platform.apiKey));
    expect(second.data?.createConnection.__typename).toBe('ConflictError');

    const created = await events({ type: ['connection.created'] });
    expect(created.nodes.map((event) => (event.data.object as { name: string }).name)).toEqual(['Stripe A']);
  });

  test('never shows a secret, neither a provider secret nor a new API key', async () => {
    const purpose = await world.server.request(
      CreatePermissiblePurposeDocument,
      { input: { name: 'Screening' } },
      withKey(world.platform.apiKey),
    );
    if (purpose.data?.createPermissiblePurpose.__typename !== 'CreatePermissiblePurposePayload')
      return expect.fail(JSON.stringify(purpose));
    const subAccount = await world.server.request(
      CreateSubAccountDocument,
      {
        input: {
          accountName: 'Evented Branch',
          firstName: 'Ada',
          lastName: 'Lovelace',
          emailAddress: 'ada@branch.example',
          address: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'US' },
          permissiblePurposeIds: [purpose.data.createPermissiblePurpose.permissiblePurpose.id],
        },
      },
      withKey(world.platform.apiKey),
    );
    const result = subAccount.data?.createSubAccount;
    if (result?.__typename !== 'CreateSubAccountPayload' || !result.apiKey?.secret) return expect.fail(JSON.stringify(subAccount));
    const everything = JSON.stringify(await events());
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toContain(result.apiKey.secret);
    expect(everything).toContain('sub_account.api_key.created');
    expect(everything).toContain('sk_live_…'); // the masked hint is public
  });

  test('records a sub-account update with the fields it changed', async () => {
    const { nodes } = await events({ type: ['sub_account.created'] });
    const id = nodes[0]?.objectId ?? expect.fail('no sub-account event');
    await world.server.request(UpdateSubAccountDocument, { input: { id, ownerTitle: 'CEO' } }, withKey(world.platform.apiKey));
    const [updated] = (await events({ type: ['sub_account.updated'], objectId: id })).nodes;
    expect(updated?.data).toMatchObject({ object: { ownerTitle: 'CEO' }, previous: { ownerTitle: null } });
  });

  test('shows another platform none of them, by list, by id or as a node', async () => {
    const mine = await events();
    expect(mine.totalCount).toBeGreaterThan(0);
    expect((await events({}, withKey(world.stranger.apiKey))).nodes.map((event) => event.objectId)).not.toEqual(
      expect.arrayContaining([mine.nodes[0]?.objectId]),
    );
    const id = mine.nodes[0]?.id ?? expect.fail();
    expect((await world.server.request(EventDocument, { id }, withKey(world.stranger.apiKey))).data?.event).toBeNull();
    expect((await world.server.request(NodeDocument, { id }, withKey(world.stranger.apiKey))).data?.node).toBeNull();
    expect((await world.server.request(EventDocument, { id }, withKey(world.platform.apiKey))).data?.event?.id).toBe(id);
  });

  test("acting for an account shows that account's tenant only; its platform sees those events with connectedAccountId", async () => {
    const { accountId } = await world.platform.activeAccount();
    const created = await world.server.request(CreateConnectionDocument, { input: stripe('Inside') }, world.platform.actingFor(accountId));
    expect(created.data?.createConnection.__typename).toBe('CreateConnectionPayload');

    const acting = await events({}, world.platform.actingFor(accountId));
    expect(acting.nodes.map((event) => event.type)).toEqual(['connection.created']);
    expect(acting.nodes[0]?.connectedAccountId).toBe(accountId);

    const seenByPlatform = await events({ connectedAccountId: accountId });
    expect(seenByPlatform.nodes.map((event) => event.type)).toContain('connection.created');
    expect((await events({ connectedAccountId: accountId }, withKey(world.stranger.apiKey))).totalCount).toBe(0);
  });

  test('filters by type, object and time, and pages', async () => {
    const { account } = await world.platform.expressAccount();
    const since = new Date(Date.now() - 60_000).toISOString();
    const filtered = await events({ type: ['connected_account.created'], objectId: account.id, createdAt: { gte: since } });
    expect(filtered.nodes).toHaveLength(1);
    expect((await events({ createdAt: { lt: since } })).totalCount).toBe(0);

    const page = await world.server.request(EventsDocument, { first: 2 }, withKey(world.platform.apiKey));
    const next = await world.server.request(
      EventsDocument,
      { first: 2, after: page.data?.events.pageInfo.endCursor ?? null },
      withKey(world.platform.apiKey),
    );
    const ids = [...(page.data?.events.nodes ?? []), ...(next.data?.events.nodes ?? [])].map((event) => event.id);
    expect(new Set(ids).size).toBe(4);
  });
});
