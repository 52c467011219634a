// Lookups by a token presented without an API key: onboarding and account update links, e-mail
// verifications, OAuth clients, consents and codes. Those that find nothing usable are counted per
// client (UNKNOWN_TOKENS_PER_MINUTE, src/auth/rate-limits.ts); past the limit the answer is 429
// instead. Only failures count, as with API keys: every browser behind one address (an office, a
// NAT) opens its own valid link many times, and must not be refused because another guessed.
import type { RateLimits } from './rate-limits.ts';

/** Who presents the token: the limits, and the client they count by. */
export interface TokenSource {
  limits: RateLimits;
  client: string;
}

/**
 * Runs a lookup; when it fails in a way `failed` recognizes (no such token, or none usable), the
 * client's count takes a point first, which past the limit throws RateLimitExceededError instead.
 */
export async function countingFailedLookups<T>(
  source: TokenSource,
  lookup: () => Promise<T>,
  failed: (error: unknown) => boolean,
): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (failed(error)) await source.limits.unknownToken(source.client);
    throw error;
  }
}
