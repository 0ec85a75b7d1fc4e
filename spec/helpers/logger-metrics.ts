import type { LoggerMetrics, SinkMetrics } from '../../lib/metrics/metrics-types';

/** A logger's metrics as formatters of metrics read them: every count 0 but `values`, and `sinks`. */
export function loggerMetrics(sinks: Record<string, SinkMetrics>, values: Partial<LoggerMetrics> = {}): LoggerMetrics {
  return {
    timestamp: new Date(0),
    logged: 0,
    filtered: 0,
    rejectedAfterClose: 0,
    rejectedReentrant: 0,
    rejectedInvalidLevel: 0,
    ...values,
    sinks,
  };
}
