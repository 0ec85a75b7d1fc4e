/** How many sink calls are running now, in every pipeline (see {@link isInSinkCode}). */
let sinkCodeDepth = 0;

/**
 * Whether some pipeline is calling into sink code now, on this turn: the synchronous part of a
 * sink's `emit`, `emitSync`, `flush`, `flushSync` or `close`. The Angular HTTP interceptor leaves
 * alone the requests made then: a sink that posts its batches with the app's HttpClient would
 * otherwise log its own request, whose event the sink posts again, for ever.
 */
export function isInSinkCode(): boolean {
  return sinkCodeDepth !== 0;
}

/**
 * Marks the turns on which a pipeline is calling into sink code (`emit`, `emitSync`, `flush`,
 * `close` of a sink or its fallback). A log call made on such a turn would recurse into the
 * delivery stage, and with a synchronous sink loop forever, so the pipeline drops it (to SelfLog,
 * counted), as Serilog does with re-entrant writes.
 */
export class ReentrancyGuard {
  #depth = 0;

  /** Whether sink code is running now. */
  get active(): boolean {
    return this.#depth !== 0;
  }

  /** Runs `fn` (sink code) marked as such; whatever it returns or throws passes through. */
  run<T>(fn: () => T): T {
    this.#depth++;
    sinkCodeDepth++;
    try {
      return fn();
    } finally {
      this.#depth--;
      sinkCodeDepth--;
    }
  }
}
