import { hasLoneSurrogate, wellFormed } from '../core/lone-surrogate';
import {
  type Attributes,
  type BatchObservableResult,
  createNoopMeter,
  type Meter,
  metrics,
  type Observable,
} from '@opentelemetry/api';
import { describeValue } from '../core/describe-value';
import { expectOption } from '../core/expect-option';
import { ConfigurationError } from '../core/errors/configuration-error';
import { readGuarded, readOptions } from '../core/read-options';
import { SelfLog } from '../core/self-log';
import { Logger } from '../pipeline/logger';
import type { LatencySummary, LoggerMetrics } from '../metrics/metrics-types';
import { BOUNDED_QUEUE_REASONS } from '../metrics/bounded-queue-reasons';

/** What `metricsToOpenTelemetry` reads: a Logger, or anything with its `metrics()`. */
export interface MetricsSource {
  /** A snapshot of the logger's delivery counters. */
  metrics(): LoggerMetrics;
}

/** Options of {@link metricsToOpenTelemetry}. */
export interface OpenTelemetryMetricsOptions {
  /**
   * The logger's name in `otel.component.name`, for a second logger reported on the same meter:
   * its refused calls are reported under `name` and each sink as `name/sink` (`audit/console`).
   * Default: the logger's refused calls under `rxlog` and each sink under its own name.
   */
  name?: string | undefined;
  /**
   * Each queued sink's queue limit in events, by sink name, reported as
   * `otel.sdk.processor.log.queue.capacity` (rxlog's metrics carry the depth, not the limit).
   * Default none: no capacity is reported.
   */
  queueCapacity?: Readonly<Record<string, number>> | undefined;
  /**
   * Sinks by name, for what the logger's metrics do not carry: an `OtlpSink`'s `rejectedLogRecords`
   * (records its collector rejected in a partial success, which the logger counts as failed) are
   * reported as failed exports with `error.type` `rejected` rather than `_OTHER`.
   * Default none: every failed event is `_OTHER`.
   */
  sinks?: Readonly<Record<string, RejectingSink>> | undefined;
}

/** A sink that can tell how many of its records the receiver rejected, such as `OtlpSink`. */
export interface RejectingSink {
  /** Records the receiver rejected in answers that accepted the request, so far. */
  readonly rejectedLogRecords: number;
}

/** What the returned handle does: stop reporting. */
export interface OpenTelemetryMetricsHandle {
  /**
   * Removes the instruments' callback: the logger's counts at this call are observed once more, at
   * the meter's next collection (an SDK's shutdown exports them), then nothing. They are what a
   * logger taking over its names goes on from: call it after `close()`.
   */
  stop(): void;
}

/** The `otel.component.type` of rxlog's sinks in these metrics. */
export const RXLOG_COMPONENT_TYPE = 'rxlog_sink';

/**
 * Per meter, the components reported on it and the logger reporting each, with how many handles
 * of that logger report it. Two loggers must not report one component: the SDK would take one's
 * values, then the other's, each time it collects, and read every fall as a counter reset, so the
 * counters would climb with no event logged.
 */
const claimsByMeter = new WeakMap<Meter, Map<string, { source: object; handles: number }>>();

