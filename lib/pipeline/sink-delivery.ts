import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { partialDelivered, reportedCount } from '../core/errors/partial-delivery-error';
import type { LogEvent } from '../core/log-event';
import { escapeControlCharacters } from '../core/escape-control-characters';
import { retryHint } from '../core/retry-hint';
import { truncatedText } from '../core/truncated-text';
import { SelfLog } from '../core/self-log';
import { unrefScheduler } from '../core/unref-scheduler';
import {
  CLOSE_GIVEN_UP,
  DECLINED,
  type Declines,
  type EmitResult,
  GIVEN_UP,
  type LetsGo,
  type Sink,
  type StopsClosing,
  WRITTEN_ASIDE,
  type WritesAside,
} from '../core/sink';
import type { SinkMetrics } from '../metrics/metrics-types';
import { SinkMetricsRecorder } from '../metrics/sink-metrics-recorder';
import { CircuitBreaker } from '../operators/circuit-breaker';
import { EventQueue } from '../operators/event-queue';
import { estimateEventBytes, truncateEvent } from '../operators/event-size';
import { backoffDelay, type ResolvedRetryOptions } from '../operators/backoff-delay';
import { eventTimeMs } from '../templates/log-event-record';
import {
  resolveDeliveryOptions,
  type ShutdownStrategy,
  type SinkDeliveryOptions,
  type SinkShutdownResult,
} from './sink-delivery-options';
import { adoptOutcome, settledOutcome } from '../core/adopt-outcome';
import { ReentrancyGuard } from './reentrancy-guard';
import { settlesWithin } from './sink-delivery-timeout';
import { SinkDeliveryWaiters } from './sink-delivery-waiters';
import { countReason } from './lane-accounting';
import { runDetached } from '../context/log-context';
import { passGate, quietGate } from '../core/report-gate';

export type { ShutdownStrategy, SinkDeliveryOptions, SinkShutdownResult } from './sink-delivery-options';

/** Shortest interval between two "failed try, retrying" diagnostics of one sink, in milliseconds. */
const TRY_REPORT_INTERVAL_MS = 1_000;

/**
 * Shortest interval between two diagnostics of one sink's batches failed for good while it keeps
 * failing, in milliseconds; also between its "failed try" ones then. The first failure after a
 * success is told at once.
 */
const FAILURE_REPORT_INTERVAL_MS = 60_000;

/**
 * Most calls of one sink's `flush()` running at once: a further flush waits for the latest instead
 * of calling it again (see `flush`).
 */
const MAX_SINK_FLUSHES = 32;

/**
 * Most batches one sink starts, one after another as each settles, without letting the event loop
 * turn: past them, the next waits for a timer of 0 ms. A sink whose `emit` logs through the same
 * logger after an `await` feeds itself (the call is not seen as made from sink code), and with
 * nothing but microtasks in between it starved every timer, I/O and signal of the process for good.
 */
export const MAX_BATCHES_PER_TURN = 10_000;

/** Who asked for a flush: a logger's `flush()` call. */
export interface FlushOwner {
  /** Set when the flush gave up waiting: the stage forgets it and does not call the sink's `flush()`. */
  abandoned?: boolean;
  /** Made from sink code, on its own turn (a sink's `flush()` that flushes the logger): the sink's `flush()` running now is not called again. */
  readonly fromSinkCode?: boolean;
}

/** A batch between leaving the queue (or the open batch) and being settled. */
interface Flight {
  /** The events not yet settled, frozen: the sink gets this very array and cannot change what is counted. */
  events: readonly LogEvent[];
  /** Enqueue time of each event, for latency. */
  times: number[];
  /** Tries of the primary sink so far. */
  attempts: number;
  retryTimer: Subscription | null;
  /**
   * Set when shutdown gave up on it: a late outcome then changes nothing (but in `settleAbandoned`).
   * An abandoned flight is no longer the stage's `#flight`, so a check that the flight is the
   * current one also rules it out.
   */
  abandoned: boolean;
}

/** A sink's `emitSync`, read off it once per batch (or per flushSync). */
type EmitSync = NonNullable<Sink['emitSync']>;

/** How a flight ended: the primary took it, the fallback took it, or nobody did. */
type FlightOutcome = 'delivered' | 'fallback' | 'failed';

/** A sink that counts its own output exposes it as `bytesWritten`; the stage reports it. */
interface ByteCountingSink {
  readonly bytesWritten?: unknown;
}

/**
 * The per-sink delivery stage: one stateful, pull-based step that holds a sink's bounded queue,
 * its open batch and its one batch in flight, and delivers with retry, circuit breaker and
 * fallback (the breaker first, then the primary sink with retries on the scheduler, then the
 * fallback sink). It is one stage rather than a chain of RxJS operators because `concatMap` and
 * friends buffer without limit in front of the call in flight, so an upstream bounded queue
 * would never fill: RxJS is push-based, so only a pull-based stage can bound and drop.
 *
 * Pending events are ordered: the batch in flight, then the queue, then the open batch (which
 * only fills while nothing is queued or in flight). At every moment
 * `received = delivered + dropped + failed + pending`.
 *
 * @example
 * const delivery = new SinkDelivery('http', httpSink, { batch: { size: 100, maxDelayMs: 500 } }, unrefScheduler);
 * delivery.push(event);
 * await delivery.shutdown('graceful', 2_000);
 */
export class SinkDelivery {
  readonly #sink: Sink;
  /** The sink's DECLINED, read once: what it would leave out is counted dropped as it enters, never held. */
  readonly #declined: ((event: LogEvent) => string | undefined) | undefined;
  readonly #scheduler: SchedulerLike;
  /**
   * Runs the batch age timer: under the default scheduler a ref'd timer (RxJS's asyncScheduler), so
   * a Node process that logs and then runs out of work waits for the batch (at most `maxDelayMs`)
   * instead of ending with it unsent and uncounted. It runs only while events wait for it, so an
   * idle logger still never keeps a process alive.
   */
  readonly #ageScheduler: SchedulerLike;
  readonly #eventsAreNow: boolean;
  readonly #guard: ReentrancyGuard;
  readonly #recorder: SinkMetricsRecorder;
  readonly #queue: EventQueue;
  readonly #size: number;
  readonly #maxDelayMs: number;
  readonly #retry: ResolvedRetryOptions | null;
  readonly #breaker: CircuitBreaker | null;
  readonly #fallback: Sink | null;
  readonly #waiters = new SinkDeliveryWaiters();
  #open: LogEvent[] = [];
  #openTimes: number[] = [];
  /**
   * The open batch's estimated bytes, as the queue counts them. The batch is filled only while
   * nothing is queued or in flight, and sent once the next event would take it past `limitBytes`:
   * with a sink that never settles, what it holds is the queue's `limitBytes` and one batch of at
   * most as much. After a partial synchronous write it may overstate what is left (sent early).
   */
  #openBytes = 0;
  /** An event that waits, neither open nor queued, while the open batch it had no room in is sent. */
  #arriving = 0;
  #flight: Flight | null = null;
  #ageTimer: Subscription | null = null;
  #ageDueAt = Infinity;
  #pumping = false;
  /** Batches started from the queue by a settle since the age timer last ran (see MAX_BATCHES_PER_TURN). */
  #chained = 0;
  #accepting = true;
  /** Send partial batches now (shutdown, flushSync) instead of waiting for their age. */
  #draining = false;
  #undelivered = 0;
  /** Events a sink operator held when shutdown gave up on them, already counted: their late arrival is not counted again. */
  #heldAtClose = 0;
  #closing: Promise<SinkShutdownResult> | undefined;
  /** While the sinks close at shutdown: a late outcome of an abandoned flight still counts. */
  #closingSinks = false;
  /** Set when shutdown calls the sinks' close(): a flush() made later does not call theirs. */
  #sinksClosed = false;
  /** The sinks (the stage's own, its fallback) whose close() this stage called and saw finish: flushSync leaves them alone. */
  readonly #closedSinks = new Set<Sink>();
  /** The sinks (the stage's own, its fallback) whose close() this stage called. */
  readonly #sinksClosing: Sink[] = [];
  /** Events of a refused inline batch not yet moved into the queue (they follow it). */
  #requeueing = 0;
  /** Set by an immediate shutdown: a failed batch goes straight to the fallback, and an event arriving meanwhile is dropped. */
  #immediate = false;
  readonly #closesLast: (sink: Sink) => boolean;
  readonly #tries = quietGate();
  /** Batches failed for good: told once a minute while no write succeeded since the last (its `at` is then finite). */
  #failures = quietGate();
  /** Events the open breaker sent past the sink since the last failure diagnostic. */
  #skipped = 0;
  /** Events the fallback lost: as `#failures`, while no fallback write succeeded since. */
  #losses = quietGate();
  /** Set once SelfLog heard that the sink refuses every batch (`permanent: 'sink'`); cleared by a write that succeeds. */
  #brokenTold = false;
  /** Set once reading the sink's `emitSync` threw: reported once, not once per batch. */
  #emitSyncUnreadable = false;
  /** The calls of the sink's `flush()` that have not settled yet, oldest first. */
  readonly #sinkFlushes: Promise<void>[] = [];
  /** Set once MAX_SINK_FLUSHES calls ran at once: reported once. */
  #flushDepthReported = false;

