// Global setup of the `postgres` project: a throwaway PostgreSQL cluster on a free port, unless
// TEST_DATABASE_URL names a server to use, and in it one migrated template database. Each test
// server's database is a copy of the template (`CREATE DATABASE ... TEMPLATE`, a file copy that
// takes milliseconds) instead of a database migrated again through the schema engine.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrationsInWorker } from '../../src/db/migrate-in-worker.ts';
import { startPostgresCluster } from './throwaway-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    /** The migrated template database on that server. */
    postgresTemplate: string;
  }
}

async function run(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createMigratedTemplate(serverUrl: string): Promise<{ name: string; drop: () => Promise<void> }> {
  // Named per run: several runs may share one TEST_DATABASE_URL.
  const name = `test_template_${randomBytes(6).toString('hex')}`;
  await run(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // In a worker thread, as the server does: the pglite project's global setup runs the schema engine
  // in this process at the same time, and two engines cannot share the module's one WebAssembly
  // instance. The worker's connections are closed when it ends; a template with a client connected
  // could not be copied.
  await applyMigrationsInWorker(url.href);
  return {
    name,
    // The template, and the test databases named after it that the workers kept for their next servers
    // (test/support/test-databases.ts): on a TEST_DATABASE_URL server nothing of the run stays behind.
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')`,
          [name],
        );
        for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export default async function setup(project: TestProject) {
  const cluster = process.env.TEST_DATABASE_URL ? null : await startPostgresCluster();
  const url = process.env.TEST_DATABASE_URL ?? cluster?.url ?? '';
  const template = await createMigratedTemplate(url).catch((error: unknown) => {
    cluster?.destroy();
    throw error;
  });
  project.provide('postgresUrl', url);
  project.provide('postgresTemplate', template.name);
  return async () => {
    if (cluster) cluster.destroy();
    else await template.drop();
  };
}