/**
 * Reports a logger's delivery metrics through `@opentelemetry/api` metrics, under the names the
 * OpenTelemetry SDK uses for its own log record processors, so a dashboard built for the SDK's
 * pipeline shows rxlog's as well. Every sink is one component (`otel.component.name` = the sink's
 * name, `otel.component.type` = `rxlog_sink`):
 * - `otel.sdk.processor.log.processed` (counter, `{log_record}`): events whose delivery finished
 *   (delivered or failed) without `error.type`. The semantic conventions count a record when its
 *   batch is handed to the exporter; rxlog's metrics do not count the batch in flight, so this
 *   count lags the SDK's by that batch until its write settles; events dropped by a full queue (or held and
 *   discarded) with `error.type` `queue_full`; events dropped because the logger was closing (what an
 *   `immediate` close found waiting, events that reached a sink after its close began: `droppedAtClose`)
 *   with `error.type` `already_shutdown`; events the sink's `pipe` discarded by design with
 *   their `droppedBy` reason as `error.type` (`filterEvents.excluded`, `sampleEvents.sampledOut`, or
 *   any an app's operator reports; one named `queue_full` or `already_shutdown` adds to that series,
 *   and one with a lone UTF-16 surrogate is reported with U+FFFD in its place, as exporters send it);
 *   and, for the logger as a whole (`otel.component.name` `rxlog`), what the operators of `.pipe()`
 *   dropped, by their reasons, and calls it refused: after close with `already_shutdown`, from
 *   inside one of its sinks with `reentrant_call`, at something not a level with `invalid_level`.
 * - `otel.sdk.exporter.log.exported` (counter, `{log_record}`): delivered events, and failed ones
 *   with `error.type` `_OTHER`; with an `OtlpSink` given in `sinks`, the records its collector
 *   rejected in a partial success (failed in the logger's metrics) with `error.type` `rejected`.
 * - `otel.sdk.processor.log.queue.size` (up-down counter, `{log_record}`): events queued now.
 * - `otel.sdk.processor.log.queue.capacity` (up-down counter, `{log_record}`): for sinks named in
 *   `queueCapacity`.
 * - `rxlog.delivery.duration.sum` (counter, `s`) and `rxlog.delivery.duration.count` (counter,
 *   `{log_record}`): `latencyMs.sum` in seconds and `latencyMs.count`, for the mean latency over a
 *   window. No histogram: the API has no asynchronous one, and a synchronous one would be fed made-up
 *   values; `metricsToPrometheus` writes the buckets.
 * The values are read from `log.metrics()` when the meter's reader collects; nothing runs between.
 * A second logger on the same meter needs `options.name`, so its components keep their own names.
 * A logger that takes over the names of one whose handle was stopped (an app restarting its logger)
 * adds to the counters it left, as counted when `stop()` was called (after the close, every event): they never fall. A child logger (`forContext`, `child`) is the logger
 * it comes from: its counts are the parent's, never added to them.
 *
 * @param meter the meter the instruments are made on. Default: `metrics.getMeter('rxlog')` from the global
 * MeterProvider, which must be registered by then (before, the API's meter is a no-op one for good).
 * @throws ConfigurationError when `log` has no `metrics()`, `meter` is not a Meter, `options`, its `queueCapacity` or its
 * `sinks` is not an object (of entries by name, for the last two: a bare number or sink is refused), a capacity is not a whole count >= 0, a
 * `sinks` entry has no `rejectedLogRecords`, a `queueCapacity` or `sinks` entry names no sink of the logger, `name` is not a non-empty string (or holds a lone UTF-16 surrogate), a sink's name holds one (metrics built by hand), a sink's component name is the logger's own
 * (a sink named `rxlog` without `name`), or another logger already reports one of this one's component names
 * (a sink's or its own) on `meter`.
 */
