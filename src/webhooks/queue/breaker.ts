// A circuit breaker per endpoint, for receivers that do not answer. Each such attempt (no answer
// within 10 s, a refused or reset connection, an address refused) holds a sending slot for up to
// 10 s; a receiver that answers anything, even 500, costs milliseconds and is left to the retry
// schedule. After UNANSWERED_TO_OPEN attempts in a row without an answer the breaker opens: nothing
// is sent to the endpoint until `openUntil`, when one delivery tries it again (half-open). An answer
// closes it; another silence opens it again for twice as long, up to OPEN_AT_MOST_MS. Deliveries
// wait meanwhile, their attempts unspent: the endpoint is still disabled after 3 days of failures.

export interface Breaker {
  unansweredInARow: number;
  /** Nothing is sent before this time; null: closed. */
  openUntil: Date | null;
}

export const UNANSWERED_TO_OPEN = 3;
export const OPEN_FIRST_MS = 60 * 1000;
export const OPEN_AT_MOST_MS = 60 * 60 * 1000;

export const CLOSED: Breaker = { unansweredInARow: 0, openUntil: null };

/** The breaker after an attempt that the receiver `answered` (with any HTTP status) or not. */
export function breakerAfter(before: Breaker, answered: boolean, now: Date): Breaker {
  if (answered) return CLOSED;
  const unansweredInARow = before.unansweredInARow + 1;
  if (unansweredInARow < UNANSWERED_TO_OPEN) return { unansweredInARow, openUntil: before.openUntil };
  const openMs = Math.min(OPEN_AT_MOST_MS, OPEN_FIRST_MS * 2 ** (unansweredInARow - UNANSWERED_TO_OPEN));
  return { unansweredInARow, openUntil: new Date(now.getTime() + openMs) };
}
