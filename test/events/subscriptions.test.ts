// Stories about live events: `subscription { events }` over Server-Sent Events, spoken to over real
// HTTP. A subscriber gets exactly what `events` shows it, in commit order, as it commits, and resumes
// with `after` without a gap; an event committed through one server process reaches a subscriber of
// another within a second.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateApiKeyDocument,
  CreateConnectionDocument,
  LiveEventsDocument,
  RevokeApiKeyDocument,
  SuspendConnectedAccountDocument,
  UpdateConnectionDocument,
  type LiveEventsSubscription,
  type LiveEventsSubscriptionVariables,
} from '../generated/graphql.ts';
import { recordEvent } from '../../src/events/record.ts';
import { startLiveEvents } from '../../src/events/live.ts';
import { scopeToTenant } from '../../src/db/tenant-scope.ts';
import { createLogger } from '../../src/core/logger.ts';
import { givenConnectPlatform } from '../support/givens/connect.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from '../support/givens/oauth.ts';
import { TEST_ENCRYPTION_KEYS, withKey, type TestServer } from '../support/server.ts';
import { freePort, startServerProcess, waitForReady } from '../support/server-process.ts';

type LiveEvent = LiveEventsSubscription['events'];

const cleanups: (() => unknown)[] = [];

const { test, world } = platformWorld({ listen: true, environment: { MAX_SUBSCRIPTIONS_PER_KEY: '3' } }, async (seed) => {
  const platform = await seed.connectPlatform('Live Platform');
  const stranger = await seed.connectPlatform('Stranger Platform');
  return { platform, stranger };
});
test.afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let names = 0;
const connections = new Map<string, string>();
/**
 * One change that records one event in the tenant of `headers`: the tenant's connection is created
 * the first time (`connection.created`), renamed after (`connection.updated`). Returns the new name.
 */
async function change(headers: Record<string, string>, on: TestServer = world.server): Promise<string> {
  names += 1;
  const name = `Live ${names}`;
  const tenant = JSON.stringify(headers);
  const existing = connections.get(tenant);
  if (existing) {
    const response = await on.request(UpdateConnectionDocument, { input: { id: existing, name } }, headers);
    if (response.data?.updateConnection.__typename !== 'UpdateConnectionPayload') expect.fail(JSON.stringify(response));
    return name;
  }
  const response = await on.request(
    CreateConnectionDocument,
    {
      input: {
        name,
        providerType: 'STRIPE',
        secrets: { stripe: { publishableKey: 'pk_live_51LivePublishable0000', secretKey: 'sk_live_51LiveNeverShowThisSecret9999' } },
      },
    },
    headers,
  );
  const result = response.data?.createConnection;
  if (result?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(response));
  connections.set(tenant, result.connection.id);
  return name;
}

const nameOf = (event: LiveEvent) => (event.data.object as { name?: string }).name;

/** One SSE subscription over real HTTP: its messages as they arrive. */
async function subscribe(headers: Record<string, string>, variables: LiveEventsSubscriptionVariables = {}, baseUrl = world.server.url) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: LiveEventsDocument.toString(), variables }),
    signal: controller.signal,
  });
  const messages: {
    event: string;
    data: { data?: { events: LiveEvent } | null; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  }[] = [];
  let wake = () => {};
  let ended = false;
  void (async () => {
    let buffer = '';
    try {
      for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event) messages.push({ event, data: data ? JSON.parse(data) : null });
          wake();
        }
      }
    } catch {
      // aborted
    }
    ended = true;
    wake();
  })();
  const close = () => controller.abort();
  cleanups.push(close);

  async function nextMessage(timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (messages.length === 0 && !ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
    }
    return messages.shift();
  }
  return {
    response,
    close,
    nextMessage,
    /** The next event, or fails after `timeoutMs`. */
    async next(timeoutMs = 5_000): Promise<LiveEvent> {
      const message = await nextMessage(timeoutMs);
      if (message?.event !== 'next' || !message.data?.data)
        return expect.fail(`expected an event, got ${JSON.stringify(message ?? 'nothing')}`);
      return message.data.data.events;
    },
  };
}

