import type { Subscribable, Unsubscribable } from 'rxjs';
import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue } from '../core/describe-value';
import { hasMethods } from '../core/has-methods';
import * as os from 'node:os';
import { ConfigurationError } from '../core/errors/configuration-error';
import { checkTimerMs, MAX_TIMER_MS } from '../core/max-timer-ms';
import { SelfLog } from '../core/self-log';
import { AFTER_FLUSH_SYNC } from '../pipeline/after-flush-sync';
import { pendingAsUndelivered, type ShutdownReport } from '../pipeline/shutdown-report';
import { processExiting } from './file/exit-waits';
import { writeUnfinishedRequests } from './http/in-flight-requests';
import { type DropReasons, shutdownReportLost, shutdownReportText } from './shutdown-report-text';

/** What the hooks need of a logger: typed structurally, so any Logger (or a test double) fits. */
export interface HookableLogger {
  /** Logs an uncaught exception or unhandled rejection. */
  fatal(error: Error, template: string, ...args: unknown[]): void;
  /**
   * Whether the logger accepts events: a Logger answers `false` from the moment its `close()` is
   * called, whoever called it. The hooks then stop waiting on a second signal, and do not hand an
   * uncaught exception to a logger that would refuse it.
   */
  isEnabled?(level: 'fatal'): boolean;
  /** Writes everything pending synchronously, on `exit`. */
  flushSync(): void;
  /** Closes the logger, on a signal or `beforeExit`; what it resolves with is reported when it is a `ShutdownReport`. */
  close(options?: {
    strategy?: 'immediate' | 'flush' | 'graceful' | undefined;
    timeoutMs?: number | undefined;
  }): Promise<unknown>;
  /** Starts delivering what is pending without closing: on a signal another listener handles, and on `beforeExit` when the app listens too (a Logger has it). */
  flush?(options?: { timeoutMs?: number | undefined }): Promise<unknown>;
  /** Per-sink counts, read when the process ends before a close reported (a Logger has it). */
  metrics?(): {
    readonly logged?: number | undefined;
    sinks: Readonly<Record<string, HookableSinkCounts>>;
    readonly pipe?: DropReasons['pipe'];
  };
  /** Metrics on an interval, completing once `close()` has finished: the hooks remove themselves then (a Logger has it). */
  metricsEvery?(intervalMs: number): Subscribable<unknown>;
  /**
   * The logger's shared event stream (a Logger has it): loggers made by `forContext` and `child`
   * share it with their parent, and with it the pipeline, so they count as the same logger to hook.
   * At exit, after the hooks' flush, the hooks subscribe to it to write each later event at once.
   */
  readonly events$?: unknown;
  /** @internal At exit, the hooks ask to hear of every later `flushSync()` (a Logger has it; see AFTER_FLUSH_SYNC). */
  [AFTER_FLUSH_SYNC]?(listener: () => void): void;
}

/** The per-sink counts the hooks read from `metrics()`: `pending` is what the process would leave behind. */
export interface HookableSinkCounts {
  readonly pending: number;
  readonly delivered?: number | undefined;
  readonly dropped?: number | undefined;
  readonly failed?: number | undefined;
  /** Of `dropped`, the count by reason: what operators dropped by design is no loss for the default report. */
  readonly droppedBy?: Readonly<Record<string, number>> | undefined;
}

/**
 * How long after the close's own timeout the last-resort exit waits, in milliseconds: the close
 * reports first (it also closes the sinks within its timeout), and only a close that never
 * settles is cut short.
 */
const PROCESS_HOOK_GUARD_MARGIN_MS = 1_000;

/**
 * How many times, at most, `beforeExit` only flushes while the app's own `beforeExit` listener
 * keeps logging, before the hooks close anyway: one that logs each time the loop runs dry would
 * otherwise keep the process alive for ever.
 */
const MAX_BEFORE_EXIT_FLUSHES = 3;

