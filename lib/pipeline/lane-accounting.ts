import {
  catchError,
  concat,
  connect,
  defer,
  EMPTY,
  filter,
  type MonoTypeOperatorFunction,
  Observable,
  type Observer,
  type SchedulerLike,
  type OperatorFunction,
  type Subscriber,
  type Subscription,
  tap,
} from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { SinkMetrics } from '../metrics/metrics-types';
import {
  type EventAccounting,
  injectEventAccounting,
  type LaneChannel,
  LOGGER_SCHEDULER,
  provideEventAccounting,
} from '../operators/event-accounting';
import { type EventCounts, eventCounts } from './event-counts';
import { isObject } from '../core/is-object';
import { NOT_AN_EVENT_REASON, notAnEvent } from './not-an-event';

/** The reason given to events an operator removed without reporting them, found when its stream ended. */
export const UNREPORTED_REASON = 'unreported';

/** The most distinct reasons kept; drops under further reasons count under {@link OTHER_REASON}, so the map stays bounded. */
export const MAX_REASONS = 64;

/** The reason drops are counted under once {@link MAX_REASONS} distinct reasons are taken. */
export const OTHER_REASON = 'other';

/** Adds `count` drops under `reason` to `reasons`, or under {@link OTHER_REASON} once {@link MAX_REASONS} distinct reasons are taken. */
export function countReason(reasons: Map<string, number>, reason: string, count: number): void {
  const key = reasons.has(reason) || reasons.size < MAX_REASONS ? reason : OTHER_REASON;
  reasons.set(key, (reasons.get(key) ?? 0) + count);
}

/** The reason given to events an operator held when it failed (its state is torn down when it restarts). */
export const OPERATOR_FAILED_REASON = 'operator-failed';

/** The reason given to events an operator held when it completed before its source, and to the events after. */
export const OPERATOR_COMPLETED_REASON = 'operator-completed';

/**
 * The reason given to events the operators of `.pipe()` held when an `immediate` close abandoned
 * them: the name a sink's drops at close (`droppedAtClose`) are exported under.
 */
export const CLOSED_REASON = 'already_shutdown';

/**
 * The accounting of a run of app operators: a sink's `pipe`, or the configuration's `.pipe()` on
 * the shared stream. It counts the events that enter the operators and
 * leave them for the delivery stage, and takes the drops and creations operators report through
 * {@link EventAccounting}. Whatever entered and neither left nor was reported dropped is held by
 * an operator: it counts as pending, so `received = delivered + dropped + failed + pending` holds
 * per sink at every moment. When the operators' stream ends, what is still missing was removed
 * without a report and counts as dropped (reason {@link UNREPORTED_REASON}); when the logger
 * closes before it ends, the delivery stage takes over what is held (undelivered, or dropped by
 * an immediate close) and this accounting stops counting it; what enters or is made after that
 * (let out late by `.pipe()`) is still counted here (see `#since`).
 */