  /**
   * @param name The sink's name, used in metrics and diagnostics.
   * @param scheduler Runs every timer of the stage: batch age, retry delays, breaker reset, shutdown timeout.
   * @param eventsAreNow True when every event reaches `push` on the turn it was made, timed by
   *   the scheduler's own clock (the default clock and no operators that could hold events back):
   *   the stage then takes an event's `timeMs` as its enqueue time instead of reading the clock
   *   again, which the hot path would otherwise pay once per event.
   * @param guard Marks the turns spent in sink code; shared by every stage of a logger, which
   *   drops log calls made on those turns. Default: a guard of its own.
   * @param closesLast Called once per sink (and fallback) as this stage closes: true when no other
   *   stage of the logger still uses that sink, so only the last one to finish closes it (one
   *   fallback serving several sinks). Default: every sink is this stage's own.
   * @throws ConfigurationError when an option is invalid.
   */
  constructor(
    readonly name: string,
    sink: Sink,
    options: SinkDeliveryOptions,
    scheduler: SchedulerLike,
    eventsAreNow = false,
    guard: ReentrancyGuard = new ReentrancyGuard(),
    closesLast: (sink: Sink) => boolean = () => true,
  ) {
    this.#closesLast = closesLast;
    this.#sink = sink;
    try {
      const declined = (sink as Declines)[DECLINED];
      if (typeof declined == 'function') this.#declined = declined.bind(sink);
    } catch {
      // A sink whose getter throws declines nothing: its events are queued as any other's.
    }
    this.#scheduler = scheduler;
    this.#ageScheduler = scheduler === unrefScheduler ? asyncScheduler : scheduler;
    this.#eventsAreNow = eventsAreNow;
    this.#guard = guard;
    const resolved = resolveDeliveryOptions(options);
    this.#recorder = new SinkMetricsRecorder(name);
    this.#queue = new EventQueue(resolved.queue, name, (count) => this.#onDrop(count));
    this.#size = resolved.size;
    this.#maxDelayMs = resolved.maxDelayMs;
    this.#retry = resolved.retry;
    this.#fallback = resolved.fallback;
    this.#breaker = resolved.circuitBreaker === null ? null : new CircuitBreaker(resolved.circuitBreaker, scheduler, name);
  }