/** What the hooks need of the process: `process` itself, or an EventEmitter stand-in in tests. */
export interface HookableProcess {
  /** Adds a listener for a signal or process event. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Removes a listener added with `on`. */
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Adds a listener before the others (used for signals when present, so the hooks see every other listener, `once` ones too). */
  prependListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  /** How many listeners an event has: a signal with other listeners is theirs to exit on. */
  listenerCount(event: string): number;
  /** Ends the process with the code. */
  exit(code?: number): void;
  /** The limit of listeners per event past which Node warns (MaxListenersExceededWarning); 0 for none. */
  getMaxListeners?(): number;
  /** Sets that limit: the hooks raise it by one while installed, so their own listeners never count. */
  setMaxListeners?(n: number): unknown;
}

/** Options of installProcessHooks. */
export interface ProcessHooksOptions {
  /**
   * Signals that close the logger gracefully and end the process (one named twice counts once). Default `['SIGINT', 'SIGTERM']`.
   * `SIGKILL` and `SIGSTOP` cannot be caught: naming one throws a ConfigurationError.
   */
  signals?: readonly NodeJS.Signals[] | undefined;
  /**
   * The graceful close's timeout on a signal or `beforeExit`, in milliseconds, at most
   * 2 147 483 647 (the longest timer delay). Default `5000`. A
   * close that has not settled 1000 ms after it is given up: the
   * process exits and what each sink still held is written to SelfLog.
   */
  timeoutMs?: number | undefined;
  /**
   * Exit code after a signal, an integer from 0 to 255. Default `128 +` the signal's number (130
   * for SIGINT, 143 for SIGTERM), as shells report it.
   */
  exitCode?: number | undefined;
  /**
   * Receives the shutdown report of the close a signal or `beforeExit` started, or, when the
   * process exits before any close reported (`process.exit()` in app code, a crash, the
   * last-resort exit) with events still pending, a report made from the metrics at that moment
   * (their pending events as `undelivered`; `strategy: 'immediate'`, or `'graceful'` with
   * `timedOut: true` when a close was under way, the hooks' or the app's own, whose `elapsedMs`
   * the hooks do not know: 0). Called once; at exit, called again with the
   * counts brought up to date each time an event logged after the hooks' flush (in a later `exit`
   * listener) is left undelivered, and each time a later `log.flushSync()` of the app's changes
   * what a report at exit counted (it wrote events that report counted undelivered), so the last
   * call has the final counts (but for the events the report function, or a SelfLog output, logs
   * through this logger meanwhile). `false` for none. Default: one line on stderr when the report
   * shows a loss (dropped, failed, undelivered or a timeout), nothing otherwise; at exit, once a
   * line was written, one more for each report after it, so the last line has the final counts.
   */
  report?: false | ((report: ShutdownReport) => void) | undefined;
}

/**
 * The hooks installed on one process, shared by every `installProcessHooks` call on it: their own
 * signal listeners are not the app's (two loggers hooked must not each take the other for an app
 * that owns the shutdown, and so never exit), and a signal ends the process only once every
 * hooked logger's close has settled.
 */
interface InstalledHooks {
  /** The hooks' own listeners, per signal. */
  readonly listeners: Map<string, Set<unknown>>;
  /** The closes a signal started that have not settled yet, one per hooked logger. */
  readonly closing: Set<object>;
  /**
   * The install of each hooked logger (keyed by its pipeline), so a second call for it does not
   * hook it twice. Optional: the registry of an older copy of rxlog has none until one is added.
   */
  installs?: WeakMap<object, HooksInstall>;
}

/** One logger's hooks: the options they were installed with (resolved) and their uninstall. */
interface HooksInstall {
  readonly signals: readonly NodeJS.Signals[];
  readonly timeoutMs: number;
  readonly exitCode: number | undefined;
  readonly report: ProcessHooksOptions['report'];
  readonly uninstall: () => void;
}

