// The test servers' databases (test/support/test-databases.ts): a worker hands the database a closed
// server leaves to its next server, emptied. Every file counts on starting from the migrated
// database and nothing else, so what emptying must undo is tested here, on both databases.
import { expect, test } from 'vitest';
import { RATE_LIMIT_SCHEMA } from '../../src/auth/rate-limit-counters.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer } from '../support/server.ts';

test('a server started after another one closed sees no row, lock, sequence or rate-limit count of it', async () => {
  const first = await startTestServer();
  await givenOrganization(first, 'Left Behind');
  // On PostgreSQL the rate limits count in a table of their own, which the server creates as it starts.
  const onPostgres = first.databaseUrl !== null;
  const countLeftBehind = () =>
    first.prisma.$executeRawUnsafe(`INSERT INTO "${RATE_LIMIT_SCHEMA}".counters (key, points) VALUES ('left-behind', 99)`).then(
      () => true,
      () => false,
    );
  if (onPostgres) await expect.poll(countLeftBehind).toBe(true);
  await first.prisma.$queryRawUnsafe(`SELECT nextval('"Event_sequence_seq"')`);
  await first.prisma.$queryRawUnsafe('SELECT pg_advisory_lock(4242)::text');
  await first.close();

  const second = await startTestServer();
  try {
    expect(await second.prisma.organization.count()).toBe(0);
    const [lock] = await second.prisma.$queryRawUnsafe<{ free: boolean }[]>('SELECT pg_try_advisory_lock(4242) AS free');
    expect(lock).toEqual({ free: true });
    const [sequence] = await second.prisma.$queryRawUnsafe<{ is_called: boolean }[]>('SELECT is_called FROM "Event_sequence_seq"');
    expect(sequence).toEqual({ is_called: false });
    if (onPostgres) expect(await second.prisma.$queryRawUnsafe(`SELECT key FROM "${RATE_LIMIT_SCHEMA}".counters`)).toEqual([]);
  } finally {
    await second.close();
  }
});

test('a database whose schema a test changed is not handed on', async () => {
  const first = await startTestServer();
  await first.prisma.$executeRawUnsafe('ALTER TABLE "Organization" ADD COLUMN "leftOver" text');
  await first.prisma.$executeRawUnsafe('ALTER TABLE "Event" DISABLE TRIGGER USER');
  await first.close();

  const second = await startTestServer();
  try {
    const changes = await second.prisma.$queryRawUnsafe<unknown[]>(
      `SELECT attname FROM pg_attribute WHERE attrelid = '"Organization"'::regclass AND attname = 'leftOver'
       UNION ALL SELECT tgname FROM pg_trigger WHERE tgrelid = '"Event"'::regclass AND tgenabled = 'D'`,
    );
    expect(changes).toEqual([]);
  } finally {
    await second.close();
  }
});
