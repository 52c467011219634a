// The test servers' embedded databases. Starting a PGlite instance costs about 1 CPU-s (its
// WebAssembly boot, then unpacking the 40 MB dump into its file system), more than most test files
// spend on their tests. So a worker keeps the instances its files closed, emptied, and hands them to
// its next servers: every table truncated (identities restarted), the session discarded (locks,
// LISTENs, settings), the JavaScript listeners gone. A file still gets a database exactly as
// migrated; an instance whose schema a test changed (a dropped table, a disabled trigger, a role) is
// closed, not kept.
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { AUTH_CHANNEL } from '../../src/auth/caller-caches.ts';
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

/** Everything a test could change about the schema rather than the rows, as one digest. */
const SCHEMA_DIGEST = `
  SELECT md5(string_agg(item, '|' ORDER BY item)) AS digest FROM (
    SELECT 'r:' || c.relname || ':' || c.relkind::text || ':' || c.relrowsecurity FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
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

const TABLES = `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
  WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;

/** Instances at rest between servers: as many as the worker's files ever had open at once, up to this. */
const KEPT = 4;
const idle: PGlite[] = [];
let migratedDigest: string | null = null;

async function digestOf(pglite: PGlite): Promise<string> {
  const { rows } = await pglite.query<{ digest: string }>(SCHEMA_DIGEST);
  return rows[0]?.digest ?? '';
}

/** Empties an instance a server closed, or says it cannot be kept (its schema changed, or it fails). */
async function emptied(pglite: PGlite): Promise<boolean> {
  try {
    if (pglite.closed) return false;
    // A transaction a test left open, then the session's locks, LISTENs, settings and prepared statements.
    await pglite.exec('ROLLBACK');
    await pglite.exec('DISCARD ALL');
    for (const channel of [EVENTS_CHANNEL, AUTH_CHANNEL]) await pglite.unlisten(channel);
    if ((await digestOf(pglite)) !== migratedDigest) return false;
    const { rows } = await pglite.query<{ name: string }>(TABLES);
    await pglite.exec(`TRUNCATE ${rows.map((row) => row.name).join(', ')} RESTART IDENTITY CASCADE`);
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
    pglite = await PGlite.create({ loadDataDir: await snapshotOf(inject('pgliteMigratedSnapshotPath')) });
    migratedDigest ??= await digestOf(pglite);
  }
  const instance = pglite;
  return databaseOnPGlite(instance, () => release(instance));
}
