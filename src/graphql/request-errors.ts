// Failures of who-is-asking: top-level GraphQL errors with a code and an HTTP status (API.md).
import { GraphQLError } from 'graphql';

function requestError(code: string, status: number, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status } } });
}

export const unauthenticated = (message: string) => requestError('UNAUTHENTICATED', 401, message);
export const forbidden = (message: string) => requestError('FORBIDDEN', 403, message);
export const serviceUnavailable = (message: string) => requestError('SERVICE_UNAVAILABLE', 503, message);
export const connectedAccountNotFound = (message: string) =>
  requestError('CONNECTED_ACCOUNT_NOT_FOUND', 404, message);
export const connectedAccountNotActive = (message: string, status: string) =>
  requestError('CONNECTED_ACCOUNT_NOT_ACTIVE', 403, message, { status });
