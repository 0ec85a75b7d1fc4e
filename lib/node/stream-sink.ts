import type { Writable } from 'node:stream';
import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue } from '../core/describe-value';
import { hasMethods } from '../core/has-methods';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import type { Formatter, Sink } from '../core/sink';
import { CompactJsonFormatter } from '../formatting/compact-json-formatter';
import { formatLines } from './format-lines';

/** Options of a StreamSink. */
export interface StreamSinkOptions {
  /** Where lines go. Default `process.stdout`. */
  stream?: Writable;
  /** Turns each event into a line: CLEF, `NdjsonFormatter`, `TextFormatter` … Default `new CompactJsonFormatter()`. */
  formatter?: Formatter;
  /** End the stream when the sink closes. Default `false`: the stream belongs to the caller (and stdout must stay open). */
  endOnClose?: boolean;
}

/**
 * Checks StreamSink's options when the sink is built, so a mistake throws there rather than as a
 * TypeError from the constructor or a failure of every write.
 *
 * @throws ConfigurationError naming the option and the value.
 */
function checkStreamOptions(options: StreamSinkOptions): void {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError(`StreamSink: expected options like { stream, formatter }, got ${describeValue(options)}`);
  checkOptionKeys('StreamSink', options, ['stream', 'formatter', 'endOnClose'] satisfies (keyof StreamSinkOptions)[]);
  if (options.stream !== undefined && !hasMethods(options.stream, ['write', 'on', 'off']))
    throw new ConfigurationError(`StreamSink.stream: expected a Writable stream, got ${describeValue(options.stream)}`);
  if (options.formatter !== undefined && !hasMethods(options.formatter, ['format']))
    throw new ConfigurationError(
      `StreamSink.formatter: expected an object with format(event), got ${describeValue(options.formatter)}`,
    );
  if (options.endOnClose !== undefined && typeof options.endOnClose !== 'boolean')
    throw new ConfigurationError(`StreamSink.endOnClose: expected true or false, got ${describeValue(options.endOnClose)}`);
}

/**
 * Writes events to any Writable (stdout by default), one line each, with one `write()` per batch.
 * It respects back-pressure and never holds a backlog of its own: `emitSync` refuses a batch
 * (returns false, so the pipeline's bounded queue takes it) while the stream needs draining, and
 * the async `emit` waits for `'drain'` first, then resolves once the stream has taken the batch,
 * rejecting on `'error'` or `'close'`. Node writes to stdout synchronously when it is a file or a
 * TTY and asynchronously when it is a pipe; either way at most one batch sits past the stream's
 * `highWaterMark`.
 *
 * @example new LoggerConfiguration().writeTo.sink(new StreamSink({ formatter: new NdjsonFormatter() })).createLogger();
 */
export class StreamSink implements Sink {
  /** The default name of this sink in metrics and the shutdown report. */
  readonly kind = 'stream';

  /** Batched by default, so a burst costs one write per 512 events; a sink's `batch` option overrides it. */
  readonly batchDefaults = { size: 512, maxDelayMs: 100 } as const;

  /**
   * Queue bound when `writeTo.sink` gives none: 1 000 000 events, so the 16 MiB byte bound is what
   * binds. A burst into a blocked pipe (a slow reader) is held whole rather than cut at the general
   * default's 10 000 events, as pino's asynchronous destination holds it.
   */
  readonly queueDefaults = { limit: 1_000_000 } as const;

  private readonly stream: Writable;
  private readonly formatter: Formatter;
  private readonly endOnClose: boolean;
  private readonly lines: string[] = [];
  private failure: Error | undefined;
  private closed = false;
  private written = 0;
  private readonly waits = new Set<(error: Error) => void>();
  /** Writes handed to the stream whose callback has not run yet: the `'error'` listener stays until they settle. */
  private outstanding = 0;
  private readonly onWritten = (error?: Error | null): void => {
    this.outstanding--;
    // A failed write is followed by the stream's 'error' event: the listener stays for it (the
    // stream is destroyed then, so keeping it costs nothing).
    if (error) this.failure ??= error;
    else if (this.closed && this.outstanding === 0 && this.failure === undefined) this.stream.off('error', this.onError);
  };
  private readonly onError = (error: Error): void => {
    this.failure ??= error;
    SelfLog.write('StreamSink: the stream failed', error);
  };

  /** @throws ConfigurationError when an option has the wrong kind of value. */
  constructor(options: StreamSinkOptions = {}) {
    checkStreamOptions(options);
    this.stream = options.stream ?? process.stdout;
    this.formatter = options.formatter ?? new CompactJsonFormatter();
    this.endOnClose = options.endOnClose ?? false;
    // Listening turns a stream error (EPIPE on a closed stdout …) into a failed batch instead of a crash.
    this.stream.on('error', this.onError);
  }

  /** Bytes the stream took so far (a write that failed is not counted). */
  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Writes the batch now; false while the stream needs draining or cannot be written, and when
   * the write failed at once (a pipe whose reader has gone gives EPIPE before `write()` returns):
   * the batch then takes the async path, which fails it, so it never counts as delivered.
   */
  emitSync(events: readonly LogEvent[]): boolean {
    if (this.unusable() !== undefined || this.stream.writableNeedDrain) return false;
    const text = this.format(events);
    if (text.length > 0) {
      this.write(text, this.onWritten);
      if (this.stream.errored || this.stream.destroyed) return false;
      this.written += Buffer.byteLength(text, 'utf8');
    }
    return true;
  }

