// createApp(deps) -> the yoga instance serving /graphql, GraphiQL, /health and /ready.
// The server and the tests both build the application through here.
import cluster from 'node:cluster';
import { createYoga, useReadinessCheck } from 'graphql-yoga';
import { systemClock, type Clock } from './core/clock.ts';
import type { Config } from './config.ts';
import type { KeyRing } from './crypto/key-ring.ts';
import type { Database } from './db/database.ts';
import { createContextFactory, endpointOwnerContext } from './graphql/context.ts';
import { startCallerCaches, useCallerCacheSync } from './auth/caller-caches.ts';
import { startLiveEvents } from './events/live.ts';
import { useClientAddress } from './auth/client-address.ts';
import { useRestrictedAccounts } from './auth/restricted-accounts.ts';
import { createRateLimits, prepareRateLimitTable } from './auth/rate-limits.ts';
import { limitPasswordHashing } from './auth/passwords.ts';
import { schema } from './schema.ts';
import { useErrorMasking } from './graphql/mask-errors.ts';
import { useCsrfHeaderCheck } from './http/csrf.ts';
import { corsOptions } from './http/cors.ts';
import { anySessionOrigin, originsOfSession } from './auth/session-caller.ts';
import { useSessionGate } from './graphql/session-gate.ts';
import { useErrorBodies } from './http/error-bodies.ts';
import { useInputErrorCodes } from './graphql/input-errors.ts';
import { useRequestLimits } from './http/limits.ts';
import { useMetrics } from './http/metrics.ts';
import { workerMetrics } from './cluster.ts';
import { createTracing } from './http/tracing.ts';
import { useRequestLog } from './http/request-log.ts';
import { useInputValueScrubbing } from './http/scrub-input-values.ts';
import { startIdempotencyCleanup, useIdempotency } from './http/idempotency.ts';
import { FORM_MAX_BYTES, refusalPage, tooLargePage, usePages } from './web/page-routes.ts';
import { useBodyLimit } from './http/request-body.ts';
import { oauthRoutes } from './web/oauth-routes.ts';
import { onboardingPageRoutes } from './web/onboarding-routes.ts';
import { accountUpdatePageRoutes } from './web/account-update-routes.ts';
import { connectionLinkPageRoutes } from './web/connection-link-routes.ts';
import { devOutboxRoute } from './web/dev-outbox-page.ts';
import { embedScriptRoutes } from './web/embed-script-route.ts';
import { graphiqlOptions } from './web/graphiql.ts';
import { logSender, smtpSender, type EmailSender } from './email/senders.ts';
import { startOutboxWorker } from './email/worker.ts';
import { startWebhookWorker } from './webhooks/worker.ts';
import { shapeObject } from './webhooks/payload-fragment.ts';
import { startConnectionReverification } from './connections/reverification.ts';
import { startRequirementDeadlineChecks } from './connect/accounts/requirement-deadline-checks.ts';
import { addressPolicyOf } from './net/address-guard.ts';
import { yogaLogger, type Logger } from './core/logger.ts';

export interface AppDependencies {
  config: Config;
  database: Database;
  log: Logger;
  /** Encrypts provider secrets: from ENCRYPTION_KEYS, or the local development ring. */
  keyRing: KeyRing;
  clock?: Clock;
  /** Where e-mail goes; by default SMTP_URL's server, else the log outside production. */
  emailSender?: EmailSender;
}

/** SMTP when configured; the log in development and tests; none in production (messages wait in the outbox). */
function configuredSender(config: Config, log: Logger): EmailSender | null {
  if (config.smtpUrl) return smtpSender(config.smtpUrl, config.emailFrom);
  if (config.env !== 'production') return logSender(log);
  log.warn('SMTP_URL is not set: e-mail (onboarding verification) waits in the outbox table until it is');
  return null;
}

const READY_CHECK_TIMEOUT_MS = 1_500;

