import { LoggerConfiguration } from '../configuration/logger-configuration';
import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue } from '../core/describe-value';
import { ConfigurationError } from '../core/errors/configuration-error';
import { SelfLog } from '../core/self-log';
import { ensureAsyncLocalStorage } from '../node/http/ensure-async-local-storage';
import { Logger } from '../pipeline/logger';
import type { RxlogModuleOptions, RxlogShutdownOptions } from './rxlog-module-options';
import { closedAtShutdown, isClosedLogger } from './closed-loggers';

/** The keys of `RxlogModuleOptions`: any other is a misspelling, refused rather than ignored. */
export const MODULE_OPTION_NAMES: readonly (keyof RxlogModuleOptions)[] = ['configure', 'logger', 'requestLogging', 'shutdown'];
const SHUTDOWN_OPTION_NAMES: readonly (keyof RxlogShutdownOptions)[] = ['strategy', 'timeoutMs', 'report'];

/**
 * The app's logger from `RxlogModule`'s options: `options.logger` as it is, else the logger
 * `configure` builds on a configuration that already reads `LogContext`, else one writing to the
 * console. Also makes `LogContext` follow async continuations (AsyncLocalStorage), which the
 * request context needs, unless that is already so.
 *
 * @throws ConfigurationError naming the bad option (a misspelt one too), when both `logger`
 * and `configure` are given, or when `logger` is closed (by an earlier app's shutdown, or otherwise).
 */
export function createModuleLogger(options: RxlogModuleOptions): Logger {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null)
    throw new ConfigurationError(`RxlogModule: expected an options object, got ${describeValue(given)}`);
  checkOptionKeys('RxlogModule', given, MODULE_OPTION_NAMES);
  const { logger, configure } = options;
  if (logger !== undefined && configure !== undefined)
    throw new ConfigurationError('RxlogModule: give logger or configure, not both (configure would be ignored)');
  // Context follows awaits; a store the app installed itself (its own, or an AsyncLocalStorage one) is kept.
  ensureAsyncLocalStorage();
  if (logger !== undefined) {
    if (!(logger instanceof Logger))
      throw new ConfigurationError(`RxlogModule logger: expected an rxlog Logger, got ${describeValue(logger)}`);
    // One logger given to a module every app imports (an e2e spec makes an app per test): the first app closed it.
    if (closedAtShutdown(logger))
      throw new ConfigurationError(
        'RxlogModule logger: this logger was closed when an earlier app shut down, and would reject everything this app logs; give each app a logger of its own (configure, or forRootAsync with a useFactory that makes one), or shutdown: false and close it yourself',
      );
    // Closed otherwise: an earlier app closed it in a hook of its own (shutdown: false), or it was closed before.
    if (isClosedLogger(logger))
      throw new ConfigurationError(
        'RxlogModule logger: this logger is closed (its close() was called: by an earlier app, or by the code that made it), and would reject everything this app logs; give the app an open logger, a new one for each app (configure, or forRootAsync with a useFactory that makes one)',
      );
    return logger;
  }
  const configuration = new LoggerConfiguration().enrich.fromLogContext();
  if (configure === undefined) return configuration.writeTo.console().createLogger();
  if (typeof configure !== 'function')
    throw new ConfigurationError(`RxlogModule configure: expected a function, got ${describeValue(configure)}`);
  const built: unknown = configure(configuration);
  if (built instanceof Logger) return built;
  if (built instanceof LoggerConfiguration) return built.createLogger();
  if (isThenable(built)) {
    // Refused below; its rejection, if any, must not be left unhandled (it would end the process).
    built.then(undefined, (error: unknown) => SelfLog.write('RxlogModule configure: the Promise it returned rejected', error));
    throw new ConfigurationError(
      'RxlogModule configure: returned a Promise (an async function?); configure must build the logger synchronously: do async work (reading secrets, a config server) in forRootAsync’s useFactory, and return configure from it',
    );
  }
  throw new ConfigurationError(
    `RxlogModule configure: expected it to return the LoggerConfiguration or a Logger, got ${describeValue(built)}`,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The shutdown options checked, with their defaults.
 *
 * @throws ConfigurationError naming the bad option.
 */
export function shutdownSettings(options: RxlogModuleOptions): false | RxlogShutdownOptions {
  const shutdown: unknown = options.shutdown ?? {};
  if (shutdown === false) return false;
  if (typeof shutdown !== 'object' || shutdown === null)
    throw new ConfigurationError(`RxlogModule shutdown: expected false or options, got ${describeValue(shutdown)}`);
  checkOptionKeys('RxlogModule shutdown', shutdown, SHUTDOWN_OPTION_NAMES);
  const { strategy, timeoutMs, report } = shutdown as Record<string, unknown>;
  if (strategy !== undefined && strategy !== 'graceful' && strategy !== 'flush' && strategy !== 'immediate')
    throw new ConfigurationError(
      `RxlogModule shutdown.strategy: expected graceful, flush or immediate, got ${describeValue(strategy)}`,
    );
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)))
    throw new ConfigurationError(`RxlogModule shutdown.timeoutMs: expected milliseconds >= 0, got ${describeValue(timeoutMs)}`);
  if (report !== undefined && report !== false && typeof report !== 'function')
    throw new ConfigurationError(`RxlogModule shutdown.report: expected a function or false, got ${describeValue(report)}`);
  return shutdown;
}
