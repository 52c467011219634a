// The origins a platform names for its account sessions' pages (API.md, Account sessions): exact
// origins, `scheme://host[:port]` and nothing else, held to the scheme rule of every URL a platform
// gives (./secure-urls.ts). An origin is compared as the browser sends it in `Origin`, so it is
// stored in the URL standard's serialization (lower-case host, no default port).
import { ValidationError } from './domain-errors.ts';
import { hasSecureScheme, type UrlPolicy } from './secure-urls.ts';

export const MAX_ALLOWED_ORIGINS = 20;

function parsedOrigin(value: string, policy: UrlPolicy, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${field} is not an origin: write it as https://app.example (scheme, host, optional port).`, [field]);
  }
  // An origin has no path, query, fragment or credentials: `https://app.example/` is refused too, so
  // what the platform wrote is what the browser sends.
  if (url.origin === 'null' || url.origin !== value.replace(/\/$/, '') || value.endsWith('/') || url.username || url.password) {
    throw new ValidationError(`${field} must be an origin only (scheme://host[:port]), without a path, query or trailing slash.`, [field]);
  }
  if (!hasSecureScheme(url, policy)) {
    const why = policy.production ? 'must use https.' : 'must use https (http is accepted for localhost only, outside production).';
    throw new ValidationError(`${field} ${why}`, [field]);
  }
  return url.origin;
}

/** The origins, checked, each once, in the order given; VALIDATION names the first bad one. */
export function allowedOrigins(values: readonly string[], policy: UrlPolicy, field: string): string[] {
  if (values.length > MAX_ALLOWED_ORIGINS) {
    throw new ValidationError(`${field} takes at most ${MAX_ALLOWED_ORIGINS} origins.`, [field]);
  }
  return [...new Set(values.map((value, index) => parsedOrigin(value.trim(), policy, `${field}.${index}`)))];
}
