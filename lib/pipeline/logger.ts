import type { Observable } from 'rxjs';
import type { LevelReader } from '../core/level-switch';
import type { LogEvent } from '../core/log-event';
import {
  DEBUG,
  ERROR,
  FATAL,
  INFORMATION,
  isLevelName,
  type LogLevelName,
  type LogLevelText,
  levelValue,
  parseLevel,
  VERBOSE,
  WARNING,
} from '../core/log-level';
import { SelfLog } from '../core/self-log';
import type { LoggerMetrics } from '../metrics/metrics-types';
import type { CheckLogArguments } from '../templates/template-values';
import type { CheckProperties } from '../context/context-store';
import { AFTER_FLUSH_SYNC } from './after-flush-sync';
import type { BoundProperties } from './bound-properties';
import type { FlushOptions, FlushResult } from './flush-options';
import { LOGGER_PARTS, type LoggerParts } from './logger-parts';
import type { LoggerPipeline } from './logger-pipeline';
import type { CloseOptions, ShutdownReport } from './shutdown-report';
import { isBlankName } from '../core/blank-name';

/** The Logger methods bound to their logger (see the constructor). */
const BOUND_METHODS = ['verbose', 'trace', 'debug', 'information', 'info', 'warning', 'warn', 'error', 'fatal', 'write'] as const;

/** How often `metrics$` emits, in milliseconds. */
const METRICS_INTERVAL_MS = 1_000;

/** The numeric value of a level name (aliases and any case accepted), or undefined for anything else. Never throws. */
function resolveLevel(level: unknown): number | undefined {
  if (isLevelName(level)) return levelValue(level);
  try {
    return levelValue(parseLevel(level));
  } catch {
    // Not a level: an unknown name, a Symbol, an object whose toString throws.
    return undefined;
  }
}

/**
 * Writes events into a pipeline. Made by `LoggerConfiguration.createLogger()`; `forContext` and
 * `child` make loggers that add properties and share the same pipeline. No logging method throws;
 * only `metricsEvery` refuses a bad interval with a ConfigurationError.
 *
 * When the template is a string literal the compiler checks the number of values against its
 * holes; a template typed `string` is not checked (`log.information(template as string, ...values)`
 * opts a call out).
 *
 * @example
 * log.information('User {UserId} logged in from {@Location}', 42, { city: 'Oslo' });
 * try { pay(); } catch (e) { log.error(e, 'Payment {PaymentId} failed', 'p-1'); }
 */
export class Logger {
  readonly #pipeline: LoggerPipeline;
  readonly #level: LevelReader;
  readonly #bound: BoundProperties | undefined;
  /** @internal Use `LoggerConfiguration.createLogger()`. */
  constructor(pipeline: LoggerPipeline, level: LevelReader, bound: BoundProperties | undefined) {
    this.#pipeline = pipeline;
    this.#level = level;
    this.#bound = bound;
    // Bound, like console's methods, so that a level method passed on as a function still logs:
    // `promise.catch(log.error)`, `const { info } = log`, `items.forEach(log.debug)`.
    for (const method of BOUND_METHODS) this[method] = this[method].bind(this) as never;
  }

  // Each level method compares two numbers and returns before anything is allocated or captured
  // when the level is off; keep the check first and the body a single call. The aliases (trace,
  // info, warn) repeat the body instead of calling their twin, so they cost exactly the same.
  // The generic parameters are types only (see CheckLogArguments): they cost nothing at run time.

