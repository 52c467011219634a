// Migration commands that need no native Prisma engine:
//   deploy         apply prisma/migrations to DATABASE_URL, or to the embedded database in DATA_DIR
//   create <name>  write a new migration with the SQL that brings the history to schema.prisma
//   check          fail when schema.prisma and the migration history disagree
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { loadConfig, loadEnvironmentFile } from '../src/config.ts';
import { openConfiguredDatabase } from '../src/db/database.ts';
import { applyMigrations, migrationsDir, pendingSchemaChange } from '../src/db/migrations.ts';

/** Authoring replays the history into a throwaway in-memory database: nothing real is touched. */
async function pendingChange(): Promise<string> {
  const scratch = new PGlite();
  try {
    return (await pendingSchemaChange(new PrismaPGlite(scratch))).trim();
  } finally {
    await scratch.close();
  }
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const [command, name] = process.argv.slice(2);

switch (command) {
  case 'deploy': {
    loadEnvironmentFile();
    const config = loadConfig();
    const database = await openConfiguredDatabase(config);
    try {
      const applied = await applyMigrations(database.adapterFactory);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    } finally {
      await database.close();
    }
    break;
  }
  case 'create': {
    if (!name || !/^[a-z0-9_]+$/.test(name)) {
      console.error('usage: npm run db:migration:create -- <name in snake_case>');
      process.exit(2);
    }
    const sql = await pendingChange();
    if (!sql || sql === '-- This is an empty migration.') {
      console.log('schema.prisma already matches the migrations: nothing to write.');
      break;
    }
    const folder = path.join(migrationsDir, `${timestamp(new Date())}_${name}`);
    await mkdir(folder);
    await writeFile(path.join(folder, 'migration.sql'), `${sql}\n`);
    console.log(`wrote ${path.relative(process.cwd(), folder)}/migration.sql`);
    break;
  }
  case 'check': {
    const sql = await pendingChange();
    if (sql && sql !== '-- This is an empty migration.') {
      console.error('schema.prisma has changes no migration records; run `npm run db:migration:create -- <name>`:\n');
      console.error(sql);
      process.exit(1);
    }
    console.log('schema.prisma and prisma/migrations agree.');
    break;
  }
  default:
    console.error('usage: tsx scripts/migrations.ts deploy | create <name> | check');
    process.exit(2);
}
