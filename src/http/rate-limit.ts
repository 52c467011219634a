// Rate limiting per API key: a token bucket per key, kept in this process's memory. Chosen over a
// PostgreSQL counter because it costs no database write per request; the price is that N server
// processes allow N times the configured rate in total (size RATE_LIMIT_PER_SECOND per process).
import type { Clock } from '../clock.ts';
import { rateLimited } from '../graphql/request-errors.ts';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Beyond this many keys, full buckets (idle keys) are dropped, so memory stays bounded. */
const MAX_TRACKED_KEYS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: { perSecond: number; burst: number },
    private readonly clock: Clock,
  ) {}

  /** Takes one token for the key, or throws RATE_LIMITED (429) saying when to retry. */
  take(key: string): void {
    if (this.limit.perSecond === 0) return;
    const now = this.clock.now().getTime();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
    throw rateLimited(retryAfterSeconds);
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED_KEYS) this.dropIdle(now);
      const fresh = { tokens: this.limit.burst, updatedMs: now };
      this.buckets.set(key, fresh);
      return fresh;
    }
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.limit.perSecond);
    bucket.updatedMs = now;
    return bucket;
  }

  private dropIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
