import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { trace } from '@opentelemetry/api';

// OpenTelemetry tracing of one process (the API or the worker). Off unless an OTLP endpoint is
// configured with the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SERVICE_NAME to rename the service), or a test hands in an
// exporter. When on: the API's request spans (api/tracing.ts), the workflow start (Temporal's client
// interceptor), the workflow and its activities (Temporal's worker interceptors) make one trace.

export interface Tracing { provider: NodeTracerProvider; processor: SpanProcessor; resource: Resource }

let active: Tracing | undefined;

export const tracingConfigured = () => Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

/** Starts tracing for this process (once); undefined when it is off. */
export function startTracing(serviceName: string, exporter?: SpanExporter): Tracing | undefined {
  if (active) return active;
  if (!exporter && !tracingConfigured()) return undefined;
  const resource = new Resource({ 'service.name': process.env.OTEL_SERVICE_NAME ?? serviceName });
  // A test's exporter gets each span as it ends; OTLP gets them in batches.
  const processor = exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register(); // the global tracer, W3C trace context propagation, async context across awaits
  active = { provider, processor, resource };
  return active;
}

export const tracing = (): Tracing | undefined => active;

/** Sends what is buffered and stops. */
export async function stopTracing(): Promise<void> {
  if (!active) return;
  const { provider } = active;
  active = undefined;
  await provider.shutdown();
  trace.disable();
}
