// The test servers' databases. Starting a PGlite instance costs about 1 CPU-s (its WebAssembly boot,
// then unpacking the 40 MB dump into its file system), more than most test files spend on their
// tests; a PostgreSQL database copied from the migrated template about 0.35 s (the server's copy and
// checkpoint). So a worker keeps the databases its servers closed, emptied, and hands them to its next
// servers: every table truncated (identities restarted); on PGlite the session discarded (locks,
// LISTENs, settings) and the JavaScript listeners gone, on PostgreSQL every session ended. A file
// still gets a database exactly as migrated; one whose schema a test changed (a dropped table, a
// disabled trigger, a role), or that another process still uses, is closed or dropped, not kept.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { AUTH_CHANNEL } from '../../src/auth/caller-caches.ts';
import { RATE_LIMIT_SCHEMA } from '../../src/auth/rate-limit-counters.ts';
import { databaseOnPGlite, type Database } from '../../src/db/database.ts';
import { EVENTS_CHANNEL } from '../../src/events/record.ts';

/**
 * A PGlite dump read once per worker (40 MB): every instance of the worker starts from the same bytes.
 * PGlite only reads them (it unpacks the tar into its own file system), so they are handed over as
 * they are, where a Blob would be read from disk and copied, then streamed back, for each instance.
 */
