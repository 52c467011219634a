// Applies and authors the migration history in prisma/migrations through the WebAssembly build of
// Prisma's schema engine, so no native engine (and no download) is needed. The history stays in
// Prisma's standard format: `prisma migrate deploy` applies the same folders wherever it can run.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const prismaSchemaPath = path.join(projectRoot, 'prisma/schema.prisma');
export const migrationsDir = path.join(projectRoot, 'prisma/migrations');

const noFilters = { externalTables: [], externalEnums: [] };

let wasmReady: Promise<void> | undefined;

/** The package imports its .wasm as an ES module, which Node 20 refuses without a flag; load it by hand. */
function loadEngineWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const bindingsFile = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(bindingsFile), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': engineBindings });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return wasmReady;
}

/**
 * @prisma/adapter-pg runs a migration script by splitting it on every `;`, which breaks a function
 * body (`$$ ... ; ... $$`). PostgreSQL's simple query protocol (a query without parameters) runs a
 * whole script itself, dollar quotes and all; PGlite's adapter already does that.
 */
function runningWholeScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  if (adapter.adapterName !== '@prisma/adapter-pg') return adapter;
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

/**
 * Runs `work` with an engine on its own connections, and closes them after: the engine does not
 * (a pg pool left open would hold Prisma's advisory migration lock until it timed out).
 */
async function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngineWasm();
  const opened: SqlDriverAdapter[] = [];
  const track = async (connecting: Promise<SqlDriverAdapter>) => {
    const adapter = runningWholeScripts(await connecting);
    opened.push(adapter);
    return adapter;
  };
  const trackingFactory: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: () => track(adapterFactory.connect()),
    connectToShadowDb: () => track(adapterFactory.connectToShadowDb()),
  };
  const schema = await readFile(prismaSchemaPath, 'utf8');
  const ignoreEngineLog = () => {};
  const engine = (await engineBindings.SchemaEngine.new(
    { datamodels: [[prismaSchemaPath, schema]] },
    ignoreEngineLog,
    bindMigrationAwareSqlAdapterFactory(trackingFactory),
  )) as SchemaEngine;
  try {
    return await work(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

export async function readMigrationList(): Promise<MigrationList> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lockfilePath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockfilePath, content: await readFile(lockfilePath, 'utf8') },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      folders.map(async (folder) => ({
        path: folder,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: await readFile(path.join(migrationsDir, folder, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

/** Applies every migration not yet recorded in `_prisma_migrations`; returns the names it applied. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrationsList = await readMigrationList();
  return withEngine(adapterFactory, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return appliedMigrationNames;
  });
}

/**
 * The SQL that brings a database built from the migration history to what schema.prisma describes;
 * empty when they agree. The history is replayed into the adapter's shadow database.
 */
export async function pendingSchemaChange(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const migrationsList = await readMigrationList();
  const schema = await readFile(prismaSchemaPath, 'utf8');
  return withEngine(adapterFactory, async (engine) => {
    const { stdout } = await engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: [{ path: prismaSchemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return stdout ?? '';
  });
}
