import type { SchedulerLike, Subscription } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { retryHint } from '../core/retry-hint';
import { SelfLog } from '../core/self-log';
import type { Sink } from '../core/sink';
import type { SinkMetricsRecorder } from '../metrics/sink-metrics-recorder';
import type { CircuitBreaker } from '../operators/circuit-breaker';
import { backoffDelay, type ResolvedRetryOptions } from '../operators/retry-with-backoff';

/** A batch between leaving the queue (or the open batch) and being settled. */
export interface Flight {
  readonly events: LogEvent[];
  /** Enqueue time of each event, for latency. */
  readonly times: number[];
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
}

/**
 * The asynchronous delivery of one batch: the circuit breaker, then the primary sink with
 * retries on the scheduler, then the fallback sink. Knows nothing of queues or batching.
 */
export class SinkDeliverySender {
  /** Set by an immediate shutdown: a failed batch goes straight to the fallback. */
  noRetries = false;

  constructor(private readonly context: SenderContext) {}

  /** Delivers a flight; its outcome arrives through `context.settle`. */
  send(flight: Flight): void {
    const breaker = this.context.breaker;
    if (breaker !== null && breaker.tryAcquire() === 'reject') {
      this.toFallback(flight);
      return;
    }
    this.attempt(flight);
  }

  /** A flight waiting for a retry gives up now: one breaker failure, then the fallback. Returns whether there was such a wait. */
  giveUpRetry(flight: Flight): boolean {
    if (flight.retryTimer === null) return false;
    flight.retryTimer.unsubscribe();
    flight.retryTimer = null;
    this.context.breaker?.recordFailure();
    this.toFallback(flight);
    return true;
  }

  private attempt(flight: Flight): void {
    flight.attempts++;
    let result: void | Promise<void>;
    try {
      result = this.context.sink.emit(flight.events);
    } catch (error) {
      this.primaryFailed(flight, error);
      return;
    }
    if (isPromiseLike(result)) {
      // Adopted through a native promise: a thenable whose then() throws becomes a failed batch
      // instead of a batch in flight forever. A native promise is returned as is.
      Promise.resolve(result).then(
        () => this.primaryDelivered(flight),
        (error: unknown) => this.primaryFailed(flight, error),
      );
      return;
    }
    this.primaryDelivered(flight);
  }

  private primaryDelivered(flight: Flight): void {
    if (flight.abandoned) return;
    this.context.breaker?.recordSuccess();
    this.context.settle(flight, 'delivered');
  }

  private primaryFailed(flight: Flight, error: unknown): void {
    if (flight.abandoned) return;
    const { recorder, retry, scheduler, breaker, name } = this.context;
    recorder.lastError = describeError(error);
    // A permanent error (an HTTP 400, a redirect …) is not retried; a Retry-After is waited for, up to maxDelayMs.
    const hint = retryHint(error);
    if (retry !== null && flight.attempts < retry.attempts && !this.noRetries && !hint.permanent) {
      const backoff = backoffDelay(flight.attempts, retry);
      const delay = hint.retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(hint.retryAfterMs, retry.maxDelayMs));
      flight.retryTimer = scheduler.schedule(() => {
        flight.retryTimer = null;
        if (flight.abandoned) return;
        recorder.retried++;
        this.attempt(flight);
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
    this.toFallback(flight);
  }

  private toFallback(flight: Flight): void {
    const fallback = this.context.fallback;
    if (fallback === null) {
      this.context.settle(flight, 'failed');
      return;
    }
    let result: void | Promise<void>;
    try {
      result = fallback.emit(flight.events);
    } catch (error) {
      this.fallbackFailed(flight, error);
      return;
    }
    if (isPromiseLike(result)) {
      Promise.resolve(result).then(
        () => {
          if (!flight.abandoned) this.context.settle(flight, 'fallback');
        },
        (error: unknown) => this.fallbackFailed(flight, error),
      );
      return;
    }
    this.context.settle(flight, 'fallback');
  }

  private fallbackFailed(flight: Flight, error: unknown): void {
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

function isPromiseLike(value: unknown): value is PromiseLike<void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
