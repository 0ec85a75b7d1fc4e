import type { Enricher } from '../core/enricher';

/**
 * An enricher adding `ProcessId` (`process.pid`), read once; every event gets the same frozen object.
 *
 * @example new LoggerConfiguration().enrich.with(withProcessId())
 */
export function withProcessId(): Enricher {
  const properties = Object.freeze({ ProcessId: process.pid });
  return () => properties;
}
