// The environment, parsed and validated once at start. Every bad variable is reported by name.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseKeyRing, type KeyRing } from './crypto/key-ring.ts';

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_PREPARED_STATEMENTS: z.stringbool().default(true),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  DATA_DIR: z.string().min(1).default('.data'),
  ADMIN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(1_000),
  RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(50),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_PER_ORGANIZATION_PER_SECOND: z.coerce.number().min(0).default(150),
  RATE_LIMIT_PER_ORGANIZATION_BURST: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_PER_SESSION_PER_SECOND: z.coerce.number().min(0).default(10),
  RATE_LIMIT_PER_SESSION_BURST: z.coerce.number().int().min(1).default(30),
  API_KEYS_PER_TENANT: z.coerce.number().int().min(1).default(50),
  TRANSACTIONS_PER_ORGANIZATION: z.coerce.number().int().min(1).max(1000).default(4),
  TRUST_PROXY: z.stringbool().default(false),
  CLIENT_IPV6_PREFIX: z.coerce.number().int().min(1).max(128).default(64),
  SIGN_IN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(0).default(10),
  SIGN_IN_FAILURES_PER_CLIENT: z.coerce.number().int().min(0).default(30),
  SIGN_IN_FAILURES_PER_LINK: z.coerce.number().int().min(0).default(10),
  SIGN_IN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  UNKNOWN_API_KEYS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  UNKNOWN_TOKENS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  VERIFICATION_EMAILS_PER_ADDRESS: z.coerce.number().int().min(0).default(5),
  VERIFICATION_EMAILS_PER_LINK: z.coerce.number().int().min(0).default(10),
  VERIFICATION_EMAILS_PER_CLIENT: z.coerce.number().int().min(0).default(20),
  VERIFICATION_EMAIL_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
  RATE_LIMIT_REFUSAL_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1_000),
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(32),
  PASSWORD_HASH_COST: z.coerce.number().int().min(10).max(20).default(15),
  PASSWORD_CHECKS_PER_CLIENT: z.coerce.number().int().min(1).max(1000).default(2),
  CORS_ORIGINS: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ error: 'must be a comma-separated list of origins such as https://app.example' })))
    .optional(),
  GRAPHQL_INTROSPECTION: z.enum(['authenticated', 'always', 'never']).optional(),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  EMAIL_FROM: z.string().min(3).default('Connect <no-reply@localhost>'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(100).default(5_000),
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  IDEMPOTENCY_CLEANUP_MS: z.coerce.number().int().min(100).default(600_000),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(50).default(1_000),
  ALLOW_PRIVATE_NETWORKS: z.stringbool().optional(),
  /** The former name of ALLOW_PRIVATE_NETWORKS, still read. */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.stringbool().optional(),
  CONNECTION_VERIFY_POLL_MS: z.coerce.number().int().min(100).default(60_000),
  CONNECTION_VERIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // At most a minute: API.md promises a passed deadline is noticed within one.
  REQUIREMENTS_CHECK_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(30_000),
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).default(50),
  WEBHOOK_RETRY_SCALE: z.coerce.number().gt(0).max(1).default(1),
  WEBHOOK_SENDS_PER_PROCESS: z.coerce.number().int().min(1).max(1000).default(32),
  WEBHOOK_SENDS_PER_ORGANIZATION: z.coerce.number().int().min(1).max(1000).default(8),
  WEBHOOK_ENDPOINTS_PER_TENANT: z.coerce.number().int().min(1).max(10_000).default(20),
  BACKGROUND_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  MAX_SUBSCRIPTIONS_PER_KEY: z.coerce.number().int().min(0).default(20),
  MAX_SUBSCRIPTIONS_PER_ORGANIZATION: z.coerce.number().int().min(0).default(100),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ENCRYPTION_KEYS: z
    .string()
    .transform((text, context) => {
      try {
        return parseKeyRing(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Base of every URL the server hands out. */
  publicUrl: string;
  /** A PostgreSQL server; when absent the server runs on embedded PostgreSQL (PGlite) in `dataDir`. */
  databaseUrl: string | undefined;
  /** Connections of each server process's pool: WEB_CONCURRENCY processes hold that many each. */
  databasePoolSize: number;
  /** Named prepared statements on PostgreSQL (off behind a pooler in transaction mode that does not track them). */
  databasePreparedStatements: boolean;
  /** Server processes sharing the port (node:cluster); above 1, a primary process forks and watches them. */
  webConcurrency: number;
  dataDir: string;
  /** Enables `createOrganization`; in development one is generated per start when unset. */
  adminSecret: string | undefined;
  adminSecretGenerated: boolean;
  logLevel: string;
  shutdownTimeoutMs: number;
  /** How long a stopping server keeps accepting (with /ready at 503) before it closes its port. */
  shutdownDrainMs: number;
  /** Per API key, counted across processes (src/auth/rate-limits.ts): steady rate per second (0 disables) and burst. */
  rateLimit: { perSecond: number; burst: number };
  /** The same over all the keys of one organization together (its tenants', its sub-accounts' are their own organizations'). */
  rateLimitPerOrganization: { perSecond: number; burst: number };
  /** Per account session (a browser's credential), before its platform's organization-wide rate. */
  rateLimitPerSession: { perSecond: number; burst: number };
  /** Active (unrevoked) API keys a tenant may hold; creating one more is LIMIT_REACHED. */
  apiKeysPerTenant: number;
  /** Database transactions one accountable organization's requests may have open at once in a process; the next ones wait their turn (src/auth/transaction-turns.ts). */
  transactionsPerOrganization: number;
  /** Take the client address from X-Forwarded-For's last hop (behind one trusted proxy) instead of the socket. */
  trustProxy: boolean;
  /** An IPv6 client is its address's network of this many bits (a /64 is one home or office); IPv4 is the address. */
  clientIpv6Prefix: number;
  /** Failed sign-ins allowed per e-mail, per client address and per onboarding link in a window (0 disables that one). */
  signInFailures: { perAccount: number; perClient: number; perLink: number; windowSeconds: number };
  /** Requests with an unknown API key allowed per client address and minute (0 disables). */
  unknownApiKeysPerMinute: number;
  /** Lookups by a token presented without an API key (links, verifications, OAuth) that found nothing usable, per client and minute (0 disables). */
  unknownTokensPerMinute: number;
  /** Sign-up e-mails (a verification, or "you have an account") per address, per onboarding link and per client in a window (0 disables that one). */
  verificationEmails: { perAddress: number; perLink: number; perClient: number; windowSeconds: number };
  /** How long a guess refused for being over a limit waits for its answer (src/auth/rate-limits.ts). */
  refusalDelayMs: number;
  /**
   * Password hashes computed at once by this process, and how many may wait (beyond that: 503);
   * `cost` is scrypt's log2(N): 15 (32 MiB, about 100 ms), lower only for tests, never in production;
   * `perClient`: passwords one client may have being checked at once (beyond: 429).
   */
  passwordHashing: { concurrency: number; queue: number; cost: number; perClient: number };
  /** Origins a browser may call from; none means CORS stays closed. */
  corsOrigins: string[];
  /** Who may read the schema (never data): open by default in development, so GraphiQL shows its docs before any key exists. */
  introspection: 'authenticated' | 'always' | 'never';
  maxBodyBytes: number;
  /** OTLP/HTTP collector base URL; when set, operations are traced. */
  otlpEndpoint: string | undefined;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Encrypts stored provider secrets; absent in development means a local key in `dataDir`. */
  encryptionKeys: KeyRing | undefined;
  /** Outgoing e-mail: an SMTP server; without one, messages are logged (development) or wait in the outbox (production). */
  smtpUrl: string | undefined;
  emailFrom: string;
  outboxPollMs: number;
  /** How long a process may reuse an API key's or connected account's resolution (invalidated by the database at once); 0 turns it off. */
  authCacheTtlMs: number;
  /** How often each process deletes the Idempotency-Key answers older than 24 h. */
  idempotencyCleanupMs: number;
  /** How often each process looks for due webhook deliveries (a committed event also wakes it). */
  webhookPollMs: number;
  /**
   * Production may send webhooks and provider checks to loopback, private and link-local addresses
   * (a receiver or an S3-compatible store inside the same network): ALLOW_PRIVATE_NETWORKS, or its
   * former name WEBHOOK_ALLOW_PRIVATE_NETWORKS.
   */
  allowPrivateNetworks: boolean;
  /** How often each process looks for published connections not verified for an hour. */
  connectionVerifyPollMs: number;
  /** How long one check of a connection's credentials may take, all its calls to the provider included. */
  connectionVerifyTimeoutMs: number;
  /** How often each process looks for requirement deadlines that passed (connect/accounts/requirement-deadline-checks.ts). */
  requirementsCheckPollMs: number;
  /** Consecutive failed deliveries that disable a webhook endpoint. */
  webhookDisableAfterFailures: number;
  /** Multiplies the retry schedule's waits: 1 in production; smaller for drills that play the whole schedule in minutes. */
  webhookRetryScale: number;
  /**
   * Webhook sends at once in a process, and the share one organization may hold of them, its
   * sandboxes, sub-accounts and EXPRESS accounts included (src/webhooks/worker.ts).
   */
  webhookSends: { perProcess: number; perOrganization: number };
  /** Webhook endpoints a tenant may have; one more is LIMIT_REACHED. */
  webhookLimits: { endpointsPerTenant: number };
  /**
   * How long a statement of the background workers (webhooks, e-mail, re-verification, clean-up) may
   * run on PostgreSQL before it is cancelled (their own pool's `statement_timeout`); PGlite has none.
   */
  backgroundStatementTimeoutMs: number;
  /** Open `events` subscriptions one API key may hold in one process; past it, TOO_MANY_SUBSCRIPTIONS. */
  maxSubscriptionsPerKey: number;
  /** The same for all of one accountable organization's keys together. */
  maxSubscriptionsPerOrganization: number;
}

/** Every variable the server reads (docs/configuration.md lists each; `npm run env:check` holds them together). */
export const ENVIRONMENT_VARIABLES = Object.keys(environmentSchema.shape);

/** Variables still read under a former name, documented under the current one. */
export const FORMER_NAMES: Readonly<Record<string, string>> = { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'ALLOW_PRIVATE_NETWORKS' };

/** The defaults the schema gives the variables that have one, as an environment would spell them. */
export const environmentDefaults = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(environmentSchema.partial().parse({}))
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );

/**
 * `.env` in the working folder, when there is one, read by Node's own parser: its variables go under
 * those already set (the environment wins). Returns the file's path and the names (never the
 * values) of the variables it set, when it was read.
 */
export function loadEnvironmentFile(file = '.env'): { file: string; names: string[] } | null {
  if (!existsSync(file)) return null;
  const before = new Set(Object.keys(process.env));
  process.loadEnvFile(file);
  return { file: path.resolve(file), names: Object.keys(process.env).filter((name) => !before.has(name)) };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = parsed.data;
  if (values.NODE_ENV === 'production') {
    const missing = [
      ...(values.DATABASE_URL ? [] : ['DATABASE_URL: required in production (the embedded database is for development)']),
      ...(values.ENCRYPTION_KEYS ? [] : ['ENCRYPTION_KEYS: required in production (e.g. 1:<base64 of 32 random bytes>)']),
      ...(values.PASSWORD_HASH_COST >= 15 ? [] : ['PASSWORD_HASH_COST: at least 15 in production (below is for tests)']),
    ];
    if (missing.length > 0) throw new ConfigError(missing);
  }
  if (values.WEB_CONCURRENCY > 1 && !values.DATABASE_URL) {
    // Two processes opening one PGlite folder would corrupt it: refused rather than ignored, so that
    // a deployment never believes it runs processes it does not.
    throw new ConfigError([
      'WEB_CONCURRENCY: more than 1 needs DATABASE_URL (the embedded database belongs to one process); unset it or set DATABASE_URL',
    ]);
  }
  const generateAdminSecret = !values.ADMIN_SECRET && values.NODE_ENV !== 'production';
  return {
    env: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    databasePreparedStatements: values.DATABASE_PREPARED_STATEMENTS,
    webConcurrency: values.WEB_CONCURRENCY,
    dataDir: values.DATA_DIR,
    adminSecret: values.ADMIN_SECRET ?? (generateAdminSecret ? randomBytes(24).toString('base64url') : undefined),
    adminSecretGenerated: generateAdminSecret,
    logLevel: values.LOG_LEVEL,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: values.SHUTDOWN_DRAIN_MS,
    rateLimit: { perSecond: values.RATE_LIMIT_PER_SECOND, burst: values.RATE_LIMIT_BURST },
    rateLimitPerOrganization: { perSecond: values.RATE_LIMIT_PER_ORGANIZATION_PER_SECOND, burst: values.RATE_LIMIT_PER_ORGANIZATION_BURST },
    rateLimitPerSession: { perSecond: values.RATE_LIMIT_PER_SESSION_PER_SECOND, burst: values.RATE_LIMIT_PER_SESSION_BURST },
    apiKeysPerTenant: values.API_KEYS_PER_TENANT,
    transactionsPerOrganization: values.TRANSACTIONS_PER_ORGANIZATION,
    trustProxy: values.TRUST_PROXY,
    clientIpv6Prefix: values.CLIENT_IPV6_PREFIX,
    signInFailures: {
      perAccount: values.SIGN_IN_FAILURES_PER_ACCOUNT,
      perClient: values.SIGN_IN_FAILURES_PER_CLIENT,
      perLink: values.SIGN_IN_FAILURES_PER_LINK,
      windowSeconds: values.SIGN_IN_FAILURE_WINDOW_SECONDS,
    },
    unknownApiKeysPerMinute: values.UNKNOWN_API_KEYS_PER_MINUTE,
    unknownTokensPerMinute: values.UNKNOWN_TOKENS_PER_MINUTE,
    verificationEmails: {
      perAddress: values.VERIFICATION_EMAILS_PER_ADDRESS,
      perLink: values.VERIFICATION_EMAILS_PER_LINK,
      perClient: values.VERIFICATION_EMAILS_PER_CLIENT,
      windowSeconds: values.VERIFICATION_EMAIL_WINDOW_SECONDS,
    },
    refusalDelayMs: values.RATE_LIMIT_REFUSAL_DELAY_MS,
    passwordHashing: {
      concurrency: values.PASSWORD_HASH_CONCURRENCY,
      queue: values.PASSWORD_HASH_QUEUE,
      cost: values.PASSWORD_HASH_COST,
      perClient: values.PASSWORD_CHECKS_PER_CLIENT,
    },
    corsOrigins: values.CORS_ORIGINS ?? [],
    introspection: values.GRAPHQL_INTROSPECTION ?? (values.NODE_ENV === 'development' ? 'always' : 'authenticated'),
    maxBodyBytes: values.MAX_BODY_BYTES,
    metricsToken: values.METRICS_TOKEN,
    otlpEndpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT,
    encryptionKeys: values.ENCRYPTION_KEYS,
    smtpUrl: values.SMTP_URL,
    emailFrom: values.EMAIL_FROM,
    outboxPollMs: values.OUTBOX_POLL_MS,
    authCacheTtlMs: values.AUTH_CACHE_TTL_MS,
    idempotencyCleanupMs: values.IDEMPOTENCY_CLEANUP_MS,
    webhookPollMs: values.WEBHOOK_POLL_MS,
    allowPrivateNetworks: values.ALLOW_PRIVATE_NETWORKS ?? values.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? false,
    connectionVerifyPollMs: values.CONNECTION_VERIFY_POLL_MS,
    connectionVerifyTimeoutMs: values.CONNECTION_VERIFY_TIMEOUT_MS,
    requirementsCheckPollMs: values.REQUIREMENTS_CHECK_POLL_MS,
    webhookDisableAfterFailures: values.WEBHOOK_DISABLE_AFTER_FAILURES,
    webhookRetryScale: values.WEBHOOK_RETRY_SCALE,
    webhookSends: {
      perProcess: values.WEBHOOK_SENDS_PER_PROCESS,
      perOrganization: Math.min(values.WEBHOOK_SENDS_PER_ORGANIZATION, values.WEBHOOK_SENDS_PER_PROCESS),
    },
    webhookLimits: { endpointsPerTenant: values.WEBHOOK_ENDPOINTS_PER_TENANT },
    backgroundStatementTimeoutMs: values.BACKGROUND_STATEMENT_TIMEOUT_MS,
    maxSubscriptionsPerKey: values.MAX_SUBSCRIPTIONS_PER_KEY,
    maxSubscriptionsPerOrganization: values.MAX_SUBSCRIPTIONS_PER_ORGANIZATION,
  };
}
