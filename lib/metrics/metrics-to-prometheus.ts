import { wellFormed } from '../core/lone-surrogate';
import { BOUNDED_QUEUE_REASONS } from './bounded-queue-reasons';
import type { BreakerStateName, LoggerMetrics, SinkMetrics } from './metrics-types';

const BREAKER_STATES: readonly BreakerStateName[] = ['closed', 'open', 'half-open'];

interface SinkFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly value: (sink: SinkMetrics) => unknown;
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
    help: 'Events dropped: by a full queue, at close (what an immediate close found, and events that reached the sink after its close began), by the operators of the sink pipe (by design or when one failed), or by the sink itself (EmitResult.dropped).',
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
    value: (s) => seconds(s.latencyMs.max),
  },
];

/** The family of a sink's drops by reason, beside `rxlog_events_dropped_total` (whose series stay as they are). */
const DROPPED_BY_REASON = 'rxlog_events_dropped_by_reason_total';
const DROPPED_BY_REASON_HELP =
  'Events dropped, by reason (the sum is rxlog_events_dropped_total): queue_full for a full queue, already_shutdown for a close, else the reason the sink pipe operators or the sink itself reported (sampleEvents.sampledOut, throttleEvents.suppressed, filterEvents.excluded, minimumLevel.belowLevel and fingersCrossed.* by design; operator-failed when one failed).';

/**
 * A sink's drops by reason, named as `metricsToOpenTelemetry` names its `error.type`: each `droppedBy`
 * reason (at most 64 and `other`) but a full queue's, `queue_full` for the rest of `dropped` without
 * the drops at close, which are `already_shutdown`. A reason an app's operator reports under one of
 * those two names adds to its series, and so do two that are one label once encoded (a lone surrogate):
 * the format wants one line per series. Counts that are not numbers (metrics read back from JSON) are left out.
 */
function dropsByReason(sink: SinkMetrics): Map<string, number> {
  const drops = new Map<string, number>();
  const add = (reason: string, count: number): void => {
    drops.set(reason, (drops.get(reason) ?? 0) + count);
  };
  let byReason = 0;
  const droppedBy: unknown = sink.droppedBy;
  if (isRecord(droppedBy))
    for (const [reason, count] of Object.entries(droppedBy)) {
      // The bounded queue's overflow is the full queue's drops: counted in queue_full below.
      if (reason === BOUNDED_QUEUE_REASONS.overflow || typeof count != 'number') continue;
      add(wellFormed(reason), count);
      byReason += count;
    }
  if (typeof sink.dropped != 'number') return drops;
  const atClose = typeof sink.droppedAtClose == 'number' ? sink.droppedAtClose : 0;
  add('queue_full', Math.max(0, sink.dropped - byReason - atClose));
  add('already_shutdown', atClose);
  return drops;
}

/**
 * The latency histogram beside the summary: cumulative `le` buckets at every power of two from 1 ms
 * (0.001 s) to 2^23 ms (8388.608 s) and `+Inf`, so `histogram_quantile(0.99, rate(…_bucket[5m]))`
 * is a windowed percentile and `sum by (le)` adds sinks and replicas up, as a summary's quantiles
 * (over the logger's whole life, and not to be averaged) cannot.
 */
const DURATION = 'rxlog_delivery_duration_seconds';
const DURATION_HELP =
  'Enqueue-to-delivery latency, in seconds, in cumulative buckets at every power of two of a millisecond from 0.001 to 8388.608; _count is rxlog_delivery_latency_seconds_count.';

/** The family of the `.pipe()` operators' drops by reason, beside `rxlog_pipe_events_dropped_total`. */
const PIPE_DROPPED_BY_REASON = 'rxlog_pipe_events_dropped_by_reason_total';
const PIPE_DROPPED_BY_REASON_HELP =
  'Events the operators of .pipe() removed, by reason (the sum is rxlog_pipe_events_dropped_total): the reason an operator reported (filterEvents.excluded, sampleEvents.sampledOut, throttleEvents.suppressed …), operator-failed when one failed, operator-completed when one completed early, already_shutdown for what an immediate close abandoned, unreported for events removed without a report (counted at close).';

/**
 * The `.pipe()` operators' drops by reason, as `metricsToOpenTelemetry` names their `error.type`:
 * each `droppedBy` reason (at most 64 and `other`), two that are one label once encoded (a lone
 * surrogate) added up. Counts that are not numbers (metrics read back from JSON) are left out.
 */