/**
 * What identifies a logger to hook: its pipeline, which `forContext` and `child` loggers share
 * with their parent (reached through the `events$` they share), else the object itself.
 */
function pipelineOf(log: HookableLogger): object {
  try {
    const events$ = log.events$;
    if ((typeof events$ === 'object' && events$ !== null) || typeof events$ === 'function') return events$;
  } catch {
    // A getter that throws identifies nothing: the logger object itself does.
  }
  return log;
}

/** The first option in which a second install differs from the one in place, as "name first, not second". */
function differingOption(installed: HooksInstall, wanted: Omit<HooksInstall, 'uninstall'>): string | undefined {
  const installedSignals = [...new Set(installed.signals)].sort().join(',');
  const wantedSignals = [...new Set(wanted.signals)].sort().join(',');
  if (installedSignals !== wantedSignals) return `signals ${installedSignals}, not ${wantedSignals}`;
  if (installed.timeoutMs !== wanted.timeoutMs) return `timeoutMs ${installed.timeoutMs}, not ${wanted.timeoutMs}`;
  if (installed.exitCode !== wanted.exitCode)
    return `exitCode ${String(installed.exitCode ?? 'default')}, not ${String(wanted.exitCode ?? 'default')}`;
  if (installed.report !== wanted.report)
    return `report ${describeValue(installed.report)}, not ${describeValue(wanted.report)} (another function)`;
  return undefined;
}

/**
 * Kept on a global symbol rather than in this module: an app that loads both rxlog builds (its
 * ES module and CommonJS entries, through two dependencies) has two copies of this module, whose
 * hooks must still know one another.
 */
const INSTALLED_HOOKS = Symbol.for('rxlog.installedProcessHooks.v1');

function hooksOn(target: HookableProcess): InstalledHooks {
  const global = globalThis as { [INSTALLED_HOOKS]?: WeakMap<HookableProcess, InstalledHooks> };
  const installedHooks = (global[INSTALLED_HOOKS] ??= new WeakMap());
  let hooks = installedHooks.get(target);
  if (hooks === undefined) {
    hooks = { listeners: new Map(), closing: new Set() };
    installedHooks.set(target, hooks);
  }
  return hooks;
}

function signalNumber(signal: NodeJS.Signals): number {
  return (os.constants.signals as Partial<Record<NodeJS.Signals, number>>)[signal] ?? 0;
}

/** A thrown value that is not an Error, as text; String() throws for a null-prototype object or a throwing toString. */
function reasonText(reason: unknown): string {
  try {
    return String(reason);
  } catch {
    return describeValue(reason);
  }
}

/** Runs `fn`, sending anything it throws to SelfLog: a process hook must never throw. */
function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    SelfLog.write('Process hook: {What} failed', what, error);
  }
}

