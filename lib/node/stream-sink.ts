import * as fs from 'node:fs';
import type { Writable } from 'node:stream';
import { checkOptionKeys } from '../core/check-option-keys';
import { describeValue } from '../core/describe-value';
import { hasMethods } from '../core/has-methods';
import { expectReadableOption, readGuarded, readOptions } from '../core/read-options';
import { MAX_TIMER_MS } from '../core/max-timer-ms';
import { ConfigurationError } from '../core/errors/configuration-error';
import { PartialDeliveryError } from '../core/errors/partial-delivery-error';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import { CLOSE_GIVEN_UP, type EmitResult, type Formatter, type Sink, WRITTEN_ASIDE } from '../core/sink';
import { CompactJsonFormatter } from '../formatting/compact-json-formatter';
import { processExiting, retryUntil, writtenOverlap } from './file/exit-waits';
import { isWouldBlock } from './file/log-file';
import { formatLines, skippedEvents, wholeLines } from './format-lines';
import { ownListener } from './own-listener';

/** Options of a StreamSink. */
export interface StreamSinkOptions {
  /** Where lines go. Default `process.stdout`. */
  stream?: Writable | undefined;
  /** Turns each event into a line: CLEF, `NdjsonFormatter`, `TextFormatter` … Default `new CompactJsonFormatter()`. */
  formatter?: Formatter | undefined;
  /**
   * End the stream when the sink closes. Default `false`: the stream belongs to the caller.
   * `process.stdout` and `process.stderr` are never ended (as pino's `SonicBoom` never closes
   * descriptors 1 and 2): ended as a pipe, the reader got its end of file and the app's next
   * `console.log` crashed the process with an unhandled `EPIPE`. `close()` waits for their writes.
   */
  endOnClose?: boolean | undefined;
  /**
   * Longest wait for a stalled reader of stdout or stderr (a pipe or a socket) while the process
   * exits, in milliseconds of elapsed time, over the whole exit: what is not written by then is
   * reported undelivered. Also the longest `close()` waits for writes the stream has not completed yet
   * (with `endOnClose`, for the stream to finish), and `flush()` for the stream to drain; and how
   * long a batch waits for the stream before SelfLog says so (the wait goes on). Default
   * `1000`; a value past 2^31 - 1 (about 24.8 days) waits that long, as timers can.
   */
  syncFlushTimeoutMs?: number | undefined;
}

/**
 * Checks StreamSink's options when the sink is built, so a mistake throws there rather than as a
 * TypeError from the constructor or a failure of every write. Gives the options read once (see
 * readOptions), which the sink uses: what is checked is what is used.
 *
 * @throws ConfigurationError naming the option and the value.
 */
function checkStreamOptions(given: StreamSinkOptions): StreamSinkOptions {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (typeof given !== 'object' || given === null)
    throw new ConfigurationError(`StreamSink: expected options like { stream, formatter }, got ${describeValue(given)}`);
  // `new StreamSink(process.stdout)`, as a stream transport elsewhere is made: name the fix rather
  // than the stream's first own key as an unknown option.
  if (readGuarded('StreamSink', 'the options', () => !('stream' in given) && hasMethods(given, ['write', 'on', 'off'])))
    throw new ConfigurationError(
      `StreamSink: expected options like { stream, formatter }, got the stream itself (${describeValue(given)}); write new StreamSink({ stream })`,
    );
  // Each option read once: what is checked is what the sink uses (a getter could answer otherwise).
  const names = ['stream', 'formatter', 'endOnClose', 'syncFlushTimeoutMs'] satisfies (keyof StreamSinkOptions)[];
  const options = readOptions('StreamSink', given, names) as StreamSinkOptions;
  checkOptionKeys('StreamSink', options, names);
  // A stream or formatter whose reads throw (a Proxy's trap) is refused naming it, the error as its cause.
  expectReadableOption('StreamSink.stream', 'the stream', 'a Writable stream', options.stream, (stream) =>
    hasMethods(stream, ['write', 'on', 'off']),
  );
  expectReadableOption('StreamSink.formatter', 'the formatter', 'an object with format(event)', options.formatter, (formatter) =>
    hasMethods(formatter, ['format']),
  );
  if (options.endOnClose !== undefined && typeof options.endOnClose !== 'boolean')
    throw new ConfigurationError(`StreamSink.endOnClose: expected true or false, got ${describeValue(options.endOnClose)}`);
  // Else close() would fail with a TypeError, long after the mistake.
  if (
    options.endOnClose === true &&
    options.stream !== undefined &&
    !readGuarded('StreamSink.stream', 'the stream', () => hasMethods(options.stream, ['end']))
  )
    throw new ConfigurationError(
      `StreamSink.endOnClose: the stream has no end() to close it with, got ${describeValue(options.stream)}`,
    );
  const timeout = options.syncFlushTimeoutMs;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout)))
    throw new ConfigurationError(
      `StreamSink.syncFlushTimeoutMs: expected a non-negative number of milliseconds, got ${describeValue(timeout)}`,
    );
  return options;
}