function pipeDropsByReason(droppedBy: unknown): Map<string, number> {
  const drops = new Map<string, number>();
  if (!isRecord(droppedBy)) return drops;
  for (const [reason, count] of Object.entries(droppedBy)) {
    if (typeof count != 'number') continue;
    const label = wellFormed(reason);
    drops.set(label, (drops.get(label) ?? 0) + count);
  }
  return drops;
}

/** The counters of `LoggerMetrics` itself. */
type LoggerCount = 'logged' | 'filtered' | 'rejectedAfterClose' | 'rejectedReentrant' | 'rejectedInvalidLevel';

/** The families of the logger's own counters, with the field of `LoggerMetrics` each reports. */
const LOGGER_FAMILIES: readonly (readonly [string, string, LoggerCount])[] = [
  ['rxlog_events_logged_total', 'Events that passed the level check.', 'logged'],
  ['rxlog_events_filtered_total', 'Events removed by filters.', 'filtered'],
  ['rxlog_events_rejected_after_close_total', 'Log calls made after close() began, not written.', 'rejectedAfterClose'],
  [
    'rxlog_events_rejected_reentrant_total',
    'Log calls made from inside a sink of the same logger, or nested too deep in its own calls, dropped.',
    'rejectedReentrant',
  ],
  [
    'rxlog_events_rejected_invalid_level_total',
    'log.write calls with a level that is not a level name, ignored.',
    'rejectedInvalidLevel',
  ],
];

/**
 * A logger's metrics in the Prometheus text exposition format (version 0.0.4): one `# HELP` and
 * `# TYPE` per family, `rxlog_` names, a `sink` label on per-sink families (values escaped),
 * latency in seconds (Prometheus' base unit) as a summary's `quantile` samples, `_count` (the
 * latencies recorded: a logger's sink records one per delivered event) and `_sum` (their total),
 * written whole or not at all (metrics without a count and total, or with one NaN or negative,
 * leave the sink out of the summary), plus a max gauge, and the same latencies as a histogram, `rxlog_delivery_duration_seconds`
 * (cumulative `_bucket`s with `le` every power of two from 0.001 s to 8388.608 s, and `+Inf`
 * equal to `_count`: 25 series a sink, for windowed percentiles and sums across replicas),
 * the breaker state as one 0/1 gauge per state, and a sink's drops by `reason` beside their total
 * (`rxlog_events_dropped_by_reason_total`: `queue_full`, `already_shutdown`, or the `droppedBy`
 * reason, as `metricsToOpenTelemetry` names its `error.type`; at most 67 per sink: 64 reasons, `other`, `queue_full` and `already_shutdown`), and with
 * `.pipe()` operators, their drops by `reason` beside their total (`rxlog_pipe_events_dropped_by_reason_total`). A value that is not a number (metrics read back from JSON), or a record that is missing or null (`latencyMs`, a sink, `sinks`), is left out with its samples. Serve it with content type `text/plain; version=0.0.4; charset=utf-8`: Prometheus 3 fails
 * a scrape whose answer has no valid `Content-Type`.
 *
 * Several loggers in one answer: pass `[name, metrics]` pairs, and every sample carries a
 * `logger` label with its logger's name (none for `''`; a name met twice gets `-2`, `-3` …; an
 * entry that is no pair counts as a logger named `''`). Two
 * texts joined are no exposition: each family would have two `# HELP` lines and, for sinks of the
 * same name, two samples of one series.
 *
 * @example
 * http
 *   .createServer((req, res) =>
 *     res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metricsToPrometheus(log.metrics())),
 *   )
 *   .listen(9464);
 * metricsToPrometheus([['app', log.metrics()], ['audit', auditLog.metrics()]]); // logger="app", logger="audit"
 */