/**
 * Ties a logger's lifetime to the process:
 * - on a signal, closes the logger gracefully (at most `timeoutMs`), then exits with `exitCode`
 *   (default 128 + the signal's number); a second signal exits at once, a first one during the
 *   close `beforeExit` started waits for it, then exits. When the app listens to
 *   that signal too (its own handler, `process.once` included, or Nest's `enableShutdownHooks`),
 *   the app owns the shutdown: the hooks only flush (so what the app logs while it shuts down is
 *   still accepted), never exit, and leave the close to `beforeExit` or the app. A signal after
 *   the app's listener has gone (Nest raises it again once its shutdown is done) is the hooks'
 *   own again: graceful close, then exit; but one while the logger is closing, after an earlier
 *   signal the app handled (a second Ctrl-C while an app's `process.once` handler closes it), exits at once;
 * - with several loggers hooked (one call per logger), a signal closes each of them and the
 *   process exits once the last close settles: one install's listener is not the app's to another;
 * - a logger hooked already on this process (itself, or a `forContext`/`child` logger sharing its
 *   pipeline) is not hooked twice: the same options return the first call's uninstall, other
 *   options throw a ConfigurationError naming the one that differs;
 * - on `beforeExit` (the event loop ran dry), closes gracefully, once. When the app listens to
 *   `beforeExit` too (cleanup that may log after an `await`), only flushes and lets the loop turn
 *   again, closing at a later `beforeExit` that finds nothing logged since (at the latest the fourth);
 * - on `exit`, writes the requests in flight of `requestLogging` and `fastifyRequestLogging` (and
 *   `rxlog/nest`'s) as unfinished, as a close would, then calls `log.flushSync()`, the last chance
 *   to write anything synchronously; an event
 *   logged after that (by an `exit` listener that runs later, such as the app's own added after
 *   this call) is written at once, one `flushSync()` per event, and reported again if a sink could
 *   not take it;
 * - hands the shutdown report to `report` (default: a line on stderr when anything was lost),
 *   including, at `exit`, the events a sink that cannot write synchronously still held;
 * - on an uncaught exception or an unhandled rejection, logs it as fatal (`'Uncaught exception'` /
 *   `'Unhandled rejection'`, a non-Error wrapped in an Error) and flushes synchronously. It listens
 *   on `uncaughtExceptionMonitor`, so Node's own behaviour is kept: the error is printed to stderr
 *   and the process exits with code 1, unless the application handles the error itself (an
 *   `uncaughtException` or `unhandledRejection` listener of its own, or `--unhandled-rejections=warn`).
 *   A rejection that Node does not raise as an uncaught exception (one the app's `unhandledRejection`
 *   listener handles under the default `--unhandled-rejections=throw`, or any under `warn`,
 *   `warn-with-error-code` or `none`) is not logged; under `strict` every one is. One
 *   raised while the logger is closing, which refuses every event, goes to SelfLog instead.
 *
 * Handlers never throw; their faults go to SelfLog. Once the logger has closed, whoever closed it,
 * the hooks remove themselves (a logger without `metricsEvery` keeps them until `uninstall()`).
 *
 * @param target the process to hook; default `process` (tests pass an EventEmitter).
 * @returns a function that removes every hook; for a logger hooked already with the same options, the first call's.
 * @example const uninstall = installProcessHooks(log, { timeoutMs: 2_000 });
 */
