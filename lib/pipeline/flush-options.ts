/** Options of `log.flush()`. */
export interface FlushOptions {
  /**
   * Longest wait, in milliseconds; past it `flush()` resolves with `timedOut: true`. Default `5000`
   * (as `close()`). `Infinity` or anything past 2^31 - 1 waits that long (about 24.8 days).
   */
  timeoutMs?: number | undefined;
}

/** What `log.flush()` resolves with. It never rejects. */
export interface FlushResult {
  /**
   * True when the wait ran out before everything logged before the call was delivered (or
   * accounted as dropped or failed) and every sink's `flush()` had finished; the events still
   * pending stay pending, and SelfLog hears how many, as `log.metrics()` reads them then (each
   * sink's `pending`, what its `pipe` holds included, plus `pipe.pending`). True as well when a
   * `close()` that timed out meanwhile gave up on some of those events (its report counts them
   * undelivered).
   */
  timedOut: boolean;
}
