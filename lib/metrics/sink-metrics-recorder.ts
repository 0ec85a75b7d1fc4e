import type { BreakerStateName, SinkMetrics } from './metrics-types';
import { LatencyHistogram } from './latency-histogram';

/**
 * One sink's live counters as plain number fields, so the delivery stage bumps them with a field
 * increment (no allocation, no method call); `snapshot()` copies them into a `SinkMetrics`.
 *
 * @example
 * const recorder = new SinkMetricsRecorder('file');
 * recorder.received++;
 * recorder.latency.record(3);
 * recorder.snapshot().received; // 1
 */
export class SinkMetricsRecorder {
  /** Events that reached the sink's stage. */
  received = 0;
  /** Events the sink (or its fallback) accepted. */
  delivered = 0;
  /** Events dropped by queue overflow, an immediate shutdown, the operators of the sink's `pipe` or the sink itself. */
  dropped = 0;
  /** Of `dropped`, the events dropped because the logger was closing (see SinkMetrics). */
  droppedAtClose = 0;
  /** Events that neither the sink nor a fallback accepted. */
  failed = 0;
  /** Batches re-sent after a failure. */
  retried = 0;
  /** Of `delivered`, the events the fallback sink accepted. */
  fallback = 0;
  /** Events received and not yet settled (queued, batched or in flight): set by the delivery stage, kept by `tapMetrics`. */
  pending = 0;
  /** Events waiting in the bounded queue. */
  queueDepth = 0;
  /** Estimated bytes waiting in the bounded queue. */
  queueBytes = 0;
  /** Bytes the sink reports having written. */
  bytesWritten = 0;
  /** The circuit breaker's state (`closed` when there is no breaker). */
  breaker: BreakerStateName = 'closed';
  /** The message of the most recent failure. */
  lastError: string | undefined = undefined;
  /** Enqueue → delivered latency, in milliseconds. */
  readonly latency = new LatencyHistogram();
  /** Of `dropped`, what the sink's own writes left out (an EmitResult's `dropped`), by reason; in a logger, its lane's operators count their drop reasons here too. */
  readonly droppedBy = new Map<string, number>();

  constructor(readonly name: string) {}

  /** A JSON-serializable copy of the counters now. */
  snapshot(): SinkMetrics {
    // One literal in SinkMetrics' order (JSON and the Prometheus text keep it), not a rest copy given
    // more names: V8 (Node 20) adds a name to a spread copy on a slow path, some 7 µs a sink a call.
    const metrics: SinkMetrics = {
      name: this.name,
      received: this.received,
      delivered: this.delivered,
      dropped: this.dropped,
      failed: this.failed,
      retried: this.retried,
      fallback: this.fallback,
      pending: this.pending,
      queueDepth: this.queueDepth,
      queueBytes: this.queueBytes,
      bytesWritten: this.bytesWritten,
      latencyMs: this.latency.summary(),
      latencyBuckets: this.latency.buckets(),
      breaker: this.breaker,
    };
    const { lastError, droppedAtClose, droppedBy } = this;
    if (lastError !== undefined) metrics.lastError = lastError;
    if (droppedAtClose > 0) metrics.droppedAtClose = droppedAtClose;
    if (droppedBy.size > 0) metrics.droppedBy = Object.fromEntries(droppedBy);
    return metrics;
  }
}