export function metricsToOpenTelemetry(
  log: MetricsSource,
  meter: Meter = metrics.getMeter('rxlog'),
  options: OpenTelemetryMetricsOptions = {},
): OpenTelemetryMetricsHandle {
  const source: unknown = log;
  if (
    readGuarded('metricsToOpenTelemetry', 'the logger', () => typeof (source as Partial<MetricsSource> | null)?.metrics) !==
    'function'
  )
    throw new ConfigurationError(`metricsToOpenTelemetry: expected a Logger, got ${describeValue(source)}`);
  const given: unknown = options;
  expectOption(typeof given === 'object' && given !== null, 'metricsToOpenTelemetry', 'an options object', given);
  // Each option read once: a getter or Proxy trap that throws is a ConfigurationError naming it.
  const read = readOptions('metricsToOpenTelemetry', options, ['name', 'queueCapacity', 'sinks']) as OpenTelemetryMetricsOptions;
  // A bare number or a sink would be read as no entries (or as its own fields): refused, named.
  entriesOption(read.queueCapacity, 'queueCapacity', 'queue limits by sink name ({ otlp: 2048 })');
  entriesOption(read.sinks, 'sinks', 'sinks by sink name ({ otlp: sink })');
  const prefix: unknown = read.name;
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '' || hasLoneSurrogate(prefix)))
    throw new ConfigurationError(
      `metricsToOpenTelemetry name: expected a non-empty string without a lone UTF-16 surrogate, got ${describeValue(prefix)}`,
    );
  const loggerComponent = prefix ?? 'rxlog';
  const componentOf = (sinkName: string): string => (prefix === undefined ? sinkName : `${prefix}/${sinkName}`);
  // Maps of the options' own entries: a sink named `constructor` or `toString` must not find Object.prototype's members.
  const capacity = new Map<string, unknown>(entries(read.queueCapacity, 'queueCapacity'));
  for (const [name, limit] of capacity) {
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0)
      throw new ConfigurationError(
        `metricsToOpenTelemetry queueCapacity["${name}"]: expected a whole count >= 0, got ${describeValue(limit)}`,
      );
  }
  const sinks = new Map<string, RejectingSink>(entries(read.sinks, 'sinks'));
  // The highest `_OTHER` count reported per sink: a counter never falls, even when a sink's
  // rejectedLogRecords grows by records the logger did not count failed (an offline replay's).
  const otherFailed = new Map<string, number>();
  for (const [name, sink] of sinks) {
    if (
      readGuarded(
        `metricsToOpenTelemetry sinks["${name}"]`,
        'the sink',
        () => typeof (sink as Partial<RejectingSink> | null)?.rejectedLogRecords,
      ) !== 'number'
    )
      throw new ConfigurationError(
        `metricsToOpenTelemetry sinks["${name}"]: expected a sink with rejectedLogRecords (an OtlpSink), got ${describeValue(sink)}`,
      );
  }
  if (
    readGuarded(
      'metricsToOpenTelemetry',
      'the meter',
      () => typeof (meter as Partial<Meter> | null)?.addBatchObservableCallback,
    ) !== 'function'
  )
    throw new ConfigurationError(`metricsToOpenTelemetry: expected an OpenTelemetry Meter, got ${describeValue(meter)}`);
  const first = readMetrics(log);
  const sinkNames = Object.keys(first?.sinks ?? {});
  // A name that is no sink's (a typo: "HTTP" for "http") would report nothing, silently.
  if (first !== undefined) {
    for (const [option, names] of [
      ['queueCapacity', capacity.keys()],
      ['sinks', sinks.keys()],
    ] as const) {
      for (const name of names) {
        if (!sinkNames.includes(name))
          throw new ConfigurationError(
            `metricsToOpenTelemetry ${option}["${name}"]: the logger has no sink of that name (${sinkNames.length === 0 ? 'it has none' : `its sinks: ${sinkNames.map((sink) => `"${sink}"`).join(', ')}`})`,
          );
      }
    }
  }
  // A logger's configuration refuses such a name; metrics built by hand may hold one. It has no
  // UTF-8 form: an exporter writes U+FFFD in its place, and 'a\uD800' and 'a\uDC00' as one component.
  const unencodable = sinkNames.find(hasLoneSurrogate);
  if (unencodable !== undefined)
    throw new ConfigurationError(
      `metricsToOpenTelemetry: the sink name ${JSON.stringify(unencodable)} holds a lone UTF-16 surrogate, which has no UTF-8 form`,
    );
  const sinkComponents = sinkNames.map(componentOf);
  // The logger's refused calls and a sink's close drops would be one series (`already_shutdown`): one would hide the other.
  if (sinkComponents.includes(loggerComponent))
    throw new ConfigurationError(
      `metricsToOpenTelemetry: a sink is named "${loggerComponent}", the otel.component.name of the logger's own refused calls; give this logger an options.name`,
    );
  // A child logger (forContext, child) is its parent: the same counts, not another logger's.
  const identity = loggerIdentity(log);
  const release = claimComponents(meter, identity, [...sinkComponents, loggerComponent]);
  const processed = meter.createObservableCounter('otel.sdk.processor.log.processed', {
    description: 'The number of log records for which the processing has finished, either successful or failed.',
    unit: '{log_record}',
  });
  const exported = meter.createObservableCounter('otel.sdk.exporter.log.exported', {
    description: 'The number of log records for which the export has finished, either successful or failed.',
    unit: '{log_record}',
  });
  const queueSize = meter.createObservableUpDownCounter('otel.sdk.processor.log.queue.size', {
    description: 'The number of log records in the queue of a given instance of an SDK log processor.',
    unit: '{log_record}',
  });
  const queueCapacity = meter.createObservableUpDownCounter('otel.sdk.processor.log.queue.capacity', {
    description: 'The maximum number of log records the queue of a given instance of an SDK Log Record processor can hold.',
    unit: '{log_record}',
  });
  // No asynchronous histogram exists in the API, and a synchronous one would need a call per
  // latency, at a made-up value, which would make up its sum: the total and the count, as counters.
  const latencySum = meter.createObservableCounter('rxlog.delivery.duration.sum', {
    description: 'The enqueue-to-delivery latencies of the delivered log records, added up.',
    unit: 's',
  });
  const latencyCount = meter.createObservableCounter('rxlog.delivery.duration.count', {
    description: 'The number of enqueue-to-delivery latencies recorded: one per delivered log record.',
    unit: '{log_record}',
  });
  const instruments: Observable[] = [processed, exported, queueSize, queueCapacity, latencySum, latencyCount];
  const totalOf = counterTotals(meter, identity);
  const callback = (result: BatchObservableResult): void => {
    const snapshot = readMetrics(log);
    if (snapshot === undefined) return;
    // The two counters' points, as totals over every logger that reported the series on this meter.
    const count: Count = (instrument, value, attributes) =>
      result.observe(
        instrument,
        totalOf(
          JSON.stringify([instruments.indexOf(instrument), attributes['otel.component.name'], attributes['error.type']]),
          value,
        ),
        attributes,
      );
    for (const sink of Object.values(snapshot.sinks)) {
      const component: Attributes = {
        'otel.component.name': componentOf(sink.name),
        'otel.component.type': RXLOG_COMPONENT_TYPE,
      };
      count(processed, sink.delivered + sink.failed, component);
      // What the sink's pipe discarded by design (a filter, sampling) is no full queue: its own reason says why.
      const drops = byErrorType(sink.droppedBy, BOUNDED_QUEUE_REASONS.overflow);
      let byReason = 0;
      for (const count of drops.values()) byReason += count;
      // Dropped because the logger was closing (an immediate close, an event after close began) is no full queue either.
      const atClose = sink.droppedAtClose ?? 0;
      addCount(drops, 'queue_full', sink.dropped - byReason - atClose);
      addCount(drops, 'already_shutdown', atClose);
      countErrors(count, processed, component, drops);
      const rejecting = sinks.get(sink.name);
      // Records the collector rejected in a partial success count as failed: told apart from other failures.
      const rejected = rejecting === undefined ? 0 : Math.min(readRejected(rejecting), sink.failed);
      count(exported, sink.delivered, component);
      if (rejecting !== undefined) count(exported, rejected, { ...component, 'error.type': 'rejected' });
      const other = Math.max(otherFailed.get(sink.name) ?? 0, sink.failed - rejected);
      otherFailed.set(sink.name, other);
      count(exported, other, { ...component, 'error.type': '_OTHER' });
      // Metrics built by hand may lack them: a value that is not a finite number is no growth (see counterTotals).
      const latency = sink.latencyMs as Partial<LatencySummary> | null;
      count(latencySum, Number(latency?.sum) / 1000, component);
      count(latencyCount, Number(latency?.count), component);
      // NaN or ±Infinity (metrics built by hand) is no size: OTLP/JSON would write null (see counterTotals).
      if (Number.isFinite(sink.queueDepth)) result.observe(queueSize, sink.queueDepth, component);
      const limit = capacity.get(sink.name);
      if (typeof limit === 'number') result.observe(queueCapacity, limit, component);
    }
    // What the operators of `.pipe()` dropped, by their reasons, then the calls the logger refused:
    // after close, from inside one of its sinks, at something not a level.
    const refused = byErrorType(snapshot.pipe?.droppedBy);
    addCount(refused, 'already_shutdown', snapshot.rejectedAfterClose);
    addCount(refused, 'reentrant_call', snapshot.rejectedReentrant);
    addCount(refused, 'invalid_level', snapshot.rejectedInvalidLevel);
    countErrors(
      count,
      processed,
      { 'otel.component.name': loggerComponent, 'otel.component.type': RXLOG_COMPONENT_TYPE },
      refused,
    );
  };
  meter.addBatchObservableCallback(callback, instruments);
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      // The counts now, into the totals a logger taking over these names goes on from: what this
      // one counted since the last collection (its close's deliveries) would be in no counter.
      const last: Observation[] = [];
      try {
        callback({ observe: (instrument, value, attributes = {}) => last.push([instrument, value, attributes]) });
      } catch (error) {
        // Metrics built by hand that cannot be read: the counts stay where the last collection left them.
        SelfLog.write(
          'metricsToOpenTelemetry: the metrics could not be read at stop(); counted as at the last collection',
          error,
        );
      }
      meter.removeBatchObservableCallback(callback, instruments);
      release();
      observeOnce(meter, instruments, last);
    },
  };
}

