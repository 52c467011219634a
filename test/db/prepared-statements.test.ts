// The requests' statements on PostgreSQL are prepared once per connection (named: src/db/database.ts
// statementNames): one name per SQL text, a bounded number of them, and a connection whose prepared
// statement a migration made stale (its result type changed) is replaced, not kept failing.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, statementNames, type Database } from '../../src/db/database.ts';
import { createPostgresDatabase } from '../support/test-databases.ts';

const query = (sql: string) => ({ sql, args: [], argTypes: [] });

describe('statement names', () => {
  it('give one name per SQL text, none to utility statements, and none past the bound', () => {
    const names = statementNames(2);
    const first = names.generate(query('SELECT 1'));
    expect(first).not.toBe('');
    expect(names.generate(query('SELECT 1'))).toBe(first);
    expect(names.generate(query('BEGIN'))).toBe('');
    expect(names.generate(query('SAVEPOINT s1'))).toBe('');
    const second = names.generate(query('WITH a AS (SELECT 1) SELECT * FROM a'));
    expect(second).not.toBe('');
    expect(second).not.toBe(first);
    // The bound is reached: a third text goes unnamed, the named ones keep their names.
    expect(names.generate(query('SELECT 2'))).toBe('');
    expect(names.generate(query('SELECT 1'))).toBe(first);
    expect(names.size).toBe(2);
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('prepared statements on PostgreSQL', () => {
  let database: Database;
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase({ migrated: true }));
    // One connection: every statement below runs on it, and on the one that replaces it.
    database = await openDatabase({ url, poolSize: 1 });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  async function alter(sql: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  const names = () => database.prisma.organization.findMany({ select: { id: true, name: true }, where: { country: 'ZZ' } });

  it('prepares a statement once on a connection, under its name', async () => {
    await names();
    await names();
    const prepared = await database.prisma.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements`;
    expect(prepared.filter(({ statement }) => statement.includes('"Organization"'))).toHaveLength(1);
  });

  it('replaces a connection whose statement a migration made stale, outside and inside a transaction', async () => {
    await names();
    await alter(`ALTER TABLE "Organization" ALTER COLUMN name TYPE varchar(300)`);
    // That connection's statement now fails (PostgreSQL will not change a prepared result type)...
    await expect(names()).rejects.toThrow(/cached plan must not change result type/);
    // ...once: the failed connection was dropped, a new one prepares it afresh.
    await expect(names()).resolves.toEqual([]);

    const inTransaction = () =>
      database.prisma.$transaction((tx) => tx.organization.findMany({ select: { country: true }, where: { country: 'ZZ' } }));
    await inTransaction();
    await alter(`ALTER TABLE "Organization" ALTER COLUMN country TYPE varchar(300)`);
    await expect(inTransaction()).rejects.toThrow(/cached plan must not change result type/);
    // A transaction's connection comes back to the pool with no error: it is closed all the same.
    await expect(inTransaction()).resolves.toEqual([]);
    await expect(names()).resolves.toEqual([]);
  });
});