export class LaneAccounting implements EventAccounting {
  /** Events that entered the operators. */
  entered = 0;
  /** Events that left the operators for the delivery stage. */
  left = 0;
  /** Events the operators reported dropped (they never reach the stage). */
  discarded = 0;
  /** True once the operators' stream has ended. */
  done = false;
  /**
   * True while the logger is being built: an operator that fails to start then is a configuration
   * mistake (`.pipe(throttleEvents)` for `.pipe(throttleEvents())`), kept in `startFailure` for
   * createLogger() to throw rather than reported to SelfLog.
   */
  building = true;
  /** The first operator that failed to start while `building`, and what it threw. */
  startFailure: { readonly where: string; readonly error: unknown } | undefined;
  #made = 0;
  /**
   * Of `#made`, the events found made without a report: more left or dropped than entered or was
   * made (`mergeMap((e) => of(e, e))`). A later report of them (an operator that sends an event
   * before it calls `created`) takes them out of here instead of counting them twice.
   */
  #unreportedMade = 0;
  /**
   * Per event object that entered the operators, how many times it entered the first and has not
   * left it yet (each operator after it keeps its own: see `Stage.inside`). Kept on the event
   * objects (see eventCounts), not in a WeakMap entry per event.
   */
  readonly #inside: EventCounts = eventCounts();
  /** True once the delivery stage has taken over what was held at close. */
  #handedOver = false;
  /**
   * Of what the operators held at the handover, what has not left since (see abandonHeld): a sink's
   * delivery stage counted it already, and takes it back as it leaves; `.pipe()` keeps it as held.
   */
  #handed = 0;
  /** True when what was handed over still counts as held here (`.pipe()`'s: see abandonHeld). */
  #keepsHanded = false;
  /** True when what was handed over counts as dropped here (`.pipe()`'s at an immediate close: see abandonHeld). */
  #dropsHanded = false;
  /**
   * What entered or was made after the handover and has neither left nor been reported dropped:
   * counted here (held, then dropped when an operator reports it), as no handover took it.
   */
  #since = 0;
  /** A Map, so a reason named `__proto__` is counted like any other. */
  readonly #reasons: Map<string, number>;
  /** The logger's scheduler, carried by the channel to the operators. */
  readonly #scheduler: SchedulerLike | undefined;
  /** Resolves whenIdle()'s promise; set once it is asked for. */
  #idle: (() => void) | undefined;
  /**
   * The last operator's stage: its exits are the lane's `left` (see leave). While isolate() is
   * called for each operator in pipe order, the stage of the one before.
   */
  #last: Stage | undefined;

  /**
   * @param reasons The map the operators' drop reasons are counted in. A sink's lane counts them in
   *   the sink's own (its stage's `droppedBy`), so one bound of {@link MAX_REASONS} covers the
   *   sink's reasons and its operators' in the order they came: a reason that has a key keeps it,
   *   where adding two bounded maps at each snapshot moved an operator's reason under
   *   {@link OTHER_REASON} (its count falling) once the sink's own reasons filled the bound.
   *   Default: a map of its own (the operators of `.pipe()`, which `adjustMetrics` does not serve).
   * @param scheduler The logger's scheduler, given to the operators with the channel: an rxlog
   *   operator made without a scheduler runs on it (see `injectScheduler`).
   */
  constructor(reasons = new Map<string, number>(), scheduler?: SchedulerLike) {
    this.#reasons = reasons;
    this.#scheduler = scheduler;
  }

