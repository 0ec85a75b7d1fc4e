import { asyncScheduler, type MonoTypeOperatorFunction, Observable, type SchedulerLike } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import { readGuarded } from '../core/read-options';
import { LOG_LEVELS, type LogLevelName, parseLevel } from '../core/log-level';
import { heldThrows } from '../core/read-property';
import { SelfLog } from '../core/self-log';
import { type CaptureLimits, captureValue, DEFAULT_CAPTURE_LIMITS, expectCaptureLimit } from '../templates/capture';
import { exceptionFrom } from '../templates/exception-from';
import { checkScheduler, describeOption, optionsObject, snapshotOptions } from './operator-options';
import { checkOptionKeys } from '../core/check-option-keys';
import { injectScheduler } from './event-accounting';
import { reportRejection } from './report-rejection';
import { subscribeUpstream } from './subscribe-upstream';

/** A level for one kind of notification, or `'off'` to log nothing for it. */
export type TapLogLevel = LogLevelName | 'off';

/** What {@link tapLog} writes to: a Logger, or anything with its `write` method. */
export interface TapLogTarget {
  /** Writes one event at `level` from a template and its values. */
  write(level: LogLevelName, template: string, ...args: unknown[]): void;
  /** Writes one event at `level` with an exception, from a template and its values. */
  write(level: LogLevelName, error: Error, template?: string, ...args: unknown[]): void;
  /**
   * Whether an event at `level` would be written (a Logger's `isEnabled`). Optional: given, tapLog
   * asks it before it captures a value under `captureLimits`, so a level that is off costs no capture.
   */
  isEnabled?(level: LogLevelName): boolean;
}

/** Options of {@link tapLog}. */
export interface TapLogOptions {
  /** The stream's name, logged as `Stream`. Required. */
  name: string;
  /** Level of the subscribe event. Default `'debug'`. */
  subscribe?: TapLogLevel | undefined;
  /**
   * Level of one event per value, carrying the value as `{@Value}` (the logger captures it when it
   * writes the event). Default `'off'`.
   */
  next?: TapLogLevel | undefined;
  /** Level of the error event (the error is its exception). Default `'error'`. */
  error?: TapLogLevel | undefined;
  /** Level of the complete event. Default `'debug'`. */
  complete?: TapLogLevel | undefined;
  /** Level of the event when the subscriber unsubscribes before complete or error. Default `'debug'`. */
  unsubscribe?: TapLogLevel | undefined;
  /**
   * Bounds on each value, each a whole number ≥ 0, `maxDepth` at most 63 (checked when the
   * operator is built, as `captureValue` checks them); given,
   * tapLog captures the value itself before it writes, so the logger's redaction policies apply to it
   * but not its `destructure` transforms. A target with `isEnabled` (a Logger) is asked first: at a
   * level it has off the value is handed on uncaptured, for the target to drop, so its getters are
   * not run for nothing. Default: none, the logger captures the value under its own limits and
   * transforms, only when it writes the event.
   */
  captureLimits?: CaptureLimits | undefined;
}

/** The templates tapLog writes, one per notification. */
export const TAP_LOG_TEMPLATES = Object.freeze({
  subscribe: '{Stream} subscribed',
  next: '{Stream} emitted {@Value} ({Count} values in {Elapsed} ms)',
  error: '{Stream} failed after {Count} values in {Elapsed} ms',
  complete: '{Stream} completed after {Count} values in {Elapsed} ms',
  unsubscribe: '{Stream} unsubscribed after {Count} values in {Elapsed} ms',
});

const TAP_LOG_KEYS = ['name', 'subscribe', 'next', 'error', 'complete', 'unsubscribe', 'captureLimits'];

/**
 * Checks tapLog's captureLimits as `captureValue` checks its own: each a whole number (0 or more),
 * finite, `maxDepth` at most 63. A string or NaN would be compared and multiplied as the capture
 * walks, and a deeper `maxDepth` run out of stack, so a bad limit is refused when the operator is
 * built, not found out as values captured without bounds or as `'[MaxDepth]'`.
 *
 * @throws ConfigurationError naming the limit and the value.
 */
