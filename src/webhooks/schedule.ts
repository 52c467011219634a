// When a failed delivery is tried again, and when an endpoint is given up on.

/** The wait after each failed attempt: 10 retries over about 3.9 days (at least 3.5 with jitter). */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  30 * 1000,
  2 * 60 * 1000,
  10 * 60 * 1000,
  60 * 60 * 1000,
  3 * 60 * 60 * 1000,
  6 * 60 * 60 * 1000,
  12 * 60 * 60 * 1000,
  24 * 60 * 60 * 1000,
  24 * 60 * 60 * 1000,
  24 * 60 * 60 * 1000,
];

/** The first attempt and one per retry: after the last one fails, the delivery is FAILED. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/** Each wait is moved by up to this fraction either way, so receivers that failed together are not retried together. */
export const JITTER = 0.1;

/** The wait after `attempts` attempts failed (1 = the first), or null when that was the last. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number | null {
  const base = RETRY_SCHEDULE_MS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** An endpoint whose deliveries all failed this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 3 * 24 * 60 * 60 * 1000;
/** ...or this many in a row (WEBHOOK_DISABLE_AFTER_FAILURES changes it). */
export const DISABLE_AFTER_CONSECUTIVE_FAILURES = 50;