  dropped(count: number, reason: string): void {
    if (!isCount(count)) {
      SelfLog.write('An operator reported {Count} dropped events; ignored (expected a positive integer)', count);
      return;
    }
    const why = typeof reason === 'string' && reason !== '' ? reason : UNREPORTED_REASON;
    if (this.#handedOver) {
      // What the handover took is counted by the delivery stage already: what an operator reports
      // of it (its teardown) is ignored. What entered since is counted here, and a report is taken
      // as its own first; taken as a handed-over event's, one that entered after would count nowhere.
      const counted = Math.min(count, this.#since);
      if (counted === 0) return;
      this.#since -= counted;
      this.discarded += counted;
      countReason(this.#reasons, why, counted);
      this.#settle();
      return;
    }
    this.discarded += count;
    // More dropped (or left) than entered or was made: an operator made the excess without a report
    // (a duplicate that a later operator dropped, `take` completing before it): counted as made, so
    // `entered + created = left + dropped + pending` holds.
    const excess = this.left + this.discarded - this.entered - this.#made;
    if (excess > 0) {
      this.#made += excess;
      this.#unreportedMade += excess;
    }
    countReason(this.#reasons, why, count);
    this.#settle();
  }

  /**
   * Counts `count` events an operator made. Of them, up to `sent` may be ones it sent before the
   * report, counted made as they left (default: any such copy of the lane's).
   */
  created(count: number, sent = count): void {
    if (!isCount(count)) {
      SelfLog.write('An operator reported {Count} created events; ignored (expected a positive integer)', count);
      return;
    }
    const known = Math.min(sent, this.#unreportedMade);
    this.#unreportedMade -= known;
    this.#made += count - known;
    // Made after the close took what the operators held: held, until it leaves or is reported dropped.
    if (this.#handedOver) this.#since += count - known;
  }

  /** Counts `event` leaving the operators for the delivery stage. */
  leave(event?: LogEvent): void {
    this.left++;
    const last = this.#last;
    // The last operator made it (see Stage.copied), or, with no operator counted, more left than
    // entered or was made: counted made, so `entered + created = left + dropped + pending` holds.
    const copy = last?.copied(event, this.left, this.#handedOver) ?? false;
    if (this.#handedOver) {
      // After the handover, what leaves is taken as one of what it took first (a sink's delivery
      // stage skips as many, counted already), then as one that entered since (the stage counts it).
      if (this.#handed > 0) {
        this.#handed--;
        // Counted dropped at the handover: leaving anyway, it is one more made, so the counts still add up.
        if (this.#dropsHanded) this.#made++;
      } else if (this.#since > 0) this.#since--;
      else {
        // Beyond both: an operator made it without a report.
        this.#made++;
        this.#unreportedMade++;
      }
    } else if (copy || this.entered + this.#made - this.left - this.discarded < 0) {
      this.#made++;
      this.#unreportedMade++;
    }
    this.#settle();
  }

  /**
   * Counts what left the operators in place of `count` events (see notAnEvent) as the last
   * operator's drop of them under {@link NOT_AN_EVENT_REASON}. After the close took what the
   * operators held, what leaves is paired with what the delivery stage took over: counted as
   * leaving, and `true` is returned for the stage to count it (see SinkDelivery.push).
   */
  refuse(count: number): boolean {
    if (this.#handedOver) {
      this.leave();
      return true;
    }
    if (count > 0) {
      // The last operator's own count, so a failure of it later does not count these as lost again.
      this.#last!.discarded += count;
      this.dropped(count, NOT_AN_EVENT_REASON);
    }
    return false;
  }

  /**
   * Resolves once the operators hold no event (at once when they hold none now): what a close
   * waits for when an operator does not complete as its source does (`merge(source, NEVER)`).
   * Asked once: a second call replaces the first's waiter.
   */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idle = resolve;
      this.#settle();
    });
  }

  #settle(): void {
    if (this.#idle !== undefined && this.held() === 0) this.#idle();
  }

  /** Counts each event entering the sink's operators. */
  countEntries(): MonoTypeOperatorFunction<LogEvent> {
    return tap((event) => {
      this.entered++;
      // Entered after the close took what the lane held (`.pipe()` let it out late): no handover
      // took it, so the lane counts it (held, dropped, or received as it leaves).
      if (this.#handedOver) this.#since++;
      if (isObject(event)) this.#inside.set(event, (this.#inside.get(event) ?? 0) + 1);
    });
  }

  /**
   * The sink's operator at `index` of `count`, isolated: subscribed with this accounting
   * provided, and, when it fails, reported to SelfLog and subscribed again, so that later events
   * flow as before. A failure tears down what the operator held (the event that caused it, and
   * any it buffered): those events count as dropped at once, reason
   * {@link OPERATOR_FAILED_REASON}, instead of staying pending until the logger closes. Only this
   * operator restarts: the sink's other operators keep their state and what they hold. An operator that
   * fails before it took an event since it was subscribed (`() => throwError(…)`, an operator
   * function that throws) would fail the same way on every restart: it is not restarted, and the
   * events that reach it from then on count as dropped ({@link OPERATOR_FAILED_REASON}); nor is one
   * that fails once its source has ended (an error on completion, at close). One
   * that completes before its source (`take(1)`) would end the lane: what it held and the events
   * after count as dropped ({@link OPERATOR_COMPLETED_REASON}).
   */
  isolate(
    operator: OperatorFunction<LogEvent, LogEvent>,
    where: string,
    index: number,
    count: number,
  ): MonoTypeOperatorFunction<LogEvent> {
    // Speed: one counter per boundary between operators. What enters operator k is what left
    // operator k - 1 (the lane's `entered` for the first), and what leaves the last is the lane's
    // `left`, so only the operators before the last count their exits with a stage of their own.
    // What entered the operator before (none for the first): its exits, or, once it passed on what
    // is no event (see the tap below), what entered it net of what it made and removed.
    const before = index === 0 ? undefined : this.#last;
    const entries = (): number =>
      before === undefined
        ? this.entered
        : before.opaque
          ? before.entries() + before.made - before.discarded - before.lost
          : before.left;
    const last = index === count - 1;
    // What entered this operator and has not left it, per event object: counted by the operator
    // before as it passed it on (by the lane for the first), or, when that one passed on arrays or
    // Observables, what entered the two.
    const counts = before === undefined ? this.#inside : before.out!;
    const inside = (): EventCounts => (before?.opaque ? before.inside() : counts);
    const stage: Stage = {
      left: 0,
      made: 0,
      unreported: 0,
      discarded: 0,
      lost: 0,
      opaque: false,
      entries,
      inside,
      out: last ? undefined : eventCounts(),
      copied: (event, exits, handedOver) => {
        let times: number | undefined;
        if (isObject(event)) {
          const into = inside();
          times = into.get(event);
          if (times) into.set(event, times - 1);
          stage.out?.set(event, (stage.out.get(event) ?? 0) + 1);
        }
        // The same object leaving more times than it entered is a copy this operator made, found
        // by its object whatever else it holds; a new object (or no object) is one when more left
        // than entered or it made.
        if (handedOver || (times !== 0 && exits + stage.discarded + stage.lost <= entries() + stage.made)) return false;
        stage.made++;
        stage.unreported++;
        return true;
      },
    };
    this.#last = stage;
    // What this operator reports goes to the lane's accounting, and is remembered for a fault.
    const own: LaneChannel = {
      [LOGGER_SCHEDULER]: this.#scheduler,
      dropped: (dropped, reason) => {
        if (isCount(dropped)) stage.discarded += dropped;
        this.dropped(dropped, reason);
      },
      created: (created) => {
        let known = 0;
        if (isCount(created)) {
          // What it sent before it said it made it was counted as it left: the report names that.
          known = Math.min(created, stage.unreported);
          stage.unreported -= known;
          stage.made += created - known;
        }
        // Only this operator's own copies: taken for another's (a duplicate sent by the one before
        // it), a throttle summary counted as made by neither, and what was held read low by one.
        // One that passed on arrays keeps no count of its own: any of the lane's may be its.
        this.created(created, stage.opaque ? created : known);
      },
    };
    /** Counts what this operator held when it stopped (failed or completed) as dropped under `reason`. */
    const countLost = (reason: string): void => {
      // Counted together with the operator next to it (see `opaque`), it has no count of its own
      // of what it held: what the failure lost counts when the lane ends (see finish). Counted here
      // from the two's count, what the one before still holds would count dropped, then made as it
      // left later.
      if (stage.opaque || before?.opaque) return;
      const exits = last ? this.left : stage.left;
      const lost = entries() + stage.made - exits - stage.discarded - stage.lost;
      if (lost > 0) {
        stage.lost += lost;
        this.dropped(lost, reason);
      }
    };
    // The operator reads its source through one Subject (connect): a restart after a failure
    // subscribes that Subject again, not the chain upstream, so the operators before this one
    // keep their state (a buffer, a distinct set, what a delay holds) and deliver it on.
    return (source) => {
      let sourceDone = false;
      return source.pipe(
        tap({ complete: () => (sourceDone = true) }),
        connect((watched) => {
          // Dropped, not passed on unprocessed: the operator may be the one that redacts or filters.
          const dropEach = (reason: string): Observable<LogEvent> =>
            watched.pipe(
              filter(() => {
                this.dropped(1, reason);
                return false;
              }),
            );
          // The events that had entered this operator when it was last subscribed: a failure with no
          // event since then is a failure to start, which a restart would repeat at once, without end.
          let enteredAtStart = 0;
          // The operator takes each notification with its channel provided, not only its
          // subscription: what it subscribes on an event's turn (a groupBy group, a mergeMap or
          // switchMap inner with sampleEvents or throttleEvents in it) reports to this lane too,
          // instead of to no one (its drops then looked held, and a summary was never `received`).
          // (watched is a Subject: subscribed with a plain observer, nothing runs on subscribe.)
          // A throw that comes back out of a notification is the operator's teardown failing (a
          // `finalize` that throws runs as the operator completes): reported here, it never reaches
          // RxJS's unhandled-error path, which throws it on a timer (an uncaught exception in Node).
          const teardownFailed = (error: unknown): void =>
            SelfLog.write('Operator {Where} failed while tearing down; ignored', where, error);
          const inside = new Observable<LogEvent>((subscriber) => watched.subscribe(handingOn(subscriber, own, teardownFailed)));
          // True while the operator is being subscribed: a failure then is a failure to start.
          let starting = false;
          let isolated = new Observable<LogEvent>((subscriber) => {
            enteredAtStart = entries();
            // What it passes on leaves with the channel of the turn it came from (none, outside a
            // lane), so a subscriber that subscribes on it (of log.events$) is not read as this operator.
            const outside = injectEventAccounting();
            starting = true;
            let subscription: Subscription;
            try {
              subscription = provideEventAccounting(own, () => operator(inside).subscribe(handingOn(subscriber, outside)));
            } catch (error) {
              // Errored here, while `starting` still says so (RxJS would error it after `finally`).
              subscriber.error(error);
              return;
            } finally {
              starting = false;
            }
            // Its teardown may throw as the lane unsubscribes at close: reported, so close() still resolves.
            return () => {
              try {
                subscription.unsubscribe();
              } catch (error) {
                teardownFailed(error);
              }
            };
          });
          if (!last)
            isolated = isolated.pipe(
              tap((event) => {
                // An array or an Observable (a step given from JavaScript, `bufferCount(3)` before
                // `mergeMap((b) => from(b))`, `groupBy` before a `mergeMap`) is no event: counted by
                // its own exits, an array of 3 read as one, and the next step's 3 as 2 made (8
                // received for 5 logged, and 3 dropped as unreported at close). This operator is
                // counted with the next from then on, as if they were one element (what entered it
                // enters the next), so the counts stay those of the events. Read as notAnEvent reads
                // it, which never throws: a revoked Proxy's array check throws, taken for this
                // operator's failure (restarted, what it held lost), where it is an event.
                if (stage.opaque || (isObject(event) && notAnEvent(event) >= 0)) {
                  stage.opaque = true;
                  return;
                }
                // A copy made here without a report is counted made here, where it is made, not as it
                // leaves the lane: with an operator after it holding an event (a delay), the lane's
                // net count read 0 while that event was held, and a close let it go uncounted.
                if (stage.copied(event, ++stage.left, this.#handedOver)) {
                  this.#made++;
                  this.#unreportedMade++;
                }
              }),
            );
          const guarded = isolated.pipe(
            catchError((error: unknown, caught: Observable<LogEvent>) => {
              countLost(OPERATOR_FAILED_REASON);
              // Failed as its stream ended (at close: `concat(source, throwError(…))`, an error on
              // completion): a restart would read a stream that has ended, and fail again at once.
              if (sourceDone) {
                SelfLog.write('Operator {Where} failed as its stream ended; the events it held are lost', where, error);
                return EMPTY;
              }
              if (entries() === enteredAtStart) {
                if (this.building) this.startFailure ??= { where, error };
                // One that fails later on a timer of its own (`timeout` on an idle logger) would fail
                // the same way after each restart, its timer keeping a Node process alive.
                else if (starting) SelfLog.write('Operator {Where} failed to start; events dropped', where, error);
                else SelfLog.write('Operator {Where} failed again before it took an event; events dropped', where, error);
                return dropEach(OPERATOR_FAILED_REASON);
              }
              SelfLog.write('Operator {Where} failed; the events it held are lost and it restarted', where, error);
              return caught;
            }),
          );
          // An operator that completes before its source (take(1), takeUntil) would end the sink's
          // lane, or with .pipe() every sink's: later events would reach no counter at all.
          return concat(
            guarded,
            defer(() => {
              if (sourceDone) return EMPTY;
              countLost(OPERATOR_COMPLETED_REASON);
              SelfLog.write('Operator {Where} completed early; events dropped', where);
              return dropEach(OPERATOR_COMPLETED_REASON);
            }),
          );
        }),
      );
    };
  }

  /** Events the operators made: reported through {@link EventAccounting}, or found when more left than entered. */
  get made(): number {
    return this.#made;
  }

  /** Of `discarded`, the count by reason (a copy). */
  reasons(): Record<string, number> {
    return Object.fromEntries(this.#reasons);
  }

  /** Events held by the operators now. */
  held(): number {
    if (this.#handedOver) return (this.#keepsHanded ? this.#handed : 0) + this.#since;
    return Math.max(0, this.entered + this.#made - this.left - this.discarded);
  }

  /** The operators' stream ended: whatever is still missing was removed without a report. */
  finish(): void {
    if (this.done) return;
    const missing = this.held();
    if (missing > 0) this.dropped(missing, UNREPORTED_REASON);
    this.done = true;
    this.#settle();
  }

  /**
   * The logger closed before the operators' stream ended: returns what they hold, and stops
   * counting what they report of it from now on (their teardown). A sink's delivery stage accounts
   * for what they held from then on; the app operators of `.pipe()` keep it as held (`keep` true),
   * which the shutdown report counts undelivered, or, at an immediate close, count it dropped under
   * the reason `keep` names, as a sink's stage counts what such a close abandons. What enters or is
   * made later is still counted here (see `#since`). A second call returns what is held and changes nothing.
   */
  abandonHeld(keep?: boolean | string): number {
    if (this.#handedOver) return this.held();
    const held = this.held();
    this.#handedOver = true;
    this.#handed = held;
    this.#keepsHanded = keep === true;
    if (typeof keep === 'string') {
      this.#dropsHanded = true;
      if (held > 0) {
        this.discarded += held;
        countReason(this.#reasons, keep, held);
      }
    }
    // Copies made without a report before now are settled in `held`: an operator's report after
    // the close (a throttle summary) is a new event, not one of them.
    this.#unreportedMade = 0;
    this.#settle();
    return held;
  }

  /**
   * After the handover, once the lane is unsubscribed: what entered or was made since and the
   * operators still held then, which will never leave. Returned for the delivery stage to count
   * (dropped at close), and no longer held here.
   */
  takeStranded(): number {
    const stranded = this.#since;
    this.#since = 0;
    return stranded;
  }

  /**
   * The delivery stage's counters (whose `received` counts what left the operators) seen from the
   * operators' entrance. Their drop reasons are in the stage's `droppedBy` already: the lane counts
   * them in the stage's map (see the constructor).
   */
  adjustMetrics(metrics: SinkMetrics): SinkMetrics {
    const held = this.held();
    if (this.discarded === 0 && held === 0) return metrics;
    return {
      ...metrics,
      received: metrics.received + this.discarded + held,
      dropped: metrics.dropped + this.discarded,
      pending: metrics.pending + held,
    };
  }
}

/**
 * The counts of one operator of a lane: its exits (but the last's), what it made (reported, or
 * found when more left it than entered it), what it reported dropped, and what its failures lost.
 * Of `made`, `unreported` is what was found before the operator reported it.
 */
interface Stage {
  left: number;
  made: number;
  unreported: number;
  discarded: number;
  lost: number;
  /** True once the operator passed on what is no event (an array, an Observable): its exits are not counted. */
  opaque: boolean;
  /** What entered the operator. */
  entries: () => number;
  /** What entered the operator and has not left it, per event object. */
  inside: () => EventCounts;
  /** What left the operator, per event object, for the next to count as entering it (none for the last). */
  out: EventCounts | undefined;
  /**
   * Counts `event` leaving the operator as its exit number `exits`: true when the operator made it
   * without a report (counted in `made` and `unreported`). Only counts objects after the handover.
   */
  copied: (event: unknown, exits: number, handedOver: boolean) => boolean;
}

/**
 * An observer that hands each notification on to `subscriber` with `accounting` as the channel;
 * what a notification throws back goes to `thrown` when given.
 */
function handingOn<T>(subscriber: Subscriber<T>, accounting: EventAccounting, thrown?: (error: unknown) => void): Observer<T> {
  const hand = (notify: () => void): void => {
    if (thrown === undefined) return provideEventAccounting(accounting, notify);
    try {
      provideEventAccounting(accounting, notify);
    } catch (error) {
      thrown(error);
    }
  };
  return {
    next: (value) => hand(() => subscriber.next(value)),
    error: (failure: unknown) => hand(() => subscriber.error(failure)),
    complete: () => hand(() => subscriber.complete()),
  };
}

function isCount(count: unknown): count is number {
  return typeof count === 'number' && Number.isInteger(count) && count > 0;
}
