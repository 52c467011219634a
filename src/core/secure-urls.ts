// The scheme rule of every URL a platform gives us, whether the server calls it (webhook endpoints,
// connection endpoints: net/address-guard.ts adds where it may point) or sends a browser to it
// (returnUrl, refreshUrl, redirectUrl, OAuth redirect URIs): https, and http only for a loopback host
// outside production, where a developer serves on localhost (API.md). Over http in production, what
// a browser carries back to the platform (an OAuth code, the query the platform put in its link)
// could be read, and where it lands rewritten, on the way.
import { isIPv4 } from 'node:net';
import type { Config } from '../config.ts';
import { ValidationError } from './domain-errors.ts';
import { webUrl } from './validation.ts';

/** The deployment a URL is judged for. */
export interface UrlPolicy {
  /** NODE_ENV=production: https only. */
  production: boolean;
}

export const urlPolicyOf = (config: Pick<Config, 'env'>): UrlPolicy => ({ production: config.env === 'production' });

/** `localhost` and its subdomains, 127.0.0.0/8 and ::1 (URL keeps an IPv6 literal's brackets). */
export function isLoopbackHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** Whether the URL's scheme is accepted: https, or http to a loopback host outside production. */
export const hasSecureScheme = (url: URL, policy: UrlPolicy): boolean =>
  url.protocol === 'https:' || (url.protocol === 'http:' && !policy.production && isLoopbackHost(url));

/** The scheme rule as a VALIDATION error on `field`. */
export function requireSecureScheme(url: URL, policy: UrlPolicy, field: string): void {
  if (hasSecureScheme(url, policy)) return;
  const why = policy.production
    ? 'must be an https URL.'
    : 'must be an https URL (http is accepted for localhost only, outside production).';
  throw new ValidationError(`${field} ${why}`, [field]);
}

/** A URL a browser is sent to (returnUrl, refreshUrl, redirectUrl): the scheme rule, and webUrl's length. */
export function browserUrl(value: URL, policy: UrlPolicy, field: string): string {
  requireSecureScheme(value, policy, field);
  return webUrl(value, field);
}
