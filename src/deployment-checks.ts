// What the server process checks of its deployment at start, beyond each variable's own validation
// (config.ts), which the scripts (migrations, re-encryption) share and which these do not concern.

import type { Config } from './config.ts';

/**
 * Reasons to refuse to serve. /metrics needs METRICS_TOKEN in production, rather than a second,
 * loopback-only port: a scraper usually reaches the server over the network (another pod, another
 * host), where loopback is out of reach, and a token works wherever the scraper runs, behind any
 * proxy, with one listener to drain at shutdown.
 */
export function servingProblems(config: Config): string[] {
  if (config.env !== 'production') return [];
  return config.metricsToken ? [] : ['METRICS_TOKEN: required in production (/metrics answers only with Authorization: Bearer <token>)'];
}

// NODE_ENV unset means development, whose defaults are unsafe on a server others can reach: an
// admin secret made per start and printed, the encryption key kept beside the data, the e-mail
// outbox served as a page, suggestions in error messages, the schema open to anyone. A deployment
// that looks like production but runs them gets a warning at start, naming what gave it away. HOST
// is no sign: its default, 0.0.0.0, is also what a developer's container needs.

const LOCAL_HOSTS = /^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** Why this development server looks like a production deployment (empty when it does not). */
export function productionSigns(config: Config): string[] {
  if (config.env !== 'development') return [];
  const publicUrl = new URL(config.publicUrl);
  return [
    ...(config.databaseUrl ? ['DATABASE_URL is set'] : []),
    ...(publicUrl.protocol === 'https:' ? ['PUBLIC_URL is https'] : []),
    ...(LOCAL_HOSTS.test(publicUrl.hostname) ? [] : ['PUBLIC_URL is not a local address']),
  ];
}

export const DEVELOPMENT_DEFAULTS_WARNING =
  'NODE_ENV is not production, so development defaults apply (admin secret generated per start, local encryption key, ' +
  'e-mail outbox page, error suggestions, open introspection), yet this looks like a production deployment: set NODE_ENV=production';
