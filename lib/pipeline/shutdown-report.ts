import type { ShutdownStrategy } from './sink-delivery';

/** How one sink's events ended up when the logger closed. */
export interface SinkShutdownSummary {
  delivered: number;
  dropped: number;
  failed: number;
  /** Events still queued, batched, in flight or held by the sink's operators when the close gave up waiting (a graceful close's timeout; an immediate close's wait for the batch in flight). */
  undelivered: number;
}

/**
 * Each sink's report when a close is cut short, read from its metrics: what it still holds
 * (`pending`) is `undelivered`. A count the metrics leave out (a logger-like stand-in's) is 0.
 */
export function pendingAsUndelivered(
  sinks: Readonly<
    Record<
      string,
      {
        readonly pending: number;
        readonly delivered?: number | undefined;
        readonly dropped?: number | undefined;
        readonly failed?: number | undefined;
      }
    >
  >,
): Record<string, SinkShutdownSummary> {
  const summary: Record<string, SinkShutdownSummary> = {};
  for (const name of Object.keys(sinks)) {
    const { delivered = 0, dropped = 0, failed = 0, pending } = sinks[name];
    summary[name] = { delivered, dropped, failed, undelivered: pending };
  }
  return summary;
}

/** What `log.close()` resolves with. */
export interface ShutdownReport {
  strategy: ShutdownStrategy;
  elapsedMs: number;
  /** True when the close gave up waiting (for deliveries, or for a sink's `close()`); `undelivered` says how much it left behind. */
  timedOut: boolean;
  /**
   * The operators added with `.pipe()`, when there are any: the events they removed (`dropped`),
   * and the events they still held when the close ended (`undelivered`: they reached no sink); an
   * `immediate` close counts what they held as dropped (reason `already_shutdown`) instead.
   */
  pipe?: { dropped: number; undelivered: number } | undefined;
  sinks: Record<string, SinkShutdownSummary>;
}

/** Options of `log.close()`. */
export interface CloseOptions {
  /** `'immediate'` drops what is queued, `'flush'` delivers everything with no time bound (the sinks' `close()` then gets `timeoutMs`), `'graceful'` delivers until `timeoutMs`. Default `'graceful'`. */
  strategy?: ShutdownStrategy | undefined;
  /**
   * How long a graceful or immediate close waits, in milliseconds (under `'flush'`, how long the
   * sinks' `close()` may take once everything is delivered). Default `5000`. `Infinity` or
   * anything past 2^31 - 1 waits that long (about 24.8 days). A graceful or immediate `close()`
   * made while another is under way waits at most this long for it too (see `Logger.close`).
   */
  timeoutMs?: number | undefined;
}