  /**
   * Takes one event on the caller's turn: writes it now when it fills a batch and the sink can, else
   * holds it; after shutdown began, counts it as dropped. With `refused`, what reached the lane in
   * place of an event (see notAnEvent): counted received and dropped under that reason, never
   * handed to the sink, whose formatter could not write it. Never throws.
   */
  push(event: LogEvent, refused?: string): void {
    if (this.#heldAtClose > 0) {
      // Already counted (received, and undelivered or dropped) when shutdown gave up on it.
      this.#heldAtClose--;
      return;
    }
    this.#recorder.received++;
    if (!this.#accepting) {
      // Too late (an app operator released it after shutdown began): counted, never lost silently.
      this.#dropAtClose(1);
      return;
    }
    if (refused !== undefined) {
      this.#countDropped(refused, 1);
      return;
    }
    try {
      // What the sink would leave out is counted dropped where it enters, idle or busy (see DECLINED).
      const declined = this.#declined?.(event);
      if (declined !== undefined) {
        this.#countDropped(declined, 1);
        return;
      }
      const now = this.#eventsAreNow ? eventTimeMs(event) : this.#scheduler.now();
      if (this.#flight !== null || this.#queue.depth !== 0) {
        this.#enqueue(event, now);
      } else if (this.#size === 1) {
        // Unbatched: skip the open batch's bookkeeping on the most common path.
        const events = [event];
        this.#boundEvents(events);
        this.#dispatch(events, [now]);
      } else {
        // The open batch counts against limitBytes (see #openBytes): its events are bounded as
        // they come, and a batch that has no room for the next one goes now, which then queues.
        const { maxEventBytes, limitBytes } = this.#queue.options;
        let size = estimateEventBytes(event);
        if (size > maxEventBytes) {
          event = truncateEvent(event, maxEventBytes);
          size = Math.min(estimateEventBytes(event), maxEventBytes);
          this.#queue.truncated++;
        }
        if (this.#openBytes + size > limitBytes) {
          // Pending meanwhile: the sink's emit may read the metrics, flush, or close the logger.
          this.#arriving++;
          this.#sendOpen();
          this.#arriving--;
          // An immediate shutdown that emit began drops it, as what it found waiting. A flush or
          // another shutdown emit began waits for it: it goes through the queue, sent at once, not
          // in a batch left to its age (with maxDelayMs Infinity, to the flush's timeout).
          if (this.#immediate) {
            this.#dropAtClose(1);
            this.#waiters.settle(this.#pendingCount(), 1);
            return;
          }
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- sendOpen starts a flight, or queues what it could not write
          if (this.#flight !== null || this.#queue.depth !== 0 || this.#waiters.active) {
            this.#enqueue(event, now);
            return;
          }
        }
        this.#open.push(event);
        this.#openTimes.push(now);
        this.#openBytes += size;
        if (this.#open.length >= this.#size) this.#sendOpen();
        else if (this.#open.length === 1) this.#armAge(now + this.#maxDelayMs);
      }
    } catch (error) {
      SelfLog.write('Sink {Name}: the delivery stage failed to take an event', this.name, error);
    }
  }

  /** Counts `count` events dropped under `reason`, before they reached the sink or as it left them out. */
  #countDropped(reason: string, count: number): void {
    this.#recorder.dropped += count;
    countReason(this.#recorder.droppedBy, reason, count);
  }

  /** Queues an event while the sink is busy or behind: the bounded queue is the only buffer. */
  #enqueue(event: LogEvent, now: number): void {
    this.#queue.push(event, now);
    if (this.#flight === null) this.#pump();
  }

  /**
   * Resolves `true` when every event pushed before the call is delivered, dropped or failed
   * (partial batches go at once), and the sink's own `flush()` has finished; `false` when
   * `abandon(owner)` or a shutdown that timed out gives up on them (then the sink's `flush()` is
   * not called, nor once shutdown has closed the sink).
   *
   * @param owner The flush call, for `abandon`.
   */
  async flush(owner: FlushOwner = {}): Promise<boolean> {
    const done = this.#waiters.wait(this.#pendingCount(), owner);
    this.#kick();
    if (!(await done)) return false;
    // A sink is not flushed after its close() (a flush made while the logger closes, or after).
    if (owner.abandoned === true) return false;
    if (this.#sinksClosed) return true;
    const running = this.#sinkFlushes;
    // A flush the sink's own flush() makes (one that flushes the logger it writes for) does not
    // call it again: each call made the next, for ever, on microtasks alone, so the event loop
    // starved and not even the flush's timeout could fire. That is seen when the sink's code
    // makes the call on its own turn; one made after an `await` in it is seen by the depth: past
    // MAX_SINK_FLUSHES calls at once, a flush waits for the latest instead of making another.
    if (running.length !== 0 && owner.fromSinkCode === true) return true;
    if (running.length >= MAX_SINK_FLUSHES) {
      if (!this.#flushDepthReported) {
        this.#flushDepthReported = true;
        SelfLog.write(
          'Sink {Name}: {Count} calls of its flush() at once; later flushes wait for them',
          this.name,
          running.length,
        );
      }
      await running[running.length - 1];
      return true;
    }
    const sink = this.#sink;
    const call = (async () => {
      try {
        // Detached: a flush from one request sends every request's events (see #attempt).
        await settledOutcome(() => runDetached(() => this.#guard.run(() => sink.flush?.())));
      } catch (error) {
        // In metrics too: SelfLog is off by default, and flush() resolves without saying a sink's own flush failed.
        this.#sinkCallFailed(sink, 'flush', 'flush', error);
      }
    })();
    running.push(call);
    await call;
    void running.splice(running.indexOf(call), 1);
    return true;
  }

  /** Stops the flush `owner` made from waiting: it resolves now, and its waiter is forgotten. */
  abandonFlush(owner: FlushOwner): void {
    owner.abandoned = true;
    this.#waiters.cancel(owner);
  }

  /**
   * Writes every partial batch and everything queued through `sink.emitSync` (a sink without it
   * gets its delivery started at once, which completes now when its `emit` is synchronous; what
   * `emitSync` refuses starts on the async path at once too), then calls `flushSync()` on the sink and the fallback (but on one whose `close()` this stage
   * has seen finish): for process `exit` and page unload.
   * A batch already in flight stays in flight, unless the sink says it wrote it (see WRITTEN_ASIDE):
   * those of its events count as delivered.
   * Detached (see #attempt), like every other write: the caller is an `exit` listener or a page
   * hiding, or a request's code, and the batches hold events of many callers.
   */
  flushSync(): void {
    runDetached(() => this.#flushSyncHere());
  }

  #flushSyncHere(): void {
    try {
      const emitSync = this.#readEmitSync();
      if (emitSync !== undefined) {
        this.#writeWaitingSync(emitSync);
        this.#writeAllSync(emitSync);
      }
      // What emitSync could not take (or all, without it) starts on the async path now, rather
      // than waiting for its batch to age: a page that was only hidden lives on to send it.
      if (this.#queue.depth !== 0 || this.#open.length !== 0) {
        // Draining: it keeps sending while the sink completes batches synchronously.
        const draining = this.#draining;
        this.#draining = true;
        try {
          this.#kick();
        } finally {
          this.#draining = draining;
        }
      }
    } catch (error) {
      SelfLog.write('Sink {Name}: synchronous flush failed', this.name, error);
    }
    for (const sink of [this.#sink, this.#fallback]) {
      // A sink closed for good (the exit hook's flushSync after a close) is not called again.
      if (sink === null || this.#closedSinks.has(sink)) continue;
      try {
        reportLate(
          this.#guard.run(() => sink.flushSync?.()),
          this.name,
        );
      } catch (error) {
        this.#sinkCallFailed(sink, 'flushSync', 'flush synchronously', error);
      }
    }
    // FileSink and StreamSink at exit write the batch their emit holds, and finish a line they cut,
    // out of sight: what they say they wrote whole is delivered (see WRITTEN_ASIDE).
    // They write in order: the batch after the flight can have its first events out only once the flight is.
    const sink = this.#sink as WritesAside;
    if (!this.#closedSinks.has(this.#sink) && sink[WRITTEN_ASIDE]) {
      const flight = this.#flight;
      // Only counted: the flight, even emptied, stays, so nothing more starts on the async path,
      // which never runs again at exit (later events queue, and a later flushSync writes them).
      if (flight) this.#settleLeading(flight, sink[WRITTEN_ASIDE](flight.events));
      const [fromQueue, events, times] = this.#next();
      this.#takeWrittenSync(fromQueue, times, sink[WRITTEN_ASIDE](events));
    }
  }

  /**
   * Stops accepting events and ends the stage: `immediate` drops what waits (counted as
   * dropped), gives up retry waits and waits up to `timeoutMs` for the batch in flight; `flush`
   * delivers everything with no time bound; `graceful` delivers until `timeoutMs`, then reports
   * the rest as undelivered. Then closes the sink and the fallback, waiting for them within what
   * is left of `timeoutMs` (under `flush`, `timeoutMs` from then). Idempotent.
   *
   * @param timeoutMs The bound for `immediate` and `graceful`, in milliseconds; under `flush`, the
   *   bound of the sinks' `close()` only.
   */
  shutdown(strategy: ShutdownStrategy, timeoutMs: number): Promise<SinkShutdownResult> {
    if (this.#closing === undefined) {
      this.#accepting = false;
      this.#closing = this.#runShutdown(strategy, timeoutMs);
    }
    return this.#closing;
  }

  /** The sink's counts for the shutdown report: after `shutdown()`, what it delivered, dropped, failed and left undelivered. */
  summary(): Omit<SinkShutdownResult, 'timedOut'> {
    const { delivered, dropped, failed } = this.#recorder;
    return { delivered, dropped, failed, undelivered: this.#undelivered };
  }

  /**
   * Accounts for events that an operator of this sink's lane took in and had not passed on when
   * the shutdown gave up waiting for it: they are counted as received, then as undelivered (a
   * graceful close that timed out) or dropped (an immediate close), so the shutdown report
   * includes them. If the operator releases them later, they are not counted again.
   */
  abandonHeld(count: number, strategy: ShutdownStrategy): void {
    if (!(count > 0)) return;
    this.#recorder.received += count;
    if (strategy === 'immediate') this.#dropAtClose(count);
    else this.#undelivered += count;
    this.#heldAtClose += count;
    SelfLog.write('Sink {Name}: its operators still held {Count} events at close', this.name, count);
  }

  /**
   * The map the stage counts drop reasons in (its metrics' `droppedBy`), for the sink's lane to
   * count its operators' reasons in too, under one bound (see LaneAccounting).
   */
  get dropReasons(): Map<string, number> {
    return this.#recorder.droppedBy;
  }

  /** A snapshot of the counters, in which `received = delivered + dropped + failed + pending`. */
  metrics(): SinkMetrics {
    const recorder = this.#recorder;
    recorder.pending = this.#pendingCount() + this.#undelivered;
    recorder.queueDepth = this.#queue.depth;
    recorder.queueBytes = this.#queue.bytes;
    recorder.breaker = this.#breaker?.state ?? 'closed';
    try {
      const written = (this.#sink as ByteCountingSink).bytesWritten;
      // A counter: a count that falls (a sink that reset it, or says -3) keeps the highest seen, as Prometheus expects of `_total`.
      if ((written as number) > recorder.bytesWritten && Number.isFinite(written)) recorder.bytesWritten = written as number;
    } catch {
      // A getter that throws (the sink's stream gone after close) keeps the last count: metrics() never throws.
    }
    const metrics = recorder.snapshot();
    // Of pending, what a close gave up on, in the report's word.
    if (this.#undelivered > 0) metrics.undelivered = this.#undelivered;
    return metrics;
  }

  #pendingCount(): number {
    return this.#inFlightCount() + this.#queue.depth + this.#open.length + this.#requeueing + this.#arriving;
  }

  #inFlightCount(): number {
    return this.#flight?.events.length ?? 0;
  }

  #sendOpen(): void {
    const events = this.#open;
    const times = this.#openTimes;
    this.#clearOpen();
    this.#dispatch(events, times);
  }

  /** Empties the open batch, and stops its age timer. */
  #clearOpen(): void {
    this.#open = [];
    this.#openTimes = [];
    this.#openBytes = 0;
    this.#cancelAge();
  }

  /** Writes a batch that nothing queued precedes: inline through `emitSync` when the sink has it and is healthy, else on the async path. */
  #dispatch(events: LogEvent[], times: number[]): void {
    // In flight at once, also on the inline path: an event logged from inside the sink queues behind this batch.
    const flight = this.#begin(events, times);
    // While draining for shutdown, the final batches take the async path, so that a sink whose
    // write completes later (a stream) is counted delivered only once the write has completed.
    const emitSync =
      this.#draining || (this.#breaker !== null && this.#breaker.state !== 'closed') ? undefined : this.#readEmitSync();
    if (emitSync === undefined) {
      this.#send(flight);
      return;
    }
    // A PartialDeliveryError that reports every event written is a success too. A batch of
    // several events is written detached (see #attempt); an unbatched sink's, on the log call's
    // turn, holds that call's event alone, and the hot path pays nothing for it.
    const write = (): boolean | EmitResult =>
      this.#emitSync(emitSync, flight.events, (delivered, error) => this.#settleSync(flight, delivered, error));
    const written = (this.#size === 1 ? write() : runDetached(write)) || flight.events.length === 0;
    if (written) {
      this.#succeeded();
      // An EmitResult's refused events count failed.
      this.#settle(flight, 'delivered', written);
      return;
    }
    // Would block (or threw): the batch waits in the queue and the async path drains it;
    // inline writing resumes once the queue is empty.
    // Events not yet moved stay counted as pending (`requeueing`), so a diagnostic the queue
    // writes meanwhile (overflow, back-pressure) sees settled counters.
    this.#flight = null;
    const rest = flight.events;
    for (let index = 0; index < rest.length; index++) {
      this.#requeueing = rest.length - index - 1;
      this.#queue.push(rest[index], flight.times[index]);
    }
    this.#pump();
  }

  /** Applies `maxEventBytes` to a batch that skipped the queue, as the queue applies it to what it holds. */
  #boundEvents(events: LogEvent[]): void {
    const maxEventBytes = this.#queue.options.maxEventBytes;
    for (let index = 0; index < events.length; index++) {
      const event = events[index];
      if (estimateEventBytes(event) > maxEventBytes) {
        events[index] = truncateEvent(event, maxEventBytes);
        this.#queue.truncated++;
      }
    }
  }

  /** Starts delivering queued batches, one in flight at a time, while one is ready. */
  #pump(): void {
    // A loop, not recursion: a synchronous sink settles inside send(), which calls pump() again.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#flight === null && this.#queue.depth !== 0) {
        if (this.#queue.depth < this.#size && !this.#draining && !this.#waiters.active) {
          const dueAt = this.#queue.headEnqueuedAt + this.#maxDelayMs;
          if (dueAt > this.#scheduler.now()) {
            this.#armAge(dueAt);
            return;
          }
        }
        this.#cancelAge();
        const times: number[] = [];
        const events = this.#queue.take(this.#size, times);
        this.#send(this.#begin(events, times));
      }
    } finally {
      this.#pumping = false;
    }
  }

  #begin(events: LogEvent[], times: number[]): Flight {
    // Frozen, so a sink that mutates its batch cannot change what is counted or settled.
    const flight: Flight = { events: Object.freeze(events), times, attempts: 0, retryTimer: null, abandoned: false };
    this.#flight = flight;
    return flight;
  }

  /** Settles the flight; a write's `result` that reports events the receiver refused (EmitResult) counts those failed. */
  #settle(flight: Flight, outcome: FlightOutcome, result?: unknown): void {
    if (this.#flight !== flight) return;
    const count = flight.events.length;
    if (outcome === 'failed') this.#recorder.failed += count;
    else this.#countDelivered(flight.times, count, outcome === 'fallback', result);
    this.#flight = null;
    this.#waiters.settle(0, count);
    // A batch a settle starts from the queue may be one more link of a chain that never lets the
    // event loop turn (see MAX_BATCHES_PER_TURN): past them, the next waits for the age timer,
    // which ends the chain. A synchronous sink settles inside the pump, whose loop goes on.
    if (this.#queue.depth !== 0 && !this.#pumping && ++this.#chained > MAX_BATCHES_PER_TURN) this.#armAge(this.#scheduler.now());
    else this.#pump();
  }

  /**
   * The sink (the fallback when `viaFallback`) reports the first `reported` events of the flight
   * written (a PartialDeliveryError): they are delivered, the rest stay in flight. A flight given
   * up on goes to `settleAbandoned`.
   */
  #settleLeading(flight: Flight, reported: number, error?: unknown, viaFallback = false): void {
    if (flight.abandoned) {
      this.#settleAbandoned(flight, reported, error, viaFallback);
      return;
    }
    const count = reportedCount(reported, flight.events.length);
    if (this.#flight !== flight || count === 0) return;
    // Of those, the ones the error says the receiver refused (its `rejected`) are failed, not delivered.
    this.#takeLeading(flight, count, viaFallback, error);
    this.#waiters.settle(0, count);
  }

  /**
   * A flight the shutdown gave up on (counted undelivered) that the sink, or the fallback when
   * `viaFallback`, reports written, in part or whole, while the sinks close (a stalled pipe's
   * writes end then): those events move to delivered, so the report is true. Later news is
   * ignored: the report is already out.
   */
  #settleAbandoned(flight: Flight, count: number, result?: unknown, viaFallback = false): void {
    if (!this.#closingSinks) return;
    const settled = Math.min(reportedCount(count, flight.events.length), this.#undelivered);
    if (settled === 0) return;
    this.#undelivered -= settled;
    // Of a write that ended whole, the events the receiver refused (EmitResult) are failed, not delivered.
    this.#takeLeading(flight, settled, viaFallback, result);
  }

  /**
   * Counts the flight's first `count` events delivered (by the fallback when `viaFallback`), but
   * for those the write's `result` says the receiver refused (see countDelivered), and keeps only
   * the rest in it.
   */
  #takeLeading(flight: Flight, count: number, viaFallback: boolean, result: unknown): void {
    this.#countDelivered(flight.times, count, viaFallback, result);
    flight.events = Object.freeze(flight.events.slice(count));
    flight.times = flight.times.slice(count);
  }

  /** Delivers a flight: through the breaker to the primary sink, with retries, then to the fallback. Its outcome arrives in `settle`. */
  #send(flight: Flight): void {
    if (this.#breaker?.tryAcquire() === 'reject') {
      this.#skipped += flight.events.length;
      this.#toFallback(flight);
    } else this.#attempt(flight);
  }

  /** Sends a batch that waited for a retry again, unless a shutdown gave up on it meanwhile. */
  #tryAgain(flight: Flight): void {
    flight.retryTimer = null;
    if (flight.abandoned) return;
    this.#recorder.retried++;
    this.#attempt(flight);
  }

