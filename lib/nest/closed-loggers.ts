import type { LoggerService } from '@nestjs/common';
import { SelfLog } from '../core/self-log';
import type { Logger } from '../pipeline/logger';

/**
 * The loggers an app's shutdown closed, each with the Nest logger that takes its calls from then
 * on. Kept apart from `RxlogShutdown` so that `RxlogLoggerService` loads without Nest's runtime.
 */
const closedLoggers = new WeakMap<Logger, () => LoggerService>();
/** The loggers the app closed itself (`shutdown: false`, or in a hook of its own), with the same. */
const closedByApp = new WeakMap<Logger, () => LoggerService>();

/** Notes that an app's shutdown closed `log`; `fallback` makes the Nest logger for later calls. */
export function markClosedAtShutdown(log: Logger, fallback: () => LoggerService): void {
  closedLoggers.set(log, fallback);
}

/** When an app's shutdown closed `log`: what makes the Nest logger for later calls; else undefined. */
export function closedAtShutdown(log: Logger): (() => LoggerService) | undefined {
  return closedLoggers.get(log);
}

/**
 * Notes `fallback` for when `log` is closed by whoever closes it: the app may close it itself
 * (under `shutdown: false`, or in a shutdown hook of its own), and what Nest logs afterwards would
 * otherwise be rejected, only counted. The logger's stream completes as `close()` is called.
 */
export function fallBackWhenClosed(log: Logger, fallback: () => LoggerService): void {
  try {
    log.events$.subscribe({ complete: () => closedByApp.set(log, fallback) });
  } catch (error) {
    SelfLog.write('RxlogModule: the logger cannot be watched for its close', error);
  }
}

/** When `log` is closed, by the app's shutdown or by the app itself: what makes the Nest logger for later calls; else undefined. */
export function closedFallback(log: Logger): (() => LoggerService) | undefined {
  return closedLoggers.get(log) ?? closedByApp.get(log);
}
