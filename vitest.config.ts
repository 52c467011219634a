// The suite runs twice: on embedded PostgreSQL (PGlite, in memory) and on a real PostgreSQL server
// (a throwaway cluster the global setup starts, or TEST_DATABASE_URL when given).
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for the libraries; Vite would pick its ESM entry for our
    // code, and two copies of graphql cannot share a schema. One entry for everyone.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: 'pglite',
          env: { TEST_DATABASE: 'pglite' },
          globalSetup: ['test/support/pglite-snapshot.ts'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'postgres',
          env: { TEST_DATABASE: 'postgres' },
          globalSetup: ['test/support/postgres-cluster.ts'],
        },
      },
    ],
  },
});