describe('subscription events', () => {
  test('sends an event committed after the subscriber subscribed, with the fields of `events`', async () => {
    const subscriber = await subscribe(withKey(world.platform.apiKey));
    expect(subscriber.response.status).toBe(200);
    expect(subscriber.response.headers.get('content-type')).toContain('text/event-stream');

    const name = await change(withKey(world.platform.apiKey));
    const event = await subscriber.next();
    expect(event).toMatchObject({ type: 'connection.created', connectedAccountId: null, data: { object: { name } } });
    expect(event.objectId).toBe(connections.get(JSON.stringify(withKey(world.platform.apiKey))));
    expect(event.id).toMatch(/^evt_/);
    expect(JSON.stringify(event)).not.toContain('NeverShowThisSecret');
    subscriber.close();
  });

  test('sends nothing for a change that rolled back, and only what matches `types`', async () => {
    const subscriber = await subscribe(withKey(world.platform.apiKey), { types: ['connection.updated'] });
    const place = {
      organizationId: world.platform.organizationId,
      tenantId: world.platform.tenantId,
      connectedAccountId: null,
      platformOrganizationId: null,
    };
    await expect(
      world.server.prisma.$transaction(async (tx) => {
        await recordEvent(tx, {
          type: 'connection.updated',
          objectId: 'con_rolledback',
          data: { object: { name: 'rolled back' } },
          place,
          actor: { type: 'SYSTEM' },
        });
        throw new Error('the change fails after its event was recorded');
      }),
    ).rejects.toThrow('the change fails');
    await world.server.prisma.$transaction((tx) =>
      recordEvent(tx, {
        type: 'connection.archived',
        objectId: 'con_othertype',
        data: { object: { name: 'other type' } },
        place,
        actor: { type: 'SYSTEM' },
      }),
    );
    const name = await change(withKey(world.platform.apiKey));

    // The first (and only) event is the committed one of the type asked for.
    expect(await subscriber.next()).toMatchObject({ type: 'connection.updated', data: { object: { name } } });
    expect(await subscriber.nextMessage(300)).toBeUndefined();
    subscriber.close();
  });

  test('replays from `after` what happened while the client was away, then streams live, in commit order', async () => {
    const first = await subscribe(withKey(world.platform.apiKey));
    await change(withKey(world.platform.apiKey));
    const lastSeen = await first.next();
    first.close();

    const missed = [await change(withKey(world.platform.apiKey)), await change(withKey(world.platform.apiKey))];
    const resumed = await subscribe(withKey(world.platform.apiKey), { after: lastSeen.id });
    const live = await change(withKey(world.platform.apiKey));

    const received = [await resumed.next(), await resumed.next(), await resumed.next()];
    expect(received.map(nameOf)).toEqual([...missed, live]);
    expect(await resumed.nextMessage(300)).toBeUndefined();
    resumed.close();
  });

  test('refuses an `after` the caller cannot see with NOT_FOUND', async () => {
    const mine = await subscribe(withKey(world.platform.apiKey));
    await change(withKey(world.platform.apiKey));
    const event = await mine.next();
    mine.close();

    const theirs = await subscribe(withKey(world.stranger.apiKey), { after: event.id });
    const message = await theirs.nextMessage(5_000);
    expect(message?.data?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(message?.data?.data ?? null).toBeNull();
    theirs.close();
  });

  // A 10,000-character `after` was echoed whole in the error.
  test('refuses an `after` that is not an event id with NOT_FOUND, never quoting it back', async () => {
    for (const after of ['x'.repeat(10_000), `evt_${'A'.repeat(10_000)}`, 'conn_0000000000000000000000']) {
      const subscription = await subscribe(withKey(world.platform.apiKey), { after });
      const message = await subscription.nextMessage(5_000);
      const error = message?.data?.errors?.[0];
      expect(error?.extensions?.code).toBe('NOT_FOUND');
      expect(error?.message).toBe('The `after` id is not an event id: resume from an event this API key received.');
      expect(message?.data?.data ?? null).toBeNull();
      subscription.close();
    }
    // An id in an event id's shape, bounded, is still named.
    const unknown = await subscribe(withKey(world.platform.apiKey), { after: 'evt_0000000000000000000000' });
    expect((await unknown.nextMessage(5_000))?.data?.errors?.[0]?.message).toBe(
      'No event evt_0000000000000000000000 is visible to this API key: resume from an event it received.',
    );
    unknown.close();
  });

  test("never sends another platform's events", async () => {
    const strangers = await subscribe(withKey(world.stranger.apiKey));
    await change(withKey(world.platform.apiKey));
    await change(withKey(world.platform.apiKey));
    const own = await change(withKey(world.stranger.apiKey));
    expect(nameOf(await strangers.next())).toBe(own);
    expect(await strangers.nextMessage(300)).toBeUndefined();
    strangers.close();
  });

  test("acting for an account, sends only that account's tenant; the platform's own key sees both", async () => {
    const { accountId } = await world.platform.activeAccount();
    const acting = await subscribe(world.platform.actingFor(accountId));
    const platformWide = await subscribe(withKey(world.platform.apiKey));

    const platformOwn = await change(withKey(world.platform.apiKey));
    const inAccount = await change(world.platform.actingFor(accountId));

    expect(await acting.next()).toMatchObject({ data: { object: { name: inAccount } }, connectedAccountId: accountId });
    expect(await acting.nextMessage(300)).toBeUndefined();
    expect([await platformWide.next(), await platformWide.next()].map(nameOf)).toEqual([platformOwn, inAccount]);
    acting.close();
    platformWide.close();
  });

  test('refuses a STANDARD grant, like `events` (no grant scope reaches it)', async () => {
    const oauthPlatform = await givenOAuthPlatform(world.server, 'Granted Platform');
    const owner = await givenOwnedOrganization(world.server);
    const granted = await givenStandardAccount(world.server, oauthPlatform, owner, { scope: 'connections:read connections:write' });
    const subscriber = await subscribe(granted.actingIn(owner.tenantId));
    const message = await subscriber.nextMessage(5_000);
    expect(message?.data?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    subscriber.close();
  });

  test('ends when its key is revoked; the reconnection is refused with 401', async () => {
    const created = await world.server.request(CreateApiKeyDocument, { input: { name: 'live events' } }, withKey(world.platform.apiKey));
    if (created.data?.createApiKey.__typename !== 'CreateApiKeyPayload') return expect.fail(JSON.stringify(created));
    const { id, secret } = created.data.createApiKey.apiKey;
    const subscriber = await subscribe(withKey(secret ?? expect.fail('no secret')));
    const name = await change(withKey(world.platform.apiKey));
    expect(nameOf(await subscriber.next())).toBe(name);

    await world.server.request(RevokeApiKeyDocument, { input: { id } }, withKey(world.platform.apiKey));
    const ended = await subscriber.nextMessage(5_000);
    expect(ended?.data?.errors?.[0]?.extensions?.code).toBe('CREDENTIALS_CHANGED');
    await change(withKey(world.platform.apiKey));
    expect((await subscriber.nextMessage(300))?.event).toBe('complete');
    const again = await subscribe(withKey(secret!));
    expect(again.response.status).toBe(401);
  });

  test('acting for an account, ends when the account is suspended; the reconnection is refused', async () => {
    const { accountId } = await world.platform.activeAccount();
    const acting = await subscribe(world.platform.actingFor(accountId));
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey));
    const ended = await acting.nextMessage(5_000);
    expect(ended?.data?.errors?.[0]?.extensions?.code).toBe('CREDENTIALS_CHANGED');
    const again = await subscribe(world.platform.actingFor(accountId));
    expect(again.response.status).toBe(403);
  });

  test('acting for an account, stays open on the notice of a change it already saw (its activation arriving late)', async () => {
    const { accountId } = await world.platform.activeAccount();
    const acting = await subscribe(world.platform.actingFor(accountId));
    // The notice every change to the account sends, as if the activation's had come after the stream opened.
    await world.server.prisma.$executeRawUnsafe(`SELECT pg_notify('connect_auth', $1)`, `account:${accountId}`);
    const inAccount = await change(world.platform.actingFor(accountId));
    expect(await acting.next()).toMatchObject({ data: { object: { name: inAccount } } });
    acting.close();
  });

  test('refuses a request without a key with 401, like any request', async () => {
    const response = await fetch(`${world.server.url}/graphql`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: LiveEventsDocument.toString() }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('UNAUTHENTICATED');
  });

  test('also serves GET, with the query in the URL', async () => {
    const url = new URL(`${world.server.url}/graphql`);
    url.searchParams.set('query', LiveEventsDocument.toString());
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...withKey(world.platform.apiKey) },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const name = await change(withKey(world.platform.apiKey));
    let text = '';
    while (!text.includes(name)) text += (await reader.read()).value ?? expect.fail('the stream ended');
    controller.abort();
  });

  test('limits open subscriptions per API key, and frees a slot when a client goes away', async () => {
    const limited = await givenConnectPlatform(world.server, 'Busy Platform');
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await subscribe(withKey(limited.apiKey)));
    const refused = await subscribe(withKey(limited.apiKey));
    const message = await refused.nextMessage(5_000);
    expect(message?.data?.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');

    open[0]!.close();
    let admitted: Awaited<ReturnType<typeof subscribe>> | undefined;
    for (let attempt = 0; attempt < 50 && !admitted; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const candidate = await subscribe(withKey(limited.apiKey));
      const name = await change(withKey(limited.apiKey));
      const first = await candidate.nextMessage(5_000);
      if (first?.event === 'next' && first.data?.data && nameOf(first.data.data.events) === name) admitted = candidate;
      else candidate.close();
    }
    expect(admitted, 'a closed subscription frees its slot').toBeDefined();
    for (const subscriber of [...open, admitted!]) subscriber.close();
  });
});

