// Account sessions: a platform mints a short-lived browser credential for one of its accounts; the
// page uses it from an allowed origin, for what its components allow, until it ends.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  AccountSessionNodeDocument,
  CreateAccountSessionDocument,
  CreateApiKeyDocument,
  RevokeAccountSessionDocument,
  RevokeApiKeyDocument,
  SessionApiKeysDocument,
  SessionBannerDocument,
  SessionConnectedAccountsDocument,
  SessionConnectionsDocument,
  SessionEventsDocument,
  SessionIntrospectionDocument,
  SessionItselfDocument,
  SessionViewerKeyDocument,
  SetAllowedOriginsDocument,
  SuspendConnectedAccountDocument,
} from '../../generated/graphql.ts';
import { ALL_COMPONENTS, fromPage, givenAccountSession, givenAllowedOrigins, PAGE_ORIGIN } from '../../support/givens/account-sessions.ts';
import { givenSandboxKey } from '../../support/givens/organizations.ts';
import { givenPurpose, givenSubAccount, subAccountInput } from '../../support/givens/sub-accounts.ts';
import { withKey } from '../../support/server.ts';
import { untypedRequest } from '../../support/untyped-graphql.ts';
import { sha256Hex } from '../../../src/crypto/tokens.ts';

const MINUTE = 60_000;

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Session Platform');
  await givenAllowedOrigins(seed.server, platform);
  const other = await seed.connectPlatform('Other Platform');
  await givenAllowedOrigins(seed.server, other, ['https://other.example']);
  return { platform, other, active: await platform.activeAccount() };
});

const mint = (connectedAccountId: string, components = ALL_COMPONENTS, headers: Record<string, string> = withKey(world.platform.apiKey)) =>
  world.server.request(CreateAccountSessionDocument, { input: { connectedAccountId, components } }, headers);
const session = (components = ALL_COMPONENTS, accountId = world.active.accountId) =>
  givenAccountSession(world.server, world.platform, accountId, components);
const codeOf = (response: { errors?: { extensions?: { code?: string } }[] }) => response.errors?.[0]?.extensions?.code;

describe('minting', () => {
  test('gives a shown-once acs_secret_, stored only as its hash, valid 30 minutes, and records it', async () => {
    const before = world.server.clock.now().getTime();
    const response = await mint(world.active.accountId);
    const result = response.data?.createAccountSession;
    if (result?.__typename !== 'CreateAccountSessionPayload') return expect.fail(JSON.stringify(response));
    expect(result.accountSession.id).toMatch(/^acs_[A-Za-z0-9]+$/);
    expect(result.clientSecret).toMatch(/^acs_secret_[0-9A-Za-z]{40}$/);
    expect(result.accountSession.components).toEqual(ALL_COMPONENTS);
    const ttl = new Date(result.accountSession.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThanOrEqual(30 * MINUTE - 1000);
    expect(ttl).toBeLessThanOrEqual(30 * MINUTE + 1000);

    const row = await world.server.prisma.accountSession.findUniqueOrThrow({ where: { id: result.accountSession.id } });
    expect(row.secretHash).toBe(sha256Hex(result.clientSecret));
    expect(JSON.stringify(row)).not.toContain(result.clientSecret.slice('acs_secret_'.length));
    // Read again, the session shows no secret: there is no field for it.
    const node = await world.server.request(AccountSessionNodeDocument, { id: result.accountSession.id }, withKey(world.platform.apiKey));
    expect(node.data?.node).toMatchObject({ __typename: 'AccountSession', id: result.accountSession.id });
    expect(JSON.stringify(node)).not.toContain(result.clientSecret);
    const events = await world.server.prisma.event.findMany({
      where: { objectId: world.active.accountId, type: 'connected_account.session.created' },
    });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain(result.clientSecret);
  });

  test('refuses bad components, foreign accounts, states that fit no component, and every caller but the platform’s production key', async () => {
    const outcome = async (promise: ReturnType<typeof mint>) => {
      const response = await promise;
      const result = response.data?.createAccountSession;
      return result && 'code' in result ? result.code : (codeOf(response) ?? result?.__typename);
    };
    expect(await outcome(mint(world.active.accountId, []))).toBe('VALIDATION');
    expect(await outcome(mint(world.active.accountId, ['EVENTS', 'EVENTS']))).toBe('VALIDATION');
    const foreign = await world.other.activeAccount();
    expect(await outcome(mint(foreign.accountId))).toBe('NOT_FOUND');
    expect(await outcome(mint('cacc_unknown'))).toBe('NOT_FOUND');
    // At least one component must work for the account now: onboarding is for a PENDING account, which
    // has nothing else yet. Beside one that works, one that does not is granted and stays inert.
    expect(await outcome(mint(world.active.accountId, ['ACCOUNT_ONBOARDING']))).toBe('INVALID_STATE');
    expect(await outcome(mint(world.active.accountId, ['ACCOUNT_ONBOARDING', 'EVENTS']))).toBe('CreateAccountSessionPayload');
    const { account: pending } = await world.platform.expressAccount();
    expect(await outcome(mint(pending.id, ['CONNECTIONS']))).toBe('INVALID_STATE');
    expect(await outcome(mint(pending.id, ['ACCOUNT_ONBOARDING']))).toBe('CreateAccountSessionPayload');

    // While acting, with a sandbox key, and with a session: FORBIDDEN.
    expect(await outcome(mint(world.active.accountId, ALL_COMPONENTS, world.platform.actingFor(world.active.accountId)))).toBe('FORBIDDEN');
    const sandbox = await givenSandboxKey(world.server, world.platform, 'Sandbox for sessions');
    expect(await outcome(mint(world.active.accountId, ALL_COMPONENTS, withKey(sandbox.apiKey)))).toBe('FORBIDDEN');
    const purpose = await givenPurpose(world.server, world.platform, 'Session purpose');
    const subAccount = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [purpose] }));
    const subAccountKey = subAccount.apiKey?.secret ?? expect.fail('no sub-account key');
    expect(await outcome(mint(world.active.accountId, ALL_COMPONENTS, withKey(subAccountKey)))).toBe('FORBIDDEN');
    const { clientSecret } = await session();
    const bySession = await mint(world.active.accountId, ALL_COMPONENTS, fromPage(clientSecret));
    expect(bySession.status).toBe(403);
    expect(codeOf(bySession)).toBe('FORBIDDEN');
  });

  test('needs the platform to name its pages’ origins, exact and secure', async () => {
    const bare = await world.server.request(
      SetAllowedOriginsDocument,
      { input: { allowedOrigins: ['https://app.example/path'] } },
      withKey(world.other.apiKey),
    );
    expect(bare.data?.updateConnectPlatform).toMatchObject({ code: 'VALIDATION', fields: ['input.allowedOrigins.0'] });
    for (const bad of ['ftp://app.example', 'http://app.example', 'https://app.example/', 'not an origin']) {
      const response = await world.server.request(
        SetAllowedOriginsDocument,
        { input: { allowedOrigins: [bad] } },
        withKey(world.other.apiKey),
      );
      expect(response.data?.updateConnectPlatform, bad).toMatchObject({ code: 'VALIDATION' });
    }
    const ok = await world.server.request(
      SetAllowedOriginsDocument,
      { input: { allowedOrigins: ['https://other.example', 'http://localhost:5173', 'https://other.example'] } },
      withKey(world.other.apiKey),
    );
    expect(ok.data?.updateConnectPlatform).toMatchObject({
      connectPlatform: { allowedOrigins: ['https://other.example', 'http://localhost:5173'] },
    });
  });
});

