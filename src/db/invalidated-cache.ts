// A per-process cache whose entries the database invalidates (see notifications.ts). It only
// serves while notifications flow: when the listener is lost it empties and stops serving until
// it listens again, so a missed notification can never leave a stale answer in use.
export interface InvalidatedCacheOptions {
  /** A backstop: even a never-invalidated entry is read again from the database this often. */
  ttlMs: number;
  maxEntries: number;
}

export class InvalidatedCache<Value> {
  private readonly entries = new Map<string, { value: Value; expiresAt: number }>();
  /** Bumped by every invalidation: a value read before one must not be stored after it. */
  private generation = 0;
  private live = false;

  constructor(private readonly options: InvalidatedCacheOptions) {}

  get(key: string): Value | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= performance.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Take this before reading the database, and give it to set() with what was read. */
  snapshot(): number {
    return this.generation;
  }

  set(key: string, value: Value, snapshot: number): void {
    if (!this.live || snapshot !== this.generation) return;
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: performance.now() + this.options.ttlMs });
  }

  invalidate(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
  }

  /** The listener is up (serve) or lost (forget everything and stop serving). */
  setLive(live: boolean): void {
    this.generation += 1;
    this.entries.clear();
    this.live = live;
  }
}
