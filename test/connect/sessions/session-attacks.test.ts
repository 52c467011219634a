// An attacker's tries with a leaked client secret (docs/security.md, Account sessions): it reaches one
// account, through its components, from its platform's origins, for at most 30 minutes, and nothing
// else. Each test is one family of tries; what holds is proven here as much as what was fixed.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import { ALL_COMPONENTS, fromPage, givenAccountSession, givenAllowedOrigins, PAGE_ORIGIN } from '../../support/givens/account-sessions.ts';
import { allowedOrigins } from '../../../src/core/browser-origins.ts';
import { startTestServer, withKey, type TestServer } from '../../support/server.ts';
import { type Answer, untypedRequest } from '../../support/untyped-graphql.ts';
import { openEventStream } from '../../support/event-stream.ts';

const MINUTE = 60_000;

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Attacked Platform');
  await givenAllowedOrigins(seed.server, platform);
  const other = await seed.connectPlatform('Other Platform');
  await givenAllowedOrigins(seed.server, other, ['https://other.example']);
  return { platform, other, active: await platform.activeAccount(), neighbour: await platform.activeAccount() };
});

const session = (components = ALL_COMPONENTS, accountId = world.active.accountId) =>
  givenAccountSession(world.server, world.platform, accountId, components);
const ask = (query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) =>
  untypedRequest(world.server, query, variables, headers);
/** A STRIPE connection made with these headers: its id. */
async function givenConnection(headers: Record<string, string>, name: string) {
  const answer = await ask(
    'mutation($input: CreateConnectionInput!) { createConnection(input: $input) { ... on CreateConnectionPayload { connection { id } } } }',
    headers,
    {
      input: {
        name,
        providerType: 'STRIPE',
        secrets: { stripe: { publishableKey: 'pk_live_51AttackPublishable00', secretKey: 'sk_live_51AttackNeverShown999999' } },
      },
    },
  );
  return (answer.data?.createConnection.connection.id as string | undefined) ?? expect.fail(JSON.stringify(answer));
}
const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;
const refused = (answer: Answer, label: string) => {
  expect(answer.status, `${label}: ${JSON.stringify(answer.errors)}`).toBe(403);
  expect(codeOf(answer), label).toBe('FORBIDDEN');
  expect(answer.data ?? null, label).toBeNull();
};

