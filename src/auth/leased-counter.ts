// The in-process fast path of a shared counter: instead of one query per request, a process takes
// points from the store in chunks (one consume of `chunk` points) and spends them from memory until
// the chunk is used up or the store's window ends. The total never exceeds the limit, since every
// point was taken from the store; the price is that points a process holds unused are not
// available to the others until the window ends (at most chunk - 1 per process and window).
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

interface Lease {
  left: number;
  untilMs: number;
  /** The store refused: the key is over its limit until `untilMs`. */
  refused: boolean;
}

/** Beyond this many keys, ended leases are dropped, so memory stays bounded. */
const MAX_LEASES = 10_000;

export class LeasedCounter {
  private readonly leases = new Map<string, Lease>();
  /** One reservation per key at a time: concurrent requests wait for it instead of taking chunks of their own. */
  private readonly reserving = new Map<string, Promise<void>>();

  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly chunk: number,
  ) {}

  /** Takes one point: 0 when granted, else the milliseconds until the key's window ends. */
  async take(key: string): Promise<number> {
    for (;;) {
      const now = Date.now();
      const lease = this.leases.get(key);
      if (lease && lease.untilMs > now) {
        if (lease.left > 0) {
          lease.left -= 1;
          return 0;
        }
        if (lease.refused) return lease.untilMs - now;
      }
      const inFlight = this.reserving.get(key);
      if (inFlight) {
        await inFlight;
        continue;
      }
      const reservation = this.reserve(key).finally(() => this.reserving.delete(key));
      this.reserving.set(key, reservation);
      await reservation;
    }
  }

  private async reserve(key: string): Promise<void> {
    if (this.leases.size >= MAX_LEASES) this.dropEnded();
    try {
      const granted = await this.limiter.consume(key, this.chunk);
      this.leases.set(key, { left: this.chunk, untilMs: Date.now() + granted.msBeforeNext, refused: false });
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // Over the limit with this chunk: what was left before it is still ours, then the key is refused.
      const before = error.consumedPoints - this.chunk;
      const left = before >= 0 ? Math.max(0, this.limiter.points - before) : 0;
      this.leases.set(key, { left, untilMs: Date.now() + Math.max(1, error.msBeforeNext), refused: true });
    }
  }

  private dropEnded(): void {
    const now = Date.now();
    for (const [key, lease] of this.leases) if (lease.untilMs <= now) this.leases.delete(key);
  }
}