  /**
   * Writes a `verbose` event: the most detailed tracing. `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  verbose<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    if (this.#level.value > VERBOSE) return;
    this.#pipeline.write(VERBOSE, first, rest, this.#bound);
  }

  /**
   * Writes a `verbose` event (the name pino and winston users know). `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  trace<const First, const Rest extends readonly unknown[]>(first: First & CheckLogArguments<First, Rest>, ...rest: Rest): void {
    if (this.#level.value > VERBOSE) return;
    this.#pipeline.write(VERBOSE, first, rest, this.#bound);
  }

  /**
   * Writes a `debug` event: internal detail useful when debugging. `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  debug<const First, const Rest extends readonly unknown[]>(first: First & CheckLogArguments<First, Rest>, ...rest: Rest): void {
    if (this.#level.value > DEBUG) return;
    this.#pipeline.write(DEBUG, first, rest, this.#bound);
  }

  /**
   * Writes an `information` event: the normal flow of the app. `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  information<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    if (this.#level.value > INFORMATION) return;
    this.#pipeline.write(INFORMATION, first, rest, this.#bound);
  }

  /**
   * Writes an `information` event (the name pino and winston users know). `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  info<const First, const Rest extends readonly unknown[]>(first: First & CheckLogArguments<First, Rest>, ...rest: Rest): void {
    if (this.#level.value > INFORMATION) return;
    this.#pipeline.write(INFORMATION, first, rest, this.#bound);
  }

  /**
   * Writes a `warning` event: something unexpected that the app recovered from. `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  warning<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    if (this.#level.value > WARNING) return;
    this.#pipeline.write(WARNING, first, rest, this.#bound);
  }

  /**
   * Writes a `warning` event (the name pino and winston users know). `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  warn<const First, const Rest extends readonly unknown[]>(first: First & CheckLogArguments<First, Rest>, ...rest: Rest): void {
    if (this.#level.value > WARNING) return;
    this.#pipeline.write(WARNING, first, rest, this.#bound);
  }

  /**
   * Writes an `error` event: an operation failed. `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  error<const First, const Rest extends readonly unknown[]>(first: First & CheckLogArguments<First, Rest>, ...rest: Rest): void {
    if (this.#level.value > ERROR) return;
    this.#pipeline.write(ERROR, first, rest, this.#bound);
  }

  /**
   * Writes a `fatal` event: the app cannot go on. `first` is the template (its values follow), or the
   * exception (an Error, or any value a `catch` gave) followed by the template and its values.
   */
  fatal<const First, const Rest extends readonly unknown[]>(first: First & CheckLogArguments<First, Rest>, ...rest: Rest): void {
    if (this.#level.value > FATAL) return;
    this.#pipeline.write(FATAL, first, rest, this.#bound);
  }

  /**
   * Writes at a level given by name: one of the six, or the aliases `'trace'`, `'info'` and `'warn'`
   * (at run time any case is accepted too). A call with anything else as the level (an unknown
   * name, a number, null) writes nothing: it is counted in `metrics().rejectedInvalidLevel` and
   * reported to SelfLog, never thrown.
   */
  write<const First, const Rest extends readonly unknown[]>(
    level: LogLevelName | 'trace' | 'info' | 'warn',
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    const value = resolveLevel(level);
    if (value === undefined) {
      this.#pipeline.rejectInvalidLevel(level);
      return;
    }
    if (this.#level.value > value) return;
    this.#pipeline.write(value, first, rest, this.#bound);
  }

  /**
   * Whether an event at `level` would be accepted: it passes this logger's minimum level (sinks may
   * still filter it) and the logger is not closed (from the moment `close()` is called every event
   * is refused, counted in `rejectedAfterClose`, so every level answers `false`). Takes the aliases
   * too (`'info'`, `'warn'`, `'trace'`, any case), as a `LevelSwitch` does. An unknown level answers
   * `false` and is reported to SelfLog.
   */
  isEnabled(level: LogLevelText): boolean {
    const value = resolveLevel(level);
    if (value === undefined) {
      SelfLog.write('isEnabled: unknown level {Level}', level);
      return false;
    }
    return value >= this.#level.value && !this.#pipeline.closed;
  }

  /**
   * A logger that adds one property to its events. `forContext('SourceContext', 'Orders.Api')`
   * also picks up a `minimumLevel.override('Orders', …)`. A name that is empty or only white space
   * (or, from JavaScript, `undefined` or `null`) adds nothing (reported to SelfLog), as in Serilog.
   */
  forContext(name: string, value: unknown): Logger {
    if ((name as unknown) === undefined || (name as unknown) === null) {
      // A JavaScript caller's missing name: no property, as Serilog's ForContext(null, …), rather
      // than one named "undefined".
      SelfLog.write('forContext: no property name ({Name}); no property added', String(name));
      return this;
    }
    let key: string;
    try {
      // A JavaScript caller's number or Symbol names the property as String() does.
      key = String(name);
    } catch (error) {
      SelfLog.write('forContext: the property name cannot be turned into a string; no property added', error);
      return this;
    }
    if (isBlankName(key)) {
      // As Serilog's ForContext: a property needs a name that is not empty or white space.
      SelfLog.write('forContext: the property name {Name} is empty or white space; no property added', key);
      return this;
    }
    return this.child({ [key]: value });
  }

  /**
   * A logger that adds these properties to its events (properties of the event itself win). At
   * most 1000 properties are bound in all, parents' included; what is not an object of properties
   * (`null`, a string, an array, a Map, a Date) or cannot be read (a revoked Proxy) binds nothing.
   * Either is reported to SelfLog, never thrown, and so is a property whose name is empty or only
   * white space, which is left out as `forContext` leaves it out. Any object type is taken (an
   * interface, a class whose own fields are the properties); an array, a Map, a Set, a Date or a
   * function fails to compile.
   */
  child<P extends object>(properties: P & CheckProperties<P>): Logger {
    // Captured and redacted here, once, rather than on every event the child writes.
    const bound = this.#pipeline.bind(this.#bound, properties as Readonly<Record<string, unknown>>);
    // A SourceContext given here picks its override; otherwise the child is at its parent's level.
    const { sourceContext } = bound;
    const level = sourceContext !== undefined ? this.#pipeline.levelFor(sourceContext) : this.#level;
    return new Logger(this.#pipeline, level, bound);
  }

  /** The shared stream after enrichment, filters and app operators. */
  get events$(): Observable<LogEvent> {
    return this.#pipeline.events$;
  }

  /** A snapshot of the counters of the logger and each sink; JSON-serializable. */
  metrics(): LoggerMetrics {
    return this.#pipeline.metrics();
  }

  /**
   * `metrics()` now and every second while subscribed (the timer never keeps a process alive);
   * once `close()` has finished, one last snapshot and completion.
   */
  get metrics$(): Observable<LoggerMetrics> {
    return this.#pipeline.metricsEvery(METRICS_INTERVAL_MS);
  }

  /**
   * `metrics()` now and every `intervalMs` milliseconds while subscribed; once `close()` has
   * finished, one last snapshot (the counters the shutdown left) and completion.
   *
   * @throws ConfigurationError when `intervalMs` is not a number of milliseconds from 1 to 2^31 - 1.
   */
  metricsEvery(intervalMs: number): Observable<LoggerMetrics> {
    return this.#pipeline.metricsEvery(intervalMs);
  }

  /**
   * Resolves when everything logged so far is delivered, or accounted for as dropped or failed,
   * and every sink's own `flush()` has finished; or after `timeoutMs` (default 5000) with
   * `{ timedOut: true }` (also reported to SelfLog). Never rejects, nor throws on bad options: an
   * unknown key or a bad `timeoutMs` means the default and is reported to SelfLog. Events an app operator holds
   * (a `delay` in a sink's `pipe`, `fingersCrossed`) have not reached delivery and are not waited
   * for: they stay pending until the operator lets them go or the logger closes.
   */
  flush(options?: FlushOptions): Promise<FlushResult> {
    return this.#pipeline.flush(options);
  }

  /**
   * Drains every partial batch and queue synchronously into sinks that can write synchronously,
   * then calls their `flushSync()`: for process `exit` handlers and page unload.
   */
  flushSync(): void {
    this.#pipeline.flushSync();
  }

  /** @internal For bindRedacted: see LOGGER_PARTS. */
  [LOGGER_PARTS](): LoggerParts {
    return [this.#pipeline, this.#bound, this.#level];
  }

  /** @internal For installProcessHooks: see AFTER_FLUSH_SYNC. */
  [AFTER_FLUSH_SYNC](listener: () => void): void {
    this.#pipeline.afterFlushSync = listener;
  }

  /**
   * Stops accepting events, drains per the strategy, closes the sinks and reports what happened
   * to every event. Idempotent: a second call returns the same report, but keeps its own bound:
   * one whose `timeoutMs` ends before the running close's (an exit hook's close behind an app's
   * unbounded `'flush'` close) waits no longer than that, then resolves with what the sinks still
   * hold as `undelivered` and `timedOut: true`, while the running close goes on. Never rejects,
   * nor throws on bad options: an unknown key or a bad value means its default and is reported to
   * SelfLog.
   */
  close(options?: CloseOptions): Promise<ShutdownReport> {
    return this.#pipeline.close(options);
  }
}