describe('reaching beyond its one account', () => {
  test('foreign ids through node, nodes, connection and event answer nothing', async () => {
    const platformOwn = await givenConnection(withKey(world.platform.apiKey), 'Platform’s own');
    const neighbours = await givenConnection(world.platform.actingFor(world.neighbour.accountId), 'Neighbour’s');
    const foreignEvent = await world.server.prisma.event.findFirstOrThrow({
      where: { NOT: { connectedAccountId: world.active.accountId } },
    });
    const page = fromPage((await session()).clientSecret);
    for (const id of [platformOwn, neighbours, foreignEvent.id, world.neighbour.accountId, world.platform.apiKeyId ?? 'key_x']) {
      const answer = await ask(
        'query($id: ID!) { node(id: $id) { id __typename } nodes(ids: [$id]) { id } connection(id: $id) { id } event(id: $id) { id } }',
        page,
        { id },
      );
      expect(answer.status, id).toBe(200);
      expect(answer.data, id).toEqual({ node: null, nodes: [null], connection: null, event: null });
    }
    const listed = await ask('{ connections { nodes { id tenantId } } events(first: 100) { nodes { connectedAccountId } } }', page);
    expect(listed.data?.connections.nodes.map((node: { id: string }) => node.id)).not.toContain(platformOwn);
    expect(listed.data?.connections.nodes.map((node: { id: string }) => node.id)).not.toContain(neighbours);
    for (const node of listed.data?.events.nodes ?? []) expect(node.connectedAccountId).toBe(world.active.accountId);
  });

  test('what the platform keeps about the account (metadata, its customer id) shows in no event the session reads', async () => {
    const update = await ask(
      'mutation($i: UpdateConnectedAccountInput!) { updateConnectedAccount(input: $i) { __typename } }',
      withKey(world.platform.apiKey),
      { i: { id: world.active.accountId, metadata: { internalRisk: 'platform-private' }, platformCustomerId: 'cus_platform_private' } },
    );
    expect(update.data?.updateConnectedAccount.__typename).toBe('UpdateConnectedAccountPayload');
    const page = fromPage((await session()).clientSecret);
    await givenConnection(page, 'An event of its own');
    const events = await ask('{ events(first: 100) { nodes { type data actor { id type } } } }', page);
    expect(events.data?.events.nodes.length).toBeGreaterThan(0);
    expect(JSON.stringify(events.data)).not.toContain('platform-private');
    expect(JSON.stringify(events.data)).not.toContain('cus_platform_private');
  });

  test('fragments, aliases, interfaces, unions and introspection smuggle nothing past the allowlist', async () => {
    const page = fromPage((await session()).clientSecret);
    const tries = [
      'query { viewer { ...V } } fragment V on Viewer { apiKeyId }',
      '{ a: viewer { b: tenantId } }',
      '{ viewer { ... { organizationId } } }',
      '{ viewer { organization { __typename } } }',
      '{ viewer { actingAs { ... on ConnectedAccount { metadata } } } }',
      '{ node(id: "whe_x") { ... on WebhookEndpoint { url } } }',
      '{ node(id: "key_x") { ... on Node { ... on ApiKey { name } } } }',
      '{ nodes(ids: ["acs_x"]) { ... on AccountSession { id } } }',
      'query { ...Q } fragment Q on Query { __type(name: "ApiKey") { name } }',
      '{ viewer { actingAs { __typename ...F } } } fragment F on Node { ... on Tenant { id } }',
      '{ __schema { queryType { name } } }',
      '{ connections { nodes { id } } apiKeys { nodes { id } } }',
    ];
    for (const query of tries) refused(await ask(query, page), query);
    // Another operation in the same document is checked too, whichever one operationName picks.
    const two = await world.server.fetch('/graphql', {
      method: 'POST',
      headers: { ...page, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { viewer { actingAs { id } } } query B { viewer { apiKeyId } }', operationName: 'A' }),
    });
    expect(two.status).toBe(403);
    // __typename alone is harmless: it names the type of what was allowed anyway.
    expect((await ask('{ __typename viewer { __typename actingAs { __typename id } } }', page)).status).toBe(200);
  });

  test('nothing is minted, revealed or deleted: keys, sessions, links, endpoints, accounts', async () => {
    const { id, clientSecret } = await session();
    const page = fromPage(clientSecret);
    for (const [field, input] of [
      ['createApiKey', 'CreateApiKeyInput'],
      ['createAccountSession', 'CreateAccountSessionInput'],
      ['revokeAccountSession', 'RevokeAccountSessionInput'],
      ['createAccountUpdateLink', 'CreateAccountUpdateLinkInput'],
      ['createConnectionLink', 'CreateConnectionLinkInput'],
      ['createWebhookEndpoint', 'CreateWebhookEndpointInput'],
      ['deleteConnection', 'DeleteConnectionInput'],
      ['updateConnectedAccount', 'UpdateConnectedAccountInput'],
      ['createConnectedAccount', 'CreateConnectedAccountInput'],
    ] as const) {
      refused(await ask(`mutation($i: ${input}!) { ${field}(input: $i) { __typename } }`, page, { i: { id } }), field);
    }
    const row = await world.server.prisma.accountSession.findUniqueOrThrow({ where: { id } });
    expect(row.revokedAt).toBeNull();
  });

  test('the acting headers, an API key beside it, batches and GET change nothing', async () => {
    const { clientSecret } = await session();
    const page = fromPage(clientSecret);
    for (const header of ['x-meteroid-connect-account', 'x-meteroid-tenant']) {
      const answer = await ask('{ viewer { actingAs { id } } }', { ...page, [header]: world.neighbour.accountId });
      expect(answer.status, header).toBe(403);
      expect(codeOf(answer)).toBe('FORBIDDEN');
    }
    // The platform's key in x-api-key beside the session: the session is who asks, with its limits.
    refused(await ask('{ viewer { apiKeyId } }', { ...page, 'x-api-key': world.platform.apiKey }), 'x-api-key beside');
    // The secret in x-api-key instead of Authorization: judged as a session all the same.
    refused(await ask('{ viewer { apiKeyId } }', { 'x-api-key': clientSecret, origin: PAGE_ORIGIN }), 'secret in x-api-key');
    // An array of operations is no batch: yoga refuses it whole.
    const batch = await world.server.fetch('/graphql', {
      method: 'POST',
      headers: { ...page, 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ viewer { actingAs { id } } }' }, { query: '{ viewer { apiKeyId } }' }]),
    });
    expect(batch.status).toBeGreaterThanOrEqual(400);
    expect(await batch.text()).not.toContain(world.platform.apiKeyId ?? 'key_');
    // GET is held to the same gate, and never runs a mutation.
    const get = (query: string) => world.server.fetch(`/graphql?query=${encodeURIComponent(query)}`, { headers: page });
    expect((await get('{ viewer { apiKeyId } }')).status).toBe(403);
    expect((await get('{ viewer { actingAs { id } } }')).status).toBe(200);
    expect((await get('mutation { updateBusinessDetails(input: {}) { __typename } }')).status).toBe(405);
  });
});

describe('the browser', () => {
  test('origins that only look like the platform’s are refused', async () => {
    const { clientSecret } = await session();
    for (const origin of [
      'https://APP.platform.example',
      'https://app.platform.example/',
      'https://app.platform.example:8443',
      'http://app.platform.example',
      'null',
      'https://app.platform.example.evil.example',
      'https://other.example',
    ]) {
      const answer = await ask('{ viewer { actingAs { id } } }', fromPage(clientSecret, origin));
      expect(answer.status, origin).toBe(403);
      expect(codeOf(answer), origin).toBe('ORIGIN_NOT_ALLOWED');
      expect(answer.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });
});

/** An SSE stream of the session's `events`, read message by message. */
const subscribe = (headers: Record<string, string>, after: string | null = null, target: TestServer = world.server) =>
  openEventStream(target, headers, {
    query: 'subscription($after: ID) { events(after: $after) { id type connectedAccountId } }',
    variables: { after },
  });

describe('its live events', () => {
  test('after a foreign event is refused; after its own replays only its own account’s', async () => {
    const foreignEvent = await world.server.prisma.event.findFirstOrThrow({
      where: { NOT: { connectedAccountId: world.active.accountId } },
    });
    const { clientSecret } = await session(['EVENTS', 'CONNECTIONS']);
    const foreign = await subscribe(fromPage(clientSecret), foreignEvent.id);
    expect(await foreign.next()).toMatchObject({ data: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
    foreign.close();
    await givenConnection(fromPage(clientSecret), 'Before the stream');
    const seen = await ask('{ events(first: 1) { nodes { id } } }', fromPage(clientSecret));
    const stream = await subscribe(fromPage(clientSecret), seen.data?.events.nodes[0].id);
    try {
      await givenConnection(fromPage(clientSecret), 'Seen live');
      await givenConnection(world.platform.actingFor(world.neighbour.accountId), 'Never seen');
      for (;;) {
        const message = (await stream.next()) as { data: { data?: { events: { type: string; connectedAccountId: string } } } } | null;
        const event = message?.data.data?.events;
        expect(event, JSON.stringify(message)).toBeDefined();
        expect(event?.connectedAccountId).toBe(world.active.accountId);
        if (event?.type === 'connection.created') break;
      }
    } finally {
      stream.close();
    }
  });

  test('a stream ends when its session expires, without a request to notice it', async () => {
    const { id, clientSecret } = await session(['EVENTS']);
    // Nearly expired before its first use (read fresh, not from a cache): the stream gets its last 1.5 s.
    await world.server.prisma.accountSession.update({
      where: { id },
      data: { expiresAt: new Date(world.server.clock.now().getTime() + 1500) },
    });
    const stream = await subscribe(fromPage(clientSecret));
    try {
      expect(stream.response.status).toBe(200);
      const ended = await Promise.race([stream.next(), new Promise((resolve) => setTimeout(() => resolve('still open'), 5000))]);
      expect(ended).toMatchObject({ data: { errors: [{ extensions: { code: 'CREDENTIALS_CHANGED' } }] } });
    } finally {
      stream.close();
    }
  });

  test('a stream ends when its platform removes the origin it came from', async () => {
    const { clientSecret } = await session(['EVENTS']);
    const stream = await subscribe(fromPage(clientSecret));
    try {
      expect(stream.response.status).toBe(200);
      await givenAllowedOrigins(world.server, world.platform, ['https://moved.platform.example']);
      const ended = await Promise.race([stream.next(), new Promise((resolve) => setTimeout(() => resolve('still open'), 3000))]);
      expect(ended).toMatchObject({ data: { errors: [{ extensions: { code: 'CREDENTIALS_CHANGED' } }] } });
      // Reconnecting, it is refused: the origin is no longer the platform's.
      const again = await subscribe(fromPage(clientSecret));
      expect(again.response.status).toBe(403);
      again.close();
    } finally {
      stream.close();
      await givenAllowedOrigins(world.server, world.platform);
    }
  });
});

describe('the embedded onboarding', () => {
  const onboarding = async () => {
    const { account } = await world.platform.expressAccount();
    return fromPage((await session(['ACCOUNT_ONBOARDING'], account.id)).clientSecret);
  };
  const signUp = (page: Record<string, string>, email: string) =>
    ask('mutation($i: EmbeddedOnboardingSignUpInput!) { embeddedOnboardingSignUp(input: $i) { __typename } }', page, { i: { email } });
  const signIn = (page: Record<string, string>, email: string, password: string) =>
    ask(
      'mutation($i: EmbeddedOnboardingSignInInput!) { embeddedOnboardingSignIn(input: $i) { __typename ... on Error { code message } } }',
      page,
      { i: { email, password } },
    );
  const outcomeOf = (answer: Answer, field: string) =>
    answer.data?.[field]?.code ?? answer.data?.[field]?.__typename ?? codeOf(answer) ?? JSON.stringify(answer);

  test('inherent: a leaked onboarding secret completes the PENDING account for its holder, and ends there', async () => {
    const { account } = await world.platform.expressAccount();
    const { clientSecret } = await session(['ACCOUNT_ONBOARDING'], account.id);
    const page = fromPage(clientSecret);
    const holder = `holder-${Date.now()}@attacker.example`;
    expect(outcomeOf(await signUp(page, holder), 'embeddedOnboardingSignUp')).toBe('EmbeddedOnboardingSignUpPayload');
    const mail = await world.server.prisma.outboxEmail.findFirstOrThrow({ where: { to: holder }, orderBy: { createdAt: 'desc' } });
    const code = /\b(\d{6})\b/.exec(mail.subject)?.[1] ?? expect.fail(mail.subject);
    const verified = await ask(
      'mutation($i: EmbeddedOnboardingVerifyEmailInput!) { embeddedOnboardingVerifyEmail(input: $i) { __typename } }',
      page,
      { i: { code, password: 'correct horse battery staple' } },
    );
    expect(outcomeOf(verified, 'embeddedOnboardingVerifyEmail')).toBe('EmbeddedOnboardingVerifyEmailPayload');
    const completed = await ask(
      'mutation($i: EmbeddedOnboardingCompleteInput!) { embeddedOnboardingComplete(input: $i) { __typename } }',
      page,
      { i: { organizationName: 'Holder GmbH', country: 'DE', legalName: 'Holder GmbH', city: 'Berlin' } },
    );
    // As with a leaked onboarding link: the account is now the holder's (docs/security.md says so).
    expect(outcomeOf(completed, 'embeddedOnboardingComplete')).toBe('EmbeddedOnboardingCompletePayload');
    // And that is all: an onboarding-only session ends once the account is ACTIVE.
    expect((await ask('{ accountSession { id } }', page)).status).toBe(401);
  });

  test('a 6-digit code cannot be brute-forced: 5 tries a code, 5 codes an address an hour', async () => {
    const page = await onboarding();
    const email = `victim-${Date.now()}@merchant.example`;
    const verify = (code: string) =>
      ask(
        'mutation($i: EmbeddedOnboardingVerifyEmailInput!) { embeddedOnboardingVerifyEmail(input: $i) { __typename ... on Error { code } } }',
        page,
        { i: { code, password: 'correct horse battery staple' } },
      );
    let guesses = 0;
    for (let round = 0; round < 8; round += 1) {
      if (outcomeOf(await signUp(page, email), 'embeddedOnboardingSignUp') !== 'EmbeddedOnboardingSignUpPayload') break;
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const code = String(100000 + guesses).padStart(6, '0');
        if (outcomeOf(await verify(code), 'embeddedOnboardingVerifyEmail') !== 'VALIDATION') break;
        guesses += 1;
      }
    }
    // Each code answers at most 5 wrong tries (the 6th is refused because the code is gone).
    expect(guesses).toBeLessThanOrEqual(5 * 6);
    expect(outcomeOf(await signUp(page, email), 'embeddedOnboardingSignUp')).toBe('RATE_LIMITED');
    // A fresh session of the same platform does not reset the address's count.
    expect(outcomeOf(await signUp(await onboarding(), email), 'embeddedOnboardingSignUp')).toBe('RATE_LIMITED');
  });

  test('sign-in guesses are counted per e-mail across sessions, and answer alike for unknown addresses', async () => {
    const user = await world.platform.onboardedUser();
    const unknown = await signIn(await onboarding(), `nobody-${Date.now()}@merchant.example`, 'not the password');
    const wrong = await signIn(await onboarding(), user.email, 'not the password');
    expect(unknown.data?.embeddedOnboardingSignIn).toEqual(wrong.data?.embeddedOnboardingSignIn);
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      // A new session for every guess: the per-session count never trips, the per-e-mail one does.
      const page = await onboarding();
      outcomes.push(outcomeOf(await signIn(page, user.email, `guess ${attempt}`), 'embeddedOnboardingSignIn'));
    }
    expect(outcomes).toContain('RATE_LIMITED');
    // Even the right password waits now: the guesses bought nothing.
    expect(outcomeOf(await signIn(await onboarding(), user.email, user.password), 'embeddedOnboardingSignIn')).toBe('RATE_LIMITED');
  });
});

describe('CORS', () => {
  test('a preflight echoes the one origin asked about, never another platform’s list, and no credentials', async () => {
    const preflight = await world.server.fetch('/graphql', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://other.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://other.example');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    expect([...preflight.headers.values()].join(' ')).not.toContain(PAGE_ORIGIN);
    // The actual request of this platform's session from the other platform's origin opens nothing.
    const { clientSecret } = await session();
    const answer = await ask('{ viewer { actingAs { id } } }', fromPage(clientSecret, 'https://other.example'));
    expect(answer.status).toBe(403);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the platform’s origins', () => {
  test('http://localhost is refused in production, accepted only outside it', () => {
    expect(() => allowedOrigins(['http://localhost:5173'], { production: true }, 'origins')).toThrow(/https/);
    expect(allowedOrigins(['http://localhost:5173'], { production: false }, 'origins')).toEqual(['http://localhost:5173']);
    expect(() => allowedOrigins(['null'], { production: false }, 'origins')).toThrow();
  });
});

describe('outliving it', () => {
  test('ends at 30 minutes exactly, and a revoked one stays revoked', async () => {
    const { clientSecret } = await session();
    world.server.clock.advance(30 * MINUTE);
    const answer = await ask('{ viewer { actingAs { id } } }', fromPage(clientSecret));
    expect(answer.status).toBe(401);
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('across two server processes', () => {
  let other: TestServer;
  test.beforeAll(async () => {
    other = await startTestServer({ databaseUrl: world.server.databaseUrl ?? expect.fail('no database url') });
  });
  test.afterAll(() => other?.close());
  const status = async (target: TestServer, clientSecret: string) =>
    (await untypedRequest(target, '{ viewer { actingAs { id } } }', {}, fromPage(clientSecret))).status;

  test('its account suspended through this process, it is refused in the other at once', async () => {
    const account = await world.platform.activeAccount();
    const { clientSecret } = await session(ALL_COMPONENTS, account.accountId);
    expect(await status(other, clientSecret)).toBe(200);
    const suspended = await ask(
      'mutation($i: SuspendConnectedAccountInput!) { suspendConnectedAccount(input: $i) { __typename } }',
      withKey(world.platform.apiKey),
      { i: { id: account.accountId } },
    );
    expect(suspended.data?.suspendConnectedAccount.__typename).toBe('SuspendConnectedAccountPayload');
    await expect.poll(() => status(other, clientSecret), { interval: 5, timeout: 2_000 }).toBe(401);
  });

  test('its platform’s origins changed through this process, its stream in the other ends', async () => {
    const { clientSecret } = await session(['EVENTS']);
    const stream = await subscribe(fromPage(clientSecret), null, other);
    try {
      expect(stream.response.status).toBe(200);
      await givenAllowedOrigins(world.server, world.platform, ['https://moved.platform.example']);
      const ended = await Promise.race([stream.next(), new Promise((resolve) => setTimeout(() => resolve('still open'), 3000))]);
      expect(ended).toMatchObject({ data: { errors: [{ extensions: { code: 'CREDENTIALS_CHANGED' } }] } });
    } finally {
      stream.close();
      await givenAllowedOrigins(world.server, world.platform);
    }
  });
});
