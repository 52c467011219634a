// A test file's world, as vitest fixtures (GraphQL Hive's testkit is the model): the file's server,
// started before its first test and closed after its last, and a seed that grows what the file's
// stories stand on, chained from the server up:
//
//   const { test, world } = platformWorld({ environment: { WEBHOOK_POLL_MS: '3600000' } }, async (seed) => ({
//     platform: await seed.connectPlatform('Webhook Platform'),
//   }));
//   test('...', async ({ server, seed }) => { const { accountId } = await world.platform.activeAccount(); ... });
//
// `world` holds the server and what the builder returned, once the file's first test starts: the
// file's helpers (`const suspend = (id) => world.server.request(...)`) reach it the way its tests do.
// A file with more servers of its own (other settings, a second process on the same database) keeps
// starting them in its tests; `serverTest()` is the same file-scoped server without a world.
import { test as vitestTest } from 'vitest';
import { actingFor, givenActiveAccount, givenConnectPlatform, givenExpressAccount, givenOnboardedUser } from './givens/connect.ts';
import { givenUpdateLink } from './givens/account-updates.ts';
import { givenOrganization, type OrganizationFixture } from './givens/organizations.ts';
import {
  givenOAuthPlatform,
  givenOwnedOrganization,
  givenStandardAccount,
  type OAuthPlatform,
  type OwnedOrganization,
} from './givens/oauth.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';
import type { CreateAccountUpdateLinkInput, CreateConnectedAccountInput } from '../generated/graphql.ts';

/** A platform (an organization with its first key) and what grows from it. */
export type Platform<Base extends OrganizationFixture = OrganizationFixture> = Base & ReturnType<typeof platformSeed>;

function platformSeed(server: TestServer, platform: OrganizationFixture) {
  return {
    /** An EXPRESS account created by the platform's key, with its onboarding link. */
    expressAccount: (input: Partial<CreateConnectedAccountInput> = {}) => givenExpressAccount(server, platform, input),
    /** A user onboarded on the hosted pages: an ACTIVE EXPRESS account, its organization and tenant, and how to sign in. */
    onboardedUser: () => givenOnboardedUser(server, platform),
    /** An ACTIVE EXPRESS account. */
    activeAccount: () => givenActiveAccount(server, platform),
    /** An account update link for one of the platform's accounts. */
    updateLink: (connectedAccountId: string, input: Partial<CreateAccountUpdateLinkInput> = {}) =>
      givenUpdateLink(server, platform, connectedAccountId, input),
    /** The headers that act for one of the platform's accounts. */
    actingFor: (accountId: string) => actingFor(platform, accountId),
  };
}

/** The chained seed of one server: `seed(server).connectPlatform('Acme')` then `.activeAccount()`. */
export function seed(server: TestServer) {
  const grow = <Base extends OrganizationFixture>(platform: Base): Platform<Base> => ({ ...platform, ...platformSeed(server, platform) });
  return {
    server,
    /** An organization with its first API key (no Connect). */
    organization: async (name?: string) => grow(await givenOrganization(server, name)),
    /** An organization with Connect enabled. */
    connectPlatform: async (name?: string) => grow(await givenConnectPlatform(server, name)),
    /** A Connect platform with an OAuth client, for STANDARD accounts. */
    oauthPlatform: async (name?: string) => {
      const platform = grow(await givenOAuthPlatform(server, name));
      return {
        ...platform,
        /** A STANDARD account granted by `owner`, and the headers that act for it in one tenant. */
        standardAccount: (owner: OwnedOrganization, options: { scope?: string; tenantIds?: string[] } = {}) =>
          givenStandardAccount(server, platform as OAuthPlatform, owner, options),
      };
    },
    /** An organization whose owner can sign in (for OAuth consent), with a SANDBOX tenant beside its first. */
    ownedOrganization: () => givenOwnedOrganization(server),
  };
}

export type Seed = ReturnType<typeof seed>;

/** vitest's `test` with the file's server and its seed as file-scoped fixtures. */
export function serverTest(options: TestServerOptions = {}) {
  return (
    vitestTest
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; it has none.
      .extend('server', { scope: 'file' }, async ({}, { onCleanup }) => {
        const server = await startTestServer(options);
        onCleanup(() => server.close());
        return server;
      })
      .extend('seed', { scope: 'file' }, ({ server }) => seed(server))
  );
}

/**
 * The file's server, seeded once by `build` before the file's first test: its tests take `test` from
 * here, and `world` is the server with what `build` returned, for them and for the file's helpers.
 */
export function platformWorld<Given extends object = object>(
  options: TestServerOptions = {},
  build: (seed: Seed) => Promise<Given> = async () => ({}) as Given,
  /** How long the server's start and the build may take, when longer than the hooks' timeout. */
  buildTimeout?: number,
) {
  const world = {} as { server: TestServer } & Given;
  const test = serverTest(options).extend('world', { scope: 'file', auto: true }, async ({ server, seed }) => {
    // The server first: the file's helpers may run while the world is built.
    Object.assign(world, { server });
    return Object.assign(world, await build(seed));
  });
  // Built before the file's first test, under the hooks' timeout rather than inside that test's.
  test.beforeAll(({ world: _built }) => {}, buildTimeout);
  return { test, world };
}
