// Optional OpenTelemetry tracing: with OTEL_EXPORTER_OTLP_ENDPOINT set, every GraphQL operation
// becomes a span exported over OTLP/HTTP. Variables, documents and results are never recorded:
// they may hold secrets.
// The OpenTelemetry packages are loaded only when tracing is on: they cost about 20 MB of memory.
import type { Plugin } from 'graphql-yoga';

export interface Tracing {
  plugins: Plugin[];
  /** Exports what is still buffered; called on shutdown. */
  shutdown(): Promise<void>;
}

export async function createTracing(endpoint: string | undefined): Promise<Tracing> {
  if (!endpoint) return { plugins: [], shutdown: async () => {} };
  const [{ useOpenTelemetry }, { OTLPTraceExporter }, { BatchSpanProcessor }, { NodeTracerProvider }] = await Promise.all([
    import('@envelop/opentelemetry'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const plugin = useOpenTelemetry(
    { document: false, variables: false, result: false, resolvers: false },
    provider,
    undefined,
    undefined,
    'connect',
  );
  return { plugins: [plugin as Plugin], shutdown: () => provider.shutdown() };
}