/** One point a callback observed: the instrument, the value and the attributes. */
type Observation = [instrument: Observable, value: number, attributes: Attributes];

/**
 * Observes `points` (what a handle observed when it was stopped) at the meter's next collection,
 * once, then nothing more: the collection an SDK's shutdown makes after `stop()` exports what the
 * logger counted since the one before (its last events, what its close delivered), which would
 * otherwise never reach a reader. Every reader of the meter gets that one observation. A component
 * another handle reports by then (a logger that took over the names, or another handle of the same
 * logger) is left to it: it reports the same totals, and its own queue size. Handles stopped one
 * after another under the same names, with no collection between, observe in that order, so a
 * counter's points only rise.
 */
function observeOnce(meter: Meter, instruments: Observable[], points: readonly Observation[]): void {
  if (points.length === 0) return;
  let observed = false;
  const last = (result: BatchObservableResult): void => {
    if (observed) return;
    observed = true;
    const claimed = claimsByMeter.get(meter);
    for (const [instrument, value, attributes] of points)
      if (claimed?.has(String(attributes['otel.component.name'])) !== true) result.observe(instrument, value, attributes);
    // Removed once this collection has called every callback: the SDK calls them over its list, which
    // a removal now would shift under it, so that another handle's callback would be skipped.
    queueMicrotask(() => meter.removeBatchObservableCallback(last, instruments));
  };
  meter.addBatchObservableCallback(last, instruments);
}

