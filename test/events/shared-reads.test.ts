// Stories about the shared reads of live events (src/events/live-groups.ts): the streams of one
// confinement scope read together, one read per committed event, and still each stream receives
// exactly what its caller's `events` shows, of its own `types`, from its own `after`, without a gap
// or a duplicate; a client that does not read is left behind alone, and loses nothing.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateConnectionDocument,
  EventsDocument,
  LiveEventsDocument,
  SessionCreateConnectionDocument,
  type LiveEventsSubscriptionVariables,
} from '../generated/graphql.ts';
import { EVENTS_CHANNEL, recordEvent } from '../../src/events/record.ts';
import type { EventType } from '../../src/events/event-types.ts';
import { startLiveEvents } from '../../src/events/live.ts';
import { MAX_UNTAKEN } from '../../src/events/live-groups.ts';
import { scopeToTenant } from '../../src/db/tenant-scope.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Event } from '../../src/generated/prisma/client.ts';
import { openEventStream } from '../support/event-stream.ts';
import { fromPage, givenAccountSession, givenAllowedOrigins } from '../support/givens/account-sessions.ts';
import { givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';
import { withKey } from '../support/server.ts';

// A stream closed through yoga.fetch gives its slot back only when the next event is written to it:
// the file's streams add up past the default 20 a key.
const { test, world } = platformWorld({ listen: true, environment: { MAX_SUBSCRIPTIONS_PER_KEY: '60' } }, async (seed) => {
  const platform = await seed.connectPlatform('Shared Reads Platform');
  const stranger = await seed.connectPlatform('Shared Reads Stranger');
  await givenAllowedOrigins(seed.server, platform);
  const account = await platform.activeAccount();
  const purpose = await givenPurpose(seed.server, platform, 'Shared reads');
  const subAccount = await givenSubAccount(seed.server, platform.apiKey, subAccountInput({ permissiblePurposeIds: [purpose] }));
  const session = await givenAccountSession(seed.server, platform, account.accountId, ['EVENTS', 'CONNECTIONS']);
  return {
    platform,
    stranger,
    accountId: account.accountId,
    callers: {
      platform: withKey(platform.apiKey),
      acting: platform.actingFor(account.accountId),
      session: fromPage(session.clientSecret),
      subAccount: withKey(subAccount.apiKey?.secret ?? expect.fail('no sub-account secret')),
      stranger: withKey(stranger.apiKey),
    },
  };
});

type Headers = Record<string, string>;
interface Received {
  id: string;
  type: string;
}

/** A stream of `events` over yoga.fetch, and a way to take its next events or see that none came. */
async function subscribe(headers: Headers, variables: LiveEventsSubscriptionVariables = {}) {
  const stream = await openEventStream(world.server, headers, { query: LiveEventsDocument.toString(), variables });
  if (stream.response.status !== 200) expect.fail(`${stream.response.status}: ${JSON.stringify(await stream.next(1_000))}`);
  return {
    close: stream.close,
    /** The next `count` events, each within 5 s. */
    async take(count: number): Promise<Received[]> {
      const events: Received[] = [];
      while (events.length < count) {
        const message = await stream.next(5_000);
        const event = (message?.data as { data?: { events?: Received } } | undefined)?.data?.events;
        if (message?.event !== 'next' || !event)
          return expect.fail(`event ${events.length + 1} of ${count}: got ${JSON.stringify(message)}`);
        events.push({ id: event.id, type: event.type });
      }
      return events;
    },
    /** Nothing more arrives within `ms`. */
    async silentFor(ms = 300) {
      expect(await stream.next(ms)).toBeNull();
    },
  };
}
type Subscriber = Awaited<ReturnType<typeof subscribe>>;

let names = 0;
/** One change in the caller's tenant, which records one `connection.created` there. */
async function change(headers: Headers) {
  names += 1;
  const input = {
    name: `Shared ${names}`,
    providerType: 'STRIPE' as const,
    secrets: { stripe: { publishableKey: 'pk_live_51SharedPublishable0000', secretKey: 'sk_live_51SharedNeverShown9999' } },
  };
  const session = headers.origin !== undefined;
  const response = session
    ? await world.server.request(SessionCreateConnectionDocument, { input }, headers)
    : await world.server.request(CreateConnectionDocument, { input }, headers);
  expect(response.data?.createConnection.__typename, JSON.stringify(response)).toBe('CreateConnectionPayload');
}

/** What the caller's `events` query shows now, oldest first. */
async function eventsOf(headers: Headers): Promise<Received[]> {
  const response = await world.server.request(EventsDocument, { first: 100 }, headers);
  const nodes = response.data?.events.nodes ?? expect.fail(JSON.stringify(response));
  return nodes.map(({ id, type }) => ({ id, type })).reverse();
}

/** What `events` shows `headers` that it did not show before (`before`: its answer then). */
async function newEventsOf(headers: Headers, before: Received[]): Promise<Received[]> {
  const seen = new Set(before.map(({ id }) => id));
  return (await eventsOf(headers)).filter(({ id }) => !seen.has(id));
}

const place = () => ({
  organizationId: world.platform.organizationId,
  tenantId: world.platform.tenantId,
  connectedAccountId: null,
  platformOrganizationId: null,
});

/** `count` events of the platform's own tenant, recorded `perCommit` to a transaction; the last one's sequence. */
async function recordDirectly(count: number, perCommit = count, type: EventType = 'connection.updated'): Promise<bigint> {
  let last = 0n;
  for (let done = 0; done < count; done += perCommit) {
    await world.server.prisma.$transaction(
      async (tx) => {
        for (let i = done; i < Math.min(count, done + perCommit); i++) {
          ({ sequence: last } = await recordEvent(tx, {
            type,
            objectId: `con_direct${i}`,
            data: { object: { name: `direct ${i}` } },
            place: place(),
            actor: { type: 'SYSTEM' },
          }));
        }
      },
      { timeout: 60_000 },
    );
  }
  return last;
}

const closeAll = (subscribers: Subscriber[]) => {
  for (const subscriber of subscribers) subscriber.close();
};

describe('reads', () => {
  // First in the file: the streams other tests close stay open until an event is written to them,
  // and each of their scopes would read too.
  test('one read per scope and committed event, not one per stream', async () => {
    const platformStreams = await Promise.all(Array.from({ length: 6 }, () => subscribe(world.callers.platform)));
    const actingStreams = await Promise.all(Array.from({ length: 6 }, () => subscribe(world.callers.acting)));
    const streams = [...platformStreams, ...actingStreams];
    // Every stream has joined its group once it received an event read by it.
    await change(world.callers.acting);
    for (const stream of streams) await stream.take(1);
    // A read the joins asked for may still be on its way.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const client = world.server.prisma as unknown as { _executeRequest: (operation: { model?: string; action?: string }) => unknown };
    const original = client._executeRequest.bind(client);
    let reads = 0;
    client._executeRequest = (operation) => {
      if (operation.model === 'Event' && operation.action === 'findMany') reads += 1;
      return original(operation);
    };
    const committed = 5;
    try {
      for (let i = 0; i < committed; i++) {
        // In the account's tenant: both scopes see it.
        await change(world.callers.acting);
        for (const stream of streams) await stream.take(1);
      }
    } finally {
      client._executeRequest = original;
      closeAll(streams);
    }
    // Two scopes: each event read once by each group. Read alone, the 12 streams made 12 reads an event.
    expect(reads).toBe(2 * committed);
  });
});

describe('streams of different callers in one process', () => {
  test('each receive exactly what their own `events` shows, two streams a caller', async () => {
    const { callers } = world;
    const names = Object.keys(callers) as (keyof typeof callers)[];
    const before = new Map<string, Received[]>();
    for (const name of names) before.set(name, await eventsOf(callers[name]));
    const streams = new Map<string, Subscriber[]>();
    for (const name of names) streams.set(name, [await subscribe(callers[name]), await subscribe(callers[name])]);

    // A change by each: the platform's own, its account's (acting, and through the session), its
    // sub-account's (an organization of its own), another platform's.
    for (const name of names) await change(callers[name]);

    try {
      for (const name of names) {
        const expected = await newEventsOf(callers[name], before.get(name) ?? []);
        expect(expected.length, name).toBeGreaterThan(0);
        for (const stream of streams.get(name) ?? []) {
          expect(await stream.take(expected.length), name).toEqual(expected);
          await stream.silentFor();
        }
      }
      // What they must not share: the platform's key sees its account's events and its own; acting
      // for the account (or its session) sees the account's only; the sub-account and the stranger their own.
      const platformSaw = await newEventsOf(callers.platform, before.get('platform') ?? []);
      const actingSaw = await newEventsOf(callers.acting, before.get('acting') ?? []);
      expect(platformSaw.length).toBeGreaterThan(actingSaw.length);
      expect(await newEventsOf(callers.session, before.get('session') ?? [])).toEqual(actingSaw);
      expect(await newEventsOf(callers.subAccount, before.get('subAccount') ?? [])).toHaveLength(1);
      expect(await newEventsOf(callers.stranger, before.get('stranger') ?? [])).toHaveLength(1);
    } finally {
      closeAll([...streams.values()].flat());
    }
  });

  test('of one scope, with different `types`, each get their own types', async () => {
    const all = await subscribe(world.callers.platform);
    const created = await subscribe(world.callers.platform, { types: ['connection.created'] });
    const updated = await subscribe(world.callers.platform, { types: ['connection.updated'] });
    const connection = await subscribe(world.callers.platform, { types: ['connection.*'] });
    const accounts = await subscribe(world.callers.platform, { types: ['connected_account.*'] });
    try {
      await change(world.callers.platform);
      await recordDirectly(1, 1, 'connection.updated');
      await change(world.callers.acting);
      await recordDirectly(1, 1, 'connection.archived');

      const everything = await all.take(4);
      expect(everything.map(({ type }) => type)).toEqual([
        'connection.created',
        'connection.updated',
        'connection.created',
        'connection.archived',
      ]);
      const only = (types: string[]) => everything.filter(({ type }) => types.includes(type));
      expect(await created.take(2)).toEqual(only(['connection.created']));
      expect(await updated.take(1)).toEqual(only(['connection.updated']));
      expect(await connection.take(4)).toEqual(everything);
      for (const stream of [all, created, updated, connection, accounts]) await stream.silentFor();
    } finally {
      closeAll([all, created, updated, connection, accounts]);
    }
  });
});

describe('a stream that joins late', () => {
  test('with `after`, gets the replay (more than a batch) then the live events, without gap or duplicate', async () => {
    const live = await subscribe(world.callers.platform);
    try {
      const marker = await subscribe(world.callers.platform);
      await change(world.callers.platform);
      const [first] = await marker.take(1);
      marker.close();
      // 150 more: a replay of more than one read (100), then events committed while it replays.
      await recordDirectly(150, 50);
      const late = await subscribe(world.callers.platform, { after: first?.id ?? expect.fail('no first event') });
      for (let i = 0; i < 5; i++) await change(world.callers.platform);
      await recordDirectly(20, 1);

      const everything = await live.take(1 + 150 + 5 + 20);
      expect(everything[0]).toEqual(first);
      expect(await late.take(150 + 5 + 20)).toEqual(everything.slice(1));
      await late.silentFor();
      late.close();
    } finally {
      live.close();
    }
  });
});

describe('back-pressure', () => {
  test('a client that does not read is left to read alone, and neither holds its group back nor loses an event', async () => {
    let notify = (_payload: string) => {};
    const hub = await startLiveEvents(
      {
        prisma: world.server.prisma,
        listen: async (channel, handlers) => {
          // Its own notifications, by hand (the hub also listens for credential changes).
          if (channel === EVENTS_CHANNEL) notify = handlers.message;
          handlers.listening(true);
          return async () => {};
        },
      },
      { maxPerKey: 5, maxPerOrganization: 5, log: createLogger('silent') },
    );
    const db = scopeToTenant(world.server.prisma, {
      organizationId: world.platform.organizationId,
      tenantId: world.platform.tenantId,
      organizationWide: true,
    });
    const open = () =>
      hub.open({
        db,
        apiKeyId: world.platform.apiKeyId,
        accountableOrganizationId: world.platform.organizationId,
        types: null,
        after: null,
        credentials: { keyHash: null, actingForAccountId: null },
      });
    const takeAll = async (events: AsyncIterableIterator<Event>, count: number) => {
      const taken: bigint[] = [];
      while (taken.length < count) {
        const next = await events.next();
        if (next.done) return expect.fail(`ended after ${taken.length} of ${count}`);
        taken.push(next.value.sequence);
      }
      return taken;
    };
    try {
      const reading = await open();
      const stalled = await open();
      // More than a repeater holds (1,024 pushes waiting): handed to the stalled one, they would overflow it.
      const count = MAX_UNTAKEN + 1_100;
      const received = takeAll(reading, count);
      // Its first read starts it (it joins the group); then it takes nothing until every event is in.
      const stalledFirst = stalled.next();
      for (let done = 0; done < count; done += 100) notify(String(await recordDirectly(100)));
      const all = await received;
      expect(all).toHaveLength(count);
      expect(new Set(all).size).toBe(count);
      // Now the stalled client reads: everything, in the same order.
      const first = await stalledFirst;
      expect([first.done ? null : first.value.sequence, ...(await takeAll(stalled, count - 1))]).toEqual(all);
    } finally {
      await hub.stop();
    }
  }, 120_000);
});
