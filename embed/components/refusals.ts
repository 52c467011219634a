// What a person reads when the API refused a request as a whole: plain words per refusal code, never
// the API's own wording (written for developers), which the page still gets in connect:error.
import { ConnectApiError, networkError } from '../session/api-error.ts';

const PLAIN_WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Reload the page to continue.',
  FORBIDDEN: 'This page is not allowed to do that.',
  ORIGIN_NOT_ALLOWED: 'This site is not allowed to show your account.',
  RATE_LIMITED: 'Too many requests at once. Wait a moment, then try again.',
  NETWORK: 'We could not reach the server. Check your connection, then try again.',
};

export const asApiError = (error: unknown): ConnectApiError => (error instanceof ConnectApiError ? error : networkError(error));

export const plainWordsFor = (error: ConnectApiError): string =>
  PLAIN_WORDS[error.code] ?? 'Something went wrong on our side. Try again in a moment.';
