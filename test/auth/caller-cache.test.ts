// API keys and connected accounts are resolved from a per-process cache that the database
// invalidates (triggers NOTIFY on commit). Whatever changes a key or an account, and wherever,
// every process stops trusting the old answer; and while notifications may be lost, nothing is
// served from the cache.
import pg from 'pg';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { RevokeApiKeyDocument, SuspendConnectedAccountDocument, ViewerDocument, ActingViewerDocument } from '../generated/graphql.ts';
import { actingFor, givenActiveAccount, givenConnectPlatform } from '../support/givens/connect.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

const { test, world } = platformWorld();

const status = async (target: TestServer, headers: Record<string, string>) => (await target.request(ViewerDocument, {}, headers)).status;

describe('the caller caches', () => {
  test('refuse a key revoked behind the API’s back (by SQL) within moments, through the trigger', async () => {
    const owner = await givenOrganization(world.server);
    expect(await status(world.server, withKey(owner.apiKey))).toBe(200);
    await world.server.prisma.$executeRaw`UPDATE "ApiKey" SET "revokedAt" = now() WHERE "id" = ${owner.apiKeyId}`;
    await expect.poll(() => status(world.server, withKey(owner.apiKey)), { interval: 5, timeout: 2_000 }).toBe(401);
  });

  test('refuse on the very next request what a mutation of this process changed', async () => {
    const platform = await givenConnectPlatform(world.server);
    for (let round = 0; round < 5; round += 1) {
      const account = await givenActiveAccount(world.server, platform);
      expect((await world.server.request(ActingViewerDocument, {}, actingFor(platform, account.accountId))).status).toBe(200);
      await world.server.request(SuspendConnectedAccountDocument, { input: { id: account.accountId } }, withKey(platform.apiKey));
      const next = await world.server.request(ActingViewerDocument, {}, actingFor(platform, account.accountId));
      expect(next.errors?.[0]?.extensions).toMatchObject({ code: 'CONNECTED_ACCOUNT_NOT_ACTIVE', status: 'SUSPENDED' });
    }
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('the caller caches across server processes', () => {
  let other: TestServer;
  test.beforeAll(async () => {
    other = await startTestServer({ databaseUrl: world.server.databaseUrl ?? expect.fail('no database url') });
  });
  test.afterAll(() => other?.close());

  test('refuse in the other process a key revoked through this one', async () => {
    const owner = await givenOrganization(world.server);
    const spare = await givenOrganization(world.server);
    expect(await status(other, withKey(owner.apiKey))).toBe(200);
    const started = performance.now();
    await world.server.request(RevokeApiKeyDocument, { input: { id: owner.apiKeyId } }, withKey(owner.apiKey));
    await expect.poll(() => status(other, withKey(owner.apiKey)), { interval: 1, timeout: 2_000 }).toBe(401);
    console.log(`revocation seen by the other process after ${Math.round(performance.now() - started)} ms`);
    expect(await status(other, withKey(spare.apiKey))).toBe(200);
  });

  test('stop serving from the cache while the listener’s connection is lost, until it listens again', async () => {
    const owner = await givenOrganization(world.server);
    expect(await status(world.server, withKey(owner.apiKey))).toBe(200);
    const admin = new pg.Client({ connectionString: world.server.databaseUrl ?? '' });
    await admin.connect();
    try {
      const listeners = async () =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "connect_auth"'`,
          )
        ).rows.map((row) => row.pid);
      const before = await listeners();
      expect(before.length).toBeGreaterThan(0);
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
      // Revoked while nobody listens: this notification is lost for good.
      await admin.query(`UPDATE "ApiKey" SET "revokedAt" = now() WHERE "id" = $1`, [owner.apiKeyId]);
      await expect
        .poll(async () => (await listeners()).filter((pid) => !before.includes(pid)).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(2);
      expect(await status(world.server, withKey(owner.apiKey))).toBe(401);
    } finally {
      await admin.end();
    }
  });
});
