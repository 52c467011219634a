// The test servers' databases (test/support/pglite-databases.ts): on PGlite a worker hands the
// instance a closed server leaves to its next server, emptied. Every file counts on starting from
// the migrated database and nothing else, so what emptying must undo is tested here, on both
// databases (on PostgreSQL each server has a new database anyway).
import { expect, test } from 'vitest';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer } from '../support/server.ts';

test('a server started after another one closed sees no row, lock or sequence of it', async () => {
  const first = await startTestServer();
  await givenOrganization(first, 'Left Behind');
  await first.prisma.$queryRawUnsafe(`SELECT nextval('"Event_sequence_seq"')`);
  await first.prisma.$queryRawUnsafe('SELECT pg_advisory_lock(4242)::text');
  await first.close();

  const second = await startTestServer();
  try {
    expect(await second.prisma.organization.count()).toBe(0);
    const [{ free }] = await second.prisma.$queryRawUnsafe<{ free: boolean }[]>('SELECT pg_try_advisory_lock(4242) AS free');
    expect(free).toBe(true);
    const [sequence] = await second.prisma.$queryRawUnsafe<{ is_called: boolean }[]>('SELECT is_called FROM "Event_sequence_seq"');
    expect(sequence).toEqual({ is_called: false });
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
