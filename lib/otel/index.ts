// The OpenTelemetry entry of rxlog: "rxlog/otel". Every export is named here.
export { traceContextEnricher } from './trace-context-enricher';
export type { TraceContextEnricherOptions } from './trace-context-enricher';
export { OpenTelemetrySink } from './open-telemetry-sink';
export { suppressSinkTracing } from './suppress-sink-tracing';
export type { OpenTelemetrySinkOptions } from './open-telemetry-sink';
export { toOtelLogRecord } from './to-otel-log-record';
export { toOtelAnyValue, toOtelAttributes } from './to-otel-any-value';
export { metricsToOpenTelemetry, RXLOG_COMPONENT_TYPE } from './metrics-to-open-telemetry';
export type {
  MetricsSource,
  OpenTelemetryMetricsOptions,
  OpenTelemetryMetricsHandle,
  RejectingSink,
} from './metrics-to-open-telemetry';