function checkCaptureLimits(value: CaptureLimits | undefined): CaptureLimits | undefined {
  if (value === undefined) return undefined;
  const names = Object.keys(DEFAULT_CAPTURE_LIMITS) as (keyof CaptureLimits)[];
  const given = snapshotOptions(optionsObject(value, 'tapLog: captureLimits'), 'tapLog: captureLimits', names);
  checkOptionKeys('tapLog: captureLimits', given, names);
  const limits: Required<CaptureLimits> = { ...DEFAULT_CAPTURE_LIMITS };
  for (const name of names) {
    const limit = given[name];
    if (limit === undefined) continue;
    expectCaptureLimit(name, limit, `tapLog: captureLimits.${name}`);
    limits[name] = limit;
  }
  return limits;
}

function levelOption(value: TapLogLevel | undefined, fallback: TapLogLevel, where: string): LogLevelName | undefined {
  // A JavaScript caller's null is no level, not the default.
  const level: unknown = value === undefined ? fallback : value;
  // Read as level names are, in any case and trimmed ('Off' as 'Info' is), and named in the error.
  if (typeof level === 'string' && level.trim().toLowerCase() === 'off') return undefined;
  try {
    return parseLevel(level, `tapLog: ${where}`);
  } catch {
    throw new ConfigurationError(
      `tapLog: ${where}: expected off or a level (${LOG_LEVELS.join(', ')}, or trace, info, warn), got ${describeOption(level)}`,
    );
  }
}

/**
 * Logs an Observable's life as structured events: subscribe, each value (when `next` is on),
 * error (with the exception: a value that is no Error made one as `log.error(value, …)` makes it),
 * complete, and unsubscribe before the end. Every event carries
 * `Stream` (the name), `Count` (values so far) and `Elapsed` (milliseconds since subscribe, on the
 * scheduler's clock), e.g. `{Stream} completed after {Count} values in {Elapsed} ms`. Values pass
 * through unchanged; a failing logger (one that throws, or an async one whose write rejects) never
 * disturbs the stream: it is reported to SelfLog. A value that its own logging
 * feeds back into the tapped stream (tapLog on `log.events$`) passes on unlogged, so the stream
 * never logs itself forever.
 *
 * ```text
 * source:                 -a-b-|
 * tapLog(log, 'orders'):  -a-b-|   logs: subscribed (0), completed after 2 values in 5 ms (5)
 * ```
 *
 * @param scheduler The clock for `Elapsed`. Default: given none, the scheduler of the logger whose pipeline subscribes it (`useScheduler`), read at subscribe; outside a logger, `asyncScheduler`.
 * @throws ConfigurationError when the name is missing or a level is unknown.
 * @example
 * orders$.pipe(tapLog(log, { name: 'orders', next: 'verbose' }))
 */
