// WEB_CONCURRENCY > 1: a primary process that serves nothing itself. It forks the workers (each one
// is the whole server, sharing the port through node:cluster), applies the migrations once, restarts
// a worker that dies, and on SIGTERM/SIGINT has every worker drain and stop.
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from './core/logger.ts';
import type { WorkerMetrics } from './http/metrics.ts';

/** Sent by the primary to a listening worker once the schema is up to date: the worker turns ready. */
const MIGRATED_MESSAGE = 'connect:migrated';

const METRICS_REQUEST = 'connect:metrics-request';
const METRICS_ANSWER = 'connect:metrics';
/** prom-client gives up on a silent worker after 5 s: the asking worker waits a little longer. */
const METRICS_TIMEOUT_MS = 6_000;

interface MetricsMessage {
  type: typeof METRICS_REQUEST | typeof METRICS_ANSWER;
  id: string;
  text?: string | null;
}

const isMetricsMessage = (message: unknown, type: MetricsMessage['type']): message is MetricsMessage =>
  typeof message === 'object' && message !== null && (message as MetricsMessage).type === type;

/** In a worker: /metrics asks the primary, which sums every worker's registry (prom-client's AggregatorRegistry). */
export const workerMetrics: WorkerMetrics = {
  share: (registry) => {
    AggregatorRegistry.setRegistries([registry]);
    // Constructing one is what makes prom-client answer the primary's requests in this worker.
    new AggregatorRegistry();
  },
  collect: () =>
    new Promise((resolve, reject) => {
      const id = randomUUID();
      const timeout = setTimeout(() => finish(null), METRICS_TIMEOUT_MS);
      const onMessage = (message: unknown) => {
        if (isMetricsMessage(message, METRICS_ANSWER) && message.id === id) finish(message.text ?? null);
      };
      const finish = (text: string | null) => {
        clearTimeout(timeout);
        process.off('message', onMessage);
        if (text === null) reject(new Error('the workers did not all answer'));
        else resolve(text);
      };
      process.on('message', onMessage);
      process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsMessage);
    }),
};

/** A worker that has listened this long had started fine: its death restarts it at once. */
const STARTED_FINE_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

export interface PrimaryOptions {
  workers: number;
  /** Added to each worker's environment: what the primary settled once for all (a generated admin secret). */
  workerEnvironment: Record<string, string>;
  /** Resolves once the migrations are applied (retrying while the database is unreachable). */
  migrate(): Promise<void>;
  /** After a stop signal, how long the workers get to drain and finish before they are killed. */
  stopTimeoutMs: number;
  log: Logger;
}

/** Waits 1 s, 2 s, 4 s … (at most 30 s) after each death in a row of a worker that had not started fine. */
function restartDelayMs(quickDeathsInARow: number): number {
  return quickDeathsInARow === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 1_000 * 2 ** (quickDeathsInARow - 1));
}

export function runPrimary({ workers, workerEnvironment, migrate, stopTimeoutMs, log }: PrimaryOptions): void {
  /** Every worker alive, and since when it listens (null while it starts). */
  const listeningSince = new Map<Worker, number | null>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  let migrated = false;
  let stopping = false;
  let quickDeaths = 0;
  let killedAtStop = false;

  const fork = () => listeningSince.set(cluster.fork(workerEnvironment), null);

  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMetricsMessage(message, METRICS_REQUEST)) return;
    void aggregator
      .clusterMetrics()
      .then(
        (text) => ({ type: METRICS_ANSWER, id: message.id, text }) satisfies MetricsMessage,
        (error: Error) => {
          log.warn({ err: { type: error.name, message: error.message } }, 'metrics: not every worker answered');
          return { type: METRICS_ANSWER, id: message.id, text: null } satisfies MetricsMessage;
        },
      )
      .then((answer) => worker.isConnected() && worker.send(answer));
  });

  cluster.on('listening', (worker) => {
    listeningSince.set(worker, performance.now());
    if (migrated) worker.send(MIGRATED_MESSAGE);
  });

  cluster.on('exit', (worker, code, signal) => {
    const since = listeningSince.get(worker);
    const listenedMs = since == null ? 0 : Math.round(performance.now() - since);
    listeningSince.delete(worker);
    if (stopping) {
      if (listeningSince.size === 0) finish();
      return;
    }
    // Dying before listening, or soon after, is dying at start: a loop of those must slow down.
    quickDeaths = listenedMs < STARTED_FINE_MS ? quickDeaths + 1 : 0;
    const delayMs = restartDelayMs(quickDeaths);
    log.error(
      { worker: worker.id, pid: worker.process.pid, code, signal, listenedMs, restartInMs: delayMs },
      'worker exited; starting another',
    );
    const restart = setTimeout(() => {
      pendingRestarts.delete(restart);
      fork();
    }, delayMs);
    pendingRestarts.add(restart);
  });

  const finish = () => {
    log.info({ killed: killedAtStop }, 'stopped');
    process.exit(killedAtStop ? 1 : 0);
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const restart of pendingRestarts) clearTimeout(restart);
    log.info({ signal, workers: listeningSince.size }, 'stopping every worker: each drains, then finishes its in-flight requests');
    if (listeningSince.size === 0) finish();
    // A terminal's Ctrl-C reaches the workers too; a worker stops once whichever signal comes first.
    for (const worker of listeningSince.keys()) worker.process.kill(signal);
    setTimeout(() => {
      killedAtStop = true;
      log.warn(
        { workers: [...listeningSince.keys()].map((worker) => worker.id) },
        'workers still running after the stop timeout: killing them',
      );
      for (const worker of listeningSince.keys()) worker.process.kill('SIGKILL');
    }, stopTimeoutMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log.info({ workers }, 'starting the worker processes');
  for (let index = 0; index < workers; index += 1) fork();
  void migrate().then(() => {
    migrated = true;
    for (const [worker, since] of listeningSince) if (since !== null) worker.send(MIGRATED_MESSAGE);
  });
}

/** In a worker: resolves when the primary says the schema is up to date. */
export function migratedByPrimary(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (message !== MIGRATED_MESSAGE) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}
