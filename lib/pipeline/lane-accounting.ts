import { type MonoTypeOperatorFunction, Observable, type OperatorFunction, tap } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { SinkMetrics } from '../metrics/metrics-types';
import { type EventAccounting, provideEventAccounting } from '../operators/event-accounting';
import type { SinkShutdownSummary } from './shutdown-report';

/**
 * The accounting of a sink's `pipe` operators: counts the events that enter the pipe, takes the
 * drops and creations operators report through {@link EventAccounting}, and folds them into the
 * sink's counters. Whatever entered and neither came out, nor was reported dropped, is held by
 * an operator: it counts as pending (and as undelivered when the logger closes while it is
 * still held), so `received = delivered + dropped + failed + pending` holds.
 */
export class LaneAccounting implements EventAccounting {
  private entered = 0;
  private made = 0;
  private discarded = 0;
  private readonly reasons: Record<string, number> = {};
  /** Set at close: what the operators still held then, and whether the close dropped it. */
  private closed: { held: number; dropped: boolean; reachedDelivery: number } | undefined;

  dropped(count: number, reason: string): void {
    if (!isCount(count)) {
      SelfLog.write('An operator reported {Count} dropped events; ignored (expected a positive integer)', count);
      return;
    }
    this.discarded += count;
    const key = typeof reason === 'string' && reason !== '' ? reason : 'unspecified';
    this.reasons[key] = (Object.prototype.hasOwnProperty.call(this.reasons, key) ? this.reasons[key] : 0) + count;
  }

  created(count: number): void {
    if (!isCount(count)) {
      SelfLog.write('An operator reported {Count} created events; ignored (expected a positive integer)', count);
      return;
    }
    this.made += count;
  }

  /** Counts each event entering the sink's pipe. */
  countEntries(): MonoTypeOperatorFunction<LogEvent> {
    return tap(() => {
      this.entered++;
    });
  }

  /** The operator, subscribed (and re-subscribed after a fault) with this accounting provided. */
  provideTo(operator: OperatorFunction<LogEvent, LogEvent>): OperatorFunction<LogEvent, LogEvent> {
    return (source) =>
      new Observable<LogEvent>((subscriber) => provideEventAccounting(this, () => operator(source).subscribe(subscriber)));
  }

  /** Events held by the operators now, given how many reached the delivery stage. */
  held(reachedDelivery: number): number {
    if (this.closed !== undefined) return this.closed.dropped ? 0 : this.closed.held;
    return Math.max(0, this.entered + this.made - reachedDelivery - this.discarded);
  }

  /**
   * Settles the count at close: what the operators still hold is undelivered (or dropped, for an
   * immediate close) from now on, and whatever they release later is ignored by the lane, so it
   * is never counted twice.
   */
  close(reachedDelivery: number, strategy: 'immediate' | 'flush' | 'graceful'): number {
    if (this.closed !== undefined) return this.closed.held;
    const held = this.held(reachedDelivery);
    this.closed = { held, dropped: strategy === 'immediate', reachedDelivery };
    if (held > 0 && strategy === 'immediate') this.dropped(held, 'closed');
    if (held > 0) SelfLog.write("A sink's operators still held {Count} events at close", held);
    return held;
  }

  /** True once {@link close} ran: events the operators release from now on are not delivered. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** The delivery stage's counters (whose `received` counts what came out of the pipe) seen from the pipe's entrance. */
  adjustMetrics(metrics: SinkMetrics): SinkMetrics {
    const reached = this.closed === undefined ? metrics.received : this.closed.reachedDelivery;
    const held = this.held(reached);
    const adjusted: SinkMetrics = {
      ...metrics,
      received: reached + this.discarded + held + (metrics.received - reached),
      dropped: metrics.dropped + this.discarded,
      pending: metrics.pending + held,
    };
    if (this.discarded > 0) adjusted.droppedBy = { ...this.reasons };
    return adjusted;
  }

  /** The delivery stage's shutdown summary plus what the operators dropped and still held. */
  adjustSummary(summary: SinkShutdownSummary, reachedDelivery: number): SinkShutdownSummary {
    const reached = this.closed === undefined ? reachedDelivery : this.closed.reachedDelivery;
    return {
      ...summary,
      dropped: summary.dropped + this.discarded,
      undelivered: summary.undelivered + this.held(reached),
    };
  }
}

function isCount(count: unknown): count is number {
  return typeof count === 'number' && Number.isInteger(count) && count > 0;
}