export function installProcessHooks(
  log: HookableLogger,
  options: ProcessHooksOptions = {},
  target: HookableProcess = process,
): () => void {
  if (!hasMethods(log, ['fatal', 'flushSync', 'close']))
    throw new ConfigurationError(
      `installProcessHooks log: expected a logger with fatal, flushSync and close methods, got ${describeValue(log)}`,
    );
  checkOptionKeys('installProcessHooks', options, [
    'signals',
    'timeoutMs',
    'exitCode',
    'report',
  ] satisfies (keyof ProcessHooksOptions)[]);
  // Once each: a signal named twice got two listeners, and the second took the first's close for
  // a close under way, so one SIGTERM exited at once without the graceful close.
  const signals = [...new Set<NodeJS.Signals>(options.signals ?? ['SIGINT', 'SIGTERM'])];
  const timeoutMs = options.timeoutMs ?? 5000;
  // Past MAX_TIMER_MS the logger's close timer would fire after 1 ms (timers clamp such a delay).
  checkTimerMs('installProcessHooks timeoutMs', timeoutMs);
  for (const signal of signals) {
    if (signalNumber(signal) === 0)
      throw new ConfigurationError(`installProcessHooks signals: unknown signal ${JSON.stringify(String(signal))}`);
    // Node throws a bare "uv_signal_start EINVAL" when they are listened to, after the signals
    // before them in the list were hooked already.
    if (signal === 'SIGKILL' || signal === 'SIGSTOP')
      throw new ConfigurationError(`installProcessHooks signals: ${signal} cannot be caught, so it cannot close the logger`);
  }
  // An exit status is one byte: process.exit(256) ends the process with 0, a clean exit to a supervisor.
  const exitCode: unknown = options.exitCode;
  if (exitCode !== undefined && !(Number.isInteger(exitCode) && (exitCode as number) >= 0 && (exitCode as number) <= 255)) {
    throw new ConfigurationError(
      `installProcessHooks exitCode: expected an integer from 0 to 255, got ${describeValue(exitCode)}`,
    );
  }
  const report: unknown = options.report;
  if (report !== undefined && report !== false && typeof report !== 'function') {
    throw new ConfigurationError(`installProcessHooks report: expected a function or false, got ${describeValue(report)}`);
  }

  const hooks = hooksOn(target);
  // A second call for a logger already hooked (a library and the app both hooking it) would run
  // every hook twice: two closes raced, two reports, flushSync twice at exit. The same options
  // get the hooks in place; other options are a mistake the first install would silently win.
  const key = pipelineOf(log);
  const installs = (hooks.installs ??= new WeakMap());
  const wanted = { signals, timeoutMs, exitCode: options.exitCode, report: options.report };
  const existing = installs.get(key);
  if (existing !== undefined) {
    const difference = differingOption(existing, wanted);
    if (difference === undefined) return existing.uninstall;
    throw new ConfigurationError(
      `installProcessHooks: this logger is already hooked on this process with ${difference}; call the uninstall function the first call returned before hooking it again with other options`,
    );
  }

  /** This install's entry in `hooks.closing` while the close a signal started is under way. */
  const self = {};
  /** The close the hooks started (on a signal or `beforeExit`): a first signal during a close of `beforeExit` waits for it. */
  let hooksClose: Promise<unknown> | undefined;
  /** Set by the first signal the hooks own: one more during the close exits at once. */
  let signalled = false;
  let exiting = false;
  let reported = false;
  /** How many events the last report made at exit counted pending: a later report needs more, or other counts. */
  let reportedPending = 0;
  /** The sinks' counts of the last report made at exit, as JSON: a later report must differ. */
  let reportedCounts: string | undefined;
  /** Set once the default report wrote a line: a later report at exit writes its own, even without a loss. */
  let wroteLine = false;
  /** When the hooks' close began, a `performance.now()` time. */
  let closeStartedAt: number | undefined;
  let guard: ReturnType<typeof setTimeout> | undefined;

  /** Whether the logger's close() was called (by the hooks or anyone else); false when the logger cannot say. */
  const closing = (): boolean => {
    let closed = false;
    safely('isEnabled', () => (closed = log.isEnabled?.('fatal') === false));
    return closed;
  };

  /** The logger's drop reasons, so what its operators dropped by design (a filter, sampling) is no loss. */
  const dropReasons = (): DropReasons | undefined => {
    let reasons: DropReasons | undefined;
    safely('metrics', () => (reasons = log.metrics?.()));
    return reasons;
  };

  const deliver = (report: ShutdownReport, cause: string): void => {
    if (reported) return;
    reported = true;
    const receiver = options.report;
    if (receiver === false) return;
    safely('report', () => {
      if (receiver !== undefined) receiver(report);
      else if (wroteLine || shutdownReportLost(report, dropReasons())) {
        wroteLine = true;
        process.stderr.write(`rxlog: logger closed ${cause} ${shutdownReportText(report)}\n`);
      }
    });
  };

  /**
   * What each sink still holds, from the metrics, reported when the process ends before a close
   * reported; `again` (at exit, after an event logged or a flushSync since) reports anew once more
   * is pending, or once a report was made and the counts have changed since.
   */
  const reportPending = (cause: string, again = false): void => {
    if (reported && !again) return;
    safely('metrics', () => {
      const sinks = log.metrics?.().sinks ?? {};
      const summary = pendingAsUndelivered(sinks);
      let pending = 0;
      for (const name of Object.keys(summary)) pending += summary[name].undelivered;
      const counts = JSON.stringify(summary);
      if (pending <= reportedPending && (!again || reportedCounts === undefined || counts === reportedCounts)) return;
      reportedPending = pending;
      reportedCounts = counts;
      // Once per report, not once per flushSync that changed nothing.
      for (const [name, { undelivered }] of Object.entries(summary)) {
        if (undelivered > 0)
          SelfLog.write(
            'Process exiting before the logger closed: sink {Name} has {Count} events undelivered',
            name,
            undelivered,
          );
      }
      if (again) reported = false;
      // A close under way, the hooks' or the app's own (the hooks do not know when the app's began:
      // 0 ms), was cut short: it timed out, whatever it would have done.
      const underWay = closeStartedAt !== undefined || closing();
      deliver(
        {
          strategy: underWay ? 'graceful' : 'immediate',
          elapsedMs: closeStartedAt === undefined ? 0 : performance.now() - closeStartedAt,
          timedOut: underWay,
          sinks: summary,
        },
        cause,
      );
    });
  };

  const exitAfterSignal = (signal: NodeJS.Signals): void => {
    if (exiting) return;
    exiting = true;
    clearTimeout(guard);
    safely('flushSync', () => log.flushSync());
    reportPending(`on ${signal}`);
    target.exit(options.exitCode ?? 128 + signalNumber(signal));
  };

  const closeGracefully = (cause: string): Promise<unknown> => {
    // Elapsed time, not the wall clock: a clock stepped back during the close (NTP) made the report
    // say it took minus that much.
    closeStartedAt = performance.now();
    return (hooksClose = closeAndReport(cause));
  };

  const closeAndReport = (cause: string): Promise<unknown> => {
    try {
      return log.close({ strategy: 'graceful', timeoutMs }).then(
        (report: unknown) => {
          if (isShutdownReport(report)) deliver(report, cause);
        },
        (error: unknown) => SelfLog.write('Process hook: close failed', error),
      );
    } catch (error) {
      SelfLog.write('Process hook: close failed', error);
      return Promise.resolve();
    }
  };

  /** Set once a signal reached the hooks, the app's or their own. */
  let signalSeen = false;
  const signalHandlers = signals.map((signal) => {
    const handler = (): void => {
      const earlier = signalSeen;
      signalSeen = true;
      // The hooks listen first (prependListener), so every other listener is counted here, `once`
      // ones too; those of other installs (another logger's hooks) are not the app's.
      if (target.listenerCount(signal) > (hooks.listeners.get(signal)?.size ?? 1)) {
        // The app shuts down itself: keep accepting its events, write what is pending, never exit.
        safely('flushSync', () => log.flushSync());
        safely('flush', () => void log.flush?.().catch((error: unknown) => SelfLog.write('Process hook: flush failed', error)));
        return;
      }
      // A second signal during the hooks' close ends the process at once. One that arrives after
      // the app's listener has gone (Nest re-raises the signal once its shutdown is done) is the
      // hooks' own: it closes gracefully, then exits. A first one during the close `beforeExit`
      // started (Kubernetes stopping a pod whose loop ran dry) waits for that close, then exits:
      // it used to count as a second signal and cut the close short, leaving events undelivered.
      // So does one during a close the app started on an earlier signal it handled (its
      // process.once handler is gone, the close under way): the user's second Ctrl-C, which Node's
      // default would end the process with, used to wait for that close.
      if (signalled || (earlier && closing())) {
        exitAfterSignal(signal);
        return;
      }
      signalled = true;
      // The close's own timeout wins; this last resort only ends a close that never settles.
      guard = setTimeout(
        () => exitAfterSignal(signal),
        // Capped: past MAX_TIMER_MS the guard would fire after 1 ms and exit before the close.
        Math.min(timeoutMs + PROCESS_HOOK_GUARD_MARGIN_MS, MAX_TIMER_MS),
      );
      hooks.closing.add(self);
      void (hooksClose ?? closeGracefully(`on ${signal}`)).then(() => {
        hooks.closing.delete(self);
        // This close has settled: its last resort has nothing left to cut short. Left running, it
        // ended the process while another hooked logger's longer close was still delivering.
        clearTimeout(guard);
        // Another hooked logger still closing exits once its own close settles (or at its guard).
        if (hooks.closing.size === 0) exitAfterSignal(signal);
      });
    };
    return [signal, handler] as const;
  });

  /** How many times `beforeExit` flushed instead of closing, and `metrics().logged` the last time. */
  let beforeExitFlushes = 0;
  let loggedAtBeforeExit: number | undefined;
  const onBeforeExit = (): void => {
    if (hooksClose !== undefined) return;
    // The app's own beforeExit listener may start asynchronous work (closing a pool, a last
    // request) that logs when it ends: a close now would refuse those events, counted only in
    // rejectedAfterClose. So flush, and make sure the loop turns once more: beforeExit comes again
    // once that work is done, and the hooks close when nothing was logged since.
    if (
      target.listenerCount('beforeExit') > (hooks.listeners.get('beforeExit')?.size ?? 1) &&
      beforeExitFlushes < MAX_BEFORE_EXIT_FLUSHES
    ) {
      let logged: number | undefined;
      safely('metrics', () => void (logged = log.metrics?.().logged));
      if (typeof logged === 'number' && logged !== loggedAtBeforeExit) {
        loggedAtBeforeExit = logged;
        beforeExitFlushes++;
        // Bounded by the hooks' timeoutMs, as their close is, not by flush()'s own 5000 ms.
        safely(
          'flush',
          () => void log.flush?.({ timeoutMs }).catch((error: unknown) => SelfLog.write('Process hook: flush failed', error)),
        );
        setImmediate(() => undefined);
        return;
      }
    }
    void closeGracefully('before exit');
  };

  const onExit = (code: unknown): void => {
    // No close comes now (`process.exit()` in the app, a crash): the requests in flight are written
    // as unfinished, as a close would, and the flush writes them out.
    writeUnfinishedRequests(log);
    safely('flushSync', () => log.flushSync());
    const cause = `at exit (code ${String(code)})`;
    // Reported before this exit (by a close, or the exit after a signal): the logger is closed or
    // closing, so it refuses later events (counted in rejectedAfterClose); nothing more to write.
    const closed = reported;
    reportPending(cause);
    // An `exit` listener that runs after this one may still log (the app's own, added later):
    // nothing else writes its events, so each is written as it comes, and reported if it cannot be.
    if (closed || !processExiting()) return;
    // Set while one is written and reported: what that logs itself (the report function, a
    // SelfLog output writing to this logger, a diagnostic per sink) is written once after, never
    // reported again, which would log again, and so on.
    let busy = false;
    let more = false;
    /** Writes what is pending (`flush`) and reports anew what changed: after an event, or the app's own flushSync. */
    const update = (flush: boolean, why: string): void => {
      busy = true;
      try {
        if (flush) safely('flushSync', () => log.flushSync());
        reportPending(`${cause}, ${why}`, true);
        if (more) safely('flushSync', () => log.flushSync());
      } finally {
        busy = more = false;
      }
    };
    safely('events$', () => {
      const events$ = log.events$ as Partial<Subscribable<unknown>> | undefined;
      events$?.subscribe?.({
        next: () => {
          if (busy) more = true;
          else update(true, "counting events logged after the hooks' flush");
        },
      });
    });
    // An app's exit listener that calls flushSync() itself can write what the report counted
    // undelivered (a stalled reader that went on): the report follows. The hooks' own flushes
    // (while busy) are followed by a report already.
    safely('flushSync listener', () =>
      log[AFTER_FLUSH_SYNC]?.(() => {
        if (!busy) update(false, 'as of a later flushSync');
      }),
    );
  };

  const onUncaught = (...[error, origin]: unknown[]): void => {
    const unhandledRejection = origin === 'unhandledRejection';
    const asError = error instanceof Error ? error : new Error(reasonText(error));
    const what = unhandledRejection ? 'Unhandled rejection' : 'Uncaught exception';
    // A closing logger (a signal's close under way) refuses every event, and would count this one in
    // rejectedAfterClose, as if the app had logged after close: it is reported for what it is.
    if (closing())
      SelfLog.write(
        'Process hook: {What} while the logger was closing; a closing logger refuses events, so it is not logged',
        what,
        asError,
      );
    else safely('fatal', () => log.fatal(asError, what));
    safely('flushSync', () => log.flushSync());
  };

  // One listener per event for each install: a twelfth logger hooked would have Node warn of a
  // leak (MaxListenersExceededWarning, at the eleventh listener of an event) that is none. The
  // limit goes up by one while hooked, so it still catches a leak of the app's own listeners.
  const raisedLimit = changeMaxListeners(target, 1);
  for (const [signal, handler] of signalHandlers) {
    if (typeof target.prependListener === 'function') target.prependListener(signal, handler);
    else target.on(signal, handler);
    let own = hooks.listeners.get(signal);
    if (own === undefined) hooks.listeners.set(signal, (own = new Set()));
    own.add(handler);
  }
  target.on('beforeExit', onBeforeExit);
  let ownBeforeExit = hooks.listeners.get('beforeExit');
  if (ownBeforeExit === undefined) hooks.listeners.set('beforeExit', (ownBeforeExit = new Set()));
  ownBeforeExit.add(onBeforeExit);
  target.on('exit', onExit);
  target.on('uncaughtExceptionMonitor', onUncaught);

  let installed = true;
  /** The watch for the logger's close (below): its timer holds the logger, so uninstall ends it too. */
  let watch: Unsubscribable | undefined;
  const uninstall = (): void => {
    if (!installed) return;
    installed = false;
    safely('metricsEvery unsubscribe', () => watch?.unsubscribe());
    if (installs.get(key)?.uninstall === uninstall) installs.delete(key);
    clearTimeout(guard);
    hooks.closing.delete(self);
    for (const [signal, handler] of signalHandlers) {
      target.off(signal, handler);
      hooks.listeners.get(signal)?.delete(handler);
    }
    target.off('beforeExit', onBeforeExit);
    hooks.listeners.get('beforeExit')?.delete(onBeforeExit);
    target.off('exit', onExit);
    target.off('uncaughtExceptionMonitor', onUncaught);
    if (raisedLimit) changeMaxListeners(target, -1);
  };
  // A logger closed by the app (not by a hook) must not stay reachable from the process through
  // these listeners: a program that hooks and closes loggers in a loop would keep every one.
  // metricsEvery completes once close() has finished; its one timer is unref'd and ticks every ~24 days.
  installs.set(key, { ...wanted, uninstall });
  safely('metricsEvery', () => (watch = log.metricsEvery?.(MAX_TIMER_MS).subscribe({ complete: uninstall })));
  return uninstall;
}

/** Raises (or lowers) the target's limit of listeners per event by `by`; false when it has none to change (0 or Infinity: no limit). */
function changeMaxListeners(target: HookableProcess, by: number): boolean {
  let changed = false;
  safely('setMaxListeners', () => {
    const limit = target.getMaxListeners?.();
    if (typeof limit !== 'number' || !(limit > 0) || limit === Infinity || typeof target.setMaxListeners !== 'function') return;
    target.setMaxListeners(Math.max(1, limit + by));
    changed = true;
  });
  return changed;
}

/** Whether a close resolved with a ShutdownReport (a test double's close may resolve with anything). */
function isShutdownReport(value: unknown): value is ShutdownReport {
  if (typeof value !== 'object' || value === null) return false;
  const { sinks, strategy, elapsedMs, timedOut } = value as Partial<Record<keyof ShutdownReport, unknown>>;
  return (
    typeof sinks === 'object' &&
    sinks !== null &&
    typeof strategy === 'string' &&
    typeof elapsedMs === 'number' &&
    typeof timedOut === 'boolean'
  );
}
