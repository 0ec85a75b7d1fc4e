import {
  AsyncSubject,
  filter,
  map,
  merge,
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
  share,
  Subject,
  type Subscription,
  takeUntil,
  tap,
  timer,
} from 'rxjs';
import type { Enricher } from '../core/enricher';
import { guardSubscribers } from '../core/guard-subscribers';
import { keepAlive } from '../core/keep-alive';
import { checkTimerMs, MAX_TIMER_MS } from '../core/max-timer-ms';
import type { LevelReader } from '../core/level-switch';
import type { LogEvent } from '../core/log-event';
import { isLevelName, LOG_LEVELS, levelValue } from '../core/log-level';
import { SelfLog } from '../core/self-log';
import { holdThrows, releaseThrows, tellHeld } from '../core/read-property';
import { unrefScheduler } from '../core/unref-scheduler';
import type { Sink } from '../core/sink';
import type { LoggerMetrics } from '../metrics/metrics-types';
import { enrichOwnEvent } from '../operators/enrich-event';
import { type EventPredicate, passes } from '../operators/event-predicate';
import { type CaptureSettings, captureProperties } from '../templates/capture';
import { LogEventRecord, wholeEvent } from '../templates/log-event-record';
import type { RedactionPolicy } from '../templates/redaction-policy';
import { parseTemplateCached } from '../templates/template-cache';
import { addBound, type BoundProperties, bindProperties, joinBound } from './bound-properties';
import { exceptionFrom } from '../templates/exception-from';
import type { FlushOptions, FlushResult } from './flush-options';
import { CLOSED_REASON, LaneAccounting } from './lane-accounting';
import { ReentrancyGuard } from './reentrancy-guard';
import { notAnEventAtSink, NOT_AN_EVENT_REASON } from './not-an-event';
import { describeValue } from '../core/describe-value';
import { type CloseOptions, pendingAsUndelivered, type ShutdownReport, type SinkShutdownSummary } from './shutdown-report';
import { type FlushOwner, SinkDelivery, type SinkDeliveryOptions, type ShutdownStrategy } from './sink-delivery';
import { settlesWithin } from './sink-delivery-timeout';
import { upperCaseSimple } from '../core/upper-case-simple';
import { MAX_TEMPLATE_CHARS } from '../core/message-template';
import { truncatedText } from '../core/truncated-text';

/** One sink as the configuration registered it. */
export interface SinkRegistration {
  readonly name: string;
  readonly sink: Sink;
  readonly minimumLevel?: LevelReader | undefined;
  readonly pipe: readonly OperatorFunction<LogEvent, LogEvent>[];
  readonly delivery: SinkDeliveryOptions;
}

/** A minimum level for loggers whose SourceContext starts with `prefix`. */
export interface LevelOverride {
  /**
   * Upper-cased one character at a time (upperCaseSimple), so that levelFor compares ignoring case as Serilog's OrdinalIgnoreCase does
   * (upper, not lower: lower-casing a Σ depends on what follows it, so a prefix and the same
   * letters followed by a dot could differ).
   */
  readonly prefix: string;
  readonly level: LevelReader;
}

/** Everything a logger's pipeline is built from; produced by LoggerConfiguration. */
export interface PipelineOptions {
  readonly minimumLevel: LevelReader;
  readonly overrides: readonly LevelOverride[];
  readonly enrichers: readonly Enricher[];
  readonly filters: readonly EventPredicate[];
  readonly operators: readonly OperatorFunction<LogEvent, LogEvent>[];
  readonly sinks: readonly SinkRegistration[];
  readonly scheduler: SchedulerLike;
  /** Redaction policies applied, in order, to each event's captured properties and exception (often none). */
  readonly redaction: readonly RedactionPolicy[];
  /**
   * Limits on what call arguments, child-logger properties and enricher values capture, and the
   * transforms capture applies. Default: `DEFAULT_CAPTURE_LIMITS`, no transforms.
   */
  readonly captureLimits?: CaptureSettings | undefined;
}

interface SinkLane {
  readonly name: string;
  readonly delivery: SinkDelivery;
  /** Resolves when the sink's stream has completed (after close), so its stage can drain. */
  readonly completed: Promise<void>;
  /** What the lane's operators took in, let out, dropped and made; undefined when the sink has no operators. */
  readonly accounting?: LaneAccounting | undefined;
  /** The lane's subscription to the shared stream; undefined for a lane fed by write() itself. */
  readonly subscription?: Subscription | undefined;
  /** For a lane fed by the shared stream: the last event that reached it, and its own minimum level (see #handedOut). */
  readonly reached?: { event: unknown; readonly level: LevelReader | undefined } | undefined;
}

/** A lane fed by write() itself: its delivery stage and the sink's own minimum level, if any. */
interface DirectLane {
  readonly name: string;
  readonly delivery: SinkDelivery;
  readonly level: LevelReader | undefined;
}

/** `close()` and `flush()` wait this long by default, in milliseconds. */
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Most logging calls one logger runs inside each other: a call made from a subscriber of
 * `events$`, an enricher or a SelfLog output while the logger is already this deep in its own
 * calls is dropped and counted as re-entrant. One that logs for every event it sees would
 * otherwise recurse until the stack gives out, wherever that happens to be.
 */
export const MAX_NESTED_WRITES = 32;

const STRATEGIES: readonly ShutdownStrategy[] = ['immediate', 'flush', 'graceful'];

