// Idempotent retries (API.md): a platform retrying a create after a timeout, with the same
// Idempotency-Key, gets the first answer again and never a second account.
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { CreateConnectedAccountDocument, EnableConnectPlatformDocument, ViewerDocument } from '../generated/graphql.ts';
import { givenConnectPlatform, REDIRECT_URL } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { unique } from '../support/unique.ts';

const { test, world } = platformWorld();

const accountInput = (email = `owner${unique()}@merchant.example`) => ({
  input: { connectionType: 'EXPRESS', email, organizationName: 'Merchant', country: 'DE' },
});

interface RawResponse {
  status: number;
  replayed: string | null;
  text: string;
}

/** createConnectedAccount over HTTP, keeping the body's bytes as they came. */
async function createAccount(
  target: TestServer,
  apiKey: string,
  idempotencyKey: string | null,
  variables: object,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await target.fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...withKey(apiKey),
      ...(idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }),
      ...headers,
    },
    body: JSON.stringify({ query: CreateConnectedAccountDocument.toString(), variables }),
  });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), text: await response.text() };
}

const codeOf = (response: RawResponse) =>
  (JSON.parse(response.text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
const accountsOf = (target: TestServer, platform: OrganizationFixture) =>
  target.prisma.connectedAccount.count({ where: { platformOrganizationId: platform.organizationId } });

function expectCreated(response: RawResponse) {
  expect(response.status, response.text).toBe(200);
  expect(JSON.parse(response.text).data.createConnectedAccount.__typename, response.text).toBe('CreateConnectedAccountPayload');
}

describe('a mutation sent with an Idempotency-Key', () => {
  test('runs once: the retry gets the first answer byte for byte, marked replayed, and creates nothing', async () => {
    const platform = await givenConnectPlatform(world.server);
    const key = randomUUID();
    const variables = accountInput();

    const first = await createAccount(world.server, platform.apiKey, key, variables);
    expectCreated(first);
    expect(first.replayed).toBeNull();
    const retry = await createAccount(world.server, platform.apiKey, key, variables);
    expect(retry.status).toBe(200);
    expect(retry.replayed).toBe('true');
    expect(retry.text).toBe(first.text);
    expect(await accountsOf(world.server, platform)).toBe(1);
    expect(
      await world.server.prisma.onboardingLink.count({ where: { connectedAccount: { platformOrganizationId: platform.organizationId } } }),
    ).toBe(1);

    // The same variables with their keys in another order are the same request.
    const reordered = { input: Object.fromEntries(Object.entries(variables.input).reverse()) };
    expect((await createAccount(world.server, platform.apiKey, key, reordered)).text).toBe(first.text);
  });

  test('keeps the answer sealed: the one-time onboarding token and the variables are not readable in the table', async () => {
    const platform = await givenConnectPlatform(world.server);
    const key = randomUUID();
    const variables = accountInput();
    const first = await createAccount(world.server, platform.apiKey, key, variables);
    const token = JSON.parse(first.text).data.createConnectedAccount.onboardingLink.token as string;
    const row = await world.server.prisma.idempotencyKey.findFirstOrThrow({ where: { key } });
    expect(row.status).toBe('COMPLETED');
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(variables.input.email);
    expect(JSON.stringify(row)).not.toContain(platform.apiKey);
  });

  test('refuses the same key with other variables or another operation: 422 IDEMPOTENCY_KEY_REUSED, nothing made', async () => {
    const platform = await givenConnectPlatform(world.server);
    const key = randomUUID();
    expectCreated(await createAccount(world.server, platform.apiKey, key, accountInput()));

    const other = await createAccount(world.server, platform.apiKey, key, accountInput());
    expect(other.status).toBe(422);
    expect(codeOf(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.replayed).toBeNull();

    const otherOperation = await world.server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey(platform.apiKey), 'idempotency-key': key },
      body: JSON.stringify({ query: EnableConnectPlatformDocument.toString(), variables: { input: { redirectUrl: REDIRECT_URL } } }),
    });
    expect(otherOperation.status).toBe(422);
    // Naming the tenant makes it another request too.
    const acting = await createAccount(world.server, platform.apiKey, key, accountInput(), { 'x-meteroid-tenant': platform.tenantId });
    expect(codeOf(acting)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await accountsOf(world.server, platform)).toBe(1);
  });

  test('refuses a malformed key with 400 IDEMPOTENCY_KEY_INVALID before running anything', async () => {
    const platform = await givenConnectPlatform(world.server);
    for (const key of ['', 'k'.repeat(256), 'clé\u00e9']) {
      const response = await createAccount(world.server, platform.apiKey, key, accountInput());
      expect(response.status, JSON.stringify(key)).toBe(400);
      expect(codeOf(response)).toBe('IDEMPOTENCY_KEY_INVALID');
    }
    expectCreated(await createAccount(world.server, platform.apiKey, 'k'.repeat(255), accountInput()));
    expectCreated(await createAccount(world.server, platform.apiKey, 'order 42 / retry #1 ~!', accountInput()));
    expect(await accountsOf(world.server, platform)).toBe(2);
  });

  test('changes nothing without the header, and stores nothing for queries', async () => {
    const platform = await givenConnectPlatform(world.server);
    const variables = accountInput();
    expectCreated(await createAccount(world.server, platform.apiKey, null, variables));
    expectCreated(await createAccount(world.server, platform.apiKey, null, variables));
    expect(await accountsOf(world.server, platform)).toBe(2);

    const key = randomUUID();
    const query = await world.server.request(ViewerDocument, {}, { ...withKey(platform.apiKey), 'idempotency-key': key });
    expect(query.status).toBe(200);
    expect(await world.server.prisma.idempotencyKey.count({ where: { key } })).toBe(0);
  });

  test('lets ten concurrent retries create one account: the others get the replay or 409 IDEMPOTENCY_KEY_IN_USE', async () => {
    const platform = await givenConnectPlatform(world.server);
    const key = randomUUID();
    const variables = accountInput();
    const responses = await Promise.all(Array.from({ length: 10 }, () => createAccount(world.server, platform.apiKey, key, variables)));

    const fresh = responses.filter((response) => response.status === 200 && response.replayed === null);
    expect(fresh).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 200) expect(response.text).toBe(fresh[0]?.text);
      else expect([response.status, codeOf(response)]).toEqual([409, 'IDEMPOTENCY_KEY_IN_USE']);
    }
    expect(await accountsOf(world.server, platform)).toBe(1);
    const retry = await createAccount(world.server, platform.apiKey, key, variables);
    expect([retry.replayed, retry.text]).toEqual(['true', fresh[0]?.text]);
  });

  test('belongs to one API key: another platform’s same key runs afresh', async () => {
    const first = await givenConnectPlatform(world.server, 'Platform A');
    const second = await givenConnectPlatform(world.server, 'Platform B');
    const key = randomUUID();
    const variables = accountInput();
    const ofFirst = await createAccount(world.server, first.apiKey, key, variables);
    const ofSecond = await createAccount(world.server, second.apiKey, key, variables);
    expectCreated(ofSecond);
    expect(ofSecond.replayed).toBeNull();
    expect(ofSecond.text).not.toBe(ofFirst.text);
    expect((await createAccount(world.server, first.apiKey, key, variables)).text).toBe(ofFirst.text);
    expect([await accountsOf(world.server, first), await accountsOf(world.server, second)]).toEqual([1, 1]);
  });

  test('answers 409 while the first request runs, and takes over the key of a request that died once its lock runs out', async () => {
    const platform = await givenConnectPlatform(world.server);
    const key = randomUUID();
    const variables = accountInput();
    expectCreated(await createAccount(world.server, platform.apiKey, key, variables));
    // As if the request were still running: its row claimed, locked for a minute, no answer yet.
    await world.server.prisma.idempotencyKey.updateMany({
      where: { key },
      data: { status: 'IN_PROGRESS', responseBody: null, lockedUntil: new Date(world.server.clock.now().getTime() + 60_000) },
    });
    const meanwhile = await createAccount(world.server, platform.apiKey, key, variables);
    expect([meanwhile.status, codeOf(meanwhile)]).toEqual([409, 'IDEMPOTENCY_KEY_IN_USE']);

    // Its process died: after the lock, a retry runs again and keeps its own answer.
    world.server.clock.advance(61_000);
    const takenOver = await createAccount(world.server, platform.apiKey, key, variables);
    expectCreated(takenOver);
    expect(takenOver.replayed).toBeNull();
    expect(await accountsOf(world.server, platform)).toBe(2);
    expect((await createAccount(world.server, platform.apiKey, key, variables)).text).toBe(takenOver.text);
  });

  test('is forgotten after 24 hours: a retry then runs afresh', async () => {
    const platform = await givenConnectPlatform(world.server);
    const key = randomUUID();
    const variables = accountInput();
    expectCreated(await createAccount(world.server, platform.apiKey, key, variables));
    world.server.clock.advance(23 * 60 * 60 * 1000);
    expect((await createAccount(world.server, platform.apiKey, key, variables)).replayed).toBe('true');
    world.server.clock.advance(60 * 60 * 1000 + 1);
    const later = await createAccount(world.server, platform.apiKey, key, variables);
    expectCreated(later);
    expect(later.replayed).toBeNull();
    expect(await accountsOf(world.server, platform)).toBe(2);
  });
});