export function tapLog<T>(
  log: TapLogTarget,
  nameOrOptions: string | TapLogOptions,
  scheduler?: SchedulerLike,
): MonoTypeOperatorFunction<T> {
  const isLogger = (): boolean =>
    typeof log === 'object' && (log as unknown) !== null && typeof (log.write as unknown) === 'function';
  if (!readGuarded('tapLog', 'the logger', isLogger))
    throw new ConfigurationError(`tapLog: expected a logger, got ${describeOption(log)}`);
  const options: TapLogOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions } : snapshotOptions(nameOrOptions, 'tapLog', TAP_LOG_KEYS);
  if (
    typeof options !== 'object' ||
    (options as unknown) === null ||
    typeof (options.name as unknown) !== 'string' ||
    options.name === ''
  )
    throw new ConfigurationError(`tapLog: expected a stream name or options with a name, got ${describeOption(nameOrOptions)}`);
  if (typeof nameOrOptions === 'object') checkOptionKeys('tapLog', options, TAP_LOG_KEYS);
  const name = options.name;
  if (scheduler !== undefined) checkScheduler('tapLog', scheduler);
  const levels = {
    subscribe: levelOption(options.subscribe, 'debug', 'subscribe'),
    next: levelOption(options.next, 'off', 'next'),
    error: levelOption(options.error, 'error', 'error'),
    complete: levelOption(options.complete, 'debug', 'complete'),
    unsubscribe: levelOption(options.unsubscribe, 'debug', 'unsubscribe'),
  };
  const limits = checkCaptureLimits(options.captureLimits);
  // The value itself, which the logger captures (`{@Value}`) under its limits and redaction
  // policies, only when it writes the event: a getter that throws under a path a policy censors is
  // told by its kind, as for the logger's own calls. Under captureLimits it is captured here, where
  // no policy is known: such a read is told by its kind (its marker, left uncensored, shows it).
  // Under captureLimits, a target that can tell whether a level is on (a Logger) is asked before
  // the capture: at a level it has off the value goes on as it is, and the target drops it (a
  // closed Logger still counts it), as it drops any call below its level, without its getters run.
  const isEnabled: unknown = readGuarded('tapLog', 'the logger', (): unknown => (log as { isEnabled?: unknown }).isEnabled);
  const enabled = (level: LogLevelName): boolean => {
    try {
      return typeof isEnabled !== 'function' || (isEnabled as (level: LogLevelName) => unknown).call(log, level) !== false;
    } catch (error) {
      SelfLog.write("tapLog {Stream}: the logger's isEnabled threw; the value is captured", name, error);
      return true;
    }
  };
  const valueOf =
    limits === undefined
      ? (value: unknown): unknown => value
      : (value: unknown, level: LogLevelName): unknown =>
          enabled(level) ? heldThrows(() => captureValue(value, 'structure', limits), true) : value;

  const writeTo = (level: LogLevelName, template: string, args: unknown[], exception?: Error): void => {
    const failed = 'tapLog {Stream}: the logger threw';
    try {
      // An async target's write may reject later: reported as a throw is, never left unhandled.
      reportRejection(
        exception === undefined ? log.write(level, template, ...args) : log.write(level, exception, template, ...args),
        failed,
        name,
      );
    } catch (error) {
      SelfLog.write(failed, name, error);
    }
  };

  return (source) =>
    new Observable<T>((subscriber) => {
      // Given none: the logger's scheduler when a logger's pipeline subscribes it (useScheduler), else the default.
      const clock = scheduler ?? injectScheduler(asyncScheduler);
      const started = clock.now();
      let count = 0;
      let ended = false;
      // Set while this subscription writes: a notification its own write feeds back into the
      // tapped stream (tapLog on log.events$) passes on without being logged again, instead of
      // logging itself forever.
      let writing = false;
      const elapsed = (): number => clock.now() - started;
      const write = (
        level: LogLevelName | undefined,
        template: string,
        args: (level: LogLevelName) => unknown[],
        exception?: Error,
      ): void => {
        if (level === undefined || writing) return;
        writing = true;
        try {
          writeTo(level, template, args(level), exception);
        } finally {
          writing = false;
        }
      };
      write(levels.subscribe, TAP_LOG_TEMPLATES.subscribe, () => [name]);
      subscribeUpstream(source, subscriber, {
        next: (value) => {
          count++;
          write(levels.next, TAP_LOG_TEMPLATES.next, (level) => [name, valueOf(value, level), count, elapsed()]);
          subscriber.next(value);
        },
        error: (error: unknown) => {
          ended = true;
          // Made the exception `log.error(value, …)` makes of it: a value that is no Error (an
          // HttpErrorResponse, `throwError(() => 'timeout')`) keeps its data, not `[object Object]`.
          if (levels.error !== undefined)
            write(levels.error, TAP_LOG_TEMPLATES.error, () => [name, count, elapsed()], exceptionFrom(error));
          subscriber.error(error);
        },
        complete: () => {
          ended = true;
          write(levels.complete, TAP_LOG_TEMPLATES.complete, () => [name, count, elapsed()]);
          subscriber.complete();
        },
      });
      return () => {
        if (!ended) write(levels.unsubscribe, TAP_LOG_TEMPLATES.unsubscribe, () => [name, count, elapsed()]);
      };
    });
}