/**
 * The shared machinery behind a logger and all its child loggers: the source Subject, the shared
 * stage (enrich → filter → app operators → share), one lane per sink, the counters and shutdown.
 */
export class LoggerPipeline {
  #logged = 0;
  #filtered = 0;
  #rejectedAfterClose = 0;
  #rejectedReentrant = 0;
  /** How deep the logging calls running now are nested in each other (see MAX_NESTED_WRITES). */
  #nested = 0;
  /** Set while flushSync() runs: one that sink code makes meanwhile returns at once. */
  #flushingSync = false;
  /**
   * While write() hands its event to the direct lanes, the index of the lane it is handing it to
   * now, else -1; #handingLevel is the event's level. A sink's synchronous emit that ends the
   * process (`process.exit()`) stops the event on its way: metrics() counts it received and pending
   * in the lanes after that one, so the exit report shows it undelivered instead of losing it.
   */
  #handing = -1;
  #handingLevel = 0;
  /**
   * The event the shared stream hands (or handed last) to the lanes it feeds: a sink's synchronous
   * emit that ends the process stops it on its way there too, so metrics() counts it received and
   * pending in each of those lanes it has not reached (see SinkLane.reached). Once it has reached
   * them all, every one has marked it and none counts it. Without a shared stage, write() sets it
   * before the direct lanes, which come first.
   */
  #handedOut: unknown;
  /** Whether lanes are fed by the Subject itself, after the direct ones (no shared stage, a sink with operators). */
  #stagelessLanes = false;
  /** Set when close() came while a write was handing its event on (a sink or subscriber closed the logger): the shutdown goes on once that write is done. */
  #afterWrite: (() => void) | undefined;
  #rejectedInvalidLevel = 0;
  /** What the operators of `.pipe()` held when the close gave up on them: the report's `pipe.undelivered`. */
  #pipeUndelivered = 0;
  #closed = false;
  #closing: Promise<ShutdownReport> | undefined;
  /** When the running close gives up at the latest, on its clock (see #clock); Infinity for a `'flush'` close; undefined while options are read and once it settled. */
  #closeDeadline: number | undefined;
  /** Emits once and completes when `close()` has finished: it ends every `metricsEvery` stream. */
  readonly #closed$ = new AsyncSubject<void>();
  readonly #source = new Subject<LogEvent>();
  readonly #lanes: SinkLane[];
  /** The overrides by their upper-cased prefix. */
  readonly #overrides: ReadonlyMap<string, LevelReader>;
  /** The lengths of the overrides' prefixes: a candidate of another length is not looked up. */
  readonly #overrideLengths: ReadonlySet<number>;
  /** Marks the turns spent in sink code, shared by every lane. */
  readonly #guard = new ReentrancyGuard();
  /** The shared stream the lanes subscribe to. */
  readonly #shared: Observable<LogEvent>;
  /**
   * With no shared stage, the lanes with no operators of their own: write() hands them each
   * event itself (see there). Empty when the pipeline has filters or app operators.
   */
  readonly #direct: DirectLane[] = [];
  /** What the app operators of `.pipe()` took in, let out, dropped and made; undefined without any. */
  readonly #pipe: LaneAccounting | undefined;

  /** The shared stream after enrichment, filters and app operators, for app subscribers (whose faults go to SelfLog). */
  readonly events$: Observable<LogEvent>;

  readonly #options: PipelineOptions;
  readonly #closesLast: (sink: Sink) => boolean;
  /** Called after every flushSync() (see AFTER_FLUSH_SYNC). */
  afterFlushSync: (() => void) | undefined;
  /**
   * Internal, for request logging (reached through LOGGER_PARTS): called once each, in order, when
   * `close()` is first called, before events are refused, so what they log is delivered by that
   * close. A listener must never throw (close() never does).
   */
  readonly beforeClose: (() => void)[] = [];

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#overrides = new Map(options.overrides.map(({ prefix, level }) => [prefix, level]));
    this.#overrideLengths = new Set(options.overrides.map(({ prefix }) => prefix.length));
    let shared: Observable<LogEvent> = this.#source;
    const { filters, operators } = options;
    // Enrichment, the stage's first step, happens in write() before the event is sent (see there).
    if (filters.length > 0)
      shared = shared.pipe(
        filter((event) => {
          for (const predicate of filters) {
            if (!passes(predicate, event)) {
              this.#filtered++;
              return false;
            }
          }
          return true;
        }),
      );
    if (operators.length > 0) {
      const accounting = new LaneAccounting(undefined, this.#options.scheduler);
      this.#pipe = accounting;
      // Counted like a sink's operators: what they hold is pending, what a failure tears down and
      // what they remove (reported or not) is dropped, so no event leaves the shared stream uncounted.
      shared = throughOperators(shared, operators, accounting, 'pipe').pipe(
        tap({ next: (event) => accounting.leave(event), complete: () => accounting.finish() }),
      );
    }
    // With no shared stage, the source Subject already multicasts: lanes subscribe to it
    // directly, saving share()'s extra Subject and subscriber on every event.
    const stageless = shared === this.#source;
    this.#shared = stageless ? this.#source.asObservable() : shared.pipe(share());
    // Ends with the close, as metrics$ does: a subscriber that stayed would keep the shared
    // operators running (a delay letting out after the report what it counted) and alive.
    this.events$ = guardSubscribers(this.#shared.pipe(takeUntil(this.#closed$)), (error) =>
      SelfLog.write('A subscriber of log.events$ failed; it stays subscribed', error),
    );
    // How many lanes use each sink, as their own or as their fallback: the last to close it closes it.
    const users = new Map<Sink, number>();
    for (const { sink, delivery } of options.sinks)
      for (const used of [sink, delivery.fallback]) if (used !== undefined) users.set(used, (users.get(used) ?? 0) + 1);
    this.#closesLast = (sink) => {
      const left = (users.get(sink) ?? 1) - 1;
      users.set(sink, left);
      return left <= 0;
    };
    this.#lanes = options.sinks.map((registration) => this.#openLane(registration, stageless));
    this.#stagelessLanes = stageless && this.#direct.length < this.#lanes.length;
    // The lanes subscribed above, applying every operator: one that failed then fails on every
    // start, so the logger would drop every event it should have handled.
    for (const accounting of [this.#pipe, ...this.#lanes.map((lane) => lane.accounting)]) {
      if (accounting === undefined) continue;
      accounting.building = false;
      this.startFailure ??= accounting.startFailure;
    }
  }

