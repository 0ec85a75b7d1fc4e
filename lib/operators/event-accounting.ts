import type { SchedulerLike } from 'rxjs';

/**
 * The channel through which an operator in a sink's `pipe` tells the sink's lane about events it
 * discards or makes by design, so the sink's counters keep `received = delivered + dropped +
 * failed + pending`. Events an operator holds need no report: the lane counts them as pending
 * (events in, minus events out, minus events reported dropped, plus events reported created).
 *
 * An operator reads the channel with {@link injectEventAccounting} when it is subscribed; the lane
 * provides it to every operator of the sink's `pipe`, and the shared `.pipe()` stage to its
 * operators (counted in `metrics().pipe`). Anywhere else (app streams) the channel is a no-op, so
 * the same operator works everywhere.
 */
export interface EventAccounting {
  /**
   * `count` events were discarded by design (sampled out, suppressed, expired from a buffer).
   * They count in the sink's `dropped`, and under `reason` in its `droppedBy`.
   */
  dropped(count: number, reason: string): void;
  /** `count` events were made by the operator (a summary) rather than received: they count in the sink's `received`. */
  created(count: number): void;
}

const NO_ACCOUNTING: EventAccounting = Object.freeze({
  dropped(): void {},
  created(): void {},
});

let current: EventAccounting = NO_ACCOUNTING;

/**
 * The accounting channel of the sink lane subscribing now, or a no-op one outside a lane. Call
 * it when the operator is subscribed (in `defer`, or in `new Observable(subscriber => …)`), never
 * when the operator is created: one operator function may serve several sinks. The lane also
 * provides it while it hands each event to its operators, so an operator subscribed on that turn
 * (a `groupBy` group's, a `mergeMap` or `switchMap` inner) gets it; one subscribed from a timer does not.
 *
 * @example
 * // An app operator that drops health checks and says so.
 * const dropHealthChecks: MonoTypeOperatorFunction<LogEvent> = (source) =>
 *   defer(() => {
 *     const accounting = injectEventAccounting();
 *     return source.pipe(
 *       filter((event) => {
 *         const keep = event.properties.Path !== '/health';
 *         if (!keep) accounting.dropped(1, 'health-check');
 *         return keep;
 *       }),
 *     );
 *   });
 */
export function injectEventAccounting(): EventAccounting {
  return current;
}

/**
 * Where the channel a logger's lane provides carries the logger's scheduler (`useScheduler`, or
 * the default): internal, so the public {@link EventAccounting} does not change.
 */
export const LOGGER_SCHEDULER: unique symbol = Symbol('rxlog.loggerScheduler');

/** A channel a logger's lane provides: it may carry the logger's scheduler. */
export type LaneChannel = EventAccounting & { readonly [LOGGER_SCHEDULER]?: SchedulerLike };

/**
 * The scheduler an rxlog operator that was given none runs on: the one of the logger whose
 * pipeline subscribes it (`useScheduler`, so a TestScheduler reaches a sink's `throttleEvents`),
 * or `fallback` outside a logger. Read when the operator is subscribed, like the channel, never per event.
 */
export function injectScheduler(fallback: SchedulerLike): SchedulerLike {
  return (current as LaneChannel)[LOGGER_SCHEDULER] ?? fallback;
}

/**
 * Runs `subscribe` with `accounting` as the channel {@link injectEventAccounting} returns; what
 * a sink lane does when it subscribes to its operators. Useful in tests of a holding operator.
 */
export function provideEventAccounting<T>(accounting: EventAccounting, subscribe: () => T): T {
  const previous = current;
  current = accounting;
  try {
    return subscribe();
  } finally {
    current = previous;
  }
}
