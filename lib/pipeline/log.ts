import { adoptOutcome } from '../core/adopt-outcome';
import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import { hasMethods } from '../core/has-methods';
import { readGuarded } from '../core/read-options';
import { sharedState } from '../core/shared-state';
import type { CheckLogArguments } from '../templates/template-values';
import type { Logger } from './logger';
import type { CloseOptions, ShutdownReport } from './shutdown-report';

/**
 * The facade's state, one for every copy of rxlog in the process (see sharedState): its logger,
 * and the close that `closeAndFlush` started and that has not settled yet, with its logger (each
 * absent where an older copy made the state).
 */
interface FacadeState {
  logger: Logger | undefined;
  closing?: Promise<ShutdownReport | undefined> | undefined;
  closingLogger?: Logger | undefined;
}

let facade: FacadeState | undefined;
const shared = (): FacadeState => (facade ??= sharedState<FacadeState>('Log.v1', () => ({ logger: undefined })));
const current = (): Logger | undefined => shared().logger;

/** What the facade calls on its logger. */
const LOGGER_METHODS = ['verbose', 'trace', 'debug', 'information', 'info', 'warning', 'warn', 'error', 'fatal', 'close'];

/**
 * The global facade: set `Log.logger` once at start-up and log from anywhere. Before a logger is
 * set, every call is a silent no-op.
 *
 * @example
 * Log.logger = new LoggerConfiguration().writeTo.console().createLogger();
 * Log.information('Started in {Ms} ms', 12);
 * await Log.closeAndFlush();
 */
export class Log {
  /** The logger the facade writes to; undefined until set. */
  static get logger(): Logger | undefined {
    return current();
  }

  /**
   * Sets the logger the facade writes to, or `undefined` to make it a no-op again.
   *
   * @throws ConfigurationError naming the value when it is neither undefined nor a logger (an
   * object with the level methods and `close`), or saying so when reading it throws (a hostile Proxy):
   * checked here, once, so that no later `Log.information` can throw.
   */
  static set logger(logger: Logger | undefined) {
    // A Proxy whose reads throw: a mistake like any other, not the Proxy's own error.
    const ok = logger === undefined || readGuarded('Log.logger', 'the logger', () => hasMethods(logger, LOGGER_METHODS));
    if (!ok) throw new ConfigurationError(`Log.logger: expected a Logger or undefined, got ${describeValue(logger)}`);
    shared().logger = logger;
  }

  /** Writes through the current logger a `verbose` event: the most detailed tracing. Same arguments as `Logger.verbose`. */
  static verbose<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.verbose(first as string, ...rest);
  }

  /** Writes through the current logger a `verbose` event (the name pino and winston users know). Same arguments as `Logger.trace`. */
  static trace<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.trace(first as string, ...rest);
  }

  /** Writes through the current logger a `debug` event: internal detail useful when debugging. Same arguments as `Logger.debug`. */
  static debug<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.debug(first as string, ...rest);
  }

  /** Writes through the current logger an `information` event: the normal flow of the app. Same arguments as `Logger.information`. */
  static information<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.information(first as string, ...rest);
  }

  /** Writes through the current logger an `information` event (the name pino and winston users know). Same arguments as `Logger.info`. */
  static info<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.info(first as string, ...rest);
  }

  /** Writes through the current logger a `warning` event: something unexpected that the app recovered from. Same arguments as `Logger.warning`. */
  static warning<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.warning(first as string, ...rest);
  }

  /** Writes through the current logger a `warning` event (the name pino and winston users know). Same arguments as `Logger.warn`. */
  static warn<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.warn(first as string, ...rest);
  }

  /** Writes through the current logger an `error` event: an operation failed. Same arguments as `Logger.error`. */
  static error<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.error(first as string, ...rest);
  }

  /** Writes through the current logger a `fatal` event: the app cannot go on. Same arguments as `Logger.fatal`. */
  static fatal<const First, const Rest extends readonly unknown[]>(
    first: First & CheckLogArguments<First, Rest>,
    ...rest: Rest
  ): void {
    current()?.fatal(first as string, ...rest);
  }

  /**
   * Closes the current logger (gracefully by default), resets the facade to a no-op and returns the
   * report; undefined when no logger was set. A call made while an earlier one is still closing
   * (a signal handler and the app's own shutdown) closes that logger again, as `log.close()` does:
   * it waits for that close and returns its report, so neither lets the process end before the
   * events are delivered, but no longer than its own `timeoutMs` when that ends sooner (see
   * `Logger.close`).
   */
  static closeAndFlush(options?: CloseOptions): Promise<ShutdownReport | undefined> {
    const state = shared();
    const { logger } = state;
    if (logger === undefined) {
      const { closing, closingLogger } = state;
      if (closing === undefined) return Promise.resolve(undefined);
      return closingLogger === undefined ? closing : closeLogger(closingLogger, options);
    }
    state.logger = undefined;
    const closing = closeLogger(logger, options);
    state.closing = closing;
    state.closingLogger = logger;
    const settled = (): void => {
      if (state.closing !== closing) return;
      state.closing = undefined;
      state.closingLogger = undefined;
    };
    closing.then(settled, settled);
    return closing;
  }
}

/**
 * `logger.close(options)`, a synchronous throw (of a look-alike logger) as a rejection; its result
 * adopted as `adoptOutcome` adopts it, so that one that fulfils with itself rejects, never hangs.
 */
function closeLogger(logger: Logger, options: CloseOptions | undefined): Promise<ShutdownReport> {
  return new Promise((resolve, reject) =>
    adoptOutcome(
      () => logger.close(options),
      (report) => resolve(report as ShutdownReport),
      reject,
    ),
  );
}