  /**
   * One try of the primary sink, detached from the caller (see runDetached): a batch holds events
   * of many requests and belongs to none, so the sink's write, what it starts (an HTTP request, a
   * span OpenTelemetry's instrumentation makes for it), the outcome's callbacks, the SelfLog lines
   * they write, the retry timer and the batches sent after it run in no request's context.
   */
  #attempt(flight: Flight): void {
    flight.attempts++;
    const sink = this.#sink;
    runDetached(() =>
      adoptOutcome(
        () => this.#guard.run(() => sink.emit(flight.events)),
        (result) => this.#primaryDelivered(flight, result),
        (error) => this.#primaryFailed(flight, error),
      ),
    );
  }

  #primaryDelivered(flight: Flight, result?: unknown): void {
    if (flight.abandoned) {
      // Given up on by a shutdown: settleAbandoned decides whether the late news still counts.
      this.#settleAbandoned(flight, flight.events.length, result);
      return;
    }
    this.#succeeded();
    this.#settle(flight, 'delivered', result);
  }

  /** A write of the primary succeeded: the breaker hears of it, and the next failure is told at once. */
  #succeeded(): void {
    // What the outage left untold ends with it: metrics count it, and the breaker tells its close.
    if (this.#failures.at !== -Infinity) {
      this.#failures = quietGate();
      this.#skipped = 0;
    }
    this.#brokenTold = false;
    this.#breaker?.recordSuccess();
  }

  /**
   * Events past those written that a failed write of the sink or the fallback left out (SeqSink's
   * below the level Seq accepts), named by their positions in the batch of `given` events it was
   * handed (its error's `dropped.indexes`), count dropped under `dropped.reason` and leave what
   * holds the last `rest` of them, unsettled, from position `start` of the pending events on (the
   * flight, whose events go neither to a retry nor to the fallback, nor count failed; or the queue
   * or open batch a failed `emitSync` wrote from). An error without them (or whose reads throw)
   * leaves them as they are.
   */
  #dropNamed(error: unknown, given: number, rest: number, start: number, remove: (out: Set<number>) => void): void {
    const out = new Set<number>();
    let reason: unknown;
    try {
      const dropped = (error as { dropped: { indexes: number[]; reason: unknown } }).dropped;
      reason = dropped.reason;
      for (const index of dropped.indexes) {
        const position = index - given + rest;
        if (Number.isInteger(position) && position >= 0 && position < rest) out.add(position);
      }
    } catch {
      // No positions given (or no more to read): nothing more is left out.
    }
    if (out.size === 0) return;
    remove(out);
    this.#countDropped(typeof reason == 'string' && reason !== '' ? reason : 'sink', out.size);
    // Highest first: each leaves the positions before it where they were.
    for (const position of [...out].sort((a, b) => b - a)) this.#waiters.settle(start + position, 1);
  }

  /**
   * dropNamed for the flight. Of one the shutdown gave up on (counted undelivered), the sink's word
   * while the sinks close moves those events to dropped, as settleAbandoned moves what it wrote to
   * delivered; later news is ignored, as there.
   */
  #dropNamedInFlight(flight: Flight, error: unknown, given: number): void {
    if (flight.abandoned && !this.#closingSinks) return;
    this.#dropNamed(error, given, flight.events.length, 0, (out) => {
      flight.events = Object.freeze(without(flight.events, out));
      flight.times = without(flight.times, out);
      if (flight.abandoned) this.#undelivered -= out.size;
    });
  }

  /** A failed `emitSync` of the flight: the first `delivered` events are written, and those it names left out leave it (see dropNamed). */
  #settleSync(flight: Flight, delivered: number, error: unknown): void {
    const given = flight.events.length;
    this.#settleLeading(flight, delivered, error);
    this.#dropNamedInFlight(flight, error, given);
  }

  #primaryFailed(flight: Flight, error: unknown): void {
    const given = flight.events.length;
    const partial = partialDelivered(error);
    if (partial !== undefined) this.#settleLeading(flight, partial, error);
    this.#dropNamedInFlight(flight, error, given);
    if (flight.abandoned) return;
    if (flight.events.length === 0) {
      // The PartialDeliveryError reported every event written.
      this.#primaryDelivered(flight);
      return;
    }
    const retry = this.#retry;
    this.#recorder.lastError = describeError(error);
    // A permanent error (an HTTP 400, a redirect …) is not retried; a Retry-After is waited for, up to maxDelayMs.
    // Nor is a failed half-open probe: it is one trial (as Polly's), which reopens the breaker at
    // once, so the batches behind it go to the fallback instead of waiting out its backoff.
    const hint = retryHint(error);
    if (
      retry !== null &&
      flight.attempts < retry.attempts &&
      !this.#immediate &&
      !hint.permanent &&
      this.#breaker?.state !== 'half-open'
    ) {
      const backoff = backoffDelay(flight.attempts, retry);
      const delay = hint.retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(hint.retryAfterMs, retry.maxDelayMs));
      flight.retryTimer = this.#scheduler.schedule(() => this.#tryAgain(flight), delay);
      // Reported once the retry is armed: an immediate close() made from a SelfLog output that
      // hears of it finds the retry and cancels it, as it cancels any retry wait. Reported first,
      // the close found no retry and the batch was written again after the delay.
      this.#reportTry(flight, delay, error);
      return;
    }
    // The breaker counts transient failures only, as Polly's ShouldHandle of the standard HTTP
    // pipeline: a permanent one (a 400, a 422, an event too large) is the batch's fault, not the
    // sink's, so the receiver answered. It counts as a success (as an outcome ShouldHandle leaves
    // out does in Polly): a run of bad batches leaves the breaker closed for the good ones behind.
    // A Retry-After holds it open as it holds a retry back (the next probe waits for it), up to the
    // retries' maxDelayMs (5 s without retries). A failure of the sink as a whole ('sink': a 401, a
    // 404) is not retried either, but it is the sink's fault: it counts, so the breaker opens.
    if (hint.permanent === true) this.#breaker?.recordSuccess();
    else this.#breaker?.recordFailure(hint.retryAfterMs, retry?.maxDelayMs);
    if (hint.permanent === 'sink' && !this.#brokenTold) {
      this.#brokenTold = true;
      SelfLog.write(
        'Sink {Name} refuses every batch, not just this one ({Error}): none is retried, and each counts toward opening its circuit breaker',
        this.name,
        describeError(error),
      );
    }
    this.#reportFailure(flight, error);
    this.#toFallback(flight);
  }

  /**
   * Tells SelfLog of a batch failed for good: the first after a success at once, later ones (a
   * sink down for hours, its breaker's probes failing) at most once a minute, with the count of
   * those not told and of the events the open breaker sent past the sink meanwhile.
   */
  #reportFailure(flight: Flight, error: unknown): void {
    const failures = passGate(this.#failures, this.#scheduler.now(), FAILURE_REPORT_INTERVAL_MS, 1);
    if (failures === undefined) return;
    const skipped = this.#skipped;
    this.#skipped = 0;
    SelfLog.write(
      'Sink {Name} failed to write a batch of {Count} events after {Tries} tries{Suppressed}',
      this.name,
      flight.events.length,
      flight.attempts,
      (failures === 0 ? '' : ` (${failures} more failed batches not reported)`) +
        (skipped === 0 ? '' : ` (${skipped} events skipped the sink while its breaker was open)`),
      error,
    );
  }

  /** One diagnostic per failed try that will be retried, at most one a second per sink, once a minute while it keeps failing (the rest are counted in the next). */
  #reportTry(flight: Flight, delayMs: number, error: unknown): void {
    const suppressed = passGate(
      this.#tries,
      this.#scheduler.now(),
      this.#failures.at === -Infinity ? TRY_REPORT_INTERVAL_MS : FAILURE_REPORT_INTERVAL_MS,
      1,
    );
    if (suppressed === undefined) return;
    SelfLog.write(
      'Sink {Name} failed a write of {Count} events (try {Try} of {Tries}); retrying in {Delay} ms{Suppressed}',
      this.name,
      flight.events.length,
      flight.attempts,
      this.#retry?.attempts,
      Math.round(delayMs),
      suppressed === 0 ? '' : ` (${suppressed} earlier failed tries not reported)`,
      error,
    );
  }

  #toFallback(flight: Flight): void {
    // Detached, as #attempt: called on a caller's turn too (an open breaker, an immediate close).
    runDetached(() => this.#fallBack(flight));
  }

  /** Tells `sink` the stage no longer holds `events` (see GIVEN_UP): what it kept aside of them for a later hand-over goes. */
  #letGo(sink: Sink, events: readonly LogEvent[]): void {
    try {
      this.#guard.run(() => (sink as LetsGo)[GIVEN_UP]?.(events));
    } catch (error) {
      SelfLog.write('Sink {Name} failed to let go of a batch given up on', this.name, error);
    }
  }

  #fallBack(flight: Flight): void {
    // The primary's part is over.
    this.#letGo(this.#sink, flight.events);
    const fallback = this.#fallback;
    if (fallback === null) {
      this.#settle(flight, 'failed');
      return;
    }
    adoptOutcome(
      () => this.#guard.run(() => fallback.emit(flight.events)),
      (result) => {
        // What its failure left untold ends with it, as for the primary (see succeeded).
        this.#losses = quietGate();
        // Given up on by a shutdown: settleAbandoned decides whether the late news still counts, as for the primary.
        if (flight.abandoned) this.#settleAbandoned(flight, flight.events.length, result, true);
        else this.#settle(flight, 'fallback', result);
      },
      (error) => {
        // A fallback that wrote part of the batch (a full disk) delivered those events: only the rest
        // are lost, but for those it names left out, which count dropped (as the primary's).
        const given = flight.events.length;
        const partial = partialDelivered(error);
        if (partial !== undefined) this.#settleLeading(flight, partial, error, true);
        if (flight.abandoned) this.#dropNamedInFlight(flight, error, given);
        if (this.#flight !== flight) return;
        this.#dropNamedInFlight(flight, error, given);
        if (flight.events.length === 0) {
          this.#settle(flight, 'fallback');
          return;
        }
        this.#recorder.lastError = describeError(error);
        // A fallback is tried once: no retry comes to end what it kept of the batch (a shared HttpSink's page-hide hand-over).
        this.#letGo(fallback, flight.events);
        const count = flight.events.length;
        // Told at once, then at most once a minute while it keeps failing (both sinks on one full
        // disk): it used to make a line per batch for as long as that lasted.
        const lost = passGate(this.#losses, this.#scheduler.now(), FAILURE_REPORT_INTERVAL_MS, count);
        if (lost !== undefined)
          SelfLog.write(
            'Fallback of sink {Name} failed too; {Count} events are lost{Suppressed}',
            this.name,
            count,
            lost === 0 ? '' : ` (${lost} more events lost, not reported)`,
            error,
          );
        this.#settle(flight, 'failed');
      },
    );
  }

  /**
   * Counts the first `written` events (enqueued at `times`) delivered, by the fallback when
   * `viaFallback`; but those a write's `result` says the receiver refused (an EmitResult's or a
   * PartialDeliveryError's `rejected`) count failed.
   */
  #countDelivered(times: readonly number[], written: number, viaFallback: boolean, result?: unknown): void {
    const recorder = this.#recorder;
    const refused = rejectedCount(result, written);
    if (refused !== 0) {
      recorder.failed += refused;
      recorder.lastError = `the receiver refused ${refused} of ${written} events`;
    }
    const left = leftOut(result, written - refused);
    if (left !== undefined) {
      recorder.dropped += left.count;
      countReason(recorder.droppedBy, left.reason, left.count);
    }
    const count = written - refused - (left?.count ?? 0);
    recorder.delivered += count;
    if (viaFallback) recorder.fallback += count;
    const now = this.#scheduler.now();
    // A batch's events share a handful of enqueue milliseconds: one record per run of equal
    // times, not one per event.
    let index = 0;
    while (index < count) {
      const time = times[index];
      let end = index + 1;
      while (end < count && times[end] === time) end++;
      recorder.latency.record(now - time, end - index);
      index = end;
    }
  }

  /** Counts events the queue dropped, and settles them for flush waiters. */
  #onDrop(count: number): void {
    this.#recorder.dropped += count;
    // drop-oldest removes the queue's head; drop-newest refuses the event arriving at its tail.
    const queued = this.#queue.options.overflow === 'drop-oldest' ? 0 : this.#queue.depth;
    this.#waiters.settle(this.#inFlightCount() + queued, count);
  }

  /** Sends whatever waits now, for a flush or shutdown. */
  #kick(): void {
    if (this.#open.length !== 0) this.#sendOpen();
    else this.#pump();
  }

  /**
   * The sink's `emitSync`, read once for the batch about to be written, so a getter cannot answer
   * one way to the check and another to the call; undefined when it has none or reading it throws
   * (a hostile Proxy, a getter of a closed resource): the batch then goes through `emit`, with its
   * retries, breaker and fallback, as a batch `emitSync` threw on does.
   */
  #readEmitSync(): EmitSync | undefined {
    try {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called on the sink: emitSync.call(sink, events)
      const emitSync: unknown = this.#sink.emitSync;
      return typeof emitSync === 'function' ? (emitSync as EmitSync) : undefined;
    } catch (error) {
      this.#recorder.lastError = describeError(error);
      if (!this.#emitSyncUnreadable) {
        this.#emitSyncUnreadable = true;
        SelfLog.write('Sink {Name}: reading emitSync failed; batches go through emit', this.name, error);
      }
      return undefined;
    }
  }

  #writeAllSync(emitSync: EmitSync): void {
    while (this.#queue.depth !== 0 || this.#open.length !== 0) {
      const [fromQueue, events, times] = this.#next();
      this.#boundEvents(events);
      Object.freeze(events);
      // A count past the batch offered is held to it: what follows the batch never reached the sink.
      const written = this.#emitSync(emitSync, events, (delivered, error) => {
        const count = reportedCount(delivered, events.length);
        this.#takeWrittenSync(fromQueue, times, count, error);
        this.#dropNamed(
          error,
          events.length,
          events.length - count,
          this.#inFlightCount() + (fromQueue ? 0 : this.#queue.depth),
          (out) => {
            if (fromQueue) this.#queue.remove(out);
            else {
              this.#open = without(this.#open, out);
              this.#openTimes = without(this.#openTimes, out);
              if (this.#open.length === 0) this.#clearOpen();
            }
          },
        );
      });
      if (!written) {
        SelfLog.write(
          'Sink {Name} could not write synchronously; {Count} events are still pending',
          this.name,
          this.#pendingCount(),
        );
        return;
      }
      this.#takeWrittenSync(fromQueue, times, events.length, written);
    }
  }

  /**
   * Offers a batch waiting for a retry to `emitSync` before what follows it: at process exit the
   * retry never runs, and written after the queue it would land out of order. Written (whole, or
   * the rest of it after a PartialDeliveryError), it is delivered and its retry cancelled;
   * refused, it keeps waiting for its retry.
   */
  #writeWaitingSync(emitSync: EmitSync): void {
    const flight = this.#flight;
    if (flight === null || flight.retryTimer === null) return;
    const offered = flight.events.length;
    const written = this.#emitSync(emitSync, flight.events, (delivered, error) => this.#settleSync(flight, delivered, error));
    // Sent again, as by the retry it stands in for, once the sink took any of it; a refusal (it
    // would block) is no try, and leaves the retry its turn.
    if (written || flight.events.length !== offered) this.#recorder.retried++;
    if (!written && flight.events.length !== 0) return;
    flight.retryTimer.unsubscribe();
    flight.retryTimer = null;
    this.#succeeded();
    // Settled here rather than by settle(), whose pump would start the queue on the async path
    // (which never runs at exit): writeAllSync writes it next.
    const count = flight.events.length;
    this.#countDelivered(flight.times, count, false, written);
    this.#flight = null;
    this.#waiters.settle(0, count);
  }

  /** The next batch after the flight: from the queue, else a copy of the open batch; with the events' enqueue times. */
  #next(): [fromQueue: boolean, events: LogEvent[], times: number[]] {
    const fromQueue = this.#queue.depth !== 0;
    const times: number[] = fromQueue ? [] : this.#openTimes;
    return [fromQueue, fromQueue ? this.#queue.peek(this.#size, times) : this.#open.slice(), times];
  }

  /**
   * Offers `events` to `sink.emitSync`: true (or the sink's EmitResult) when it took them all;
   * false when it refused them (it would block) or threw, after a throw went to `onPartial` with the
   * count a PartialDeliveryError reports written (else 0) and the error, whose `rejected` counts
   * written events the sink refused and whose `dropped.indexes` names events it left out.
   */
  #emitSync(
    emitSync: EmitSync,
    events: readonly LogEvent[],
    onPartial: (delivered: number, error: unknown) => void,
  ): boolean | EmitResult {
    const sink = this.#sink;
    try {
      // A JavaScript sink may return anything (a Promise): only true or an EmitResult says it took the batch.
      const result: unknown = this.#guard.run(() => emitSync.call(sink, events));
      if (result !== true) reportLate(result, this.name);
      // `true` has no `rejected`: it answers true, as does nothing else but an EmitResult.
      return typeof (result as Partial<EmitResult> | null | undefined)?.rejected === 'number'
        ? (result as EmitResult)
        : result === true;
    } catch (error) {
      this.#recorder.lastError = describeError(error);
      // Also with none written: the events it names left out go (see dropNamed).
      onPartial(partialDelivered(error) ?? 0, error);
      return false;
    }
  }

  /**
   * The first `count` events of the queue (or of the open batch) were written synchronously: they
   * leave it as delivered, but for those the sink's `result` (an EmitResult, or the
   * PartialDeliveryError it threw) says it refused.
   */
  #takeWrittenSync(fromQueue: boolean, times: readonly number[], count: number, result?: unknown): void {
    if (count === 0) return;
    if (fromQueue) {
      this.#queue.discard(count);
    } else {
      this.#open = this.#open.slice(count);
      this.#openTimes = this.#openTimes.slice(count);
      if (this.#open.length === 0) this.#clearOpen();
    }
    this.#countDelivered(times, count, false, result);
    this.#waiters.settle(this.#inFlightCount(), count);
  }

  async #runShutdown(strategy: ShutdownStrategy, timeoutMs: number): Promise<SinkShutdownResult> {
    // The default scheduler's clock is the wall clock (Date.now), which a step forward (NTP) while
    // the sink delivered made leave its close() no time at all. As the logger's close: performance.now.
    const clock = this.#scheduler === unrefScheduler ? performance : this.#scheduler;
    const deadline = clock.now() + timeoutMs;
    const bounded = strategy !== 'flush';
    if (strategy === 'immediate') {
      this.#immediate = true;
      // What waits is dropped and counted.
      const count = this.#queue.depth + this.#open.length;
      this.#queue.clear();
      this.#clearOpen();
      this.#dropAtClose(count);
      this.#waiters.settle(this.#inFlightCount(), count);
      // A flight waiting for a retry gives up now: one breaker failure, then the fallback.
      const flight = this.#flight;
      if (flight?.retryTimer) {
        flight.retryTimer.unsubscribe();
        flight.retryTimer = null;
        this.#breaker?.recordFailure();
        this.#toFallback(flight);
      }
    } else {
      this.#draining = true;
      // Without a fallback, what is queued gets one try of the sink, however long the breaker has
      // yet to stay open: skipped, it would count failed. A fallback takes it at once instead,
      // where a probe of a sink that hangs would hold it until the timeout.
      if (this.#fallback === null) this.#breaker?.probeNow();
      // A batch waiting for a retry gets it now, as Serilog's batching sink tries its queue once at
      // shutdown whatever its backoff: waited out, a backoff longer than the timeout left the batch,
      // and the queue behind it, undelivered without a try.
      const flight = this.#flight;
      if (flight?.retryTimer) {
        flight.retryTimer.unsubscribe();
        this.#tryAgain(flight);
      }
      this.#kick();
    }
    const settled = await settlesWithin(
      this.#waiters.wait(this.#pendingCount()),
      bounded ? timeoutMs : undefined,
      this.#scheduler,
    );
    if (!settled) this.#abandon();
    this.#closingSinks = true;
    this.#sinksClosed = true;
    // 'flush' puts no bound on delivery, but a sink's close() (a stalled socket's end) gets the
    // close's timeoutMs once everything is delivered: else it would hold the close for ever.
    const closed = await settlesWithin(
      this.#closeSinks(),
      bounded ? Math.max(0, deadline - clock.now()) : timeoutMs,
      this.#scheduler,
    );
    this.#closingSinks = false;
    if (!closed) {
      // Named in metrics too: the report's timedOut does not say which sink it was.
      this.#recorder.lastError = 'close: did not settle within the shutdown timeout';
      SelfLog.write('Sink {Name} did not close within the shutdown timeout', this.name);
      this.#giveUpClosing();
    }
    return { ...this.summary(), timedOut: !settled || !closed };
  }

  /** Counts `count` events dropped because the logger is closing. */
  #dropAtClose(count: number): void {
    this.#recorder.dropped += count;
    this.#recorder.droppedAtClose += count;
  }

  /** After a timeout: whatever is still pending is reported as undelivered, and a late outcome is ignored. */
  #abandon(): void {
    const pending = this.#pendingCount();
    const flight = this.#flight;
    if (flight !== null) {
      flight.abandoned = true;
      flight.retryTimer?.unsubscribe();
      this.#flight = null;
    }
    this.#queue.clear();
    this.#clearOpen();
    this.#undelivered += pending;
    // A half-open probe given up on ends without an outcome: the breaker reads open again, not half-open with no probe out.
    // Released once the counters are settled: the breaker's state$ subscribers may read metrics().
    if (flight !== null) this.#breaker?.releaseProbe();
    this.#waiters.releaseAll();
    if (this.#undelivered > 0)
      SelfLog.write('Sink {Name} shut down with {Count} events undelivered', this.name, this.#undelivered);
  }

  /**
   * A call of the sink's (or the fallback's) `flush`, `flushSync` or `close` threw or rejected:
   * `lastError` says which (`fallback close: …`) and SelfLog tells it (`Sink {Name} failed to close`).
   */
  #sinkCallFailed(sink: Sink, call: string, told: string, error: unknown): void {
    this.#recorder.lastError = `${sink === this.#sink ? '' : 'fallback '}${call}: ${describeError(error)}`;
    SelfLog.write(`Sink {Name} failed to ${told}`, this.name, error);
  }

  /**
   * Tells each sink whose close() this stage gave up waiting for (see CLOSE_GIVEN_UP) to end its
   * waits: the logger's close has returned, and a stalled reader's timer must not keep a Node
   * process alive after it (what the sink did not write is undelivered already).
   */
  #giveUpClosing(): void {
    for (const sink of this.#sinksClosing) {
      if (this.#closedSinks.has(sink)) continue;
      try {
        this.#guard.run(() => (sink as StopsClosing)[CLOSE_GIVEN_UP]?.());
      } catch (error) {
        this.#sinkCallFailed(sink, 'close', 'close', error);
      }
    }
  }

  async #closeSinks(): Promise<void> {
    await Promise.all(
      [this.#sink, this.#fallback].map(async (sink) => {
        if (sink === null || !this.#closesLast(sink)) return;
        this.#sinksClosing.push(sink);
        try {
          await settledOutcome(() => runDetached(() => this.#guard.run(() => sink.close?.())));
          this.#closedSinks.add(sink);
        } catch (error) {
          this.#sinkCallFailed(sink, 'close', 'close', error);
        }
      }),
    );
  }

  #armAge(dueAt: number): void {
    // maxDelayMs Infinity: never by age. A timer of Infinity ms would fire after 1 ms in Node (and
    // warn), then be armed again: a batch sent at once and a timer spinning while events wait.
    if (dueAt === Infinity || (this.#ageTimer !== null && this.#ageDueAt <= dueAt)) return;
    this.#ageTimer?.unsubscribe();
    this.#ageDueAt = dueAt;
    // Armed detached, once per batch opened: the timer does not keep the async context of the log
    // call that opened the batch (a request's, with its diagnostic collection) alive until it fires.
    const delay = Math.max(0, dueAt - this.#scheduler.now());
    this.#ageTimer = runDetached(() => this.#ageScheduler.schedule(() => this.#onAge(), delay));
  }

  #cancelAge(): void {
    // No early return when none is armed: #armAge, #onAge and this set the timer and #ageDueAt
    // together, so with no timer #ageDueAt is Infinity already, and writing both again is harmless.
    this.#ageTimer?.unsubscribe();
    this.#ageTimer = null;
    this.#ageDueAt = Infinity;
  }

  #onAge(): void {
    this.#ageTimer = null;
    this.#ageDueAt = Infinity;
    this.#chained = 0;
    // Detached again (see #attempt), for a scheduler that calls back in a context of its own
    // rather than the one it was armed in.
    runDetached(() => {
      try {
        this.#kick();
      } catch (error) {
        SelfLog.write('Sink {Name}: sending an aged batch failed', this.name, error);
      }
    });
  }
}

