// CORS, per request: API-key requests get CORS_ORIGINS (closed when empty); account sessions come
// from platforms' pages and get their platforms' allowedOrigins (API.md, Account sessions). A
// preflight carries no credential, so it is answered for an origin that some platform allows; the
// actual request of a live session is answered only for an origin its own platform allows (and
// refused, ORIGIN_NOT_ALLOWED, by src/auth/session-caller.ts otherwise). A session that has ended
// opens nothing, so its 401 is readable by any platform's page: the page's components must see it to
// ask their platform for a new secret (a response without CORS headers is an opaque network error).
// No credentials mode: a session is a bearer token, never a cookie.
import type { CORSOptions } from 'graphql-yoga';
import { claimsToBeSession } from '../auth/account-session-secrets.ts';

/** The headers a page's request may carry: the bearer token, and GraphQL over HTTP's content types. */
const SESSION_HEADERS = ['authorization', 'content-type', 'accept'];
/** What a page may read of an answer beyond the safelisted headers: when to retry, and the request's id. */
const SESSION_EXPOSED = ['retry-after', 'x-request-id'];
/** Preflights are cached by the browser this long (seconds). */
const PREFLIGHT_MAX_AGE = 600;

export interface CorsDependencies {
  /** CORS_ORIGINS: the browser origins API-key requests may come from. */
  keyOrigins: readonly string[];
  /** Every origin some platform allows its sessions. */
  anySessionOrigin: () => Promise<ReadonlySet<string>>;
  /** The origins the presented session's platform allows, or null when it names no live session. */
  originsOfSession: (request: Request, secret: string) => Promise<ReadonlySet<string> | null>;
}

const presentedBearer = (request: Request) => /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];

export function corsOptions(deps: CorsDependencies) {
  const answer = (origin: string): CORSOptions => ({ origin, credentials: false, methods: ['GET', 'POST', 'OPTIONS'] });
  const sessionAnswer = (origin: string): CORSOptions => ({
    ...answer(origin),
    allowedHeaders: SESSION_HEADERS,
    exposedHeaders: SESSION_EXPOSED,
    maxAge: PREFLIGHT_MAX_AGE,
  });
  return async (request: Request): Promise<CORSOptions> => {
    const origin = request.headers.get('origin');
    if (origin === null) return false;
    const bearer = presentedBearer(request);
    if (bearer !== undefined && claimsToBeSession(bearer)) {
      const ownOrigins = await deps.originsOfSession(request, bearer);
      const allowed = ownOrigins ? ownOrigins.has(origin) : (await deps.anySessionOrigin()).has(origin);
      return allowed ? sessionAnswer(origin) : false;
    }
    if (deps.keyOrigins.includes(origin)) return answer(origin);
    if (request.method === 'OPTIONS' && (await deps.anySessionOrigin()).has(origin)) return sessionAnswer(origin);
    return false;
  };
}
