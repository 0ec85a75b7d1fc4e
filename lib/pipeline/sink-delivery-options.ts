import type { Sink } from '../core/sink';
import { type BatchOptions, resolveBatchOptions } from '../operators/batch-options';
import { type CircuitBreakerOptions, resolveCircuitBreakerOptions } from '../operators/circuit-breaker';
import { type QueueOptions, resolveQueueOptions } from '../operators/event-queue';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from '../operators/backoff-delay';

/** How one sink's events are queued, batched and delivered. Every part has a default. */
export interface SinkDeliveryOptions {
  /** The bounded queue that a slow or blocked sink builds. Default `{ limit: 10_000, limitBytes: 16 MiB, overflow: 'drop-oldest', warnAt: 0.8, maxEventBytes: 256 KiB }`, with the sink's own `queueDefaults` limit where it has one (FileSink, StreamSink and ConsoleSink 1 000 000, SeqSink 100 000, OtlpSink 2 048). A given `queue` changes only the fields it gives: without a `limit`, the sink's own stays. */
  queue?: QueueOptions | undefined;
  /** Batching. Default: the sink's own `batchDefaults` where it has one (FileSink, StreamSink and SyslogSink 512 events / 100 ms, SeqSink 1 000 / 2 s, OtlpSink and HttpSink 512 / 1 s, LokiSink 1 000 / 1 s), else no batching (size 1, no delay), so a synchronous sink sees each event on the caller's turn. Given without one of its fields, that field keeps the sink's own (`{ size: 100 }` on a SeqSink still waits up to 2 s), else BatchOptions' default (512 / 100 ms). */
  batch?: BatchOptions | undefined;
  /** Retries of a failed batch; `false` for none. Default `{ attempts: 3, initialDelayMs: 100, maxDelayMs: 5_000, jitter: 0.2 }`. */
  retry?: RetryOptions | false | undefined;
  /** The sink's circuit breaker; `false` for none. Default `{ failureThreshold: 5, resetTimeoutMs: 400 }` (no backoff: `maxResetTimeoutMs` is `resetTimeoutMs`). */
  circuitBreaker?: CircuitBreakerOptions | false | undefined;
  /** Where a batch goes when the sink has failed it for good or its breaker is open. Default: none (the events count as failed). */
  fallback?: Sink | undefined;
}

/** How a sink's stage ends: drop what waits, deliver all of it, or deliver until a timeout. */
export type ShutdownStrategy = 'immediate' | 'flush' | 'graceful';

/** How one sink's events ended up when its stage shut down (totals over the stage's life). */
export interface SinkShutdownResult {
  delivered: number;
  dropped: number;
  failed: number;
  /** Events still queued, batched or in flight when the stage gave up waiting. */
  undelivered: number;
  /** Whether the timeout ran out before everything was settled and the sinks were closed. */
  timedOut: boolean;
}

/** SinkDeliveryOptions checked, with defaults applied. */
export interface ResolvedDeliveryOptions {
  readonly queue: QueueOptions;
  readonly size: number;
  readonly maxDelayMs: number;
  readonly retry: ResolvedRetryOptions | null;
  readonly circuitBreaker: CircuitBreakerOptions | null;
  readonly fallback: Sink | null;
}

/**
 * Applies SinkDeliveryOptions' defaults and checks every part.
 *
 * @throws ConfigurationError naming the bad value.
 */
export function resolveDeliveryOptions(options: SinkDeliveryOptions): ResolvedDeliveryOptions {
  const queue = resolveQueueOptions(options.queue);
  const { size, maxDelayMs } = options.batch === undefined ? { size: 1, maxDelayMs: 0 } : resolveBatchOptions(options.batch);
  return {
    queue,
    size,
    maxDelayMs,
    retry: options.retry === false ? null : resolveRetryOptions(options.retry),
    circuitBreaker: options.circuitBreaker === false ? null : resolveCircuitBreakerOptions(options.circuitBreaker ?? {}),
    fallback: options.fallback ?? null,
  };
}
