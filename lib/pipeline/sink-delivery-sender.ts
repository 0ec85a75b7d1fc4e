import type { SchedulerLike, Subscription } from 'rxjs';
import { PartialDeliveryError, reportedCount } from '../core/errors/partial-delivery-error';
import type { LogEvent } from '../core/log-event';
import { retryHint } from '../core/retry-hint';
import { SelfLog } from '../core/self-log';
import type { Sink } from '../core/sink';
import type { SinkMetricsRecorder } from '../metrics/sink-metrics-recorder';
import type { CircuitBreaker } from '../operators/circuit-breaker';
import { backoffDelay, type ResolvedRetryOptions } from '../operators/retry-with-backoff';
import type { ReentrancyGuard } from './reentrancy-guard';

/** Shortest interval between two "failed try, retrying" diagnostics of one sink, in milliseconds. */
const TRY_REPORT_INTERVAL_MS = 1_000;

/** A batch between leaving the queue (or the open batch) and being settled. */
export interface Flight {
  /** The events not yet settled, frozen: the sink gets this very array and cannot change what is counted. */
  events: readonly LogEvent[];
  /** Enqueue time of each event, for latency. */
  times: number[];
  /** Tries of the primary sink so far. */
  attempts: number;
  retryTimer: Subscription | null;
  /** Set when shutdown gave up on it: a late outcome then changes nothing. */
  abandoned: boolean;
}

/** How a flight ended: the primary took it, the fallback took it, or nobody did. */
export type FlightOutcome = 'delivered' | 'fallback' | 'failed';

/** What the sender needs from its stage. */
export interface SenderContext {
  readonly name: string;
  readonly sink: Sink;
  readonly fallback: Sink | null;
  readonly breaker: CircuitBreaker | null;
  readonly retry: ResolvedRetryOptions | null;
  readonly scheduler: SchedulerLike;
  readonly recorder: SinkMetricsRecorder;
  /** Called once per flight that was not abandoned, possibly synchronously inside `send`. */
  readonly settle: (flight: Flight, outcome: FlightOutcome) => void;
  /** Called when the primary wrote the first `count` events of a flight (a PartialDeliveryError): the stage counts them and keeps the rest in flight. Also called with the late outcome of a flight a shutdown gave up on. */
  readonly settleLeading: (flight: Flight, count: number) => void;
  /** Marks the turns spent in sink code. */
  readonly guard: ReentrancyGuard;
}

/**
 * The asynchronous delivery of one batch: the circuit breaker, then the primary sink with
 * retries on the scheduler, then the fallback sink. Knows nothing of queues or batching.
 */
export class SinkDeliverySender {
  /** Set by an immediate shutdown: a failed batch goes straight to the fallback. */
  noRetries = false;
  #lastTryReportAt = Number.NEGATIVE_INFINITY;
  #unreportedTries = 0;

  constructor(private readonly context: SenderContext) {}

  /** Delivers a flight; its outcome arrives through `context.settle`. */
  send(flight: Flight): void {
    const breaker = this.context.breaker;
    if (breaker !== null && breaker.tryAcquire() === 'reject') {
      this.#toFallback(flight);
      return;
    }
    this.#attempt(flight);
  }

  /** A flight waiting for a retry gives up now: one breaker failure, then the fallback. Returns whether there was such a wait. */
  giveUpRetry(flight: Flight): boolean {
    if (flight.retryTimer === null) return false;
    flight.retryTimer.unsubscribe();
    flight.retryTimer = null;
    this.context.breaker?.recordFailure();
    this.#toFallback(flight);
    return true;
  }

