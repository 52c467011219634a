// Failures of who-is-asking: top-level GraphQL errors with a code and an HTTP status (API.md).
import { GraphQLError } from 'graphql';

export function requestError(
  code: string,
  status: number,
  message: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status, headers } } });
}

export const unauthenticated = (message: string) => requestError('UNAUTHENTICATED', 401, message);
export const forbidden = (message: string, extensions: Record<string, unknown> = {}) => requestError('FORBIDDEN', 403, message, extensions);
/** Connect (connected accounts, their settings, links and events) belongs to the production tenant only. */
export const CONNECT_PRODUCTION_ONLY = 'Connect is production-only: use a key of the production tenant.';
export const serviceUnavailable = (message: string) => requestError('SERVICE_UNAVAILABLE', 503, message);
export const connectedAccountNotFound = (message: string) => requestError('CONNECTED_ACCOUNT_NOT_FOUND', 404, message);
export const connectedAccountNotActive = (message: string, status: string) =>
  requestError('CONNECTED_ACCOUNT_NOT_ACTIVE', 403, message, { status });
/** Mutations while acting for an account whose required details are past due (reads still work). */
export const connectedAccountRestricted = (disabledReason: string) =>
  requestError(
    'CONNECTED_ACCOUNT_RESTRICTED',
    403,
    "The connected account's required business details are past due (requirements.pastDue): it can be read, " +
      'but nothing can be changed for it until its organization gives them (an account update link).',
    { disabledReason },
  );
export const subAccountDeactivated = () =>
  requestError(
    'SUB_ACCOUNT_DEACTIVATED',
    403,
    "This key's sub-account is deactivated: its keys work again once its platform reactivates it.",
  );
export const rateLimited = (retryAfterSeconds: number, message = `Too many requests for this API key: retry in ${retryAfterSeconds} s.`) =>
  requestError('RATE_LIMITED', 429, message, { retryAfter: retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
/** Too much work of one kind in flight (password hashing): retry shortly. */
export const busy = (message: string, retryAfterSeconds = 1) =>
  requestError('SERVICE_UNAVAILABLE', 503, message, { retryAfter: retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
/** The database cannot be reached: fail fast with 503 rather than hang or hide it as a 500. */
export const databaseUnavailable = () =>
  requestError('SERVICE_UNAVAILABLE', 503, 'The database is unavailable: retry shortly.', {}, { 'retry-after': '1' });
