// Optional OpenTelemetry tracing: with OTEL_EXPORTER_OTLP_ENDPOINT set, every GraphQL operation
// becomes a span exported over OTLP/HTTP. Variables, documents and results are never recorded:
// they may hold secrets.
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Plugin } from 'graphql-yoga';

export interface Tracing {
  plugins: Plugin[];
  /** Exports what is still buffered; called on shutdown. */
  shutdown(): Promise<void>;
}

export function createTracing(endpoint: string | undefined): Tracing {
  if (!endpoint) return { plugins: [], shutdown: async () => {} };
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const plugin = useOpenTelemetry({ document: false, variables: false, result: false, resolvers: false }, provider, undefined, undefined, 'connect');
  return { plugins: [plugin as Plugin], shutdown: () => provider.shutdown() };
}
