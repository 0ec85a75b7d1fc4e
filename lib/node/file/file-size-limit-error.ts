/**
 * A batch that does not fit under a FileSink's `fileSizeLimitBytes` when `rollOnFileSizeLimit` is
 * off: the batch fails as a whole (so retry, the fallback and the `failed` count see every event)
 * and the file is left as it was.
 */
export class FileSizeLimitError extends Error {
  override readonly name = 'FileSizeLimitError';

  constructor(
    /** The file that is full. */
    readonly path: string,
    /** The configured limit, in bytes. */
    readonly limitBytes: number,
  ) {
    super(`FileSink: ${path} would pass its size limit of ${limitBytes} bytes (rollOnFileSizeLimit is off)`);
  }
}