/**
 * Throws naming `option` unless `value` is undefined or an object of entries by name: not an array,
 * nor a sink itself (`sinks: otlp` for `sinks: { otlp }`), whose fields would be read as entries.
 */
function entriesOption(value: unknown, option: string, expected: string): void {
  const where = `metricsToOpenTelemetry ${option}`;
  const entries =
    value === undefined ||
    (typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      readGuarded(where, 'the entries', () => typeof (value as Partial<RejectingSink>).rejectedLogRecords) !== 'number');
  expectOption(entries, where, `an object of ${expected}`, value);
}

/** An option's own entries, each read once: one that throws when read is a ConfigurationError naming the option. */
function entries<T>(value: Readonly<Record<string, T>> | undefined, option: string): [string, T][] {
  return readGuarded(`metricsToOpenTelemetry ${option}`, 'the entries', () => Object.entries(value ?? {}));
}

/**
 * Drop counts by reason, each an `error.type`, leaving out `skipped`'s (counted elsewhere). A reason
 * with a lone surrogate (cut from a longer text) has no UTF-8 form: an exporter writes U+FFFD in its
 * place, so it is reported that way, added to any reason it then meets, as one series.
 */
function byErrorType(droppedBy: Readonly<Record<string, number>> | undefined, skipped?: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [reason, count] of Object.entries(droppedBy ?? {}))
    if (reason !== skipped) addCount(counts, wellFormed(reason), count);
  return counts;
}

function addCount(counts: Map<string, number>, errorType: string, count: number): void {
  counts.set(errorType, (counts.get(errorType) ?? 0) + count);
}