class SnapshotBlob extends Blob {
  readonly #bytes: ArrayBuffer;
  constructor(bytes: ArrayBuffer) {
    super([]);
    this.#bytes = bytes;
  }
  override get size() {
    return this.#bytes.byteLength;
  }
  override arrayBuffer() {
    return Promise.resolve(this.#bytes);
  }
}
const snapshots = new Map<string, Promise<SnapshotBlob>>();
const snapshotOf = (file: string) => {
  let snapshot = snapshots.get(file);
  if (!snapshot) {
    snapshot = readFile(file).then((bytes) => new SnapshotBlob(new Uint8Array(bytes).buffer));
    snapshots.set(file, snapshot);
  }
  return snapshot;
};

/**
 * Everything a test could change about the schema rather than the rows, as one digest. The rate
 * limits' schema is left out: each server creates it at start (on PostgreSQL), the same every time.
 */
const SCHEMA_DIGEST = `
  SELECT md5(string_agg(item, '|' ORDER BY item)) AS digest FROM (
    SELECT 'r:' || c.relname || ':' || c.relkind::text || ':' || c.relrowsecurity FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '${RATE_LIMIT_SCHEMA}')
    UNION ALL SELECT 'a:' || attrelid::regclass || '.' || attname || ':' || atttypid || ':' || attnotnull || ':' || attisdropped
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND a.attnum > 0
    UNION ALL SELECT 't:' || tgname || ':' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'f:' || p.oid::regprocedure || ':' || md5(p.prosrc) FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    UNION ALL SELECT 'c:' || conname || ':' || convalidated FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
    UNION ALL SELECT 'p:' || polname FROM pg_policy
    UNION ALL SELECT 'u:' || rolname FROM pg_roles
    UNION ALL SELECT 's:' || setdatabase || ':' || setrole || ':' || array_to_string(setconfig, ',') FROM pg_db_role_setting
  ) AS schema_items(item)`;

/** Every table a server writes: the application's, and the rate limits' counters (PostgreSQL only). */
const TABLES = `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
  WHERE (schemaname = 'public' AND tablename <> '_prisma_migrations') OR schemaname = '${RATE_LIMIT_SCHEMA}'`;

/** Databases at rest between servers: as many as the worker's files ever had open at once, up to this. */
const KEPT = 4;
const idle: PGlite[] = [];
/** The migrated schema's digest, per kind of database (PGlite's and PostgreSQL's catalogs differ a little). */
const migratedDigests = new Map<'pglite' | 'postgres', string>();

type Query = <Row extends pg.QueryResultRow>(sql: string) => Promise<{ rows: Row[] }>;

async function digestOf(query: Query): Promise<string> {
  const { rows } = await query<{ digest: string }>(SCHEMA_DIGEST);
  return rows[0]?.digest ?? '';
}

/** The schema of the worker's first new database of a kind, before any server touched it: the migrated one. */
async function rememberMigrated(kind: 'pglite' | 'postgres', query: Query): Promise<void> {
  if (!migratedDigests.has(kind)) migratedDigests.set(kind, await digestOf(query));
}

async function asMigrated(kind: 'pglite' | 'postgres', query: Query): Promise<boolean> {
  return migratedDigests.get(kind) === (await digestOf(query));
}

async function truncateAll(query: Query): Promise<void> {
  const { rows } = await query<{ name: string }>(TABLES);
  await query(`TRUNCATE ${rows.map((row) => row.name).join(', ')} RESTART IDENTITY CASCADE`);
}

/** Empties an instance a server closed, or says it cannot be kept (its schema changed, or it fails). */
async function emptied(pglite: PGlite): Promise<boolean> {
  try {
    if (pglite.closed) return false;
    // A transaction a test left open, then the session's locks, LISTENs, settings and prepared statements.
    await pglite.exec('ROLLBACK');
    await pglite.exec('DISCARD ALL');
    for (const channel of [EVENTS_CHANNEL, AUTH_CHANNEL]) await pglite.unlisten(channel);
    const query: Query = (sql) => pglite.query(sql);
    if (!(await asMigrated('pglite', query))) return false;
    await truncateAll(query);
    return true;
  } catch {
    return false;
  }
}

async function release(pglite: PGlite): Promise<void> {
  if (idle.length < KEPT && (await emptied(pglite))) idle.push(pglite);
  else if (!pglite.closed) await pglite.close();
}

/** A PGlite database for one test server: migrated (from a kept instance when there is one) or blank. */
export async function testPGliteDatabase(migrated: boolean): Promise<Database> {
  if (!migrated) {
    const pglite = await PGlite.create({ loadDataDir: await snapshotOf(inject('pgliteSnapshotPath')) });
    return databaseOnPGlite(pglite, () => pglite.close());
  }
  let pglite = idle.pop();
  if (!pglite) {
    const created = await PGlite.create({ loadDataDir: await snapshotOf(inject('pgliteMigratedSnapshotPath')) });
    await rememberMigrated('pglite', (sql) => created.query(sql));
    pglite = created;
  }
  const instance = pglite;
  return databaseOnPGlite(instance, () => release(instance));
}

/** The test PostgreSQL server's URL, or one of its databases'. */
function urlOf(database: string | null): string {
  const url = new URL(inject('postgresUrl'));
  if (database) url.pathname = `/${database}`;
  return url.href;
}

/** A statement on the test PostgreSQL server (in one of its databases), in its own session. */
async function onServer<Row extends pg.QueryResultRow>(database: string | null, sql: string): Promise<{ rows: Row[] }> {
  const client = new pg.Client({ connectionString: urlOf(database) });
  await client.connect();
  try {
    return await client.query<Row>(sql);
  } finally {
    await client.end();
  }
}

const idleNames: string[] = [];

/** Empties a database its server closed, unless another session still uses it or its schema changed. */
async function emptiedDatabase(name: string): Promise<boolean> {
  // A short lock_timeout: a session left behind holding a lock makes the database one to drop, not a wait.
  const client = new pg.Client({ connectionString: urlOf(name), options: '-c lock_timeout=2s' });
  try {
    await client.connect();
    const query: Query = (sql) => client.query(sql);
    const { rows } = await query<{ others: number }>(
      'SELECT count(*)::int AS others FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    if (rows[0]?.others !== 0 || !(await asMigrated('postgres', query))) return false;
    await truncateAll(query);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A database on the test PostgreSQL server, and how to give it back: empty, as a new deployment's
 * is, or with `migrated`, as the template the global setup migrated (kept from an earlier server of
 * the worker, emptied, or a new copy of the template).
 */
export async function createPostgresDatabase({ migrated = false } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  let name = migrated ? idleNames.pop() : undefined;
  if (!name) {
    // Named after the run's template: the run's global teardown drops what its workers kept.
    name = `${inject('postgresTemplate')}_${randomBytes(6).toString('hex')}`;
    await onServer(null, migrated ? `CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}` : `CREATE DATABASE ${name}`);
    const created = name;
    if (migrated) await rememberMigrated('postgres', (sql) => onServer(created, sql));
  }
  const database = name;
  const drop = async () => {
    if (migrated && idleNames.length < KEPT && (await emptiedDatabase(database))) idleNames.push(database);
    else await onServer(null, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };
  return { url: urlOf(database), drop };
}