/**
 * A Promise that a synchronous call returned (an `async emitSync` or `flushSync`) is not waited
 * for, but its rejection goes to SelfLog: unhandled, it would end a Node process.
 */
function reportLate(result: unknown, name: string): void {
  // Adopts any thenable, a bounded number deep (Promise.resolve adopted one that fulfils with
  // itself for ever), and turns one whose `then` throws into a failure.
  adoptOutcome(
    () => result,
    () => undefined,
    (error) => SelfLog.write('Sink {Name} failed late', name, error),
  );
}

/** Most causes a `lastError` names, and most characters of each: the line stays short. */
const MAX_LAST_ERROR_CAUSES = 3;
const MAX_CAUSE_CHARS = 200;

/**
 * `Error: message` for an Error, else the value as a string (a plain object cause as its JSON), its
 * control characters escaped, then `; caused by Name: message` for each of its first three causes
 * (each cut at 200 characters and escaped the same way, so the line stays one line), `; caused by [more causes]` after
 * them and `; caused by [Circular]` for a cycle: a `fetch failed` or a BrokenCircuitError says
 * what failed in its cause. Never throws.
 */
function describeError(error: unknown, cause = false): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (cause && text.startsWith('[object ')) {
      // Undefined for an object whose toJSON gives undefined.
      const json = JSON.stringify(error) as unknown;
      if (typeof json === 'string') text = json;
    }
  } catch {
    return 'unprintable error';
  }
  if (cause) return escapeControlCharacters(text.length > MAX_CAUSE_CHARS ? truncatedText(text, MAX_CAUSE_CHARS) : text);
  // Escaped as its causes are: a message from data (a receiver's answer, a path) could end the
  // line, forge one or drive the terminal of whoever reads the metrics.
  text = escapeControlCharacters(text);
  const seen = new Set<unknown>([error]);
  try {
    for (let links = 0; ; links++) {
      const next: unknown = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
      if (next === undefined) return text;
      if (seen.has(next) || links === MAX_LAST_ERROR_CAUSES)
        return `${text}; caused by ${seen.has(next) ? '[Circular]' : '[more causes]'}`;
      seen.add(next);
      text += `; caused by ${describeError(next, true)}`;
      error = next;
    }
  } catch {
    // A `cause` getter that throws: the text made so far.
    return text;
  }
}