describe('what a session may do', () => {
  test('sees its one account through its components, and nothing else', async () => {
    const { clientSecret, id } = await session();
    const page = fromPage(clientSecret);
    const itself = await world.server.request(SessionItselfDocument, {}, page);
    expect(itself.data?.accountSession).toMatchObject({
      id,
      connectedAccountId: world.active.accountId,
      accountStatus: 'ACTIVE',
      branding: { platformName: 'Session Platform' },
      onboarding: null,
    });
    const banner = await world.server.request(SessionBannerDocument, {}, page);
    expect(banner.data?.viewer.actingAs).toMatchObject({ id: world.active.accountId, status: 'ACTIVE' });
    const connections = await world.server.request(SessionConnectionsDocument, {}, page);
    expect(connections.data?.connections.totalCount).toBe(0);
    const events = await world.server.request(SessionEventsDocument, {}, page);
    expect(events.status).toBe(200);
    for (const node of events.data?.events.nodes ?? []) expect(node.connectedAccountId).toBe(world.active.accountId);

    for (const document of [
      SessionViewerKeyDocument,
      SessionApiKeysDocument,
      SessionConnectedAccountsDocument,
      SessionIntrospectionDocument,
    ]) {
      const refused = await untypedRequest(world.server, document.toString(), {}, page);
      expect(refused.status, document.toString()).toBe(403);
      expect(codeOf(refused)).toBe('FORBIDDEN');
      expect(refused.data ?? null).toBeNull();
    }
    const keyFields = await world.server.request(SessionViewerKeyDocument, {}, page);
    expect(keyFields.errors?.[0]?.extensions?.refusedFields).toEqual(['Viewer.apiKeyId', 'Viewer.tenantId']);
    // No session ever mints keys.
    const key = await world.server.request(CreateApiKeyDocument, { input: { name: 'from a page' } }, page);
    expect(codeOf(key)).toBe('FORBIDDEN');
  });

  test('each component allows its own fields only', async () => {
    const banner = fromPage((await session(['NOTIFICATION_BANNER'])).clientSecret);
    expect((await world.server.request(SessionBannerDocument, {}, banner)).status).toBe(200);
    expect(codeOf(await world.server.request(SessionConnectionsDocument, {}, banner))).toBe('FORBIDDEN');
    expect(codeOf(await world.server.request(SessionEventsDocument, {}, banner))).toBe('FORBIDDEN');

    const connections = fromPage((await session(['CONNECTIONS'])).clientSecret);
    expect((await world.server.request(SessionConnectionsDocument, {}, connections)).status).toBe(200);
    expect(codeOf(await world.server.request(SessionBannerDocument, {}, connections))).toBe('FORBIDDEN');

    const events = fromPage((await session(['EVENTS'])).clientSecret);
    expect((await world.server.request(SessionEventsDocument, {}, events)).status).toBe(200);
    expect(codeOf(await world.server.request(SessionConnectionsDocument, {}, events))).toBe('FORBIDDEN');
  });
});

