import type { LoggerService } from '@nestjs/common';
import { SelfLog } from '../core/self-log';
import type { Logger } from '../pipeline/logger';

/**
 * The Nest logger that takes a logger's calls once it is closed, set when an app's shutdown closes
 * it, or noted beforehand for when it closes otherwise (the app closed it itself). Kept apart from
 * `RxlogShutdown` so that `RxlogLoggerService` loads without Nest's runtime.
 */
const fallbacks = new WeakMap<Logger, () => LoggerService>();
/** The loggers an app's shutdown closed (a later app must not be given one). */
const closedByShutdown = new WeakSet<Logger>();

/** Notes that an app's shutdown closes `log`; `fallback` makes the Nest logger for later calls. */
export function markClosedAtShutdown(log: Logger, fallback: () => LoggerService): void {
  closedByShutdown.add(log);
  fallbacks.set(log, fallback);
}

/** Whether an app's shutdown closed `log`. */
export function closedAtShutdown(log: Logger): boolean {
  return closedByShutdown.has(log);
}

/**
 * Notes `fallback` for when `log` is closed by whoever closes it: the app may close it itself
 * (under `shutdown: false`, or in a shutdown hook of its own), and what Nest logs afterwards would
 * otherwise be rejected, only counted.
 */
export function fallBackWhenClosed(log: Logger, fallback: () => LoggerService): void {
  if (!fallbacks.has(log)) fallbacks.set(log, fallback);
}

/** When `log` is closed, by the app's shutdown or by the app itself: what makes the Nest logger for later calls; else undefined. */
export function closedFallback(log: Logger): (() => LoggerService) | undefined {
  // Asked on every Nest log call: most loggers have no fallback noted, and are not asked further.
  const fallback = fallbacks.get(log);
  return fallback !== undefined && isClosedLogger(log) ? fallback : undefined;
}

/**
 * Whether `log` is closed: its `close()` was called, by an app's shutdown, by the app itself, or by
 * the code that made it. A closed logger answers `isEnabled` false for every level, `fatal`
 * included, from the moment `close()` is called (whatever its `.pipe()` operators do with the
 * stream's completion, which used to be the sign watched for).
 */
export function isClosedLogger(log: Logger): boolean {
  if (closedByShutdown.has(log)) return true;
  try {
    return !log.isEnabled('fatal');
  } catch (error) {
    SelfLog.write('RxlogModule: the logger cannot be asked whether it is closed', error);
    return false;
  }
}
