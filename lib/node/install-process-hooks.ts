import { describeValue } from '../core/describe-value';
import { hasMethods } from '../core/has-methods';
import * as os from 'node:os';
import { ConfigurationError } from '../core/errors/configuration-error';
import { checkTimerMs, MAX_TIMER_MS } from '../core/max-timer-ms';
import { SelfLog } from '../core/self-log';

/** What the hooks need of a logger: typed structurally, so any Logger (or a test double) fits. */
export interface HookableLogger {
  /** Logs an uncaught exception or unhandled rejection. */
  fatal(error: Error, template: string, ...args: unknown[]): void;
  /** Writes everything pending synchronously, on `exit`. */
  flushSync(): void;
  /** Closes the logger, on a signal or `beforeExit`. */
  close(options?: { strategy?: 'immediate' | 'flush' | 'graceful'; timeoutMs?: number }): Promise<unknown>;
  /** Per-sink pending counts, read when the process must end before the close reported (a Logger has it). */
  metrics?(): { sinks: Readonly<Record<string, { pending: number }>> };
}

/**
 * How long after the close's own timeout the last-resort exit waits, in milliseconds: the close
 * reports first (it also closes the sinks within its timeout), and only a close that never
 * settles is cut short.
 */
const PROCESS_HOOK_GUARD_MARGIN_MS = 1_000;

/** What the hooks need of the process: `process` itself, or an EventEmitter stand-in in tests. */
export interface HookableProcess {
  /** Adds a listener for a signal or process event. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Removes a listener added with `on`. */
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  /** How many listeners an event has: a signal with other listeners is theirs to exit on. */
  listenerCount(event: string): number;
  /** Ends the process with the code. */
  exit(code?: number): void;
}

/** Options of installProcessHooks. */
export interface ProcessHooksOptions {
  /** Signals that close the logger gracefully and end the process. Default `['SIGINT', 'SIGTERM']`. */
  signals?: readonly NodeJS.Signals[];
  /**
   * The graceful close's timeout on a signal or `beforeExit`, in milliseconds, at most
   * 2 147 483 647 (the longest timer delay). Default `5000`. A
   * close that has not settled 1000 ms after it is given up: the
   * process exits and what each sink still held is written to SelfLog.
   */
  timeoutMs?: number;
  /** Exit code after a signal. Default `128 +` the signal's number (130 for SIGINT, 143 for SIGTERM), as shells report it. */
  exitCode?: number;
}

function signalNumber(signal: NodeJS.Signals): number {
  return (os.constants.signals as Partial<Record<NodeJS.Signals, number>>)[signal] ?? 0;
}

/** Runs `fn`, sending anything it throws to SelfLog: a process hook must never throw. */
/** A thrown value that is not an Error, as text; String() throws for a null-prototype object or a throwing toString. */
function reasonText(reason: unknown): string {
  try {
    return String(reason);
  } catch {
    return describeValue(reason);
  }
}

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
 *   (default 128 + the signal's number) — but only when no other listener for that signal exists,
 *   because then that listener owns the decision to exit; a second signal exits at once;
 * - on `beforeExit` (the event loop ran dry), closes gracefully, once;
 * - on `exit`, calls `log.flushSync()`, the last chance to write anything synchronously;
 * - on an uncaught exception or an unhandled rejection, logs it as fatal (`'Uncaught exception'` /
 *   `'Unhandled rejection'`, a non-Error wrapped in an Error) and flushes synchronously. It listens
 *   on `uncaughtExceptionMonitor`, so Node's own behaviour is kept: the error is printed to stderr
 *   and the process exits with code 1, unless the application handles the error itself (an
 *   `uncaughtException` or `unhandledRejection` listener of its own, or `--unhandled-rejections=warn`).
 *
 * Handlers never throw; their faults go to SelfLog.
 *
 * @param target the process to hook; default `process` (tests pass an EventEmitter).
 * @returns a function that removes every hook.
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
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const timeoutMs = options.timeoutMs ?? 5000;
  // Past MAX_TIMER_MS the logger's close timer would fire after 1 ms (timers clamp such a delay).
  checkTimerMs('installProcessHooks timeoutMs', timeoutMs);
  for (const signal of signals) {
    if (signalNumber(signal) === 0)
      throw new ConfigurationError(`installProcessHooks signals: unknown signal ${JSON.stringify(String(signal))}`);
  }
  if (options.exitCode !== undefined && !Number.isInteger(options.exitCode)) {
    throw new ConfigurationError(`installProcessHooks exitCode: expected an integer, got ${String(options.exitCode)}`);
  }

  let closing = false;
  let exiting = false;
  let guard: ReturnType<typeof setTimeout> | undefined;

  const exitAfterSignal = (signal: NodeJS.Signals): void => {
    if (exiting) return;
    exiting = true;
    clearTimeout(guard);
    safely('flushSync', () => log.flushSync());
    // Our own listener counts as one; any other listener decides for itself whether to exit.
    if (target.listenerCount(signal) <= 1) target.exit(options.exitCode ?? 128 + signalNumber(signal));
  };

  const reportUndelivered = (): void => {
    safely('metrics', () => {
      const sinks = log.metrics?.().sinks ?? {};
      for (const name of Object.keys(sinks)) {
        const pending = sinks[name].pending;
        if (pending > 0) {
          SelfLog.write('Process exiting before the logger closed: sink {Name} has {Count} events undelivered', name, pending);
        }
      }
    });
  };

  const closeGracefully = (): Promise<unknown> => {
    closing = true;
    try {
      return log
        .close({ strategy: 'graceful', timeoutMs })
        .catch((error: unknown) => SelfLog.write('Process hook: close failed', error));
    } catch (error) {
      SelfLog.write('Process hook: close failed', error);
      return Promise.resolve();
    }
  };

  const signalHandlers = signals.map((signal) => {
    const handler = (): void => {
      if (closing) {
        exitAfterSignal(signal);
        return;
      }
      // The close's own timeout wins; this last resort only ends a close that never settles.
      guard = setTimeout(
        () => {
          reportUndelivered();
          exitAfterSignal(signal);
          // Capped: past MAX_TIMER_MS the guard would fire after 1 ms and exit before the close.
        },
        Math.min(timeoutMs + PROCESS_HOOK_GUARD_MARGIN_MS, MAX_TIMER_MS),
      );
      void closeGracefully().then(() => exitAfterSignal(signal));
    };
    return [signal, handler] as const;
  });

  const onBeforeExit = (): void => {
    if (closing) return;
    void closeGracefully();
  };

  const onExit = (): void => {
    safely('flushSync', () => log.flushSync());
  };

  const onUncaught = (...[error, origin]: unknown[]): void => {
    const unhandledRejection = origin === 'unhandledRejection';
    const asError = error instanceof Error ? error : new Error(reasonText(error));
    safely('fatal', () => log.fatal(asError, unhandledRejection ? 'Unhandled rejection' : 'Uncaught exception'));
    safely('flushSync', () => log.flushSync());
  };

  for (const [signal, handler] of signalHandlers) target.on(signal, handler);
  target.on('beforeExit', onBeforeExit);
  target.on('exit', onExit);
  target.on('uncaughtExceptionMonitor', onUncaught);

  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    clearTimeout(guard);
    for (const [signal, handler] of signalHandlers) target.off(signal, handler);
    target.off('beforeExit', onBeforeExit);
    target.off('exit', onExit);
    target.off('uncaughtExceptionMonitor', onUncaught);
  };
}