describe('the per-process hub', () => {
  // Issue 23, found by an outside probe: only keys were bounded (20 each), so one organization with 50
  // keys held 3,000 streams, and another organization's stream slowed from 8 ms to 1 s.
  test("bounds one organization's open subscriptions across its keys; another organization keeps its own", async () => {
    const hub = await startLiveEvents(
      {
        prisma: world.server.prisma,
        listen: async (_channel, handlers) => {
          handlers.listening(true);
          return async () => {};
        },
      },
      { maxPerKey: 5, maxPerOrganization: 3, log: createLogger('silent') },
    );
    const db = scopeToTenant(world.server.prisma, {
      organizationId: world.platform.organizationId,
      tenantId: world.platform.tenantId,
      organizationWide: true,
    });
    const credentials = { keyHash: null, actingForAccountId: null };
    const open = (apiKeyId: string, accountableOrganizationId: string) =>
      hub.open({ db, apiKeyId, accountableOrganizationId, types: null, after: null, credentials });
    try {
      for (const key of ['key_one', 'key_two', 'key_three']) await open(key, 'org_busy');
      await expect(open('key_four', 'org_busy')).rejects.toMatchObject({
        extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 },
        message: expect.stringMatching(/^This organization already has 3/),
      });
      await expect(open('key_five', 'org_other')).resolves.toBeDefined();
      expect(hub.size()).toBe(4);
    } finally {
      await hub.stop();
    }
  });

  test('ends open subscriptions when the server shuts down (SERVICE_UNAVAILABLE: resume elsewhere) and refuses new ones', async () => {
    let unlistened = false;
    const hub = await startLiveEvents(
      {
        prisma: world.server.prisma,
        listen: async (_channel, handlers) => {
          handlers.listening(true);
          return async () => {
            unlistened = true;
          };
        },
      },
      { maxPerKey: 5, maxPerOrganization: 5, log: createLogger('silent') },
    );
    const db = scopeToTenant(world.server.prisma, {
      organizationId: world.platform.organizationId,
      tenantId: world.platform.tenantId,
      organizationWide: true,
    });
    const subscription = {
      db,
      apiKeyId: world.platform.apiKeyId,
      accountableOrganizationId: world.platform.organizationId,
      types: null,
      after: null,
      credentials: { keyHash: null, actingForAccountId: null },
    };
    const events = await hub.open(subscription);
    const pending = events.next();
    expect(hub.size()).toBe(1);
    await hub.stop();
    await expect(pending).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(hub.size()).toBe(0);
    expect(unlistened).toBe(true);
    await expect(hub.open(subscription)).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('two server processes on one PostgreSQL database', () => {
  test('an event committed through one reaches a subscriber of the other within a second', async () => {
    const port = await freePort();
    startServerProcess(
      {
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: world.server.databaseUrl ?? expect.fail('no database URL'),
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        LOG_LEVEL: 'warn',
      },
      cleanups,
    );
    await waitForReady(port, 30_000);

    const elsewhere = await subscribe(withKey(world.platform.apiKey), {}, `http://127.0.0.1:${port}`);
    expect(elsewhere.response.status).toBe(200);
    for (let round = 0; round < 3; round++) {
      const committed = Date.now();
      const name = await change(withKey(world.platform.apiKey));
      expect(nameOf(await elsewhere.next(1_000))).toBe(name);
      expect(Date.now() - committed).toBeLessThan(1_000);
    }
    elsewhere.close();
  }, 60_000);

  test('catches up on what committed while its LISTEN connection was lost', async () => {
    const subscriber = await subscribe(withKey(world.platform.apiKey));
    const terminated = await world.server.prisma.$queryRawUnsafe<{ terminated: boolean }[]>(
      `WITH listeners AS MATERIALIZED (
         SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN "connect_events"')
       SELECT pg_terminate_backend(pid) AS terminated FROM listeners`,
    );
    expect(terminated.length).toBeGreaterThan(0);
    // Committed at once, while the server reconnects: its notification goes nowhere.
    const whileDeaf = await change(withKey(world.platform.apiKey));
    expect(nameOf(await subscriber.next(5_000))).toBe(whileDeaf);
    const afterwards = await change(withKey(world.platform.apiKey));
    expect(nameOf(await subscriber.next(5_000))).toBe(afterwards);
    subscriber.close();
  });
});
