// The suite runs twice: on embedded PostgreSQL (PGlite, in memory) and on a real PostgreSQL server
// (a throwaway cluster the global setup starts, or TEST_DATABASE_URL when given). Each global setup
// migrates once (a migrated PGlite dump, a migrated template database); test servers start from it.
import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * Files whose behaviour does not depend on the database run in the pglite project only: what they
 * check happens before or beside the database (HTTP, parsing, validation, the browser, the cipher),
 * so the same run on PostgreSQL would test nothing more. Everything else runs on both, and above all
 * what does depend on it: confinement and isolation, concurrent writes, rate limits and caches shared
 * between processes, migrations, the server process on DATABASE_URL.
 */
const databaseAgnostic = [
  // The cipher on its own, no server.
  'test/connections/encryption.test.ts',
  // Spans exported to a fake collector: the tracing plugin, not the queries.
  'test/hardening/tracing.test.ts',
  // Byte caps on request bodies, enforced while reading, before any resolver runs.
  'test/hardening/request-bodies.test.ts',
  // NUL and control characters refused by input validation, before anything reaches the database.
  'test/graphql/nul-input.test.ts',
  // Error codes and HTTP refusals: given by parsing, validation, the executor and yoga, before any query.
  'test/graphql/error-codes.test.ts',
  // Production-safe defaults: the outbox page's loopback rule, METRICS_TOKEN, the start-up warning.
  'test/hardening/production-defaults.test.ts',
  // The onboarding and account update pages and GraphiQL in a real browser: HTML, cookies and scripts
  // (the pages' data rules are tested on both databases by onboarding.test.ts,
  // onboarding-sessions.test.ts and connect/accounts/update-links.test.ts).
  'test/web/onboarding-wizard.test.ts',
  'test/web/account-update.test.ts',
  // The connection link and consent pages in a real browser: what the member sees, at desktop and phone
  // width (the link's rules, the reconnect and the events are tested on both databases by
  // test/connections/connection-links.test.ts; the consent's by test/connect/oauth/oauth.test.ts).
  'test/web/connection-link.test.ts',
  'test/web/consent.test.ts',
  'test/web/graphiql*.test.ts',
  // The data folder's pid file: files and processes, no database.
  'test/server/data-dir-lock.test.ts',
  // A first run on the embedded database: .env, a data folder in use, a taken port.
  'test/server/first-run.test.ts',
  // The API key as an actor carries it: a value, no server.
  'test/auth/presented-api-key.test.ts',
  // The bounded cache of confined clients and their wrappers: a function, no server.
  'test/core/recently-used.test.ts',
  // What each account session component may reach, computed from the schema: no server.
  'test/auth/session-components.test.ts',
  // The layering check on trees of its own: a script reading files.
  'test/architecture/layers.test.ts',
  // The typed client example: its generated types against the schema, over HTTP.
  'test/examples/typed-client.test.ts',
  // The platform frontend example in a real browser: the components' HTML, focus, SSE and bundle (the
  // sessions' data rules are tested on both databases by test/connect/sessions/).
  'test/examples/platform-frontend.test.ts',
];

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for the libraries; Vite would pick its ESM entry for our
    // code, and two copies of graphql cannot share a schema. One entry for everyone.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    // Vitest's default on 2 cores is one worker; the files mostly wait (on the database, on child
    // processes, on the browser, on timers), so two run side by side at no cost to each other.
    maxWorkers: 2,
    // A worker keeps its loaded modules from one file to the next instead of loading them again for
    // each (2-3 s a file: the application, Prisma's and PGlite's WebAssembly). Files stay independent:
    // each starts its own server on its own database, and what src/ keeps at module level (the password
    // hashing bounds) is set again by every createApp.
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: 'pglite',
          env: { TEST_DATABASE: 'pglite' },
          globalSetup: ['test/support/compiled-server.ts', 'test/support/pglite-snapshot.ts'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          exclude: [...configDefaults.exclude, ...databaseAgnostic],
          name: 'postgres',
          env: { TEST_DATABASE: 'postgres' },
          globalSetup: ['test/support/compiled-server.ts', 'test/support/postgres-cluster.ts'],
        },
      },
    ],
  },
});
