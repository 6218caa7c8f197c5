import type { Tracer } from '@opentelemetry/api';

/** A running trace pipeline: the tracer, and a shutdown that flushes pending spans. */
export interface TracingPipeline {
  tracer: Tracer;
  /** Export what is buffered now (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Spans batched and exported over OTLP/HTTP (JSON) to `${endpoint}/v1/traces`.
 * The SDK is imported only here, and only when an endpoint is configured, so
 * a bot without tracing never loads it.
 */
export async function startOtlpTracing(options: { endpoint: string; serviceName: string; version: string }): Promise<TracingPipeline> {
  const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': options.version }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1_000 })],
  });
  return {
    tracer: provider.getTracer('support-agent', options.version),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
