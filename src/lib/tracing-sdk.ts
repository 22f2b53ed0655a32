// The OpenTelemetry SDK, loaded by tracing.ts only when an endpoint is configured: a tracer
// provider with the configured sampler and resource, spans batched to OTLP/HTTP, an
// AsyncLocalStorage context (so a span started while a request is served is its child, across
// awaits) and W3C trace-context propagation.
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { parseKeyPairsIntoRecord, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import pkg from "../../package.json";
import type { TracingConfig } from "./tracing";
import { traceDatabaseClients } from "./tracing-channels";

/** Starts exporting; returns what flushes the spans still buffered. */
export function startSdk(config: TracingConfig, serviceName: string) {
  const Exporter =
    config.OTEL_EXPORTER_OTLP_PROTOCOL === "http/json" ? JsonExporter : ProtoExporter;
  const exporter = new Exporter({
    url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`,
  });
  const provider = new TracerProvider({
    sampler: samplerOf(config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG),
    resource: resourceFromAttributes({
      "service.version": pkg.version,
      ...parseKeyPairsIntoRecord(config.OTEL_RESOURCE_ATTRIBUTES),
      "service.name": serviceName,
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  traceDatabaseClients(trace.getTracer("demo"));
  return () => provider.forceFlush();
}

function samplerOf(name: string, ratio: number): Sampler {
  const root = name.endsWith("always_on")
    ? new AlwaysOnSampler()
    : name.endsWith("always_off")
      ? new AlwaysOffSampler()
      : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith("parentbased_") ? new ParentBasedSampler({ root }) : root;
}
