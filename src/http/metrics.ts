// Prometheus metrics at /metrics: requests and their duration by operation name, errors by code,
// and the database pool. One registry per application, so tests can run several side by side.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/database.ts';
import { secretsEqual } from '../crypto/tokens.ts';
import { requestSummaryOf } from './request-log.ts';

interface ErrorLike {
  extensions?: { code?: unknown };
}

function errorCodesOf(result: unknown): string[] {
  const errors = (result as { errors?: ErrorLike[] } | null)?.errors;
  return Array.isArray(errors) ? errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN')) : [];
}

/** Operation names come from clients: bounded, so a client cannot blow up the label set. */
const MAX_OPERATION_LABELS = 200;
function operationLabel(seen: Set<string>, name: string | undefined): string {
  if (!name || !/^[A-Za-z_]\w{0,63}$/.test(name)) return 'anonymous';
  if (!seen.has(name) && seen.size >= MAX_OPERATION_LABELS) return 'other';
  seen.add(name);
  return name;
}

/** With WEB_CONCURRENCY > 1, /metrics answers for every worker, not only the one a scrape reaches. */
export interface WorkerMetrics {
  /** Makes `registry` what the primary collects from this worker. */
  share(registry: Registry): void;
  /** Every worker's metrics, summed by the primary (src/cluster.ts). */
  collect(): Promise<string>;
}

export function useMetrics(database: Database, metricsToken: string | undefined, acrossWorkers?: WorkerMetrics): Plugin {
  const registry = new Registry();
  acrossWorkers?.share(registry);
  const requests = new Counter({
    name: 'connect_http_requests_total',
    help: 'HTTP requests by operation and status.',
    labelNames: ['operation', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'connect_http_request_duration_seconds',
    help: 'HTTP request duration by operation.',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const operations = new Set<string>();
  const errors = new Counter({
    name: 'connect_graphql_errors_total',
    help: 'GraphQL errors by code.',
    labelNames: ['code'],
    registers: [registry],
  });
  new Gauge({
    name: 'connect_db_pool_connections',
    help: 'Database pool connections by state (PostgreSQL only).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = database.poolStats();
      if (!stats) return;
      for (const [state, value] of Object.entries(stats)) this.set({ state }, value);
    },
  });

  return {
    // Not async: every request passes here, and only /metrics has anything to wait for.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return;
      const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      if (metricsToken && !(presented && secretsEqual(presented, metricsToken))) {
        endResponse(new fetchAPI.Response('unauthorized\n', { status: 401 }));
        return;
      }
      // A worker that does not answer the primary in time (one starting, or stuck) fails the scrape rather than halving it.
      return (acrossWorkers ? acrossWorkers.collect() : registry.metrics()).then(
        (text) => endResponse(new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType } })),
        () => endResponse(new fetchAPI.Response('metrics unavailable\n', { status: 503 })),
      );
    },
    onResultProcess({ result }) {
      for (const code of errorCodesOf(result)) errors.inc({ code });
    },
    onResponse({ request, response }) {
      const { pathname, operationName, durationMs } = requestSummaryOf(request);
      if (pathname !== '/graphql') return;
      const operation = operationLabel(operations, operationName);
      requests.inc({ operation, status: String(response.status) });
      duration.observe({ operation }, durationMs / 1000);
    },
  };
}
