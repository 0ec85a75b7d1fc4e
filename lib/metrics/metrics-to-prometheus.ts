import type { BreakerStateName, LoggerMetrics, SinkMetrics } from './metrics-types';

const BREAKER_STATES: readonly BreakerStateName[] = ['closed', 'open', 'half-open'];

interface SinkFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly value: (sink: SinkMetrics) => number;
}

const SINK_FAMILIES: readonly SinkFamily[] = [
  { name: 'rxlog_events_received_total', type: 'counter', help: 'Events that reached the sink.', value: (s) => s.received },
  {
    name: 'rxlog_events_delivered_total',
    type: 'counter',
    help: 'Events the sink or its fallback accepted.',
    value: (s) => s.delivered,
  },
  {
    name: 'rxlog_events_dropped_total',
    type: 'counter',
    help: 'Events dropped by queue overflow, an immediate shutdown or the operators of the sink pipe (by design or when one failed).',
    value: (s) => s.dropped,
  },
  {
    name: 'rxlog_events_failed_total',
    type: 'counter',
    help: 'Events neither the sink nor its fallback accepted.',
    value: (s) => s.failed,
  },
  { name: 'rxlog_batches_retried_total', type: 'counter', help: 'Batches re-sent after a failure.', value: (s) => s.retried },
  {
    name: 'rxlog_events_fallback_total',
    type: 'counter',
    help: 'Delivered events that went through the fallback sink.',
    value: (s) => s.fallback,
  },
  {
    name: 'rxlog_events_pending',
    type: 'gauge',
    help: 'Events received and not yet settled: queued, batched or in flight.',
    value: (s) => s.pending,
  },
  { name: 'rxlog_queue_depth', type: 'gauge', help: 'Events waiting in the sink queue.', value: (s) => s.queueDepth },
  { name: 'rxlog_queue_bytes', type: 'gauge', help: 'Estimated bytes waiting in the sink queue.', value: (s) => s.queueBytes },
  {
    name: 'rxlog_bytes_written_total',
    type: 'counter',
    help: 'Bytes the sink reports having written.',
    value: (s) => s.bytesWritten,
  },
  {
    name: 'rxlog_delivery_latency_max_seconds',
    type: 'gauge',
    help: 'Longest enqueue-to-delivery latency, in seconds.',
    value: (s) => s.latencyMs.max / 1000,
  },
];

/**
 * A logger's metrics in the Prometheus text exposition format (version 0.0.4): one `# HELP` and
 * `# TYPE` per family, `rxlog_` names, a `sink` label on per-sink families (values escaped),
 * latency in seconds (Prometheus' base unit) as a summary's `quantile` samples plus a max gauge,
 * and the breaker state as one 0/1 gauge per
 * state. Serve it with content type `text/plain; version=0.0.4; charset=utf-8`: Prometheus 3 fails
 * a scrape whose answer has no valid `Content-Type`.
 *
 * @example
 * http
 *   .createServer((req, res) =>
 *     res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metricsToPrometheus(log.metrics())),
 *   )
 *   .listen(9464);
 */
export function metricsToPrometheus(metrics: LoggerMetrics): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string): void => {
    lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  };
  family('rxlog_events_logged_total', 'counter', 'Events that passed the level check.');
  lines.push(`rxlog_events_logged_total ${formatValue(metrics.logged)}`);
  family('rxlog_events_filtered_total', 'counter', 'Events removed by filters.');
  lines.push(`rxlog_events_filtered_total ${formatValue(metrics.filtered)}`);
  family('rxlog_events_rejected_after_close_total', 'counter', 'Events logged after the logger was closed.');
  lines.push(`rxlog_events_rejected_after_close_total ${formatValue(metrics.rejectedAfterClose)}`);
  family(
    'rxlog_events_rejected_reentrant_total',
    'counter',
    'Log calls made from inside a sink of the same logger, or nested too deep in its own calls, dropped.',
  );
  lines.push(`rxlog_events_rejected_reentrant_total ${formatValue(metrics.rejectedReentrant)}`);
  family(
    'rxlog_events_rejected_invalid_level_total',
    'counter',
    'log.write calls with a level that is not a level name, ignored.',
  );
  lines.push(`rxlog_events_rejected_invalid_level_total ${formatValue(metrics.rejectedInvalidLevel)}`);
  const pipe = metrics.pipe;
  if (pipe !== undefined) {
    family('rxlog_pipe_events_dropped_total', 'counter', 'Events the operators of .pipe() removed or lost when one failed.');
    lines.push(`rxlog_pipe_events_dropped_total ${formatValue(pipe.dropped)}`);
    family('rxlog_pipe_events_pending', 'gauge', 'Events the operators of .pipe() hold now.');
    lines.push(`rxlog_pipe_events_pending ${formatValue(pipe.pending)}`);
  }

  const names = Object.keys(metrics.sinks);
  const labels = sinkLabels(names);
  const sinks = names.map((name, index) => ({ label: `sink="${escapeLabel(labels[index])}"`, sink: metrics.sinks[name] }));
  for (const { name, type, help, value } of SINK_FAMILIES) {
    family(name, type, help);
    for (const { label, sink } of sinks) lines.push(`${name}{${label}} ${formatValue(value(sink))}`);
  }
  // Prometheus wants base units (promtool rejects `_ms`) and `quantile` only on summaries.
  family('rxlog_delivery_latency_seconds', 'summary', 'Enqueue-to-delivery latency percentiles, in seconds.');
  for (const { label, sink } of sinks) {
    lines.push(
      `rxlog_delivery_latency_seconds{${label},quantile="0.5"} ${formatValue(sink.latencyMs.p50 / 1000)}`,
      `rxlog_delivery_latency_seconds{${label},quantile="0.95"} ${formatValue(sink.latencyMs.p95 / 1000)}`,
      `rxlog_delivery_latency_seconds{${label},quantile="0.99"} ${formatValue(sink.latencyMs.p99 / 1000)}`,
    );
  }
  family('rxlog_breaker_state', 'gauge', 'Circuit breaker state of the sink: 1 for the current state, 0 for the others.');
  for (const { label, sink } of sinks) {
    for (const state of BREAKER_STATES)
      lines.push(`rxlog_breaker_state{${label},state="${state}"} ${sink.breaker === state ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A lone UTF-16 surrogate: it has no UTF-8 form, so an encoder writes U+FFFD in its place. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * One distinct label value per sink name: the name itself, or for a name with a lone surrogate,
 * the name with U+FFFD in its place and `-2`, `-3` … where that meets another sink's, since the
 * format wants one line per metric name and labels (`'a\uD800'` and `'a\uDC00'` would both be `a�`).
 */
function sinkLabels(names: readonly string[]): string[] {
  const wellFormed = names.map((name) => name.replace(LONE_SURROGATE, '\uFFFD'));
  const taken = new Set(names.filter((name, index) => wellFormed[index] === name));
  return names.map((name, index) => {
    const base = wellFormed[index];
    if (base === name) return name;
    let label = base;
    for (let n = 2; taken.has(label); n++) label = `${base}-${n}`;
    taken.add(label);
    return label;
  });
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
