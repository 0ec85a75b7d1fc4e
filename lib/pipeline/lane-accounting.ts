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
    return Math.max(0, this.entered + this.made - reachedDelivery - this.discarded);
  }

  /** The delivery stage's counters (whose `received` counts what came out of the pipe) seen from the pipe's entrance. */
  adjustMetrics(metrics: SinkMetrics): SinkMetrics {
    const held = this.held(metrics.received);
    const adjusted: SinkMetrics = {
      ...metrics,
      received: metrics.received + this.discarded + held,
      dropped: metrics.dropped + this.discarded,
      pending: metrics.pending + held,
    };
    if (this.discarded > 0) adjusted.droppedBy = { ...this.reasons };
    return adjusted;
  }

  /** The delivery stage's shutdown summary plus what the operators dropped and still held. */
  adjustSummary(summary: SinkShutdownSummary, reachedDelivery: number): SinkShutdownSummary {
    return {
      ...summary,
      dropped: summary.dropped + this.discarded,
      undelivered: summary.undelivered + this.held(reachedDelivery),
    };
  }
}

function isCount(count: unknown): count is number {
  return typeof count === 'number' && Number.isInteger(count) && count > 0;
}