/** Bytes the sink handed to the stream, which Node writes once the reader makes room. */
interface StreamChunk {
  /**
   * The events whose lines are in `buffer` (the first one's maybe only in part: its line's rest),
   * after any whose lines were out already (an async emit's batch is kept whole): all are out once it is.
   */
  readonly events: readonly LogEvent[];
  /** A Buffer on the pipe path; the text itself when `emitSync` hands a batch to any other stream. */
  readonly buffer: Buffer | string;
  /** `taken`: written by the sink itself at exit, where Node would never write it. */
  state: 'pending' | 'written' | 'failed' | 'taken';
  /** Settles with the write (rejects when it failed, or the sink closed first). */
  written?: Promise<void>;
}

/** What a sink began writing at exit and the reader did not take in time (see `exitRest`). */
interface ExitRest {
  readonly buffer: Buffer;
  at: number;
  readonly events: readonly LogEvent[];
  /** Where each event's line ends in `buffer`, when known (the batch `emit` held): its whole lines are delivered. */
  ends?: readonly number[];
}

/**
 * The StreamSink that last left a line cut at exit on each pipe (by `pipeOf`): another sink on that
 * pipe (a logger of its own on stdout, or one on stderr as the same pipe) writes nothing while the
 * line is unfinished, or its lines would run into it.
 */
const cutAtExit = new Map<string, StreamSink>();

/**
 * Bytes each stream still counts as held but never will write: what the StreamSinks on it took
 * over at exit and wrote themselves. Per stream, not per sink: a second logger's sink on the same
 * stdout took the first's bytes for another writer's, which it would overtake, and wrote nothing.
 */
const takenAtExit = new WeakMap<Writable, number>();

/** A batch `emit` holds until the stream has taken what the sink handed it before. */
interface WaitingBatch {
  readonly events: readonly LogEvent[];
  /** Set when the sink wrote it itself at exit: `emit` then writes nothing. */
  written: boolean;
}

/**
 * The descriptor of `process.stdout` or `process.stderr` when it is a pipe or a socket: Node writes
 * those asynchronously once they are full, and drops what it still holds when the process exits.
 * Undefined for any other stream (a file or a TTY Node writes synchronously itself).
 */