/**
 * The events a write's result says the sink left out (an EmitResult's `dropped`), at most `count`,
 * with their reason ('sink' when it gives none); undefined for none. Never throws.
 */
function leftOut(result: unknown, count: number): { count: number; reason: string } | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  try {
    const dropped: unknown = (result as { dropped?: unknown }).dropped;
    if (typeof dropped !== 'object' || dropped === null) return undefined;
    const { count: reported, reason } = dropped as { count?: unknown; reason?: unknown };
    const left = typeof reported === 'number' ? reportedCount(reported, count) : 0;
    return left === 0 ? undefined : { count: left, reason: typeof reason === 'string' && reason !== '' ? reason : 'sink' };
  } catch {
    return undefined;
  }
}

/**
 * The events a write's result says the receiver refused (an EmitResult's `rejected`), from 0 to the
 * batch's `count`; 0 for any other result. Never throws: a throwing getter counts nothing refused.
 */
function rejectedCount(result: unknown, count: number): number {
  if (typeof result !== 'object' || result === null) return 0;
  try {
    const rejected = (result as { rejected?: unknown }).rejected;
    return typeof rejected === 'number' ? reportedCount(rejected, count) : 0;
  } catch {
    return 0;
  }
}

/** `items` but for those at the positions in `out`. */
function without<T>(items: readonly T[], out: ReadonlySet<number>): T[] {
  return items.filter((_, index) => !out.has(index));
}
