import type { LoggerService } from '@nestjs/common';
import { SelfLog } from '../core/self-log';
import type { Logger } from '../pipeline/logger';

/**
 * The closed loggers, each with what makes the Nest logger that takes its calls from then on: set
 * when an app's shutdown closes one, or when one closes otherwise (the app closed it itself). Kept
 * apart from `RxlogShutdown` so that `RxlogLoggerService` loads without Nest's runtime.
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
 * otherwise be rejected, only counted. The logger's stream completes as `close()` is called.
 */
export function fallBackWhenClosed(log: Logger, fallback: () => LoggerService): void {
  try {
    log.events$.subscribe({ complete: () => fallbacks.set(log, fallback) });
  } catch (error) {
    SelfLog.write('RxlogModule: the logger cannot be watched for its close', error);
  }
}

/** When `log` is closed, by the app's shutdown or by the app itself: what makes the Nest logger for later calls; else undefined. */
export function closedFallback(log: Logger): (() => LoggerService) | undefined {
  return fallbacks.get(log);
}

/**
 * Whether `log` is closed: its `close()` was called, by an app's shutdown, by the app itself, or by
 * the code that made it. The logger's stream completes as `close()` is called, and completes at
 * once for a subscriber that comes later. (A `.pipe()` operator that does not complete with its
 * source hides that; an app's shutdown is still known.)
 */
export function isClosedLogger(log: Logger): boolean {
  if (closedByShutdown.has(log) || fallbacks.has(log)) return true;
  let completed = false;
  try {
    log.events$.subscribe({ complete: () => (completed = true) }).unsubscribe();
  } catch (error) {
    SelfLog.write('RxlogModule: the logger cannot be watched for its close', error);
  }
  return completed;
}