function pipeDescriptorOf(stream: Writable): number | undefined {
  if (stream !== process.stdout && stream !== process.stderr) return undefined;
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return undefined;
  try {
    const stat = fs.fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() ? fd : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes events to any Writable (stdout by default), one line each, with one `write()` per batch.
 * It respects back-pressure and never holds a backlog of its own: `emitSync` refuses a batch
 * (returns false, so the pipeline's bounded queue takes it) while the stream needs draining, and
 * the async `emit` waits for `'drain'` first, then resolves once the stream has taken the batch,
 * rejecting on `'error'` or `'close'`. Node writes to stdout synchronously when it is a file or a
 * TTY and asynchronously when it is a pipe; either way at most one batch sits past the stream's
 * `highWaterMark`. stdout or stderr as a pipe or a socket is written through its descriptor, so
 * only what the pipe took counts as delivered, and while the process exits (where Node drops what
 * it holds) the sink waits for a stalled reader, at most `syncFlushTimeoutMs`. Once the stream
 * failed (EPIPE), was destroyed or ended, or the sink was closed, every batch fails as the sink's
 * (`permanent: 'sink'`): not retried, and the circuit breaker opens.
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
  /** The event index of each line in `lines`. */
  private readonly lineEvents: number[] = [];
  private readonly syncFlushTimeoutMs: number;
  /** stdout's or stderr's descriptor when it is a pipe or a socket: batches are written to it directly (see `emitSync`). */
  private readonly fd: number | undefined;
  /** The other of stdout and stderr when it is the same pipe (`2>&1`), see `samePipeSibling`. */
  private readonly sibling: Writable | undefined;
  /** The pipe's device and inode, when `fd` is set: sinks on one pipe share it (see `cutAtExit`). */
  private readonly pipe: string | undefined;
  /** The last bytes handed to the stream (a batch `emit` wrote, or the rest of one `emitSync` began). */
  private chunk: StreamChunk | undefined;
  /** The batch `emit` holds while the stream writes what came before it. */
  private waiting: WaitingBatch | undefined;
  /** Events whose lines are out though the pipeline has not counted them yet: a batch offered again skips them. */
  private writtenAside: readonly LogEvent[] = [];
  /**
   * The events `writtenAside` held before the rest of a batch cut at exit replaced them: the batch
   * `emit` held, written whole by the same exit flush before that batch was cut (see WRITTEN_ASIDE).
   */
  private writtenAsideBefore: readonly LogEvent[] = [];
  /** Bytes the stream still counts as held but never will write: the sinks on it wrote them themselves, at exit. */
  private get takenBytes(): number {
    return takenAtExit.get(this.stream) ?? 0;
  }
  /**
   * Bytes the sink began writing at exit and the reader did not take in time (a line may be cut
   * in them): a later exit flush finishes them before writing anything else, so no line is written
   * twice or run into the next one. `events` are the ones whose lines they are.
   */
  private exitRest: ExitRest | undefined;
  /** When waiting for the reader at exit ends (a `performance.now()` time), set by the first wait. */
  private exitDeadline: number | undefined;
  /**
   * Events the formatter skipped (threw on): a batch the pipe took in part, or offered again after
   * the stream wrote its rest, reports those among the written ones refused, so they count failed.
   */
  private readonly unformatted = new WeakSet<LogEvent>();
  /** Whether `unformatted` holds anything: until then, counting skipped events costs nothing. */
  private anyUnformatted = false;
  private failure: Error | undefined;
  private closed = false;
  /** Whether SelfLog heard of the stream's failure. */
  private failureTold = false;
  /** Whether SelfLog heard of the stall under way (see `emit`). */
  private stallReported = false;
  private written = 0;
  private readonly waits = new Set<(error: Error) => void>();
  /** Writes handed to the stream whose callback has not run yet: the `'error'` listener stays until they settle. */
  private outstanding = 0;
  /** Called once `outstanding` is back to 0 (see `writesSettled`). */
  private readonly onSettled = new Set<() => void>();
  /** Ends each wait of `close()` and `flush()` for the stream at once (see CLOSE_GIVEN_UP). */
  private readonly closeWaits = new Set<() => void>();
  /** Takes `onError` off the stream (see ownListener); set in the constructor. */
  private readonly stopOnError: () => void;
  private readonly onWritten = (error?: Error | null): void => {
    this.outstanding--;
    if (this.outstanding === 0) for (const settled of [...this.onSettled]) settled();
    // A failed write is followed by the stream's 'error' event: the listener stays for it (the
    // stream is destroyed then, so keeping it costs nothing).
    if (error) this.failure ??= error;
    else if (this.closed && this.outstanding === 0 && this.failure === undefined) this.stopOnError();
  };
  private readonly onError = (error: Error): void => {
    this.failWith(error);
  };

  /** @throws ConfigurationError when an option has the wrong kind of value. */
  constructor(given: StreamSinkOptions = {}) {
    const options = checkStreamOptions(given);
    this.stream = options.stream ?? process.stdout;
    this.formatter = options.formatter ?? new CompactJsonFormatter();
    // The process's own stdout and stderr stay open for the app (see endOnClose): a config that
    // ends its file stream may be given stdout when there is no file.
    this.endOnClose = (options.endOnClose ?? false) && this.stream !== process.stdout && this.stream !== process.stderr;
    // Capped where timers stop: past 2^31 - 1 ms Node's timers fire after 1 ms (a day-long wait
    // would end at once), with a TimeoutOverflowWarning.
    this.syncFlushTimeoutMs = Math.min(options.syncFlushTimeoutMs ?? 1000, MAX_TIMER_MS);
    this.fd = pipeDescriptorOf(this.stream);
    this.pipe = pipeOf(this.fd);
    this.sibling = samePipeSibling(this.stream, this.pipe);
    // Listening turns a stream error (EPIPE on a closed stdout …) into a failed batch instead of a crash.
    this.stopOnError = ownListener(this.stream, 'error', this.onError);
  }

  /** Bytes the stream took so far (a write that failed is not counted). */
  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Writes the batch now; false while the stream needs draining or cannot be written, and when
   * the write failed at once (a pipe whose reader has gone gives EPIPE before `write()` returns):
   * the batch then takes the async path, which fails it, so it never counts as delivered. To
   * stdout or stderr as a pipe, a PartialDeliveryError when the pipe took only the first events
   * whole (see `emitSyncToPipe`).
   */
  emitSync(events: readonly LogEvent[]): boolean | EmitResult {
    if (this.unusable() !== undefined) return this.refusedAtExit();
    if (this.fd !== undefined) return this.emitSyncToPipe(events, this.fd);
    // A batch handed earlier that the stream has not written yet goes first (the async path waits for it).
    if (this.stream.writableNeedDrain || this.chunk?.state === 'pending') return false;
    const text = this.format(events);
    const whole = skippedEvents(events.length - this.lines.length) ?? true;
    if (text.length === 0) return whole;
    // The write's outcome, for the chunk made below when the stream holds the batch; until then,
    // what a callback that ran inside write() said.
    let settle: ((error?: Error | null) => void) | undefined;
    let early: { error?: Error | null } | undefined;
    this.write(text, (error) => {
      this.onWritten(error);
      if (settle === undefined) early = { error };
      else settle(error);
    });
    // Failed at once (EPIPE before write() returned, an 'error' emitted inside it): emit fails it.
    if (this.unusable() !== undefined || early?.error) return this.refusedAtExit(early?.error);
    // Written before write() returned (a file or a TTY as stdout, a PassThrough): only Node's
    // callback, deferred to a later tick, is left. Nothing waits for it, so a loop that never
    // yields leaves no listener or text behind per batch.
    if (early !== undefined || this.stream.writableLength === 0) {
      this.written += Buffer.byteLength(text, 'utf8');
      return whole;
    }
    // A stream that writes later (fs.createWriteStream, a socket) holds the batch: it counts
    // delivered only once written, so the pipeline offers it to `emit`, which waits for this write
    // instead of writing it again, and fails it if the write fails (ENOSPC on a full disk).
    this.trackChunk(events, text, (done) => (settle = done));
    return false;
  }

  /**
   * Waits for `'drain'` if needed, writes the batch, and resolves once the stream has taken it.
   * The wait has no bound (back-pressure: later batches wait in the bounded queue, and close()
   * ends it), but once it passes `syncFlushTimeoutMs` SelfLog says so, once per stall.
   */
  async emit(events: readonly LogEvent[]): Promise<void | EmitResult> {
    // Set by the timer below (a boolean, not narrowed to false).
    let stalled = false as boolean;
    const timer = setTimeout(() => {
      stalled = true;
      if (this.stallReported) return;
      this.stallReported = true;
      SelfLog.write(
        'StreamSink: a batch has waited {TimeoutMs} ms for its stream (a reader that stopped or is slow); later batches wait in the queue, which drops the oldest, counted, once full',
        this.syncFlushTimeoutMs,
      );
    }, this.syncFlushTimeoutMs);
    // Says so only: never keeps a process alive.
    timer.unref();
    try {
      return await this.emitNow(events);
    } finally {
      clearTimeout(timer);
      // The stream took the batch in time: a later stall is a new one.
      if (!stalled) this.stallReported = false;
    }
  }

  private async emitNow(events: readonly LogEvent[]): Promise<void | EmitResult> {
    // A batch the stream holds or wrote already is not failed for what became of the stream since
    // (ended while Node still writes it): it counts as that write says (see below).
    const chunk = this.chunk;
    const held = chunk?.state === 'pending' && writtenOverlap(chunk.events, events) === events.length;
    if (!held && writtenOverlap(this.writtenAside, events) < events.length) {
      const before = this.unusable();
      if (before !== undefined) throw before;
    }
    if (this.fd !== undefined) return this.emitToPipe(events);
    // The batch emitSync handed the stream (this one, offered again): it counts once written.
    const pending = this.chunk?.state === 'pending' ? this.chunk.written : undefined;
    // Failed for good when the stream did (a retry would hand it nothing), with the stream's own error.
    if (pending !== undefined) await pending.catch((error: unknown) => Promise.reject(this.unusable() ?? error));
    // The batch that write held is out whatever became of the stream after it (ended by the app
    // at shutdown, or by a socket's peer, while Node still wrote it): it counts delivered.
    let skip = writtenOverlap(this.writtenAside, events);
    if (skip < events.length) {
      if (this.stream.writableNeedDrain) await this.waitForDrain();
      const after = this.unusable();
      if (after !== undefined) throw after;
      skip = writtenOverlap(this.writtenAside, events);
    }
    const text = skip === events.length ? '' : this.format(skip === 0 ? events : events.slice(skip));
    // The formatter's skipped events among those written before too (see `unformatted`).
    const skipped = skippedEvents(this.skippedIn(events, events.length));
    if (text.length === 0) return skipped;
    await this.guard<void>((resolve, reject, onCleanup) => {
      // A stream destroyed while its write is under way may never call the write's callback
      // (Node calls back only the writes it still buffered): its 'close' fails the batch, or the
      // logger's close would wait for it to its timeout, and forever under `strategy: 'flush'`.
      const onClose = (): void => reject(new Error('StreamSink: the stream closed before the write completed'));
      // As in handToStream: a failure reported through 'error' alone fails the batch.
      const onError = (error: Error): void => reject(error);
      const stopClose = ownListener(this.stream, 'close', onClose);
      const stopError = ownListener(this.stream, 'error', onError);
      onCleanup(() => {
        stopClose();
        stopError();
      });
      this.write(text, (error) => {
        this.onWritten(error);
        if (error) return reject(error);
        this.written += Buffer.byteLength(text, 'utf8');
        resolve();
      });
    });
    return skipped;
  }

  /**
   * Hands text to the stream, counting the write as outstanding until its callback runs; a
   * `write()` that throws (a hostile or broken stream) is not outstanding, so the sink's
   * `'error'` listener still comes off at close.
   */
  private write(text: string | Buffer, callback: (error?: Error | null) => void): void {
    this.outstanding++;
    try {
      this.stream.write(text, callback);
    } catch (error) {
      this.outstanding--;
      throw error;
    }
  }

  /**
   * Resolves once the stream no longer needs draining and has completed the writes the sink handed
   * it (waiting for each at most `syncFlushTimeoutMs`), so what counted delivered is written.
   */
  async flush(): Promise<void> {
    if (this.unusable() !== undefined) return;
    // Bounded, as writesSettled: on a stream that never drains (its reader stopped; the app's own
    // writes filled it) every periodic flush would leave its listeners and its wait behind.
    if (this.stream.writableNeedDrain) await this.waitForDrain(this.syncFlushTimeoutMs);
    if (this.outstanding > 0 && !this.stream.destroyed) await this.writesSettled();
  }

  /**
   * While the process exits, with stdout or stderr a pipe: writes what Node still holds of the
   * sink's (Node would drop it) and the batch `emit` holds, waiting for the reader at most
   * `syncFlushTimeoutMs` in all. Otherwise does nothing: the sink holds no events, and the
   * stream's own buffer belongs to Node. Never throws.
   */
  flushSync(): void {
    if (this.fd === undefined || !processExiting() || this.unusable() !== undefined) return;
    try {
      this.takeOver(this.fd);
    } catch (error) {
      SelfLog.write('StreamSink: flush failed', error);
    }
  }

  /**
   * At exit: how many leading `events` (the batch `emit` holds, in flight in the pipeline) the sink
   * has written whole itself, so the pipeline counts them delivered; 0 outside exit, where `emit`
   * reports them. See WRITTEN_ASIDE.
   *
   * @internal
   */
  [WRITTEN_ASIDE](events: readonly LogEvent[]): number {
    if (!processExiting()) return 0;
    // The batch in flight may have been written whole before a later batch's cut rest was finished.
    let count = Math.max(writtenOverlap(this.writtenAside, events), writtenOverlap(this.writtenAsideBefore, events));
    const rest = this.exitRest;
    if (rest?.ends !== undefined) {
      let whole = 0;
      while (whole < rest.ends.length && rest.ends[whole] <= rest.at) whole++;
      count += writtenOverlap(rest.events.slice(0, whole), events.slice(count));
    }
    return count;
  }

  /**
   * Stops writing, rejects waits still pending, and ends the stream if `endOnClose`; waits (at
   * most `syncFlushTimeoutMs`, or until the logger's close gives up on it: see CLOSE_GIVEN_UP)
   * until the stream has completed the writes the sink handed it (or, ended, has finished), so the
   * lines counted delivered are written when it resolves. Idempotent.
   * The sink's `'error'` listener stays until every write it made has settled, so an error that
   * arrives after close (EPIPE from a reader that went away) is reported, never a crash.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('StreamSink: closed');
    for (const abort of [...this.waits]) abort(error);
    if (this.endOnClose && !this.stream.writableEnded && !this.stream.destroyed) await this.endWithin();
    else if (this.outstanding > 0 && !this.stream.destroyed) await this.writesSettled();
    if (this.outstanding === 0 && this.failure === undefined) this.stopOnError();
  }

  /**
   * The logger's close gave up waiting for this sink's `close()` (see CLOSE_GIVEN_UP): its wait
   * for the stream ends now, so its timer does not keep the process alive up to
   * `syncFlushTimeoutMs` after `log.close()` returned. What the stream has not written stays with
   * it (the logger counted it undelivered); the `'error'` listener stays for its writes.
   *
   * @internal
   */
  [CLOSE_GIVEN_UP](): void {
    for (const done of [...this.closeWaits]) done();
  }

  /**
   * Ends the stream and resolves once it has finished, failed or closed, or `syncFlushTimeoutMs`
   * has passed: a stream that never completes a write (a stalled socket) never finishes, and
   * waiting for it kept `log.close()` to its timeout, and forever under `strategy: 'flush'`.
   */
  private endWithin(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.closeWaits.delete(done);
        stopClose();
        resolve();
      };
      const timer = setTimeout(() => {
        SelfLog.write('StreamSink: the stream did not finish within {TimeoutMs} ms of close', this.syncFlushTimeoutMs);
        done();
      }, this.syncFlushTimeoutMs);
      // end()'s callback runs on 'finish' or with the stream's error; a stream destroyed meanwhile only closes.
      const stopClose = ownListener(this.stream, 'close', done);
      this.closeWaits.add(done);
      try {
        this.stream.end(done);
      } catch (error) {
        SelfLog.write('StreamSink: ending the stream failed', error);
        done();
      }
    });
  }

  /**
   * Resolves once every write handed to the stream has been called back, the stream closes or
   * fails, or `syncFlushTimeoutMs` has passed: a stream that writes later (`fs.createWriteStream`,
   * a socket) still holds batches counted delivered, which an exit right after close would lose.
   */
  private writesSettled(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.onSettled.delete(done);
        this.closeWaits.delete(done);
        stopClose();
        stopError();
        resolve();
      };
      const timer = setTimeout(done, this.syncFlushTimeoutMs);
      this.onSettled.add(done);
      this.closeWaits.add(done);
      // on/off, the methods the options check asks of a stream (`done` takes them off).
      const stopClose = ownListener(this.stream, 'close', done);
      const stopError = ownListener(this.stream, 'error', done);
    });
  }

  private format(events: readonly LogEvent[]): string {
    const lines = formatLines(this.formatter, events, this.lines, 'StreamSink', this.lineEvents);
    if (lines.length < events.length) {
      this.anyUnformatted = true;
      let line = 0;
      for (let i = 0; i < events.length; i++) {
        if (line < this.lineEvents.length && this.lineEvents[line] === i) line++;
        else this.unformatted.add(events[i]);
      }
    }
    return lines.length === 1 ? lines[0] : lines.join('');
  }

  /** How many of the first `count` events the formatter skipped (see `unformatted`). */
  private skippedIn(events: readonly LogEvent[], count: number): number {
    if (!this.anyUnformatted) return 0;
    let skipped = 0;
    for (let i = 0; i < count; i++) if (this.unformatted.has(events[i])) skipped++;
    return skipped;
  }

  /**
   * `emitSync` to stdout or stderr as a pipe or a socket: the batch is written with one
   * `writeSync` on the descriptor, so what counts as delivered is what the pipe took, never what
   * Node would write later (and drops if the process exits first). A full pipe takes part of a
   * batch: its whole lines count; the rest is handed to the stream, which writes it in order once
   * the reader makes room, and counts when the pipeline offers those events again (`emit` then
   * waits for that write instead of writing them twice). While the stream holds anything, batches
   * take the async path, so nothing overtakes what Node holds. At exit, the sink waits for the
   * reader instead (`writeWithin`), after writing what Node and `emit` still held (`takeOver`).
   */
  private emitSyncToPipe(events: readonly LogEvent[], fd: number): boolean | EmitResult {
    const exiting = processExiting();
    this.settleChunk();
    if (exiting) {
      if (!this.takeOver(fd)) return false;
    } else if (this.waiting !== undefined || this.stream.writableLength > 0 || this.siblingHolds()) return false;
    const skip = writtenOverlap(this.writtenAside, events);
    if (skip === events.length) return skippedEvents(this.skippedIn(events, skip)) ?? true;
    const batch = skip === 0 ? events : events.slice(skip);
    const text = this.format(batch);
    // The batch's own skipped events and those of the part the stream wrote before (`skip`).
    const whole = skippedEvents(this.skippedIn(events, events.length)) ?? true;
    if (text.length === 0) return whole;
    let at = 0;
    let buffer: Buffer | undefined;
    if (exiting) {
      buffer = Buffer.from(text, 'utf8');
      at = this.writeWithin(fd, buffer, 0);
      if (at === buffer.length) return whole;
    } else {
      try {
        at = fs.writeSync(fd, text);
      } catch (error) {
        if (!isWouldBlock(error)) this.failWith(error);
      }
      this.written += at;
      // Most batches: the pipe took them whole (the byte count is only needed when it did not).
      if (at > 0 && at === Buffer.byteLength(text, 'utf8')) return whole;
    }
    const lines = this.lines;
    const { lineCount } = wholeLines(lines, at);
    const taken = lineCount < lines.length ? this.lineEvents[lineCount] : batch.length;
    if (exiting && buffer !== undefined && at > 0 && this.failure === undefined)
      this.cutAtExit({
        buffer,
        at,
        events: batch.slice(taken),
        ends: lineEnds(lines, this.lineEvents, taken, batch.length - taken),
      });
    if (!exiting && at > 0 && this.failure === undefined) {
      // The rest, the cut line first, goes to the stream: Node writes it before anything logged later.
      buffer ??= Buffer.from(text, 'utf8');
      this.handToStream(batch.slice(taken), buffer.subarray(at));
    }
    if (skip + taken === 0) return false;
    throw new PartialDeliveryError(
      skip + taken,
      new Error('StreamSink: the reader of the pipe stalled'),
      this.skippedIn(events, skip + taken),
    );
  }

  /** The async path to a pipe: waits for what the stream holds, then hands it the batch (less what is out already). */
  private async emitToPipe(events: readonly LogEvent[]): Promise<void | EmitResult> {
    const waiting: WaitingBatch = { events, written: false };
    this.waiting = waiting;
    try {
      // Called at exit (the pipeline retrying the rest of a batch the exit flush cut): Node never
      // writes a chunk handed to it now, and a later exit flush writes this batch itself, as the
      // one waiting, once it has finished the cut line; handed to Node too, its lines were written
      // twice. It waits for that flush.
      if (processExiting()) await this.guard<void>(() => undefined);
      const pending = this.chunk?.state === 'pending' ? this.chunk.written : undefined;
      if (pending !== undefined) await pending;
      // As in emitNow: a batch whose lines are all out counts delivered, whatever became of the stream since.
      let skip = writtenOverlap(this.writtenAside, events);
      if (!waiting.written && skip < events.length) {
        if (this.stream.writableNeedDrain) await this.waitForDrain();
        // With `2>&1`, what the other of stdout and stderr holds goes first: Node writes a stream's
        // chunk at once when the stream holds nothing, which would land inside the other's cut line.
        // It has no event for that, so it is looked at again after 1, 2, 4 … at most 50 ms.
        for (let ms = 1; this.siblingHolds(); ms = Math.min(ms * 2, 50)) await this.pause(ms);
        skip = writtenOverlap(this.writtenAside, events);
      }
      if (waiting.written) return;
      if (skip < events.length) {
        const after = this.unusable();
        if (after !== undefined) throw after;
      }
      const text = skip === events.length ? '' : this.format(skip === 0 ? events : events.slice(skip));
      const skipped = skippedEvents(this.skippedIn(events, events.length));
      if (text.length === 0) return skipped;
      this.waiting = undefined;
      // All of `events`: the ones skipped are out already, and the whole batch is once the chunk is (see WRITTEN_ASIDE).
      const chunk = this.handToStream(events, Buffer.from(text, 'utf8'));
      await chunk.written;
      return skipped;
    } finally {
      if (this.waiting === waiting) this.waiting = undefined;
    }
  }

  /** Writes `buffer` through the stream (after whatever it holds); the chunk settles with the write. */
  private handToStream(events: readonly LogEvent[], buffer: Buffer): StreamChunk {
    return this.trackChunk(events, buffer, (done) =>
      this.write(buffer, (error) => {
        this.onWritten(error);
        done(error);
      }),
    );
  }

  /**
   * The chunk of bytes the stream holds for `events`, settled by the write's callback: `start`
   * makes the write (or, when made already, keeps the function its callback is to call).
   */
  private trackChunk(
    events: readonly LogEvent[],
    buffer: Buffer | string,
    start: (done: (error?: Error | null) => void) => void,
  ): StreamChunk {
    const chunk: StreamChunk = { events, buffer, state: 'pending' };
    this.chunk = chunk;
    chunk.written = this.guard<void>((resolve, reject, onCleanup) => {
      const onClose = (): void => reject(new Error('StreamSink: the stream closed before the write completed'));
      // A stream that is no Node Writable may report a failed write through 'error' alone, never
      // calling it back nor closing: the batch would wait for it until the logger's close timeout.
      const onError = (error: Error): void => reject(error);
      const stopClose = ownListener(this.stream, 'close', onClose);
      const stopError = ownListener(this.stream, 'error', onError);
      onCleanup(() => {
        stopClose();
        stopError();
      });
      start((error) => {
        if (error && chunk.state === 'pending') chunk.state = 'failed';
        else this.chunkWritten(chunk);
        if (error) reject(error);
        else resolve();
      });
    });
    chunk.written.catch(() => {
      // Whoever waits for it hears of the failure; a chunk nobody waits for must not be an unhandled rejection.
      if (chunk.state === 'pending') chunk.state = 'failed';
    });
    return chunk;
  }

  /** Notes a chunk the stream wrote: its events, offered again, are not written twice. */
  private chunkWritten(chunk: StreamChunk): void {
    if (chunk.state !== 'pending') return;
    chunk.state = 'written';
    this.written += typeof chunk.buffer === 'string' ? Buffer.byteLength(chunk.buffer, 'utf8') : chunk.buffer.length;
    this.writtenAside = chunk.events;
  }

  /**
   * Notes the chunk the stream holds no more: a write Node completed at once calls back only on a
   * later tick (which never comes at exit).
   */
  private settleChunk(): void {
    const chunk = this.chunk;
    if (chunk?.state === 'pending' && this.stream.writableLength === this.takenBytes) this.chunkWritten(chunk);
  }

  /**
   * At exit, where Node will never write what it holds: writes the rest of the sink's chunk the
   * stream still holds (from where Node's pipe handle got to) and the batch `emit` holds, in that
   * order. False when it cannot: another sink left a line cut on the same pipe (see `cutAtExit`),
   * the stream holds another writer's bytes too (they would be overtaken), Node does not say how
   * far it got, or the reader did not take it all in time.
   */
  private takeOver(fd: number): boolean {
    const cutter = this.pipe === undefined ? undefined : cutAtExit.get(this.pipe);
    if (cutter !== undefined && cutter !== this && cutter.exitRest !== undefined) return false;
    this.settleChunk();
    const rest = this.exitRest;
    if (rest !== undefined) {
      rest.at = this.writeWithin(fd, rest.buffer, rest.at);
      if (rest.at < rest.buffer.length) return false;
      this.exitRest = undefined;
      this.writtenAsideBefore = this.writtenAside;
      this.writtenAside = rest.events;
    }
    const chunk = this.chunk;
    const buffer = chunk?.state === 'pending' ? asBuffer(chunk.buffer) : undefined;
    const held = buffer?.length ?? 0;
    if (this.stream.writableLength !== held + this.takenBytes) return false;
    if (chunk !== undefined && buffer !== undefined) {
      // The bytes Node's pipe handle has not written yet: the tail of our chunk, the only thing it holds.
      const left = (this.stream as { _handle?: { writeQueueSize?: unknown } })._handle?.writeQueueSize;
      if (typeof left !== 'number' || !(left >= 0 && left <= held)) return false;
      // Node's part of it was written, though its callback never runs now.
      this.written += held - left;
      // The sink owns the rest from now on: Node writes nothing more at exit.
      chunk.state = 'taken';
      takenAtExit.set(this.stream, this.takenBytes + held);
      if (!this.finishAtExit(fd, buffer, held - left, chunk.events)) return false;
      this.writtenAside = chunk.events;
    }
    const waiting = this.waiting;
    if (waiting !== undefined && !waiting.written) {
      const skip = writtenOverlap(this.writtenAside, waiting.events);
      const text = skip === waiting.events.length ? '' : this.format(waiting.events.slice(skip));
      waiting.written = true;
      if (text.length > 0 && !this.finishAtExit(fd, Buffer.from(text, 'utf8'), 0, waiting.events)) {
        // The lines just formatted say which of its events the reader has whole (see WRITTEN_ASIDE).
        if (this.exitRest?.events === waiting.events)
          this.exitRest.ends = lineEnds(this.lines, this.lineEvents, -skip, waiting.events.length);
        return false;
      }
      this.writtenAside = waiting.events;
    }
    return true;
  }

  /** Keeps what is left of a write cut at exit for a later exit flush, which finishes it first. */
  private cutAtExit(rest: ExitRest): void {
    this.exitRest = rest;
    if (this.pipe !== undefined) cutAtExit.set(this.pipe, this);
  }

  /**
   * At exit, writes `buffer` from `from` on (the lines of `events`); true when all of it is out,
   * else keeps what is left for a later exit flush to finish first (`exitRest`).
   */
  private finishAtExit(fd: number, buffer: Buffer, from: number, events: readonly LogEvent[]): boolean {
    const at = this.writeWithin(fd, buffer, from);
    if (at === buffer.length) return true;
    if (this.failure === undefined) this.cutAtExit({ buffer, at, events });
    return false;
  }

  /**
   * Writes `buffer` from `from` on to the descriptor, waiting for a stalled reader until the exit
   * deadline (`syncFlushTimeoutMs` after the first wait of this exit); returns the offset reached.
   * A failure other than "would block" (EPIPE) fails the sink and ends the writing.
   */
  private writeWithin(fd: number, buffer: Buffer, from: number): number {
    const deadline = (this.exitDeadline ??= performance.now() + this.syncFlushTimeoutMs);
    let at = from;
    retryUntil(() => {
      const before = at;
      try {
        while (at < buffer.length) at += fs.writeSync(fd, buffer, at, buffer.length - at);
      } catch (error) {
        if (!isWouldBlock(error)) {
          this.failWith(error);
          return 'done';
        }
      }
      return at === buffer.length ? 'done' : at > before ? 'progress' : 'stalled';
    }, deadline);
    this.written += at - from;
    if (at < buffer.length && this.failure === undefined)
      SelfLog.write('StreamSink: the reader did not take {Bytes} bytes in time', buffer.length - at);
    return at;
  }

  /**
   * False, for a batch the failed stream refuses. At exit the stream's `'error'` event, due on a
   * later tick, never comes, nor does `emit`: SelfLog names the failure now (ENOSPC on
   * `/dev/full` from a write inside `process.exit()`), once, as the events are reported undelivered.
   */
  private refusedAtExit(error?: Error | null): false {
    const failure = this.failure ?? error ?? this.stream.errored;
    if (failure && !this.failureTold && processExiting()) this.failWith(failure);
    return false;
  }

  private failWith(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(`StreamSink: the write threw ${describeValue(error)}`);
    this.failure ??= failure;
    this.failureTold = true;
    SelfLog.write('StreamSink: the stream failed', failure);
  }

  /**
   * Why no batch can be written any more, if so. The error is `permanent: 'sink'` (see
   * `retryHint`): a closed sink or a failed, destroyed or ended stream never takes a batch again,
   * whatever it holds, so the delivery stage fails the batch at once instead of retrying it (a
   * reader that went away, EPIPE, would otherwise hold every batch through its retries and a
   * graceful close until its timeout), and counts it toward opening the circuit breaker, so later
   * batches go to the fallback without a try.
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

  /** Resolves at `'drain'` (or after `timeoutMs`, when given); rejects if the stream fails or closes first. */
  private waitForDrain(timeoutMs?: number): Promise<void> {
    return this.guard<void>((resolve, reject, onCleanup) => {
      const onDrain = (): void => resolve();
      if (timeoutMs !== undefined) {
        const timer = setTimeout(onDrain, timeoutMs);
        onCleanup(() => clearTimeout(timer));
      }
      const onFailure = (error?: Error): void => reject(error ?? new Error('StreamSink: the stream closed before draining'));
      const onClose = (): void => onFailure();
      const stopDrain = ownListener(this.stream, 'drain', onDrain);
      const stopError = ownListener(this.stream, 'error', onFailure);
      const stopClose = ownListener(this.stream, 'close', onClose);
      // An ended stream never drains, and one without autoDestroy (a half-open socket) never closes either.
      const stopFinish = ownListener(this.stream, 'finish', () => onFailure(this.unusable()));
      onCleanup(() => {
        stopDrain();
        stopError();
        stopClose();
        stopFinish();
      });
    });
  }

  /** Whether the other of stdout and stderr, as the same pipe, holds bytes Node has not written yet. */
  private siblingHolds(): boolean {
    return (this.sibling?.writableLength ?? 0) > 0;
  }

  /** Resolves after `ms` milliseconds; rejected by `close()`. */
  private pause(ms: number): Promise<void> {
    return this.guard<void>((resolve, _reject, onCleanup) => {
      const timer = setTimeout(resolve, ms);
      onCleanup(() => clearTimeout(timer));
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

/**
 * The other of stdout and stderr when it is the same pipe as `pipe` (`2>&1`, see `pipeOf`): bytes it
 * holds that Node has not written yet go first, or a batch written past them would land inside
 * their cut line.
 */
function samePipeSibling(stream: Writable, pipe: string | undefined): Writable | undefined {
  const sibling = stream === process.stdout ? process.stderr : process.stdout;
  const other = (sibling as { fd?: unknown }).fd;
  return pipe !== undefined && typeof other === 'number' && pipeOf(other) === pipe ? sibling : undefined;
}

/** The device and inode of the pipe or socket `fd` is, which tell one pipe from another. */
function pipeOf(fd: number | undefined): string | undefined {
  if (fd === undefined) return undefined;
  try {
    const stat = fs.fstatSync(fd);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Where the lines of `count` events, from the one at `from` on, end in the UTF-8 text of `lines`
 * (`lineEvents` giving each line's event): an event before the first (a negative `from`: one whose
 * line was out already) ends at 0, and one without a line where the line before it does.
 */
function lineEnds(lines: readonly string[], lineEvents: readonly number[], from: number, count: number): number[] {
  const ends: number[] = [];
  let offset = 0;
  let line = 0;
  for (let i = from; i < from + count; i++) {
    while (line < lines.length && lineEvents[line] <= i) offset += Buffer.byteLength(lines[line++], 'utf8');
    ends.push(offset);
  }
  return ends;
}

/** The bytes of a chunk (on the pipe path, where `takeOver` needs them, always a Buffer already). */
function asBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Marks an error as one of the sink as a whole, which no retry and no other batch can cure. */
function permanent(error: Error): Error {
  return Object.assign(error, { permanent: 'sink' });
}
