/**
 * A request body over OtlpSink's `maxRequestBytes`, which was not sent (the OTLP specification:
 * the client "MUST NOT make the request"). OtlpSink sends a batch that large in parts instead; a
 * single event that large fails for good (`permanent`: the delivery stage does not retry it).
 */
export class OtlpRequestTooLargeError extends Error {
  override readonly name = 'OtlpRequestTooLargeError';
  readonly permanent = true;

  /**
   * @param bytes The body's size, in UTF-8 bytes.
   * @param maxBytes The limit, `maxRequestBytes`.
   */
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`OtlpSink: a request body of ${bytes} bytes is over maxRequestBytes (${maxBytes}); it was not sent`);
  }
}
