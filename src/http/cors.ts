// CORS, per request: API-key requests get CORS_ORIGINS (closed when empty); account sessions come
// from platforms' pages and get their platforms' allowedOrigins (API.md, Account sessions). A
// preflight carries no credential, so it is answered for an origin that some platform allows; the
// actual request is answered only for an origin the session's own platform allows (and refused,
// ORIGIN_NOT_ALLOWED, by src/auth/session-caller.ts otherwise). No credentials mode: a session is a
// bearer token, never a cookie.
import type { CORSOptions } from 'graphql-yoga';
import { claimsToBeSession } from '../auth/account-session-secrets.ts';

/** The headers a page's request may carry: the bearer token, and GraphQL over HTTP's content types. */
const SESSION_HEADERS = ['authorization', 'content-type', 'accept'];

export interface CorsDependencies {
  /** CORS_ORIGINS: the browser origins API-key requests may come from. */
  keyOrigins: readonly string[];
  /** Every origin some platform allows its sessions. */
  anySessionOrigin: () => Promise<ReadonlySet<string>>;
  /** The origins the presented session's platform allows, or null when it names no live session. */
  originsOfSession: (secret: string) => Promise<ReadonlySet<string> | null>;
}

const presentedBearer = (request: Request) => /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];

export function corsOptions(deps: CorsDependencies) {
  const answer = (origin: string, headers?: string[]): CORSOptions => ({
    origin,
    credentials: false,
    methods: ['GET', 'POST', 'OPTIONS'],
    ...(headers ? { allowedHeaders: headers } : {}),
  });
  return async (request: Request): Promise<CORSOptions> => {
    const origin = request.headers.get('origin');
    if (origin === null) return false;
    const bearer = presentedBearer(request);
    if (bearer !== undefined && claimsToBeSession(bearer)) {
      return (await deps.originsOfSession(bearer))?.has(origin) ? answer(origin, SESSION_HEADERS) : false;
    }
    if (deps.keyOrigins.includes(origin)) return answer(origin);
    if (request.method === 'OPTIONS' && (await deps.anySessionOrigin()).has(origin)) return answer(origin, SESSION_HEADERS);
    return false;
  };
}