/**
 * Observes one point per `error.type`. A reason an app's operator reports may be one rxlog computes
 * too (`queue_full`): observed twice, the SDK would keep the second value and lose the first.
 */
function countErrors(count: Count, instrument: Observable, component: Attributes, counts: Map<string, number>): void {
  for (const [errorType, value] of counts) count(instrument, value, { ...component, 'error.type': errorType });
}

/** Observes a counter's point: the logger's own count, which it makes a total (see {@link counterTotals}). */
type Count = (instrument: Observable, value: number, attributes: Attributes) => void;

/**
 * Per meter, each counter series' total, and per logger the count it last added to each series.
 * A counter's cumulative points must never fall: a logger that takes over another's component
 * names (an app restarting its logger: stop(), close, a new logger with the same names) adds to
 * the totals instead of starting again from 0, which the SDK reads as a reset (a new start time),
 * or misses (the new count already past the old total), losing what the old logger counted.
 */
const totalsByMeter = new WeakMap<Meter, { totals: Map<string, number>; added: WeakMap<object, Map<string, number>> }>();

/** The total function of `source` on `meter`: given a series key and the source's count, the series' total. */
function counterTotals(meter: Meter, source: object): (series: string, value: number) => number {
  let state = totalsByMeter.get(meter);
  if (state === undefined) totalsByMeter.set(meter, (state = { totals: new Map(), added: new WeakMap() }));
  const { totals } = state;
  const mine = state.added.get(source) ?? new Map<string, number>();
  state.added.set(source, mine);
  return (series, value) => {
    const before = mine.get(series) ?? 0;
    let total = totals.get(series) ?? 0;
    // Handles of the same logger read the same counts: only what grew since is added, once. A count
    // that is not a finite number (metrics built by hand) is no growth: an Infinity would stay in
    // the total for good, and the SDK's OTLP/JSON serializer writes it as null, which a collector
    // refuses with the whole request.
    if (value > before && value < Infinity) {
      total += value - before;
      mine.set(series, value);
      totals.set(series, total);
    }
    return total;
  };
}

/**
 * What identifies the logger behind `log`: a Logger's `events$`, which is its pipeline's and so the
 * same for its children (`forContext`, `child`), which report the same counts; else `log` itself.
 */
function loggerIdentity(log: MetricsSource): object {
  return log instanceof Logger ? log.events$ : log;
}

function readMetrics(log: MetricsSource): LoggerMetrics | undefined {
  try {
    return log.metrics();
  } catch (error) {
    SelfLog.write('metricsToOpenTelemetry: metrics() threw; nothing reported this time', error);
    return undefined;
  }
}

/** Claims the component names `keys` on `meter` for `source`, or throws if another logger reports one of them (as a sink or as a logger); returns the release. */
function claimComponents(meter: Meter, source: object, keys: readonly string[]): () => void {
  // The API's no-op meter (no MeterProvider yet) reports nothing, so nothing can collide on it.
  if (meter === createNoopMeter()) return () => undefined;
  let claims = claimsByMeter.get(meter);
  if (claims === undefined) claimsByMeter.set(meter, (claims = new Map<string, { source: object; handles: number }>()));
  for (const key of keys) {
    const owner = claims.get(key)?.source;
    if (owner !== undefined && owner !== source) {
      throw new ConfigurationError(
        `metricsToOpenTelemetry: otel.component.name "${key}" is already reported on this meter by another logger; give this logger another options.name, or stop() the other's handle`,
      );
    }
  }
  for (const key of keys) {
    const claim = claims.get(key);
    if (claim === undefined) claims.set(key, { source, handles: 1 });
    else claim.handles++;
  }
  return () => {
    for (const key of keys) {
      const claim = claims.get(key);
      if (claim !== undefined && --claim.handles === 0) claims.delete(key);
    }
  };
}

function readRejected(sink: RejectingSink): number {
  try {
    const count = sink.rejectedLogRecords;
    return Number.isSafeInteger(count) && count > 0 ? count : 0;
  } catch {
    return 0;
  }
}
