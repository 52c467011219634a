// One organization's transactions run a few at a time in a process (TRANSACTIONS_PER_ORGANIZATION):
// the rest wait their turn without holding a connection of the pool, so another organization's go.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotateSubAccountApiKeyDocument } from '../generated/graphql.ts';
import { takeEventOrder } from '../../src/events/record.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';
import { givenConnection } from '../support/givens/webhooks.ts';

describe.runIf(process.env.TEST_DATABASE === 'postgres')('transactions of one organization at once', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ environment: { TRANSACTIONS_PER_ORGANIZATION: '2' } });
  });
  afterAll(() => server?.close());

  /**
   * Holds the event order lock, which every transaction recording an event waits for, while `story`
   * runs; `waiting()` counts the backends waiting for a lock (on that one, or behind it on a row).
   * The story returns the work it started, awaited once the lock is let go.
   */
  async function holdingTheEventOrder(story: (waiting: () => Promise<number>) => Promise<Promise<unknown>[]>) {
    const watcher = new pg.Client({ connectionString: server.databaseUrl ?? '' });
    await watcher.connect();
    const waiting = async () =>
      Number(
        (await watcher.query<{ count: string }>(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rows[0]?.count,
      );
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = server.prisma.$transaction(
      async (tx) => {
        await takeEventOrder(tx);
        await held;
      },
      { timeout: 30_000 },
    );
    try {
      await expect
        .poll(() => server.prisma.$queryRaw<unknown[]>`SELECT 1 FROM pg_locks WHERE locktype = 'advisory'`.then((rows) => rows.length))
        .toBe(1);
      const started = await story(waiting);
      release();
      await Promise.all([...started, holder]);
    } finally {
      release();
      await watcher.end();
    }
  }

  // Issue 23, found by an outsider's probe: an organization's events, under its rate ceiling, kept 8
  // or 9 of the pool's 10 connections waiting on the event order lock, and another organization's
  // reads slowed from 5 to 320 ms.
  it("wait their turn past 2: only 2 hold a connection waiting on a lock, and another organization's goes", async () => {
    const [busy, other] = [await givenOrganization(server, 'Busy Writer'), await givenOrganization(server, 'Other Writer')];
    const [busyConnection, otherConnection] = [await givenConnection(server, busy.apiKey), await givenConnection(server, other.apiKey)];
    await holdingTheEventOrder(async (waiting) => {
      const touches = Array.from({ length: 6 }, () => busyConnection.touch());
      await expect.poll(waiting).toBe(2);
      const otherTouch = otherConnection.touch();
      await expect.poll(waiting).toBe(3);
      return [...touches, otherTouch];
    });
  });

  // Found by a second outside probe: the cross-tenant flows (sub-account keys, tenants) ran on the
  // unconfined client without turns, and a flood of key rotations filled the pool again.
  it('hold the cross-tenant flows too: a flood of sub-account key rotations leaves 2 waiting', async () => {
    const platform = await givenOrganization(server, 'Rotating Platform');
    const purpose = await givenPurpose(server, platform, 'Lending');
    const branches: Awaited<ReturnType<typeof givenSubAccount>>[] = [];
    for (let index = 0; index < 6; index += 1)
      branches.push(await givenSubAccount(server, platform.apiKey, subAccountInput({ permissiblePurposeIds: [purpose] })));
    await holdingTheEventOrder(async (waiting) => {
      const rotations = branches.map(({ subAccount }) =>
        server.request(RotateSubAccountApiKeyDocument, { input: { subAccountId: subAccount.id } }, withKey(platform.apiKey)),
      );
      await expect.poll(waiting).toBe(2);
      return rotations;
    });
  });
});
