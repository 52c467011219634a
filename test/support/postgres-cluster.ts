// Global setup of the `postgres` project: a throwaway PostgreSQL cluster on a free port, unless
// TEST_DATABASE_URL names a server to use. Each test file then creates its own database in it.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './throwaway-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('postgresUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.destroy();
}