describe('the cleanup in the background', () => {
  test('deletes the keys older than 24 hours and keeps the others', async () => {
    const cleaning = await startTestServer({ environment: { IDEMPOTENCY_CLEANUP_MS: '100' } });
    try {
      const platform = await givenConnectPlatform(cleaning);
      const old = randomUUID();
      expectCreated(await createAccount(cleaning, platform.apiKey, old, accountInput()));
      cleaning.clock.advance(24 * 60 * 60 * 1000 + 1_000);
      const recent = randomUUID();
      expectCreated(await createAccount(cleaning, platform.apiKey, recent, accountInput()));
      await expect.poll(() => cleaning.prisma.idempotencyKey.count({ where: { key: old } }), { interval: 50, timeout: 5_000 }).toBe(0);
      expect(await cleaning.prisma.idempotencyKey.count({ where: { key: recent } })).toBe(1);
    } finally {
      await cleaning.close();
    }
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('two servers on one PostgreSQL', () => {
  test('share the keys: a retry on the other server is replayed, and concurrent retries on both create one account', async () => {
    const other = await startTestServer({ databaseUrl: world.server.databaseUrl ?? expect.fail('no PostgreSQL URL') });
    // Two processes share one time: the tests above moved this server's clock a day ahead, and a key
    // written by a process a day behind looks expired to it (taken over, run twice), as it would on
    // machines a day apart.
    other.clock.advance(world.server.clock.now().getTime() - other.clock.now().getTime());
    try {
      const platform = await givenConnectPlatform(world.server);
      const key = randomUUID();
      const variables = accountInput();
      const first = await createAccount(world.server, platform.apiKey, key, variables);
      expectCreated(first);
      const retry = await createAccount(other, platform.apiKey, key, variables);
      expect([retry.replayed, retry.text]).toEqual(['true', first.text]);

      const together = randomUUID();
      const concurrent = accountInput();
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          createAccount(index % 2 === 0 ? world.server : other, platform.apiKey, together, concurrent),
        ),
      );
      expect(responses.filter((response) => response.status === 200 && response.replayed === null)).toHaveLength(1);
      expect(responses.every((response) => response.status === 200 || codeOf(response) === 'IDEMPOTENCY_KEY_IN_USE')).toBe(true);
      expect(await accountsOf(world.server, platform)).toBe(2);
    } finally {
      await other.close();
    }
  });
});