  #attempt(flight: Flight): void {
    flight.attempts++;
    const { sink, guard } = this.context;
    let result: unknown;
    try {
      result = guard.run(() => sink.emit(flight.events));
    } catch (error) {
      this.#primaryFailed(flight, error);
      return;
    }
    adopt(
      result,
      () => this.#primaryDelivered(flight),
      (error) => this.#primaryFailed(flight, error),
    );
  }

  #primaryDelivered(flight: Flight): void {
    if (flight.abandoned) {
      // Given up on by a shutdown: the stage decides whether the late news still counts.
      this.context.settleLeading(flight, flight.events.length);
      return;
    }
    this.context.breaker?.recordSuccess();
    this.context.settle(flight, 'delivered');
  }

  #primaryFailed(flight: Flight, error: unknown): void {
    if (flight.abandoned) {
      if (error instanceof PartialDeliveryError) this.context.settleLeading(flight, error.delivered);
      return;
    }
    if (error instanceof PartialDeliveryError) {
      const leading = reportedCount(error.delivered, flight.events.length);
      if (leading > 0) this.context.settleLeading(flight, leading);
      if (flight.events.length === 0) {
        this.#primaryDelivered(flight);
        return;
      }
    }
    const { recorder, retry, scheduler, breaker, name } = this.context;
    recorder.lastError = describeError(error);
    // A permanent error (an HTTP 400, a redirect …) is not retried; a Retry-After is waited for, up to maxDelayMs.
    const hint = retryHint(error);
    if (retry !== null && flight.attempts < retry.attempts && !this.noRetries && !hint.permanent) {
      const backoff = backoffDelay(flight.attempts, retry);
      const delay = hint.retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(hint.retryAfterMs, retry.maxDelayMs));
      this.#reportTry(flight, delay, error);
      flight.retryTimer = scheduler.schedule(() => {
        flight.retryTimer = null;
        if (flight.abandoned) return;
        recorder.retried++;
        this.#attempt(flight);
      }, delay);
      return;
    }
    breaker?.recordFailure();
    SelfLog.write(
      'Sink {Name} failed to write a batch of {Count} events after {Tries} tries',
      name,
      flight.events.length,
      flight.attempts,
      error,
    );
    this.#toFallback(flight);
  }

  /** One diagnostic per failed try that will be retried, at most one a second per sink (the rest are counted in the next). */
  #reportTry(flight: Flight, delayMs: number, error: unknown): void {
    const { scheduler, name, retry } = this.context;
    const now = scheduler.now();
    if (now - this.#lastTryReportAt < TRY_REPORT_INTERVAL_MS) {
      this.#unreportedTries++;
      return;
    }
    this.#lastTryReportAt = now;
    const suppressed = this.#unreportedTries;
    this.#unreportedTries = 0;
    SelfLog.write(
      'Sink {Name} failed a write of {Count} events (try {Try} of {Tries}); retrying in {Delay} ms{Suppressed}',
      name,
      flight.events.length,
      flight.attempts,
      retry?.attempts,
      Math.round(delayMs),
      suppressed === 0 ? '' : ` (${suppressed} earlier failed tries not reported)`,
      error,
    );
  }

  #toFallback(flight: Flight): void {
    const { fallback, guard } = this.context;
    if (fallback === null) {
      this.context.settle(flight, 'failed');
      return;
    }
    let result: unknown;
    try {
      result = guard.run(() => fallback.emit(flight.events));
    } catch (error) {
      this.#fallbackFailed(flight, error);
      return;
    }
    adopt(
      result,
      () => {
        if (!flight.abandoned) this.context.settle(flight, 'fallback');
      },
      (error) => this.#fallbackFailed(flight, error),
    );
  }

  #fallbackFailed(flight: Flight, error: unknown): void {
    if (flight.abandoned) return;
    this.context.recorder.lastError = describeError(error);
    SelfLog.write('Fallback of sink {Name} failed too; {Count} events are lost', this.context.name, flight.events.length, error);
    this.context.settle(flight, 'failed');
  }
}

/** `Error: message` for an Error, else the value as a string; never throws. */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return 'unprintable error';
  }
}

/**
 * Calls `done` now for a plain result, or when a thenable fulfils; `failed` when it rejects, or
 * when reading or calling its `then` throws (a hostile Proxy), so a batch is never left in flight
 * by a result that cannot be awaited. A thenable is adopted through a native promise.
 */
function adopt(result: unknown, done: () => void, failed: (error: unknown) => void): void {
  let then: unknown;
  try {
    then =
      (typeof result === 'object' || typeof result === 'function') && result !== null
        ? (result as { then?: unknown }).then
        : undefined;
  } catch (error) {
    failed(error);
    return;
  }
  if (typeof then !== 'function') {
    done();
    return;
  }
  let adopted: Promise<unknown>;
  try {
    adopted =
      result instanceof Promise ? result : new Promise((resolve, reject) => void Reflect.apply(then, result, [resolve, reject]));
  } catch (error) {
    failed(error);
    return;
  }
  adopted.then(done, failed);
}