  /** Waits for `'drain'` if needed, writes the batch, and resolves once the stream has taken it. */
  async emit(events: readonly LogEvent[]): Promise<void> {
    const before = this.unusable();
    if (before !== undefined) throw before;
    if (this.stream.writableNeedDrain) await this.waitForDrain();
    const after = this.unusable();
    if (after !== undefined) throw after;
    const text = this.format(events);
    if (text.length === 0) return;
    await this.guard<void>((resolve, reject, onCleanup) => {
      // A stream destroyed while its write is under way may never call the write's callback
      // (Node calls back only the writes it still buffered): its 'close' fails the batch, or the
      // logger's close would wait for it to its timeout, and forever under `strategy: 'flush'`.
      const onClose = (): void => reject(new Error('StreamSink: the stream closed before the write completed'));
      this.stream.once('close', onClose);
      onCleanup(() => this.stream.off('close', onClose));
      this.write(text, (error) => {
        this.onWritten(error);
        if (error) return reject(error);
        this.written += Buffer.byteLength(text, 'utf8');
        resolve();
      });
    });
  }

  /**
   * Hands text to the stream, counting the write as outstanding until its callback runs; a
   * `write()` that throws (a hostile or broken stream) is not outstanding, so the sink's
   * `'error'` listener still comes off at close.
   */
  private write(text: string, callback: (error?: Error | null) => void): void {
    this.outstanding++;
    try {
      this.stream.write(text, callback);
    } catch (error) {
      this.outstanding--;
      throw error;
    }
  }

  /** Resolves once the stream no longer needs draining. */
  async flush(): Promise<void> {
    if (this.unusable() === undefined && this.stream.writableNeedDrain) await this.waitForDrain();
  }

  /** Does nothing: the sink holds no events, and the stream's own buffer belongs to Node. */
  flushSync(): void {
    // Everything accepted was handed to the stream at once; there is nothing of ours to write.
  }

  /**
   * Stops writing, rejects waits still pending, and ends the stream if `endOnClose`. Idempotent.
   * The sink's `'error'` listener stays until every write it made has settled, so an error that
   * arrives after close (EPIPE from a reader that went away) is reported, never a crash.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('StreamSink: closed');
    for (const abort of [...this.waits]) abort(error);
    if (this.endOnClose && !this.stream.writableEnded && !this.stream.destroyed) {
      await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    }
    if (this.outstanding === 0 && this.failure === undefined) this.stream.off('error', this.onError);
  }

  private format(events: readonly LogEvent[]): string {
    const lines = formatLines(this.formatter, events, this.lines, 'StreamSink');
    return lines.length === 1 ? lines[0] : lines.join('');
  }

  /**
   * Why no batch can be written any more, if so. The error is `permanent` (see `retryHint`): a
   * closed sink or a failed, destroyed or ended stream never takes a batch again, so the delivery
   * stage fails the batch at once instead of retrying it (a reader that went away, EPIPE, would
   * otherwise hold every batch through its retries and a graceful close until its timeout).
   */
  private unusable(): Error | undefined {
    if (this.closed) return permanent(new Error('StreamSink: closed'));
    const failure = this.failure ?? this.stream.errored ?? undefined;
    if (failure !== undefined)
      return permanent(new Error(`StreamSink: the stream failed: ${failure.message}`, { cause: failure }));
    if (this.stream.destroyed || this.stream.writableEnded)
      return permanent(new Error('StreamSink: the stream is no longer writable'));
    return undefined;
  }

  private waitForDrain(): Promise<void> {
    return this.guard<void>((resolve, reject, onCleanup) => {
      const onDrain = (): void => resolve();
      const onFailure = (error?: Error): void => reject(error ?? new Error('StreamSink: the stream closed before draining'));
      const onClose = (): void => onFailure();
      this.stream.once('drain', onDrain);
      this.stream.once('error', onFailure);
      this.stream.once('close', onClose);
      onCleanup(() => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', onFailure);
        this.stream.off('close', onClose);
      });
    });
  }

  /** A promise that `close()` can reject, with its listeners removed once it settles. */
  private guard<T>(
    body: (resolve: (value: T) => void, reject: (error: Error) => void, onCleanup: (cleanup: () => void) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let cleanup: (() => void) | undefined;
      let settled = false;
      const finish = (): void => {
        settled = true;
        this.waits.delete(fail);
        cleanup?.();
      };
      const fail = (error: Error): void => {
        if (settled) return;
        finish();
        reject(error);
      };
      this.waits.add(fail);
      // A body that throws (a stream's write() can) rejects like a failure, cleaning up its listeners.
      try {
        body(
          (value) => {
            if (settled) return;
            finish();
            resolve(value);
          },
          fail,
          (fn) => (cleanup = fn),
        );
      } catch (error) {
        fail(error instanceof Error ? error : new Error(`StreamSink: the stream threw ${describeValue(error)}`));
      }
    });
  }
}

/** Marks an error as one a retry cannot cure. */
function permanent(error: Error): Error {
  return Object.assign(error, { permanent: true });
}
