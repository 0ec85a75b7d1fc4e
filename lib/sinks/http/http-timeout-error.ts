/** A request that had no complete response within the sink's `timeoutMs`; it was aborted. */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';

  /** @param timeoutMs The limit that ran out, in milliseconds. */
  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${url} had no complete response within ${timeoutMs} ms; the request was aborted`);
  }
}
