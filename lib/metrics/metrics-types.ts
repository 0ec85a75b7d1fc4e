/** State of a sink's circuit breaker, as metrics report it. */
export type BreakerStateName = 'closed' | 'open' | 'half-open';

/** Latency percentiles, in milliseconds, with how many latencies were recorded and their total. */
export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** How many latencies were recorded (a logger's sink: one per delivered event). */
  count: number;
  /** The recorded latencies added up, in milliseconds: `sum / count` is the mean. */
  sum: number;
}

/** One sink's counters. At every moment `received = delivered + dropped + failed + pending`. */
export interface SinkMetrics {
  name: string;
  received: number;
  delivered: number;
  dropped: number;
  failed: number;
  /** Re-sent batches. */
  retried: number;
  /** Of `delivered`, how many went through the fallback sink. */
  fallback: number;
  /**
   * Events received but not yet settled: queued, in a partial batch or in flight. After a close
   * that gave up waiting for them, they stay here, and `undelivered` says so.
   */
  pending: number;
  queueDepth: number;
  queueBytes: number;
  bytesWritten: number;
  /** Enqueue → delivered. */
  latencyMs: LatencySummary;
  /**
   * The same latencies in cumulative buckets: `counts[i]` is how many were at most `le[i]`
   * milliseconds, for every power of two from 1 to 2^23 (about 2.3 hours), as Prometheus' `le`
   * buckets, with `latencyMs.count` as the last (`+Inf`); no count ever falls. Absent in metrics
   * from an earlier version.
   */
  latencyBuckets?: { readonly le: readonly number[]; readonly counts: readonly number[] } | undefined;
  breaker: BreakerStateName;
  /**
   * The last failure: a write's error, or a failed call of the sink's own methods, prefixed
   * (`flush: …`, `flushSync: …`, `close: …`, `close: did not settle within the shutdown timeout`,
   * `fallback close: …`, `fallback flushSync: …`). Absent while there is none.
   */
  lastError?: string | undefined;
  /**
   * Of `dropped`, the events dropped because the logger was closing: what an `immediate` close found
   * queued, batched or held by the sink's operators, and events that reached the sink after its close
   * began (OpenTelemetry's `already_shutdown`, where a full queue's drops are `queue_full`); absent while there are none.
   */
  droppedAtClose?: number | undefined;
  /**
   * Of `pending`, the events a close gave up on (a graceful close's timeout, an immediate close's
   * wait for the batch in flight): the shutdown report's `undelivered`, which the logger no longer
   * delivers; absent while there are none.
   */
  undelivered?: number | undefined;
  /**
   * Of `dropped`, the events that operators in the sink's `pipe` discarded by design, by the
   * reason they reported (e.g. `'sampleEvents.sampledOut'`); absent while there are none.
   */
  droppedBy?: Record<string, number> | undefined;
}

/**
 * The counters of the app operators a configuration added with `.pipe()`, on the shared stream.
 * At every moment `entered + created = left + dropped + pending`.
 */
export interface PipeMetrics {
  /** Events that entered the first operator (after enrichment and filters). */
  entered: number;
  /** Events that left the last operator for `events$` and the sinks. */
  left: number;
  /**
   * Events the operators made: reported through `EventAccounting` (a throttle summary), or made
   * without a report (a duplicate from `mergeMap((e) => of(e, e))`), found when more left than
   * entered, was made or dropped.
   */
  created: number;
  /**
   * Events the operators removed: reported through `EventAccounting`, held by an operator when it
   * failed (`'operator-failed'`) or completed before the logger closed, with the events after
   * (`'operator-completed'`), held when an `immediate` close abandoned them (`'already_shutdown'`),
   * or removed without a report, counted when the stream ends at close (`'unreported'`).
   */
  dropped: number;
  /** Events an operator holds now (buffered or delayed), or removed without a report until close. */
  pending: number;
  /**
   * Of `pending`, the events a graceful close gave up on, still held by an operator: the shutdown
   * report's `pipe.undelivered`, which reach no sink; absent while there are none.
   */
  undelivered?: number | undefined;
  /** Of `dropped`, the count by reason. */
  droppedBy: Record<string, number>;
}

/** A snapshot of a logger's counters; JSON-serializable as is. */
export interface LoggerMetrics {
  timestamp: Date;
  /** Events that passed the level check. */
  logged: number;
  /** Events removed by filters. */
  filtered: number;
  /** Events logged after `close()` began: counted, never delivered. */
  rejectedAfterClose: number;
  /** Log calls made from inside a sink of the same logger, or nested more than 32 deep in its own calls (a subscriber of `events$` that logs what it sees): re-entrant, dropped to SelfLog instead of recursing. */
  rejectedReentrant: number;
  /** `log.write(level, …)` calls whose level is not a level name (e.g. `'nope'`, `123`, `null`): nothing written, counted here and reported to SelfLog. */
  rejectedInvalidLevel: number;
  /** The operators added with `.pipe()`; absent when there are none. */
  pipe?: PipeMetrics | undefined;
  sinks: Record<string, SinkMetrics>;
}