  /**
   * The first operator (of `.pipe()` or a sink's `pipe`) that failed to start while the pipeline
   * was built, and what it threw: createLogger() throws it as a configuration mistake.
   */
  readonly startFailure: { readonly where: string; readonly error: unknown } | undefined;

  /** Unsubscribes every lane of a pipeline that will not be used (see startFailure); its sinks are left as they were. */
  abandon(): void {
    for (const lane of this.#lanes) lane.subscription?.unsubscribe();
  }

  /**
   * The level switch a logger with this SourceContext follows: the longest override that is the
   * SourceContext or a prefix of it ending before a dot, ignoring case; else the minimum.
   */
  levelFor(sourceContext: string): LevelReader {
    const overrides = this.#overrides;
    if (overrides.size > 0) {
      // The candidates, longest first: the whole context, then its part before each dot from the
      // right, however many overrides (20 000 took 0.4 ms per child logger). Only those as long as
      // some prefix are looked up: a lookup hashes its candidate, and a context of many dots (from
      // data) looked up at each would cost the square of its length.
      const context = upperCaseSimple(sourceContext);
      const lengths = this.#overrideLengths;
      for (let end = context.length; end > 0; end = context.lastIndexOf('.', end - 1)) {
        if (!lengths.has(end)) continue;
        const level = overrides.get(end === context.length ? context : context.slice(0, end));
        if (level !== undefined) return level;
      }
    }
    return this.#options.minimumLevel;
  }

  /** The redaction policies, in order (for bindRedacted). */
  get redaction(): readonly RedactionPolicy[] {
    return this.#options.redaction;
  }

  /** The capture limits `.destructure.toMaximum…(…)` set, or undefined for the defaults (for bindRedacted). */
  get captureLimits(): CaptureSettings | undefined {
    return this.#options.captureLimits;
  }

  /** A child logger's bound properties: `properties` captured and redacted by this pipeline's policies, over `parent`'s. */
  bind(parent: BoundProperties | undefined, properties: Readonly<Record<string, unknown>>): BoundProperties {
    return bindProperties(parent, properties, this.#options.redaction, this.#options.captureLimits);
  }

  /**
   * Captures, enriches and sends one event; the caller has already checked the level. Never throws.
   * `first` is the template, or the exception (any non-string: an Error, or a thrown value made into
   * a `ThrownValueError`) with the template as `args[0]`.
   */
  write(level: number, first: unknown, args: readonly unknown[], bound: BoundProperties | undefined): void {
    if (this.#closed) {
      this.#rejectedAfterClose++;
      return;
    }
    if (this.#guard.active || this.#nested >= MAX_NESTED_WRITES) {
      // A sink (or its fallback) logging through the logger that is calling it: recursing would
      // loop on a synchronous sink, so the call is dropped and counted, as Serilog does. So is
      // a call nested too deep in the logger's own calls (a subscriber that logs what it sees).
      this.#rejectedReentrant++;
      // Named by its template only: an exception first holds properties no redaction has seen, and
      // a tagged template's values (args[0] the first of them) are what a policy may redact.
      const template =
        typeof first === 'string'
          ? first
          : isTemplateStrings(first)
            ? taggedTemplate(first)
            : typeof args[0] === 'string'
              ? args[0]
              : describeValue(first);
      SelfLog.write('A log call made from inside a sink or nested logging calls was dropped (re-entrant): {Template}', template);
      return;
    }
    this.#logged++;
    this.#nested++;
    try {
      let exception: Error | undefined;
      let template: string;
      if (typeof first === 'string') {
        template = first;
      } else if (isTemplateStrings(first)) {
        // A tagged template (log.info`Paid ${amount}`, as LogTape users write it).
        template = taggedTemplate(first);
      } else {
        // Anything but a string first is the exception (whatever a catch gave), then the template.
        exception = exceptionFrom(first, this.#options.captureLimits);
        if (typeof args[0] === 'string') {
          template = args[0];
          args = args.slice(1);
        } else {
          // error(err) or error(err, value): no template; values are kept as extras, never dropped.
          template = '';
        }
      }
      // A text no sink writes whole is cut before it is parsed (see MAX_TEMPLATE_CHARS), so the caller's cost stays bounded.
      if (template.length > MAX_TEMPLATE_CHARS) template = truncatedText(template, MAX_TEMPLATE_CHARS);
      const messageTemplate = parseTemplateCached(template);
      const redaction = this.#options.redaction;
      let properties: Record<string, unknown>;
      if (redaction.length !== 0) {
        // A getter that threw on a value a policy censors is told to SelfLog without its message (see tellHeld).
        const outer = holdThrows();
        let captured: Record<string, unknown> | undefined;
        try {
          // Reads that threw in a thrown object's data, held with it when it was made an exception.
          if (exception !== undefined) releaseThrows(exception);
          captured = captureProperties(messageTemplate, args, this.#options.captureLimits);
          // Bound values are usually redacted already (when the child was made) and join after the
          // redaction walk; a censor function runs once per event, so then they join before it.
          if (bound !== undefined && !bound.redacted) addBound(captured, bound);
          for (const policy of redaction) {
            policy.redactProperties(captured, true);
            if (exception !== undefined) exception = policy.redactError(exception);
          }
        } finally {
          // A read that threw in the exception's data (an Error's own properties, a thrown object's data) is
          // told by its kind: only what the properties still hold is told with its message.
          tellHeld(outer, captured);
        }
        properties = captured;
        if (bound?.redacted === true) addBound(properties, bound);
      } else {
        if (exception !== undefined) releaseThrows(exception);
        properties = captureProperties(messageTemplate, args, this.#options.captureLimits);
        // Without redaction the captured properties are as captureProperties made them: a copy of
        // the template's layout for this child takes them and the bound ones at once.
        if (bound?.redacted === true) properties = joinBound(properties, bound, messageTemplate);
        else if (bound !== undefined) addBound(properties, bound);
      }
      const event = new LogEventRecord(Date.now(), LOG_LEVELS[level], messageTemplate, properties, exception);
      // Enriched here, into the properties object made above, which nothing else has seen yet:
      // no second event, no copy of the properties, and no map stage (nor the share() behind it)
      // on the way to the lanes.
      const enrichers = this.#options.enrichers;
      if (enrichers.length !== 0) enrichOwnEvent(event, properties, enrichers, redaction, this.#options.captureLimits);
      // Hot path: lanes with nothing between the source and their delivery stage get the event
      // here, in a counted loop, instead of through the Subject and each lane's subscriber chain.
      const direct = this.#direct;
      this.#handingLevel = level;
      // Without a shared stage the lanes the Subject feeds get every event, after the direct ones.
      if (this.#stagelessLanes) this.#handedOut = event;
      for (let i = 0; i < direct.length; i++) {
        this.#handing = i;
        const lane = direct[i];
        if (lane.level !== undefined && level < lane.level.value) continue;
        // push() never throws by contract; the guard keeps one lane's fault from reaching the others.
        try {
          lane.delivery.push(event);
        } catch (error) {
          SelfLog.write('Sink {Name} rejected an event', lane.name, error);
        }
      }
      // The Subject still feeds lanes with operators and subscribers of events$, when there are any.
      if (this.#source.observed) this.#source.next(event);
    } catch (error) {
      SelfLog.write('Logging an event failed; the event is lost', error);
    } finally {
      this.#handing = -1;
      this.#leaveCall();
    }
  }

  /** Ends a logging call (write, flushSync): a close() made during it goes on once the outermost one is done. */
  #leaveCall(): void {
    this.#nested--;
    if (this.#afterWrite !== undefined && this.#nested === 0) {
      const shutdown = this.#afterWrite;
      this.#afterWrite = undefined;
      shutdown();
    }
  }

  /**
   * Counts a `log.write` call whose level is not a level (an unknown name, a number, null) and
   * reports it to SelfLog; the call writes nothing. Never throws.
   */
  rejectInvalidLevel(level: unknown): void {
    this.#rejectedInvalidLevel++;
    SelfLog.write('log.write: unknown level {Level}; call ignored', level);
  }

  /** Whether `close()` was called: every write is refused from then on. */
  get closed(): boolean {
    return this.#closed;
  }

  metrics(): LoggerMetrics {
    const sinks: LoggerMetrics['sinks'] = {};
    for (const lane of this.#lanes) {
      const metrics = lane.delivery.metrics();
      sinks[lane.name] = lane.accounting?.adjustMetrics(metrics) ?? metrics;
    }
    // The event write() is handing on has not reached the direct lanes after the one it is at (its
    // emit reads the metrics, or ends the process): counted theirs already, as it will be.
    const direct = this.#direct;
    if (this.#handing >= 0)
      for (let i = this.#handing + 1; i < direct.length; i++) {
        const { name, level } = direct[i];
        if (level !== undefined && this.#handingLevel < level.value) continue;
        sinks[name].received++;
        sinks[name].pending++;
      }
    // So is the event the shared stream is handing on, in the lanes it feeds that it has not reached.
    const out = this.#handedOut;
    if (out !== undefined)
      for (const { name, reached, subscription } of this.#lanes) {
        if (reached === undefined || reached.event === out || subscription?.closed === true || !reachesLevel(out, reached.level))
          continue;
        sinks[name].received++;
        sinks[name].pending++;
      }
    const pipe = this.#pipe;
    return {
      timestamp: new Date(this.#options.scheduler.now()),
      logged: this.#logged,
      filtered: this.#filtered,
      rejectedAfterClose: this.#rejectedAfterClose,
      rejectedReentrant: this.#rejectedReentrant,
      rejectedInvalidLevel: this.#rejectedInvalidLevel,
      // Only a logger with app operators (`.pipe()`) reports on them.
      ...(pipe && {
        pipe: {
          entered: pipe.entered,
          left: pipe.left,
          created: pipe.made,
          dropped: pipe.discarded,
          pending: pipe.held(),
          // Of pending, what the close gave up on, in the report's word.
          ...(this.#pipeUndelivered > 0 && { undelivered: this.#pipeUndelivered }),
          droppedBy: pipe.reasons(),
        },
      }),
      sinks,
    };
  }

  /**
   * A metrics snapshot now and every `intervalMs` while subscribed, on the pipeline's scheduler
   * (unref'd by default); once `close()` has finished, one last snapshot (the counters the
   * shutdown left) and completion, like `events$`. A subscriber after that gets that snapshot and
   * completion at once.
   */
  metricsEvery(intervalMs: number): Observable<LoggerMetrics> {
    // 0 would spin a timer per turn; NaN or past 2^31 - 1 ms would fire at once, over and over.
    checkTimerMs('metricsEvery', intervalMs, 1);
    const closed$ = this.#closed$;
    const ticks = merge(timer(0, intervalMs, this.#options.scheduler).pipe(takeUntil(closed$)), closed$);
    return guardSubscribers(ticks.pipe(map(() => this.metrics())), (error) =>
      SelfLog.write('A subscriber of log.metrics$ failed; it stays subscribed', error),
    );
  }

  async flush(options?: FlushOptions): Promise<FlushResult> {
    reportUnknownOptions(options, 'flush', FLUSH_OPTIONS);
    const timeoutMs = timeoutFrom(options, 'flush');
    const release = this.#keepProcessAlive();
    try {
      // A flush made by sink code on its own turn (a sink's flush() that flushes this logger) does
      // not call that sink's flush() again (see SinkDelivery.flush).
      const call: FlushOwner = { fromSinkCode: this.#guard.active };
      // False when a lane gave up on events this flush waited for (a close that timed out).
      let complete = true;
      const done = Promise.all(
        this.#lanes.map(async (lane) => {
          if (!(await lane.delivery.flush(call))) complete = false;
        }),
      );
      const settled = await settlesWithin(done, timeoutMs, this.#options.scheduler);
      if (!settled) {
        // Given up: the stage forgets this call's waiter rather than keep one per timed-out flush.
        for (const lane of this.#lanes) lane.delivery.abandonFlush(call);
        // What metrics() reads: app operators' holdings too (a sink's pipe, `.pipe()`), not only the stages'.
        const { sinks, pipe } = this.metrics();
        let pending = pipe?.pending ?? 0;
        for (const name in sinks) pending += sinks[name].pending;
        SelfLog.write('flush timed out after {TimeoutMs} ms; {Count} events are still pending', timeoutMs, pending);
      }
      return { timedOut: !settled || !complete };
    } finally {
      release();
    }
  }

  flushSync(): void {
    // One a sink makes while this one calls it (a sink whose flushSync() flushes the logger it
    // writes for) has nothing left to do: this one writes everything. Each used to make the next,
    // until the stack gave out, some 1200 sink calls deep.
    if (this.#flushingSync && this.#guard.active) return;
    // Counted as a logging call: a close() a sink makes from its emitSync waits until this flush is
    // done, as one made during a write does. Started at once, an immediate close dropped the batch
    // emitSync was writing, which then counted as delivered as well.
    const flushing = this.#flushingSync;
    this.#flushingSync = true;
    this.#nested++;
    try {
      for (const lane of this.#lanes) {
        try {
          lane.delivery.flushSync();
        } catch (error) {
          SelfLog.write('Synchronous flush of sink {Name} failed', lane.name, error);
        }
      }
    } finally {
      this.#flushingSync = flushing;
      this.#leaveCall();
    }
    this.afterFlushSync?.();
  }

  close(options?: CloseOptions): Promise<ShutdownReport> {
    // While events are still accepted: request logging writes the requests in flight (see beforeClose).
    if (this.#closing === undefined) for (const listener of this.beforeClose.splice(0)) listener();
    // Closed already, or by one of them (an event it wrote reached a sink that closes the logger): that close stands.
    if (this.#closing !== undefined) return this.#closeAgain(this.#closing, options);
    this.#closed = true;
    // Set before anything can call back into the logger: reading bad options writes to SelfLog,
    // whose output may close the logger too, and the shutdown's first, synchronous steps call
    // sinks (an immediate close hands a failed batch to the fallback). A close() made from either
    // gets this same report; set after them, it ran a second shutdown with a report of its own.
    let start!: (report: Promise<ShutdownReport>) => void;
    this.#closing = new Promise<ShutdownReport>((resolve) => (start = resolve));
    const { strategy, timeoutMs } = readCloseOptions(options);
    this.#closeDeadline = strategy === 'flush' ? Infinity : this.#clock().now() + timeoutMs;
    const release = this.#keepProcessAlive();
    start(this.#shutdown(strategy, timeoutMs));
    const closed = (): void => {
      // Settled: every later close() gets this same promise, whatever its bound (see #closeAgain).
      this.#closeDeadline = undefined;
      // The last event handed on is no longer counted (every lane has ended): a logger the app
      // still holds after close keeps none of its events.
      this.#handedOut = undefined;
      for (const { reached } of this.#lanes) if (reached !== undefined) reached.event = undefined;
      release();
      this.#closed$.next();
      this.#closed$.complete();
    };
    void this.#closing.then(closed, closed);
    return this.#closing;
  }

  /**
   * A close() made while one is under way gets that close's report, unless its own bound ends
   * before the running close's does: a bounded close (the process hooks', Nest's shutdown,
   * `Log.closeAndFlush` with a timeout) after an app's unbounded `'flush'` close, or after a
   * graceful close with a longer timeout. It then waits no longer than its own `timeoutMs` and, if
   * the running close has not settled by then, reports what the sinks still hold as `undelivered`,
   * with `timedOut`; the running close goes on, and its own caller still gets its report. A
   * `'flush'` call waits for the running close, as it would for its own.
   */
  #closeAgain(closing: Promise<ShutdownReport>, options: CloseOptions | undefined): Promise<ShutdownReport> {
    const deadline = this.#closeDeadline;
    // Before the running close has read its own options, while this reads another's (a SelfLog
    // output that closes the logger on every diagnostic a bad option gives), or once it settled:
    // that close stands.
    if (deadline === undefined) return closing;
    this.#closeDeadline = undefined;
    // Never throws.
    const { strategy, timeoutMs } = readCloseOptions(options);
    this.#closeDeadline = deadline;
    const started = this.#clock().now();
    if (strategy === 'flush' || started + timeoutMs >= deadline) return closing;
    return settlesWithin(closing, timeoutMs, this.#options.scheduler).then((settled) => {
      if (settled) return closing;
      // Given up: what every sink still holds is undelivered, as far as this caller knows.
      const { sinks, pipe } = this.metrics();
      const summary = pendingAsUndelivered(sinks);
      SelfLog.write('close: gave up after {TimeoutMs} ms waiting for the close under way', timeoutMs);
      const report: ShutdownReport = { strategy, elapsedMs: this.#clock().now() - started, timedOut: true, sinks: summary };
      if (pipe) report.pipe = { dropped: pipe.dropped, undelivered: pipe.pending };
      return report;
    });
  }

  /**
   * Elapsed time of a close: the default scheduler's clock is the wall clock (Date.now), which a
   * step back (NTP) during the close made give the sinks that much longer, and the report a
   * negative time. Another scheduler's (a TestScheduler's virtual time) is its own.
   */
  #clock(): { now(): number } {
    return this.#options.scheduler === unrefScheduler ? performance : this.#options.scheduler;
  }

  /**
   * While a close or flush is awaited, its timers (retry backoff, the graceful timeout) must keep
   * a Node process alive although the default scheduler unrefs them. A custom scheduler is the
   * app's to manage (a TestScheduler has no real timers at all).
   */
  #keepProcessAlive(): () => void {
    return this.#options.scheduler === unrefScheduler ? keepAlive() : () => undefined;
  }

  async #shutdown(strategy: ShutdownStrategy, timeoutMs: number): Promise<ShutdownReport> {
    const scheduler = this.#options.scheduler;
    const clock = this.#clock();
    const started = clock.now();
    // A close made while a write hands its event on (a sink or an events$ subscriber that closes
    // the logger as an event reaches it) waits for that write: completing the source in the
    // middle of its next(), or an immediate close abandoning what the lanes hold, would leave the
    // lanes that event had not reached yet without it, counted nowhere though logged before the close.
    if (this.#nested > 0) await new Promise<void>((resolve) => (this.#afterWrite = resolve));
    this.#source.complete();
    let timedOut = false;
    const pipeIdle = this.#pipe?.whenIdle();
    const pipeHeld = strategy === 'immediate' ? CLOSED_REASON : true;
    await Promise.all(
      this.#lanes.map(async (lane) => {
        // App operators that hold events (a delay, a buffer) release them as the source
        // completes; wait for that, within the graceful bound. An operator that does not complete
        // with its source (merge(source, NEVER)) is waited for only while it holds events.
        if (strategy !== 'immediate') {
          const bound = strategy === 'flush' ? undefined : timeoutMs;
          // The lane's operators are idle only once the shared ones are: what those hold reaches the lane first.
          const idle = pipeIdle === undefined ? lane.accounting?.whenIdle() : pipeIdle.then(() => lane.accounting?.whenIdle());
          await settlesWithin(Promise.race([lane.completed, idle]), bound, scheduler);
        }
        // What the lane's operators took in and still hold is accounted, never lost from the report.
        if (lane.accounting !== undefined && !lane.accounting.done)
          lane.delivery.abandonHeld(lane.accounting.abandonHeld(), strategy);
        // Under 'flush' the wait above has no bound, and timeoutMs bounds only the sinks' close(),
        // counted from when everything is delivered: what is left of it here could be nothing.
        const remaining = strategy === 'flush' ? timeoutMs : Math.max(0, timeoutMs - (clock.now() - started));
        const { timedOut: laneTimedOut, undelivered } = await lane.delivery.shutdown(strategy, remaining);
        timedOut ||= laneTimedOut || undelivered > 0;
        // What `.pipe()`'s operators hold is taken first: the last lane's unsubscribe tears them
        // down, and what their teardown reports dropped is undelivered (dropped at close, as a
        // lane's, under 'immediate').
        this.#pipe?.abandonHeld(pipeHeld);
      }),
    );
    this.#pipe?.abandonHeld(pipeHeld);
    // Every lane stays subscribed until the last has shut down: what `.pipe()` lets out meanwhile
    // (an unreported copy still held when what it held read 0) reaches every sink's counters, as
    // dropped at close where the sink has closed, not only the sinks still waiting.
    for (const lane of this.#lanes) lane.subscription?.unsubscribe();
    // The report is made of the counts now: what app operators let go later (a delay that
    // outlasted a graceful timeout) reaches no sink, so neither counts it a second time.
    // Keyed by sink name in the order the sinks were configured (names are never "__proto__").
    const sinks: Record<string, SinkShutdownSummary> = {};
    for (const lane of this.#lanes) {
      // What entered a lane after the close took what it held (`.pipe()` let it out late) and its
      // operators still held as it was unsubscribed will never leave: dropped at close, as it
      // would have been had it left, not pending in a lane that is gone.
      const stranded = lane.accounting?.takeStranded() ?? 0;
      if (stranded > 0) lane.delivery.abandonHeld(stranded, 'immediate');
      const summary = lane.delivery.summary();
      // Events the operators dropped by design never reached the stage: they join its dropped count.
      summary.dropped += lane.accounting?.discarded ?? 0;
      sinks[lane.name] = summary;
    }
    const report: ShutdownReport = { strategy, elapsedMs: clock.now() - started, timedOut, sinks };
    const pipe = this.#pipe;
    if (pipe !== undefined) {
      // Events an app operator of the shared stream still holds (a long delay) reached no sink:
      // the report says so, and a close that waited for them says it gave up.
      const held = (this.#pipeUndelivered = pipe.held());
      report.pipe = { dropped: pipe.discarded, undelivered: held };
      if (held > 0 && strategy !== 'immediate') report.timedOut = true;
    }
    return report;
  }

  #openLane(registration: SinkRegistration, stageless: boolean): SinkLane {
    // Events made by this pipeline carry Date.now(); with the default clock and nothing between
    // the source and the stage that could hold an event back, that is the enqueue time too.
    const eventsAreNow =
      this.#options.scheduler === unrefScheduler && this.#options.operators.length === 0 && registration.pipe.length === 0;
    const delivery = new SinkDelivery(
      registration.name,
      registration.sink,
      registration.delivery,
      this.#options.scheduler,
      eventsAreNow,
      this.#guard,
      this.#closesLast,
    );
    if (stageless && registration.pipe.length === 0) {
      this.#direct.push({ name: registration.name, delivery, level: registration.minimumLevel });
      // Nothing between write() and the stage can hold an event, so there is nothing to wait for at close.
      return { name: registration.name, delivery, completed: Promise.resolve() };
    }
    const level = registration.minimumLevel;
    const reached = { event: undefined as unknown, level };
    // Every lane it feeds marks the event the shared stream hands on as it reaches it: the same
    // object for each, which a lane it has not reached yet has not marked (see #handedOut).
    let lane$ = this.#shared.pipe(tap((event) => (this.#handedOut = reached.event = event)));
    // The sink's own level keeps events out of its lane: they are never its `received`. A plain
    // filter, not the minimumLevel operator, which would report them to the lane's accounting
    // (it is subscribed while the lane's first operator is). What it keeps: see reachesLevel.
    if (level !== undefined) lane$ = lane$.pipe(filter((event) => reachesLevel(event, level)));
    // Only a sink with operators pays for counting: they may hold, drop or make events.
    // Its operators' drop reasons are counted with the sink's own, under one bound.
    const accounting =
      registration.pipe.length === 0 ? undefined : new LaneAccounting(delivery.dropReasons, this.#options.scheduler);
    if (accounting !== undefined) lane$ = throughOperators(lane$, registration.pipe, accounting, `${registration.name}.pipe`);
    // Assigned at once: a Promise runs its executor inside the constructor.
    let finished!: () => void;
    const completed = new Promise<void>((resolve) => (finished = resolve));
    const finish = (): void => {
      accounting?.finish();
      finished();
    };
    // Only operators given from JavaScript can pass on what is no event (an array, a string): a
    // lane with none before it skips the check. Such a value is counted dropped, never delivered.
    const checks = accounting !== undefined || this.#options.operators.length > 0;
    let told = false;
    const subscription = lane$.subscribe({
      next: (event) => {
        const count = checks ? notAnEventAtSink(event) : -1;
        if (count >= 0) {
          if (!told) {
            told = true;
            SelfLog.write(
              'Sink {Name}: its operators passed on {Value}, no event; counted dropped (told once)',
              registration.name,
              describeValue(event),
            );
          }
          if (accounting === undefined || accounting.refuse(count)) delivery.push(event, NOT_AN_EVENT_REASON);
          return;
        }
        if (accounting !== undefined) accounting.leave(event);
        // push() never throws by contract; the guard keeps RxJS from reporting a fault as unhandled.
        try {
          delivery.push(event);
        } catch (error) {
          SelfLog.write('Sink {Name} rejected an event', registration.name, error);
        }
      },
      error: (error: unknown) => {
        SelfLog.write('Sink {Name} stream failed', registration.name, error);
        finish();
      },
      complete: finish,
    });
    return { name: registration.name, delivery, completed, accounting, subscription, reached };
  }
}

/**
 * Whether `event` passes a sink's own minimum level. An event whose level is not a level name
 * (made by an app operator of .pipe()) is kept, as the minimumLevel operator keeps it; so is what
 * is not an event at all (undefined, a revoked Proxy whose reads throw): reading its level would
 * error the lane, ending it, and with the last lane the shared stage, so no later event would
 * reach any counter. The lane counts it dropped (not-an-event). Never throws.
 */
function reachesLevel(event: unknown, level: LevelReader | undefined): boolean {
  if (level === undefined) return true;
  let name: unknown;
  try {
    name = (event as Partial<LogEvent> | null | undefined)?.level;
  } catch {
    return true;
  }
  return !isLevelName(name) || levelValue(name) >= level.value;
}

/**
 * One option of `close()` or `flush()`, or undefined (the default) when the options are missing,
 * not an object (a JavaScript caller's `null`) or cannot be read (a Proxy whose traps throw): the
 * caller gets its report with the defaults, never an exception. Never throws.
 */
function readOption<T, K extends keyof T>(options: T | undefined, key: K, method: string): T[K] | undefined {
  if (options === undefined) return undefined;
  // null, a string or a number holds no options: each falls to its default, like a throwing Proxy.
  if (typeof options === 'object' && options !== null) {
    try {
      return options[key];
    } catch {
      // Reported below, as a bad options object.
    }
  }
  SelfLog.write('{Method}: unreadable {Option} option; default used', method, key);
  return undefined;
}

const CLOSE_OPTIONS: readonly string[] = ['strategy', 'timeoutMs'];
const FLUSH_OPTIONS: readonly string[] = ['timeoutMs'];

/**
 * Tells SelfLog of each own key of `close()` or `flush()` options that is not one of `allowed` (a
 * misspelt `timeout` or `stratgy`), which would otherwise mean the default without a word. Not a
 * ConfigurationError: these calls run at shutdown and must settle, so the default is used. Never throws.
 */
function reportUnknownOptions(options: unknown, method: string, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null) return;
  let unknown: string[];
  try {
    unknown = Object.keys(options).filter(
      (key) => !allowed.includes(key) && (options as Record<string, unknown>)[key] !== undefined,
    );
  } catch {
    return; // Options that cannot be read are reported by readOption.
  }
  for (const key of unknown)
    SelfLog.write(
      '{Method}: unknown option {Option} (expected one of {Expected}); ignored',
      method,
      JSON.stringify(key),
      allowed.join(', '),
    );
}

/** The strategy and timeout `close()` options ask for, each its default when missing or bad (reported to SelfLog). Never throws. */
function readCloseOptions(options: CloseOptions | undefined): { strategy: ShutdownStrategy; timeoutMs: number } {
  reportUnknownOptions(options, 'close', CLOSE_OPTIONS);
  let strategy = readOption(options, 'strategy', 'close') ?? 'graceful';
  if (!STRATEGIES.includes(strategy)) {
    SelfLog.write('close: unknown strategy {Strategy}; closing gracefully', strategy);
    strategy = 'graceful';
  }
  return { strategy, timeoutMs: timeoutFrom(options, 'close') };
}

/** The `timeoutMs` option of `close()` or `flush()`: the default when missing, and when not a number ≥ 0 (reported to SelfLog). */
function timeoutFrom(options: FlushOptions | undefined, method: string): number {
  const timeoutMs = readOption(options, 'timeoutMs', method);
  if (timeoutMs === undefined) return DEFAULT_TIMEOUT_MS;
  // Past 2^31 - 1 ms (Infinity included) a timer fires at once: a "wait forever" would give up
  // after 1 ms. The longest real timer (about 24.8 days) is as good as forever.
  if (typeof timeoutMs === 'number' && timeoutMs >= 0) return Math.min(timeoutMs, MAX_TIMER_MS);
  SelfLog.write(
    '{Method}: timeoutMs {TimeoutMs} is not a number of milliseconds ≥ 0; using {Default}',
    method,
    timeoutMs,
    DEFAULT_TIMEOUT_MS,
  );
  return DEFAULT_TIMEOUT_MS;
}

/**
 * `source$` through app operators, each isolated and counted by `accounting`; `path` names them
 * in reports (`pipe[0]`, `http.pipe[1]`).
 */
function throughOperators(
  source$: Observable<LogEvent>,
  operators: readonly OperatorFunction<LogEvent, LogEvent>[],
  accounting: LaneAccounting,
  path: string,
): Observable<LogEvent> {
  let result$ = source$.pipe(accounting.countEntries());
  operators.forEach((operator, index) => {
    result$ = result$.pipe(accounting.isolate(operator, `${path}[${index}]`, index, operators.length));
  });
  // An operator's copy of an event made with spread syntax is a LogEventRecord again (see wholeEvent).
  return result$.pipe(map(wholeEvent));
}

/**
 * Whether `value` is the strings of a tagged template (an array of strings with as many `raw`
 * strings; a piece with an invalid escape is undefined, its raw text a string); false for a revoked
 * Proxy or one whose traps throw (it is then the exception, a ThrownValueError).
 */
function isTemplateStrings(value: unknown): value is TemplateStringsArray {
  try {
    if (!Array.isArray(value)) return false;
    const raw: unknown = (value as Partial<TemplateStringsArray>).raw;
    return (
      Array.isArray(raw) &&
      raw.length === value.length &&
      value.every((text, i) => typeof text === 'string' || (text === undefined && typeof raw[i] === 'string'))
    );
  } catch {
    return false;
  }
}

/**
 * A tagged template's text: its pieces with literal braces doubled and a positional hole for each
 * value (the values are the args). A piece with an invalid escape (`C:\users`) has no cooked
 * text: its raw text stands in.
 */
function taggedTemplate(strings: TemplateStringsArray): string {
  let template = templatePiece(strings, 0);
  for (let i = 1; i < strings.length; i++) template += `{${i - 1}}` + templatePiece(strings, i);
  return template;
}

/** Piece `i` of a tagged template as template text: literal braces doubled, the raw text where it has no cooked one. */
function templatePiece(strings: TemplateStringsArray, i: number): string {
  return ((strings[i] as string | undefined) ?? strings.raw[i]).replace(/[{}]/g, '$&$&');
}
