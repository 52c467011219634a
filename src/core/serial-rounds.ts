// Background work done in rounds, one at a time (the e-mail outbox, webhook deliveries). Whoever
// asks for a round gets one that starts after asking: a round already under way may have read its
// work before the caller's was there.
/** A worker that runs such rounds in the background, polling and woken up. */
export interface BackgroundWorker {
  /** Runs a round that starts after this call (waiting for one under way); resolves with how many it handled. */
  deliverDue(): Promise<number>;
  /** Something was queued: run a round soon rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

export interface SerialRounds {
  /** A round that starts after this call (joining one already queued); resolves with its count. */
  run(): Promise<number>;
  /** Resolves once the rounds under way or queued are over. */
  settled(): Promise<unknown>;
}

export function serialRounds(round: () => Promise<number>): SerialRounds {
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<number> | null = null;
  return {
    run() {
      if (queued) return queued;
      const next = chain.then(() => {
        queued = null;
        return round();
      });
      queued = next;
      chain = next.catch(() => 0);
      return next;
    },
    settled: () => chain,
  };
}

export interface PollingWorkerOptions {
  /** One round; `stopping()` turns true once the worker is asked to stop (a long round ends early). */
  round: (stopping: () => boolean) => Promise<number>;
  /** A round this often, and sooner when woken. */
  pollMs: number;
  /** False until the database is migrated, and while shutting down: rounds are skipped. */
  active: () => boolean;
  /** A round failed: logged by the caller, and the next poll tries again. */
  failed: (error: unknown) => void;
}

/** A background worker whose only source of work is its poll and `wake()`. */
export function pollingWorker({ round, pollMs, active, failed }: PollingWorkerOptions): BackgroundWorker {
  let stopped = false;
  const rounds = serialRounds(() => round(() => stopped));
  const tick = () => {
    if (stopped || !active()) return;
    rounds.run().catch(failed);
  };
  const timer = setInterval(tick, pollMs);
  timer.unref();
  return {
    deliverDue: () => rounds.run(),
    wake: () => setImmediate(tick),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await rounds.settled();
    },
  };
}
