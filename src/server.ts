// The process: configuration, database, migrations, HTTP, and a graceful shutdown. With
// WEB_CONCURRENCY > 1 (PostgreSQL only), the same for each worker of a node:cluster primary (cluster.ts).
import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, loadEnvironmentFile, type Config } from './config.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import type { KeyRing } from './crypto/key-ring.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { migratedByPrimary, runPrimary } from './cluster.ts';
import { DEVELOPMENT_DEFAULTS_WARNING, productionSigns, servingProblems } from './deployment-checks.ts';

/** Says in one line why the server cannot start, what to do about it, and exits 1. */
function refuseToStart(reason: string): never {
  process.stderr.write(`Connect cannot start: ${reason}\n`);
  process.exit(1);
}

function configOrExit(): Config {
  try {
    const config = loadConfig();
    const problems = servingProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** The database, or a one-line refusal when another process has the embedded one's folder. */
async function openDatabaseOrExit(config: Config) {
  const { openConfiguredDatabase } = await import('./db/database.ts');
  try {
    return await openConfiguredDatabase(config);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    refuseToStart(
      `the embedded database in ${error.folder} is in use by process ${error.pid}${error.program ? ` (${error.program})` : ''}. ` +
        'Stop that server first, or give this one a folder of its own: DATA_DIR=.data-2 npm start',
    );
  }
}

/** Listens, or refuses in one line when the port is taken or not ours to take. */
async function listenOrExit(server: Server, config: Config, close: () => Promise<void>) {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    await close();
    refuseToStart(
      code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is already in use (another Connect, or another program). Stop it, or pick another port: PORT=${config.port + 1} npm start`
        : `port ${config.port} on ${config.host} needs privileges this process does not have. Pick a port above 1023: PORT=4000 npm start`,
    );
  }
}

/** Keeps trying while the database is unreachable, so a server started before its database recovers. */
async function migrateWhenReachable(migrate: () => Promise<string[]>, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrate();
      log.info({ applied }, applied.length ? 'migrations applied' : 'database schema is up to date');
      return;
    } catch (error) {
      const delayMs = Math.min(30_000, 500 * 2 ** attempt);
      log.error(
        { err: { type: (error as Error).name, message: (error as Error).message }, attempt, delayMs },
        'migrations failed; retrying',
      );
      await sleep(delayMs);
    }
  }
}

/** On PostgreSQL in a worker thread, which takes the schema engine's memory with it when it ends. */
const migratePostgres = (databaseUrl: string) => async () =>
  (await import('./db/migrate-in-worker.ts')).applyMigrationsInWorker(databaseUrl);

/** In development, the first minutes: where GraphiQL is, how to get a key, and where the key goes. */
function printGettingStarted(config: Config, log: Logger) {
  const url = config.publicUrl;
  const graphiql = `${url}/graphql`;
  log.info(
    { graphiql, introspection: config.introspection, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})` },
    'ready',
  );
  // With several workers, the primary prints it.
  if (config.env !== 'development' || cluster.isWorker) return;
  // A secret the operator chose is never printed.
  const adminSecret = config.adminSecretGenerated ? config.adminSecret : '$ADMIN_SECRET';
  process.stdout.write(
    [
      '',
      `  Connect is running: GraphiQL at ${graphiql}`,
      ...(config.introspection === 'always'
        ? ['  Its Docs explorer shows the schema without a key: introspection is open, the development default (data still needs a key).']
        : []),
      ...(config.adminSecretGenerated ? [`  Admin secret for this run (set ADMIN_SECRET to keep one): ${config.adminSecret}`] : []),
      '  Get an organization and its first API key (apiKey.secret) with:',
      '',
      `    curl -s ${graphiql} -H 'content-type: application/json' -H "x-admin-secret: ${adminSecret}" \\`,
      `      -d '{"query":"mutation { createOrganization(input: { name: \\"Acme\\", country: \\"FR\\" }) { ... on CreateOrganizationPayload { organization { id } apiKey { secret } } ... on Error { code message } } }"}'`,
      '',
      `  Then, in GraphiQL's Headers tab, uncomment "Authorization": "Bearer <your API key>", put the key in, and run WhoAmI.`,
      '',
      '',
    ].join('\n'),
  );
}

async function keyRingOf(config: Config, log: Logger): Promise<KeyRing> {
  const { ring, local } = await (await import('./crypto/key-ring.ts')).configuredKeyRing(config);
  if (local) {
    log.warn(
      { file: local.file },
      local.created
        ? 'ENCRYPTION_KEYS is not set: generated a local development encryption key (keep this file; set ENCRYPTION_KEYS in production)'
        : 'ENCRYPTION_KEYS is not set: using the local development encryption key',
    );
  }
  return ring;
}

/** One server: what runs alone (WEB_CONCURRENCY=1), or in each worker of the primary. */
async function serve(config: Config, log: Logger) {
  // Imported here, not above: a primary process never loads the application.
  const { createApp } = await import('./app.ts');
  const database = await openDatabaseOrExit(config);
  const app = await createApp({ config, database, log, keyRing: await keyRingOf(config, log) });
  const server = createServer(app.yoga);
  // Waiting before listening: the primary's message is sent to workers that listen.
  const migratedElsewhere = cluster.isWorker ? migratedByPrimary() : undefined;
  await listenOrExit(server, config, async () => {
    await app.close();
    await database.close();
  });
  log.info({ port: config.port, host: config.host }, 'listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down: draining, then finishing in-flight requests');
    // Keep accepting for a moment: requests already on their way (in the accept queue, or sent on
    // a connection not yet read) are served rather than cut, while /ready turns clients away.
    app.markDraining();
    await sleep(config.shutdownDrainMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const forced = sleep(config.shutdownTimeoutMs, 'timeout' as const);
    if ((await Promise.race([closed, forced])) === 'timeout') {
      log.warn('shutdown timeout reached: closing remaining connections');
      server.closeAllConnections();
    }
    await app.close();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const migrateHere = async () =>
    config.databaseUrl
      ? migratePostgres(config.databaseUrl)()
      : (await import('./db/migrations.ts')).applyMigrations(database.adapterFactory);
  await (migratedElsewhere ?? migrateWhenReachable(migrateHere, log));
  app.markMigrated();
  printGettingStarted(config, log);
}

async function main() {
  const environmentFile = loadEnvironmentFile();
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  if (environmentFile && !cluster.isWorker) log.info(environmentFile, 'read the variables of .env not set in the environment');
  if (cluster.isWorker) return serve(config, log.child({ worker: cluster.worker?.id, pid: process.pid }));
  const signs = productionSigns(config);
  if (signs.length > 0) log.warn({ signs }, DEVELOPMENT_DEFAULTS_WARNING);
  // loadConfig refuses WEB_CONCURRENCY > 1 without DATABASE_URL.
  const { databaseUrl } = config;
  if (config.webConcurrency === 1 || !databaseUrl) return serve(config, log);
  // The local development key is created here, once: workers creating it at once would race.
  await keyRingOf(config, log);
  runPrimary({
    workers: config.webConcurrency,
    // One admin secret for the run, whichever worker a request reaches (each would generate its own).
    workerEnvironment: config.adminSecretGenerated && config.adminSecret ? { ADMIN_SECRET: config.adminSecret } : {},
    // A worker thread of the primary applies them, before any worker is ready.
    migrate: async () => {
      await migrateWhenReachable(migratePostgres(databaseUrl), log);
      printGettingStarted(config, log);
    },
    // Each worker's own drain and timeout, and a margin for closing its pool and background work.
    stopTimeoutMs: config.shutdownDrainMs + config.shutdownTimeoutMs + 5_000,
    log,
  });
}

await main();