describe('origins and CORS', () => {
  test('a session request needs an Origin its platform allows', async () => {
    const { clientSecret } = await session();
    for (const origin of [null, 'https://evil.example', 'https://other.example']) {
      const response = await world.server.request(SessionBannerDocument, {}, fromPage(clientSecret, origin));
      expect(response.status, String(origin)).toBe(403);
      expect(codeOf(response)).toBe('ORIGIN_NOT_ALLOWED');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    const allowed = await world.server.request(SessionBannerDocument, {}, fromPage(clientSecret));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
  });

  test('preflights are answered for origins some platform allows, and not for others', async () => {
    const preflight = (origin: string) =>
      world.server.fetch('/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const ok = await preflight(PAGE_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect(ok.headers.get('access-control-expose-headers')).toContain('retry-after');
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    // An API-key request from a platform's page origin gets no CORS answer: keys keep CORS_ORIGINS.
    const keyRequest = await world.server.request(SessionBannerDocument, {}, { ...withKey(world.platform.apiKey), origin: PAGE_ORIGIN });
    expect(keyRequest.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the end of a session', () => {
  const ended = async (clientSecret: string) => {
    const response = await world.server.request(SessionBannerDocument, {}, fromPage(clientSecret));
    expect(response.status).toBe(401);
    expect(codeOf(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toContain('session has ended');
    // The page can read it (CORS), so its components know to fetch a new secret.
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
  };

  test('after 30 minutes', async () => {
    const { clientSecret } = await session();
    world.server.clock.advance(29 * MINUTE);
    expect((await world.server.request(SessionBannerDocument, {}, fromPage(clientSecret))).status).toBe(200);
    world.server.clock.advance(2 * MINUTE);
    await ended(clientSecret);
  });

  test('when revoked, at once', async () => {
    const { clientSecret, id } = await session();
    expect((await world.server.request(SessionBannerDocument, {}, fromPage(clientSecret))).status).toBe(200);
    const revoked = await world.server.request(RevokeAccountSessionDocument, { input: { id } }, withKey(world.platform.apiKey));
    expect(revoked.data?.revokeAccountSession).toMatchObject({ accountSession: { id, revokedAt: expect.any(String) } });
    await ended(clientSecret);
    // Another platform cannot revoke (or see) it.
    const foreign = await world.server.request(RevokeAccountSessionDocument, { input: { id } }, withKey(world.other.apiKey));
    expect(foreign.data?.revokeAccountSession).toMatchObject({ code: 'NOT_FOUND' });
  });

  test('when its account is suspended', async () => {
    const account = await world.platform.activeAccount();
    const { clientSecret } = await session(ALL_COMPONENTS, account.accountId);
    expect((await world.server.request(SessionBannerDocument, {}, fromPage(clientSecret))).status).toBe(200);
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: account.accountId } }, withKey(world.platform.apiKey));
    await ended(clientSecret);
  });

  test('when the key that minted it is revoked', async () => {
    const created = await world.server.request(CreateApiKeyDocument, { input: { name: 'minting key' } }, withKey(world.platform.apiKey));
    const key = created.data?.createApiKey;
    if (key?.__typename !== 'CreateApiKeyPayload' || !key.apiKey.secret) return expect.fail(JSON.stringify(created));
    const { clientSecret } = await givenAccountSession(
      world.server,
      world.platform,
      world.active.accountId,
      ALL_COMPONENTS,
      key.apiKey.secret,
    );
    expect((await world.server.request(SessionBannerDocument, {}, fromPage(clientSecret))).status).toBe(200);
    await world.server.request(RevokeApiKeyDocument, { input: { id: key.apiKey.id } }, withKey(world.platform.apiKey));
    await ended(clientSecret);
  });

  test('ended sessions are purged a day later, when the platform mints another', async () => {
    const { id } = await session();
    world.server.clock.advance(25 * 60 * MINUTE);
    await session();
    expect(await world.server.prisma.accountSession.findUnique({ where: { id } })).toBeNull();
  });

  test('an unknown or malformed secret is refused alike', async () => {
    await ended(`acs_secret_${'x'.repeat(40)}`);
    await ended('acs_secret_short');
  });
});
