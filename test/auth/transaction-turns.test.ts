// One organization's transactions run a few at a time in a process (TRANSACTIONS_PER_ORGANIZATION):
// the rest wait their turn without holding a connection of the pool, so another organization's go.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeEventOrder } from '../../src/events/record.ts';
import { givenOrganization } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { givenConnection } from '../webhooks/givens.ts';

describe.runIf(process.env.TEST_DATABASE === 'postgres')('transactions of one organization at once', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ environment: { TRANSACTIONS_PER_ORGANIZATION: '2' } });
  });
  afterAll(() => server?.close());

  // Issue 23, found by an outsider's probe: an organization's events, under its rate ceiling, kept 8
  // or 9 of the pool's 10 connections waiting on the event order lock, and another organization's
  // reads slowed from 5 to 320 ms.
  it("wait their turn past 2: only 2 hold a connection waiting on a lock, and another organization's goes", async () => {
    const [busy, other] = [await givenOrganization(server, 'Busy Writer'), await givenOrganization(server, 'Other Writer')];
    const [busyConnection, otherConnection] = [await givenConnection(server, busy.apiKey), await givenConnection(server, other.apiKey)];
    const watcher = new pg.Client({ connectionString: server.databaseUrl ?? '' });
    await watcher.connect();
    // Backends waiting for a lock: on the event order lock, or behind it on the connection's row.
    const waitingOnTheLock = async () =>
      Number((await watcher.query<{ count: string }>(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rows[0]?.count);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = server.prisma.$transaction(async (tx) => {
      await takeEventOrder(tx);
      await held;
    }, { timeout: 30_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const touches = Array.from({ length: 6 }, () => busyConnection.touch());
      await expect.poll(waitingOnTheLock).toBe(2);
      const otherTouch = otherConnection.touch();
      await expect.poll(waitingOnTheLock).toBe(3);
      release();
      await Promise.all([...touches, otherTouch, holder]);
    } finally {
      release();
      await watcher.end();
    }
  });
});