export function metricsToPrometheus(metrics: LoggerMetrics | readonly (readonly [string, LoggerMetrics])[]): string {
  const given: readonly unknown[] = Array.isArray(metrics) ? metrics : [['', metrics]];
  // Metrics built by hand or read back from JSON may lack a record (`latencyMs: null`, `sinks`
  // missing, a null logger): what is missing is left out like a value that is not a number, since
  // a throw would fail the whole scrape. An entry that is no pair (`[log.metrics(), …]` from
  // JavaScript) is a logger without a name, as one whose name is not a string.
  const loggers = given.map((entry) => {
    const [name, logger]: readonly unknown[] = Array.isArray(entry) ? (entry as unknown[]) : ['', entry];
    return [typeof name == 'string' ? name : '', loggerRecord(logger)] as const;
  });
  const loggerLabels = distinctLabels(loggers.map(([name]) => name));
  // Each family's lines, HELP and TYPE first, in the order declared; the samples of every logger join them.
  const families = new Map<string, string[]>();
  const family = (name: string, type: string, help: string): void => {
    families.set(name, [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`]);
  };
  // A value that is not a number (metrics read back from JSON, or from another version) has no
  // spelling in the format, and one bad sample fails the whole scrape: it is left out.
  const sample = (name: string, labels: string, value: unknown, suffix = ''): void => {
    if (typeof value == 'number')
      families.get(name)?.push(`${name}${suffix}${labels === '' ? '' : `{${labels}}`} ${formatValue(value)}`);
  };
  for (const [name, help] of LOGGER_FAMILIES) family(name, 'counter', help);
  if (loggers.some(([, logger]) => isRecord(logger.pipe))) {
    family('rxlog_pipe_events_dropped_total', 'counter', 'Events the operators of .pipe() removed or lost when one failed.');
    family('rxlog_pipe_events_pending', 'gauge', 'Events the operators of .pipe() hold now.');
    family(PIPE_DROPPED_BY_REASON, 'counter', PIPE_DROPPED_BY_REASON_HELP);
  }
  for (const { name, type, help } of SINK_FAMILIES) family(name, type, help);
  family(DROPPED_BY_REASON, 'counter', DROPPED_BY_REASON_HELP);
  // Prometheus wants base units (promtool rejects `_ms`) and `quantile` only on summaries.
  family('rxlog_delivery_latency_seconds', 'summary', 'Enqueue-to-delivery latency percentiles, in seconds.');
  family(DURATION, 'histogram', DURATION_HELP);
  family('rxlog_breaker_state', 'gauge', 'Circuit breaker state of the sink: 1 for the current state, 0 for the others.');

  loggers.forEach(([, logger], index) => {
    const loggerLabel = loggerLabels[index] === '' ? '' : `logger="${escapeLabel(loggerLabels[index])}"`;
    for (const [name, , field] of LOGGER_FAMILIES) sample(name, loggerLabel, logger[field]);
    const pipe = logger.pipe;
    if (isRecord(pipe)) {
      sample('rxlog_pipe_events_dropped_total', loggerLabel, pipe.dropped);
      sample('rxlog_pipe_events_pending', loggerLabel, pipe.pending);
      for (const [reason, count] of pipeDropsByReason(pipe.droppedBy))
        sample(PIPE_DROPPED_BY_REASON, `${loggerLabel === '' ? '' : `${loggerLabel},`}reason="${escapeLabel(reason)}"`, count);
    }
    const records = isRecord(logger.sinks) ? logger.sinks : {};
    const names = Object.keys(records).filter((name) => isRecord(records[name]));
    const labels = distinctLabels(names);
    const sinks = names.map((name, index) => ({
      label: `${loggerLabel === '' ? '' : `${loggerLabel},`}sink="${escapeLabel(labels[index])}"`,
      sink: sinkRecord(records[name]),
    }));
    for (const { name, value } of SINK_FAMILIES) {
      for (const { label, sink } of sinks) sample(name, label, value(sink));
    }
    for (const { label, sink } of sinks) {
      for (const [reason, count] of dropsByReason(sink))
        sample(DROPPED_BY_REASON, `${label},reason="${escapeLabel(reason)}"`, count);
    }
    for (const { label, sink } of sinks) {
      // A summary is written whole or not at all: a conversion to OTLP drops one without `_count`
      // and reads a missing `_sum` as 0, a mean latency of 0 (OpenTelemetry, Prometheus and
      // OpenMetrics Compatibility, Summaries), and OpenMetrics forbids a NaN or negative Count or
      // Sum. Metrics without `latencyMs.count` and `sum` (an earlier version, or built by hand)
      // leave the sink out of the summary; its max gauge stays.
      const { count, sum } = sink.latencyMs;
      if (typeof count != 'number' || typeof sum != 'number' || !(count >= 0 && sum >= 0)) continue;
      sample('rxlog_delivery_latency_seconds', `${label},quantile="0.5"`, seconds(sink.latencyMs.p50));
      sample('rxlog_delivery_latency_seconds', `${label},quantile="0.95"`, seconds(sink.latencyMs.p95));
      sample('rxlog_delivery_latency_seconds', `${label},quantile="0.99"`, seconds(sink.latencyMs.p99));
      sample('rxlog_delivery_latency_seconds', label, count, '_count');
      sample('rxlog_delivery_latency_seconds', label, seconds(sum), '_sum');
    }
    for (const { label, sink } of sinks) {
      // A histogram without its +Inf bucket is no histogram: metrics without `latencyMs.count` or
      // `latencyBuckets` (from an earlier version) leave the sink out of the family.
      const { count, sum } = sink.latencyMs;
      const buckets = sink.latencyBuckets;
      // NaN fails `>= 0`; a negative count fails the whole text in expfmt (promtool 3).
      if (
        typeof count != 'number' ||
        !(count >= 0) ||
        !isRecord(buckets) ||
        !Array.isArray(buckets.le) ||
        !Array.isArray(buckets.counts)
      )
        continue;
      const counts: readonly unknown[] = buckets.counts;
      // Buckets built by hand may come unsorted or with an edge twice: sorted, and a repeat of an
      // edge with its count merged, edges compared in seconds as written (0 and 5e-324 ms are one
      // `le`). Ones no histogram can have (an edge twice with two counts, an edge that is no finite
      // number, a count below 0 or NaN, counts that fall or pass `count`) would fail the scrape:
      // they leave the sink out, as missing buckets do. An edge or count that is no number is left out.
      const pairs = (buckets.le as readonly unknown[])
        .map((edge, index) => [typeof edge == 'number' ? edge / 1000 : edge, counts[index]])
        .filter((pair): pair is [number, number] => typeof pair[0] == 'number' && typeof pair[1] == 'number')
        .sort((a, b) => a[0] - b[0]);
      const edges = pairs.filter(([edge, n], index) => index === 0 || edge !== pairs[index - 1][0] || n !== pairs[index - 1][1]);
      if (
        edges.some(
          ([edge, n], index) =>
            !Number.isFinite(edge) ||
            !(n >= 0 && n <= count) ||
            (index > 0 && (edge === edges[index - 1][0] || n < edges[index - 1][1])),
        )
      )
        continue;
      // 2^k ms in seconds is never a whole number, so `le` reads the same in every client (`0.001`, `1.024`).
      for (const [edge, n] of edges) sample(DURATION, `${label},le="${formatValue(edge)}"`, n, '_bucket');
      sample(DURATION, `${label},le="+Inf"`, count, '_bucket');
      // OpenMetrics: a Sum is never NaN or negative here (no bucket below 0); a histogram may go without one.
      if (typeof sum == 'number' && sum >= 0) sample(DURATION, label, seconds(sum), '_sum');
      sample(DURATION, label, count, '_count');
    }
    for (const { label, sink } of sinks) {
      for (const state of BREAKER_STATES)
        sample('rxlog_breaker_state', `${label},state="${state}"`, sink.breaker === state ? 1 : 0);
    }
  });
  return `${[...families.values()].flat().join('\n')}\n`;
}

function isRecord(value: unknown): value is object {
  return typeof value == 'object' && value !== null;
}

/** A logger's metrics as given, or an empty record in place of one that is not an object. */
function loggerRecord(value: unknown): Partial<LoggerMetrics> {
  return isRecord(value) ? value : {};
}

/** A sink's metrics with an empty `latencyMs` in place of one that is not an object, so its samples are left out. */
function sinkRecord(sink: SinkMetrics): SinkMetrics {
  return isRecord(sink.latencyMs) ? sink : { ...sink, latencyMs: {} as SinkMetrics['latencyMs'] };
}

/**
 * One distinct label value per name (a sink's, or a logger's): the name itself, or for a name met
 * before or with a lone surrogate, the name with U+FFFD in its place and `-2`, `-3` … where that
 * meets another's, since the format wants one line per metric name and labels (`'a\uD800'` and
 * `'a\uDC00'` would both be `a�`).
 */
function distinctLabels(names: readonly string[]): string[] {
  const encoded = names.map(wellFormed);
  // A well-formed name keeps itself where it first occurs.
  const taken = new Set<string>();
  const kept = names.map((name, index) => {
    if (encoded[index] !== name || taken.has(name)) return false;
    taken.add(name);
    return true;
  });
  // Where each base's search for a free `-n` goes on: labels are only ever taken, so the suffixes
  // tried before are still taken. Searching from 2 each time made k loggers of one name (or `k`
  // metrics given without names, each `''`) cost k²/2 lookups: 16 000 of them, 13 s of CPU.
  const nextSuffix = new Map<string, number>();
  return names.map((name, index) => {
    if (kept[index]) return name;
    const base = encoded[index];
    // 1: the base itself, then `-2`, `-3` …
    let n = nextSuffix.get(base) ?? 1;
    let label = n === 1 ? base : `${base}-${n}`;
    while (taken.has(label)) label = `${base}-${++n}`;
    nextSuffix.set(base, n + 1);
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

/** Milliseconds in seconds; a value that is not a number stays one, to be left out. */
function seconds(ms: unknown): unknown {
  return typeof ms == 'number' ? ms / 1000 : ms;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