/** /health and /ready take no body (a probe sends none): any body is refused unread, 413. */
const PROBE_PATHS = new Set(['/health', '/ready']);

const bodyCapOf = (config: Config) => (url: URL) =>
  url.pathname === '/graphql' ? config.maxBodyBytes : PROBE_PATHS.has(url.pathname) ? 0 : FORM_MAX_BYTES;

export async function createApp({ config, database, log, keyRing, clock = systemClock, emailSender }: AppDependencies) {
  let migrationsApplied = false;
  let draining = false;

  async function databaseAnswers(): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(resolve, READY_CHECK_TIMEOUT_MS, false).unref());
    const ping = database.prisma.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    );
    return Promise.race([ping, timeout]);
  }

  limitPasswordHashing(config.passwordHashing);
  const rateLimits = createRateLimits(database.pool, config);
  const rateLimitTable = database.pool ? prepareRateLimitTable(database.pool, log) : null;

  const sender = emailSender ?? configuredSender(config, log);
  // The workers run on the background client: their own connections, each statement time-bounded.
  const outbox = sender
    ? startOutboxWorker({
        prisma: database.background,
        sender,
        clock,
        log,
        pollMs: config.outboxPollMs,
        active: () => migrationsApplied && !draining,
      })
    : null;
  const webhooks = startWebhookWorker({
    prisma: database.background,
    keyRing,
    clock,
    log,
    pollMs: config.webhookPollMs,
    addressPolicy: addressPolicyOf(config),
    disableAfterFailures: config.webhookDisableAfterFailures,
    sends: config.webhookSends,
    retryScale: config.webhookRetryScale,
    active: () => migrationsApplied && !draining,
    listen: database.listen,
    shapePayload: async ({ endpoint, event }) =>
      shapeObject(
        schema,
        await endpointOwnerContext(
          { config, prisma: database.background, log, clock, keyRing, rateLimits, liveEvents },
          {
            endpointId: endpoint.id,
            organizationId: endpoint.organizationId,
            tenantId: endpoint.tenantId,
            actingForAccountId: endpoint.actingForAccountId,
          },
        ),
        endpoint.payloadFragment ?? '',
        event.objectId,
      ),
  });
  const connectionChecks = startConnectionReverification({
    prisma: database.background,
    keyRing,
    addressPolicy: addressPolicyOf(config),
    clock,
    log,
    pollMs: config.connectionVerifyPollMs,
    verifyTimeoutMs: config.connectionVerifyTimeoutMs,
    active: () => migrationsApplied && !draining,
  });
  const requirementDeadlines = startRequirementDeadlineChecks({
    prisma: database.background,
    clock,
    log,
    pollMs: config.requirementsCheckPollMs,
    active: () => migrationsApplied && !draining,
  });
  const pages = [
    ...oauthRoutes({ prisma: database.prisma, clock, rateLimits }),
    ...onboardingPageRoutes({ prisma: database.prisma, clock, config, rateLimits, emailQueued: () => outbox?.wake() }),
    ...accountUpdatePageRoutes({ prisma: database.prisma, clock, config, rateLimits }),
    ...connectionLinkPageRoutes({ prisma: database.prisma, clock, config, rateLimits, keyRing }),
    ...(config.env === 'production' ? [] : [devOutboxRoute(database.prisma)]),
    ...embedScriptRoutes(),
  ];

  const idempotencyCleanup = startIdempotencyCleanup({
    prisma: database.background,
    clock,
    log,
    intervalMs: config.idempotencyCleanupMs,
    active: () => migrationsApplied && !draining,
  });
  const tracing = await createTracing(config.otlpEndpoint);
  const callerCaches = await startCallerCaches(database, config.authCacheTtlMs);
  const liveEvents = await startLiveEvents(database, {
    maxPerKey: config.maxSubscriptionsPerKey,
    maxPerOrganization: config.maxSubscriptionsPerOrganization,
    log,
  });
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: graphiqlOptions(config.introspection),
    // GraphiQL's bundle weighs about 80 MB in memory: loaded when a browser first asks for it.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    logging: yogaLogger(log),
    // Our masking plugin handles execution errors with the request id; this catches the rest, never with details.
    maskedErrors: { isDev: false },
    context: createContextFactory({
      config,
      prisma: database.prisma,
      log,
      clock,
      keyRing,
      isReady: () => migrationsApplied,
      callerCaches,
      rateLimits,
      liveEvents,
    }),
    // API keys: closed unless CORS_ORIGINS names the browser origins allowed to call. Account
    // sessions: their platforms' allowedOrigins (src/http/cors.ts).
    cors: corsOptions({
      keyOrigins: config.corsOrigins,
      anySessionOrigin: () => anySessionOrigin({ prisma: database.prisma, callerCaches }),
      originsOfSession: (request, secret) => originsOfSession({ prisma: database.prisma, callerCaches }, request, secret, clock.now()),
    }),
    // useBodyLimit does the cap; yoga's own (25 MB, /graphql only) would only ever be the looser one.
    maxRequestBodySize: false,
    plugins: [
      // First: every body is read through its cap, by any route (see request-body.ts).
      useBodyLimit(bodyCapOf(config), tooLargePage),
      // A refusal answered with no body (an unknown path, a body yoga cannot read) gets one with its code.
      useErrorBodies(refusalPage),
      ...tracing.plugins,
      useMetrics(database, config.metricsToken, cluster.isWorker ? workerMetrics : undefined),
      useRequestLog(log),
      useClientAddress({ trustProxy: config.trustProxy, ipv6Prefix: config.clientIpv6Prefix }),
      usePages({
        routes: pages,
        publicOrigin: new URL(config.publicUrl).origin,
        log,
        isReady: () => migrationsApplied,
        afterWrite: () => callerCaches.sync(),
      }),
      useCallerCacheSync(callerCaches),
      // A browser form or a simple GET cannot send this header without a CORS preflight.
      useCsrfHeaderCheck(['x-graphql-yoga-csrf', 'authorization', 'x-api-key']),
      ...useRequestLimits(config),
      useErrorMasking(),
      useInputErrorCodes(),
      useInputValueScrubbing(),
      // Before the idempotency key is claimed: a refused mutation stores no answer.
      useRestrictedAccounts(),
      // Before idempotency claims a key: a session's refused operation leaves nothing behind.
      useSessionGate(schema),
      // Last of the execution hooks: the key is claimed once the request is authenticated and allowed.
      useIdempotency({ prisma: database.prisma, clock, log }),
      useReadinessCheck({ endpoint: '/ready', check: async () => !draining && migrationsApplied && (await databaseAnswers()) }),
    ],
  });

  return {
    yoga,
    /** Called once the migration history has been applied; until then /ready is 503. */
    markMigrated() {
      migrationsApplied = true;
    },
    /** Shutting down: /ready answers 503 so load balancers stop sending, while requests are still served. */
    markDraining() {
      draining = true;
      // Open subscriptions would hold the shutdown: ended now, their clients resume elsewhere with `after`.
      void liveEvents.stop();
    },
    /** Delivers the e-mail that is due (the worker also does so on its own). */
    outbox,
    /** Sends the webhook deliveries that are due (the worker also does so on its own). */
    webhooks,
    /** Re-verifies the published connections not checked for an hour (the worker also does so on its own). */
    connectionChecks,
    /** Notices the requirement deadlines that passed (the worker also does so on its own). */
    requirementDeadlines,
    /** Stops the outbox worker and the caches' listener, and flushes trace spans, before the process exits. */
    async close() {
      await outbox?.stop();
      await webhooks.stop();
      await connectionChecks.stop();
      await requirementDeadlines.stop();
      rateLimitTable?.stop();
      idempotencyCleanup.stop();
      await liveEvents.stop();
      await callerCaches.stop();
      await tracing.shutdown();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
