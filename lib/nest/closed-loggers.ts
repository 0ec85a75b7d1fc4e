import type { LoggerService } from '@nestjs/common';
import type { Logger } from '../pipeline/logger';

/**
 * The loggers an app's shutdown closed, each with the Nest logger that takes its calls from then
 * on. Kept apart from `RxlogShutdown` so that `RxlogLoggerService` loads without Nest's runtime.
 */
const closedLoggers = new WeakMap<Logger, () => LoggerService>();

/** Notes that an app's shutdown closed `log`; `fallback` makes the Nest logger for later calls. */
export function markClosedAtShutdown(log: Logger, fallback: () => LoggerService): void {
  closedLoggers.set(log, fallback);
}

/** When an app's shutdown closed `log`: what makes the Nest logger for later calls; else undefined. */
export function closedAtShutdown(log: Logger): (() => LoggerService) | undefined {
  return closedLoggers.get(log);
}
