// An account session's budget and its end across server processes: each session has its own rate
// (beside its platform's), and what ends a session in one process ends it in every other.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  CreateApiKeyDocument,
  RevokeAccountSessionDocument,
  RevokeApiKeyDocument,
  SessionBannerDocument,
  SetAllowedOriginsDocument,
} from '../../generated/graphql.ts';
import { ALL_COMPONENTS, fromPage, givenAccountSession, givenAllowedOrigins } from '../../support/givens/account-sessions.ts';
import { startTestServer, withKey, type TestServer } from '../../support/server.ts';

const { test, world } = platformWorld(
  { environment: { RATE_LIMIT_PER_SESSION_PER_SECOND: '1', RATE_LIMIT_PER_SESSION_BURST: '3' } },
  async (seed) => {
    const platform = await seed.connectPlatform('Limited Platform');
    await givenAllowedOrigins(seed.server, platform);
    return { platform, active: await platform.activeAccount() };
  },
);

const banner = (target: TestServer, clientSecret: string) => target.request(SessionBannerDocument, {}, fromPage(clientSecret));
const status = async (target: TestServer, clientSecret: string) => (await banner(target, clientSecret)).status;

describe('a session’s rate', () => {
  test('is its own: one page over its budget is refused, 429 with Retry-After, while another session goes on', async () => {
    const busy = await givenAccountSession(world.server, world.platform, world.active.accountId, ALL_COMPONENTS);
    const calm = await givenAccountSession(world.server, world.platform, world.active.accountId, ALL_COMPONENTS);
    const answers = [];
    for (let request = 0; request < 6; request += 1) answers.push(await banner(world.server, busy.clientSecret));
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await status(world.server, calm.clientSecret)).toBe(200);
    // The platform's own key is not held back by its page's budget.
    expect((await world.server.request(SessionBannerDocument, {}, withKey(world.platform.apiKey))).status).toBe(200);
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('a session’s end across server processes', () => {
  let other: TestServer;
  test.beforeAll(async () => {
    other = await startTestServer({
      databaseUrl: world.server.databaseUrl ?? expect.fail('no database url'),
      environment: { RATE_LIMIT_PER_SESSION_PER_SECOND: '0' },
    });
  });
  test.afterAll(() => other?.close());

  test('revoked through this process, refused in the other', async () => {
    const { id, clientSecret } = await givenAccountSession(world.server, world.platform, world.active.accountId, ALL_COMPONENTS);
    expect(await status(other, clientSecret)).toBe(200);
    await world.server.request(RevokeAccountSessionDocument, { input: { id } }, withKey(world.platform.apiKey));
    await expect.poll(() => status(other, clientSecret), { interval: 5, timeout: 2_000 }).toBe(401);
  });

  test('its minting key revoked through this process, refused in the other', async () => {
    const created = await world.server.request(CreateApiKeyDocument, { input: { name: 'page key' } }, withKey(world.platform.apiKey));
    const key = created.data?.createApiKey;
    if (key?.__typename !== 'CreateApiKeyPayload' || !key.apiKey.secret) return expect.fail(JSON.stringify(created));
    const { clientSecret } = await givenAccountSession(
      world.server,
      world.platform,
      world.active.accountId,
      ALL_COMPONENTS,
      key.apiKey.secret,
    );
    expect(await status(other, clientSecret)).toBe(200);
    await world.server.request(RevokeApiKeyDocument, { input: { id: key.apiKey.id } }, withKey(world.platform.apiKey));
    await expect.poll(() => status(other, clientSecret), { interval: 5, timeout: 2_000 }).toBe(401);
  });

  test('its origin removed through this process, refused in the other', async () => {
    const { clientSecret } = await givenAccountSession(world.server, world.platform, world.active.accountId, ALL_COMPONENTS);
    expect(await status(other, clientSecret)).toBe(200);
    await world.server.request(
      SetAllowedOriginsDocument,
      { input: { allowedOrigins: ['https://elsewhere.example'] } },
      withKey(world.platform.apiKey),
    );
    try {
      await expect.poll(() => status(other, clientSecret), { interval: 5, timeout: 2_000 }).toBe(403);
    } finally {
      await givenAllowedOrigins(world.server, world.platform);
    }
  });
});
