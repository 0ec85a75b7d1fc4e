import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeValue } from '../../core/describe-value';
import { checkOptionKeys } from '../../core/check-option-keys';
import { expectOption } from '../../core/expect-option';
import { hasMethods } from '../../core/has-methods';
import { expectReadableOption, readOptions } from '../../core/read-options';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { PartialDeliveryError } from '../../core/errors/partial-delivery-error';
import type { LogEvent } from '../../core/log-event';
import { SelfLog } from '../../core/self-log';
import { isDate } from '../../templates/capture';
import { CLOSE_GIVEN_UP, type EmitResult, type Formatter, type Sink, WRITTEN_ASIDE } from '../../core/sink';
import { CompactJsonFormatter } from '../../formatting/compact-json-formatter';
import { applyFileRetention } from './file-retention';
import { formatLine, skippedEvents, wholeLines } from '../format-lines';
import { FileSizeLimitError } from './file-size-limit-error';
import { LogFile } from './log-file';
import { PollingWaits } from './polling-waits';
import { asStored, isNoFile, RollingFilePath } from './rolling-file-path';
import { parseRollingInterval, rollingPeriod, type RollingInterval, type RollingPeriod } from './rolling-interval';
import { processExiting, retryUntil, writtenOverlap, type WriteTry } from './exit-waits';

/** Options of a FileSink. */
export interface FileSinkOptions {
  /** How often a new file starts; periods are UTC. Default `'infinite'` (never by time). */
  rollingInterval?: RollingInterval | undefined;
  /**
   * Most bytes in one file; `null` = unlimited. Default `1073741824` (1 GiB, as Serilog). A regular
   * file's only: not a FIFO's or a device's, nor a path naming a descriptor of the process
   * (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`) even when the shell redirected it to a file; such
   * a path, or one naming a device or FIFO when the sink is built, cannot roll either
   * (`rollingInterval`, `rollOnFileSizeLimit` are a ConfigurationError).
   */
  fileSizeLimitBytes?: number | null | undefined;
  /**
   * Start the next `_NNN` file when the size limit is reached, instead of failing the events past
   * it. Default `false`. With `fileSizeLimitBytes: null` it is a ConfigurationError: no limit to roll at.
   */
  rollOnFileSizeLimit?: boolean | undefined;
  /**
   * Most files of the set kept on disk, the current one included; `null` = keep all. Default `31`.
   * Only a rolling set (a `rollingInterval` other than `'infinite'`, or `rollOnFileSizeLimit`) is
   * pruned: a file that rolls neither way is its path alone, and no other file is ever deleted.
   */
  retainedFileCountLimit?: number | null | undefined;
  /**
   * Oldest events kept on disk, in milliseconds: a file of the set whose whole period ended at
   * least this long ago is deleted (never the current one), as Serilog's `retainedFileTimeLimit`
   * but by the period's end, so no event younger than the limit goes. Applied with the count limit
   * whenever a file is opened (at start and on each roll). Needs a `rollingInterval` other than
   * `'infinite'`. Default `null` (no time limit).
   */
  retainedFileTimeLimitMs?: number | null | undefined;
  /** Turns each event into a line. Default `new CompactJsonFormatter()` (CLEF). */
  formatter?: Formatter | undefined;
  /**
   * The time that decides the rolling period, a Date or epoch milliseconds (`Date.now` will do),
   * read once per batch; a time in the period before the current one (a clock stepped back a
   * little) keeps the current file, one earlier opens its own period's; an invalid Date, anything
   * else, or a clock that throws (reported to SelfLog once) keeps the current file; before the
   * first file, the system time picks it. Default `() => new Date()`.
   */
  clock?: (() => Date | number) | undefined;
  /**
   * A file that takes a batch the primary file cannot (an I/O error or a full file), written
   * without rolling or limits. Default: none, the batch fails. The pipeline's `fallback` sink
   * option does the same with metrics (`fallback` counts); this one is counted as delivered, and
   * SelfLog hears once when batches start going there and once when the primary writes again. At
   * process exit it also takes what a stalled FIFO reader has not taken once `syncFlushTimeoutMs`
   * has passed. A
   * relative path is resolved when the sink is built; the sink's own file, however spelt, or a
   * file of its rolling set is a ConfigurationError.
   */
  fallbackPath?: string | undefined;
  /**
   * `fsync` the file on `flush()`, `flushSync()` and `close()`, and a file the sink leaves (a roll, a
   * file moved away) as it leaves it; never per batch. Default `false`.
   */
  fsync?: boolean | undefined;
  /**
   * Longest wait of `flush()`, `flushSync()` and `close()` for a stalled pipe reader, in
   * milliseconds of elapsed time (a wall clock stepped back meanwhile does not lengthen it); while
   * the process exits, over the whole exit flush. Default `1000`.
   */
  syncFlushTimeoutMs?: number | undefined;
}

const GIB = 1024 * 1024 * 1024;
/** Most bytes a write to a pipe makes at once, never interleaved with another writer's (POSIX PIPE_BUF, Linux's). */
const PIPE_BUF = 4096;
/**
 * Most UTF-16 units of formatted text held at once (64 Ki; at most 192 KiB of UTF-8): a batch whose
 * text is larger is formatted and written in chunks of about this size, so a batch write never
 * needs memory proportional to the batch. A batch of short lines fits in one chunk: one write call.
 * Kept below V8's large-object size (128 KiB): a longer text, flattened for the write, would be made
 * in the large-object space, which only a full collection frees. 512 object-heavy lines (about 200 000
 * characters) made one such text each batch, and with a bound of 1 Mi that cost about a sixth of
 * such a workload's CPU.
 */
export const FILE_SINK_CHUNK_CHARS = 64 * 1024;

/** A path that names a folder whatever is on disk: ending in a separator (`/`, and `\` on Windows), `.` or `..`. */
const FOLDER_ONLY = path.sep === '\\' ? /(?:^|[\\/])\.{0,2}$/ : /(?:^|\/)\.{0,2}$/;

/** An absolute folder path with the symlinks of its part that exists resolved. */
function realFolder(folder: string): string {
  const rest: string[] = [];
  for (let at = folder; ; at = path.dirname(at)) {
    try {
      return path.join(fs.realpathSync(at), ...rest);
    } catch {
      // Missing (or unreadable): resolve its parent, and keep its name as written.
      if (path.dirname(at) === at) return folder;
      rest.unshift(path.basename(at));
    }
  }
}

/**
 * An absolute file path with symlinks resolved (its folders', and its own when it is a regular
 * file or a link to none yet: the sink opens its file on the first batch, creating it through the
 * link), so two spellings of one file through a link compare equal. A device keeps its name:
 * `/dev/stdout` and `/dev/stderr` resolve to the same terminal, yet are two outputs.
 */
function realFile(filePath: string, links = 0): string {
  const folder = realFolder(path.dirname(filePath));
  try {
    const stat = fs.statSync(filePath, { throwIfNoEntry: false });
    if (stat?.isFile() === true) return fs.realpathSync(filePath);
    // A link to nothing yet, as the kernel follows it (relative to its real folder), at most 40 deep as Linux's ELOOP.
    if (stat === undefined && links < 40 && fs.lstatSync(filePath, { throwIfNoEntry: false })?.isSymbolicLink() === true)
      return realFile(path.resolve(folder, fs.readlinkSync(filePath)), links + 1);
  } catch {
    // Unreadable, or a loop: compared through its folder.
  }
  return path.join(folder, path.basename(filePath));
}

/** A descriptor of a process by name: `/dev/stdout`, `/dev/stderr`, `/dev/stdin`, `/dev/fd/N`, `/proc/<pid>/fd/N`. */
const DESCRIPTOR = /^(?:\/dev\/(?:std(?:in|out|err)|fd\/\d+)|\/proc\/(?:self|thread-self|\d+)(?:\/task\/\d+)?\/fd\/\d+)$/;

/**
 * Whether `filePath` names a descriptor of a process, as spelt or through symlinks (`/dev/stdout`,
 * `/dev/fd/1`, `/proc/self/fd/1`, a link to one of them): a stream the process was given, not a file
 * of its own, whatever it is connected to. `node app.js > app.log` makes `/dev/stdout` a regular
 * file, but one the shell opened, so the size limit and rolling, which would name files beside it
 * (`/dev/stdout_001`), are not for it.
 */
function namesDescriptor(filePath: string): boolean {
  let at = path.resolve(filePath);
  // At most 40 links deep, as Linux's ELOOP.
  for (let links = 0; links <= 40; links++) {
    if (DESCRIPTOR.test(at) || DESCRIPTOR.test(path.join(realFolder(path.dirname(at)), path.basename(at)))) return true;
    try {
      if (fs.lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return false;
      at = path.resolve(realFolder(path.dirname(at)), fs.readlinkSync(at));
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Whether `filePath` names, through symlinks, something that is neither a file nor a folder: a
 * device (`/dev/null`), a FIFO or a socket. False when nothing is there or it cannot be checked.
 */
function isSpecial(filePath: string): boolean {
  try {
    const stat = fs.statSync(filePath, { throwIfNoEntry: false });
    return stat !== undefined && !stat.isFile() && !stat.isDirectory();
  } catch {
    return false;
  }
}

/** Whether `filePath` names a regular file (through symlinks); false when it cannot be checked. */
function isFile(filePath: string): boolean {
  try {
    return fs.statSync(filePath, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** Whether an error is a permission refusal (EACCES, EPERM). */
function isDenied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

function checkCount(value: unknown, option: string): number | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw new ConfigurationError(`FileSink ${option}: expected a positive integer or null, got ${describeValue(value)}`);
}

/** The options FileSink knows: any other key is a misspelling (`rollingIntervall`). */
const FILE_SINK_OPTIONS = [
  'rollingInterval',
  'fileSizeLimitBytes',
  'rollOnFileSizeLimit',
  'retainedFileCountLimit',
  'retainedFileTimeLimitMs',
  'formatter',
  'clock',
  'fallbackPath',
  'fsync',
  'syncFlushTimeoutMs',
] as const satisfies readonly (keyof FileSinkOptions)[];

/**
 * Checks the options a JavaScript caller (or a configuration file) can get wrong silently: a
 * formatter without `format` would skip every event, a string `'false'` is truthy.
 *
 * @throws ConfigurationError naming the option and the value.
 */
function checkKinds(options: FileSinkOptions): void {
  checkOptionKeys('FileSink', options, FILE_SINK_OPTIONS);
  const { formatter, clock, rollOnFileSizeLimit, fsync } = options;
  const flag = (value: unknown): boolean => value === undefined || typeof value === 'boolean';
  // One whose reads throw (a Proxy's trap) is refused naming it, the error as its cause.
  expectReadableOption('FileSink formatter', 'the formatter', 'an object with format(event)', formatter, (given) =>
    hasMethods(given, ['format']),
  );
  expectOption(clock === undefined || typeof clock === 'function', 'FileSink clock', 'a function returning a Date', clock);
  expectOption(flag(rollOnFileSizeLimit), 'FileSink rollOnFileSizeLimit', 'true or false', rollOnFileSizeLimit);
  expectOption(flag(fsync), 'FileSink fsync', 'true or false', fsync);
}

/**
 * Writes events to a file, one line each (CLEF by default), rolling by time and size like
 * Serilog's rolling file sink: `logs/app-.log` rolling by day writes `logs/app-20261122.log`.
 *
 * A batch is formatted and written with one `writeSync` call per 64 Ki characters of text (one
 * for a batch of short lines) on a descriptor kept open, inline on the caller's turn (`emitSync`),
 * so a tight loop loses nothing and pays a few syscalls per batch, not one per event. The async `emit` uses the same synchronous write (a local file write is
 * faster than a trip through the thread pool) and only waits, by polling, when a FIFO's reader is
 * stalled. A file deleted or moved away is re-created on the next batch (one `stat` per batch),
 * and lines written to a file deleted meanwhile (another process's retention) are written again
 * to the file at its path (one `fstat` per write);
 * missing folders are created. FIFOs are opened non-blocking: when the reader stalls, `emitSync`
 * returns false, or throws a `PartialDeliveryError` naming the events the pipe took whole, so only
 * what reached the reader counts as delivered; the rest of a line cut in the middle is held and
 * written before anything else, and that event counts once its line is complete. While the
 * process exits, where nothing asynchronous runs again, `emitSync` and `flushSync` wait for a
 * stalled reader instead (at most `syncFlushTimeoutMs` over the whole exit), writing the batch
 * `emit` still holds first, so the reader gets everything in order.
 *
 * @example
 * new LoggerConfiguration().writeTo.sink(new FileSink('logs/app-.log', { rollingInterval: 'day' })).createLogger();
 */
export class FileSink implements Sink {
  /** The default name of this sink in metrics and the shutdown report. */
  readonly kind = 'file';

  /** Batched by default, so a burst costs one write per 512 events; a sink's `batch` option overrides it. */
  readonly batchDefaults = { size: 512, maxDelayMs: 100 } as const;

  /**
   * Queue bound when `writeTo.sink` gives none: 1 000 000 events, so the 16 MiB byte bound is what
   * binds. A burst into a blocked pipe (a slow reader) is held whole rather than cut at the general
   * default's 10 000 events, as pino's asynchronous destination holds it.
   */
  readonly queueDefaults = { limit: 1_000_000 } as const;

  private readonly files: RollingFilePath;
  private readonly interval: RollingInterval;
  private readonly limit: number | null;
  private readonly rollOnLimit: boolean;
  /**
   * Whether the sink writes a set of files (a period in the name, or `_NNN` size rolls) rather
   * than the one file at its path: only a set is searched for its newest file and pruned.
   */
  private readonly rolling: boolean;
  /**
   * Whether the path names a descriptor of the process (`/dev/stdout`): a stream, written whatever
   * it is connected to, even a file the shell opened and someone deleted since, as pino writes fd 1.
   */
  private readonly stream: boolean;
  private readonly retained: number | null;
  private readonly retainedMs: number | null;
  /** The time of the batch being written (the clock's, or a stand-in when it gave none): what retention ages files by. */
  private nowMs = 0;
  /** `performance.now()` at the current file's last batch, with a time limit: when the sink last wrote it. */
  private lastWriteMs = 0;
  /** When the sink last wrote each file it left (see applyFileRetention), with a time limit. */
  private readonly lastWrites = new Map<string, number>();
  private readonly formatter: Formatter;
  private readonly clock: () => Date | number;
  /** Whether a clock that threw or gave no time was reported: once per sink, not once per batch. */
  private clockReported = false;
  private readonly fsync: boolean;
  private readonly syncFlushTimeoutMs: number;
  private readonly fallbackPath: string | undefined;
  private fallbackSink: FileSink | undefined;
  /** While the primary fails and batches go to the fallback: why (said once), and how many went. */
  private aside: { readonly reason: string; readonly batches: number } | undefined;
  private file: LogFile | undefined;
  // Ended before any time, so the first batch opens the current period.
  private period: RollingPeriod = { text: '', startMs: -Infinity, endMs: -Infinity };
  /** The start of the period before the current one: a clock earlier than this opens its own period. */
  private earliestMs = -Infinity;
  private sequence = 0;
  /** The unwritten rest of a line a stalled reader took only part of; written before anything else. */
  private pending: Buffer | undefined;
  /**
   * The event whose line `pending` completes: not yet counted as delivered by the caller. When
   * the next write starts with this event, its line is finished by the held rest, not written again.
   */
  private pendingEvent: LogEvent | undefined;
  private closed = false;
  private written = 0;
  /** Events the formatter threw on (or gave no string for), skipped: a write reports those of its batch failed. */
  private skipped = 0;
  private readonly lines: string[] = [];
  /** The event index of each line in `lines`. */
  private readonly lineEvents: number[] = [];
  private readonly owner: string;
  private readonly waits = new PollingWaits();
  /** The batch `emit` holds while a stalled reader takes it, and the first of its events not written whole yet. */
  private held: { readonly events: readonly LogEvent[]; done: number } | undefined;
  /**
   * The last async `emit` still under way (a stalled pipe reader, or a batch waiting behind one): a
   * batch sent meanwhile, by a second logger sharing the sink or a second sink whose fallback it
   * is, is written once it has settled, so no batch runs into another.
   */
  private last: Promise<unknown> | undefined;
  /** Events written at exit out of the pipeline's sight (the batch `emit` held): offered again, they are skipped. */
  private writtenAside: readonly LogEvent[] = [];
  /** When waiting for a stalled reader at exit ends (a `performance.now()` time), set by the first wait. */
  private exitDeadline: number | undefined;

  constructor(
    private readonly basePath: string,
    given: FileSinkOptions = {},
  ) {
    // A NUL can be in no path: fs would throw a TypeError on every batch for the life of the process.
    // A path ending in a separator, `.` or `..` names a folder whatever is on disk: rolling would
    // name files after the folder, beside it (`logs/` → `logs20261122`).
    if (typeof basePath !== 'string' || basePath.length === 0 || basePath.includes('\0') || FOLDER_ONLY.test(basePath)) {
      throw new ConfigurationError(`FileSink path: expected a file path, got ${describeValue(basePath)}`);
    }
    // Each option read once: what is checked is what the sink uses (a getter could answer otherwise).
    const options = readOptions('FileSink', given, FILE_SINK_OPTIONS) as FileSinkOptions;
    checkKinds(options);
    this.interval = parseRollingInterval(options.rollingInterval ?? 'infinite');
    const limit = options.fileSizeLimitBytes === undefined ? GIB : options.fileSizeLimitBytes;
    // Whole bytes, at least 1, as Serilog's File() refuses a limit below 1.
    if (limit !== null && !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 1)) {
      throw new ConfigurationError(
        `FileSink fileSizeLimitBytes: expected a whole number of bytes (at least 1) or null, got ${describeValue(limit)}`,
      );
    }
    // A descriptor of the process (`/dev/stdout` redirected to a file by the shell) is a stream, as
    // pino.destination(1) writes it: no size limit, whatever it is connected to, and no rolling.
    this.stream = namesDescriptor(basePath);
    this.limit = this.stream ? null : limit;
    this.rollOnLimit = options.rollOnFileSizeLimit ?? false;
    // A device or FIFO at the path is written as it is: rolling would write regular files beside it
    // (`/dev/null20261122`, in the container's small /dev tmpfs) and never the device.
    if (this.stream) this.refuseRolling(basePath, options, 'a stream of the process (a file descriptor)');
    else if (isSpecial(basePath)) this.refuseRolling(basePath, options, 'a device, FIFO or socket');
    // No limit to roll at: Serilog takes it silently, yet it only made the file a rolling set
    // (appended to at its newest `_NNN` name, pruned) that never rolls by size.
    if (this.rollOnLimit && limit === null) {
      throw new ConfigurationError(
        'FileSink rollOnFileSizeLimit: true needs a fileSizeLimitBytes to roll at, got fileSizeLimitBytes null',
      );
    }
    // As Serilog's File() picks its plain FileSink over the rolling one: a file that rolls neither
    // by time nor by size is its path alone. Searching the folder for `app_NNN.log` names would
    // append to, and retention delete, files that are not the sink's (`app_20261001.log` archives).
    this.rolling = this.interval !== 'infinite' || this.rollOnLimit;
    this.retained = checkCount(
      options.retainedFileCountLimit === undefined ? 31 : options.retainedFileCountLimit,
      'retainedFileCountLimit',
    );
    this.retainedMs = this.checkTimeLimit(options.retainedFileTimeLimitMs);
    this.formatter = options.formatter ?? new CompactJsonFormatter();
    this.clock = options.clock ?? (() => new Date());
    this.fsync = options.fsync ?? false;
    const syncFlushTimeoutMs = options.syncFlushTimeoutMs === undefined ? 1000 : options.syncFlushTimeoutMs;
    if (!(typeof syncFlushTimeoutMs === 'number' && syncFlushTimeoutMs >= 0 && Number.isFinite(syncFlushTimeoutMs))) {
      throw new ConfigurationError(
        `FileSink syncFlushTimeoutMs: expected a non-negative number of milliseconds, got ${describeValue(syncFlushTimeoutMs)}`,
      );
    }
    this.syncFlushTimeoutMs = syncFlushTimeoutMs;
    this.files = new RollingFilePath(basePath, this.interval, this.rolling);
    this.fallbackPath = this.checkFallbackPath(options.fallbackPath);
    this.owner = `FileSink ${basePath}`;
  }

  /**
   * Refuses the options that roll or prune a set for a path naming a descriptor of the process, a
   * device or a FIFO (`what` it names): rolling would write files beside it (`/dev/stdout20261122`,
   * `/dev/null_001`), not the stream.
   *
   * @throws ConfigurationError naming the option and its value.
   */
  private refuseRolling(basePath: string, options: FileSinkOptions, what: string): void {
    const rolling: [string, unknown][] = [
      ['rollingInterval', this.interval === 'infinite' ? undefined : options.rollingInterval],
      ['rollOnFileSizeLimit', this.rollOnLimit ? true : undefined],
      ['retainedFileTimeLimitMs', options.retainedFileTimeLimitMs ?? undefined],
    ];
    for (const [option, value] of rolling) {
      if (value === undefined) continue;
      throw new ConfigurationError(
        `FileSink ${option}: ${basePath} names ${what}, which neither rolls nor is pruned, got ${describeValue(value)}`,
      );
    }
  }

  /**
   * Checks `retainedFileTimeLimitMs`: names without a period tell nothing of their events' time.
   *
   * @throws ConfigurationError naming the value.
   */
  private checkTimeLimit(value: unknown): number | null {
    if (value === undefined || value === null) return null;
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new ConfigurationError(
        `FileSink retainedFileTimeLimitMs: expected a positive number of milliseconds or null, got ${describeValue(value)}`,
      );
    }
    if (this.interval === 'infinite') {
      throw new ConfigurationError(
        `FileSink retainedFileTimeLimitMs needs a rollingInterval other than 'infinite' (file names without a period carry no time), got ${describeValue(value)}`,
      );
    }
    return value;
  }

  /**
   * The fallback file as an absolute path, resolved now: a relative one would otherwise follow a
   * later `process.chdir`. The sink's own file, under any spelling (through symlinks too), or a
   * file of its rolling set is refused: the fallback writes without a size limit, so a full file would grow on through it.
   *
   * @throws ConfigurationError naming the value.
   */
  private checkFallbackPath(fallbackPath: unknown): string | undefined {
    if (fallbackPath === undefined) return undefined;
    const resolved =
      typeof fallbackPath === 'string' &&
      fallbackPath.length > 0 &&
      !fallbackPath.includes('\0') &&
      !FOLDER_ONLY.test(fallbackPath)
        ? path.resolve(asStored(fallbackPath))
        : undefined;
    // Through symlinks too (a linked folder, a link to the file): taken, the fallback wrote the full file.
    const real = resolved === undefined ? undefined : realFile(resolved);
    const own =
      real === realFile(path.resolve(asStored(this.basePath))) ||
      (real !== undefined &&
        this.rolling &&
        path.dirname(real) === realFolder(this.files.directory) &&
        this.files.parse(path.basename(real)) !== undefined);
    if (resolved === undefined || own) {
      throw new ConfigurationError(
        `FileSink fallbackPath: expected a file path other than the sink's own, got ${describeValue(fallbackPath)}`,
      );
    }
    return resolved;
  }

  /** The file being written now, or undefined before the first batch and after close. */
  get currentPath(): string | undefined {
    return this.file?.path;
  }

  /** Bytes written to the primary file set so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Writes the batch now; false when nothing of it could be written whole (a pipe would block, or
   * the write failed: the async path then retries it). When a stalled pipe took only its first
   * events, throws a `PartialDeliveryError` naming them; the stage sends the rest on.
   */
  emitSync(events: readonly LogEvent[]): boolean | EmitResult {
    if (this.closed) return false;
    const exiting = processExiting();
    // A batch an async emit still holds goes first (the pipeline offers the queue behind it to
    // emitSync only from flushSync): outside exit, this one waits its turn in the queue.
    if ((this.held !== undefined || this.last !== undefined) && !exiting) return false;
    let done: number;
    const skipped = this.skipped;
    try {
      done = exiting ? this.writeAtExit(events) : this.writeWithFallback(events, 0);
    } catch (error) {
      // Part of the batch is in the file: the stage counts it and sends only the rest on.
      if (error instanceof PartialDeliveryError) throw this.withSkipped(error, skipped);
      // The pipeline hands a refused batch to `emit`, which throws the same error to retry/fallback.
      return false;
    }
    if (done === events.length) return skippedEvents(this.skipped - skipped) ?? true;
    if (done === 0) return false;
    throw this.withSkipped(new PartialDeliveryError(done, new Error(`the reader of ${this.basePath} stalled`)), skipped);
  }

  /**
   * A PartialDeliveryError that also names, as refused, the events the formatter skipped since
   * the count was `skippedBefore` (all of them before the cut): the stage counts them failed, not
   * delivered, as a write that ends whole reports them (`skippedEvents`).
   */
  private withSkipped(error: PartialDeliveryError, skippedBefore: number): PartialDeliveryError {
    const skipped = this.skipped - skippedBefore;
    return skipped === 0 ? error : new PartialDeliveryError(error.delivered, error.cause, error.rejected + skipped);
  }

  /**
   * Writes the batch; throws on an I/O error, and returns a promise only while a pipe reader is
   * stalled, resolved once the reader took the whole batch. Closing the sink meanwhile rejects it
   * with a `PartialDeliveryError` naming the events the reader took whole. An I/O error (a full
   * disk, EACCES, EROFS) is retried and counts toward opening the circuit breaker: freed space or a
   * remount needs no new configuration, as Serilog's file sink opens its file again later. A closed
   * sink throws `permanent: 'sink'` (no batch gets through: the breaker opens), a full file that
   * does not roll `permanent: true` (see FileSizeLimitError). A batch sent while an earlier `emit`
   * is still under way is written after it, whatever that one's outcome.
   */
  emit(events: readonly LogEvent[]): void | EmitResult | Promise<void | EmitResult> {
    const outcome = this.last === undefined ? this.emitNow(events) : this.last.then(() => this.emitNow(events));
    if (outcome instanceof Promise) {
      // Ends the batch's turn whichever way its write settled: the next batch's write starts either way.
      const settled = (): void => {
        if (this.last === last) this.last = undefined;
      };
      const last: Promise<unknown> = outcome.then(settled, settled);
      this.last = last;
    }
    return outcome;
  }

  private emitNow(events: readonly LogEvent[]): void | EmitResult | Promise<void | EmitResult> {
    // The sink's (see retryHint): a closed sink never takes a batch again, so retrying only delays
    // the failure, and the breaker opens.
    if (this.closed) throw Object.assign(new Error(`FileSink: ${this.basePath} is closed`), { permanent: 'sink' });
    const skipped = this.skipped;
    // The events the formatter skipped before a cut count failed (see withSkipped); the rest past
    // a full file are as permanent as the FileSizeLimitError behind them.
    const partial = (error: unknown): unknown => {
      if (!(error instanceof PartialDeliveryError)) return error;
      const counted = this.withSkipped(error, skipped);
      return error.cause instanceof FileSizeLimitError ? Object.assign(counted, { permanent: true }) : counted;
    };
    let done: number;
    try {
      done = this.writeWithFallback(events, 0);
    } catch (error) {
      throw partial(error);
    }
    const held = { events, done };
    if (held.done === events.length) return skippedEvents(this.skipped - skipped);
    // Held where the exit flush finds it: written there before anything logged after it.
    this.held = held;
    const wait = this.waits.wait(
      () => {
        try {
          held.done = this.writeWithFallback(events, held.done);
        } catch (error) {
          if (held.done === 0 || error instanceof PartialDeliveryError) throw partial(error);
          throw this.withSkipped(new PartialDeliveryError(held.done, error), skipped);
        }
        return held.done === events.length;
      },
      () => {
        const error = new Error(`FileSink: ${this.basePath} closed before a stalled reader took the batch`);
        return held.done === 0 ? error : this.withSkipped(new PartialDeliveryError(held.done, error), skipped);
      },
    );
    const release = (): void => {
      if (this.held === held) this.held = undefined;
    };
    wait.then(release, release);
    return wait.then(() => skippedEvents(this.skipped - skipped));
  }

  /**
   * At exit: how many leading `events` (the batch `emit` holds, in flight in the pipeline) the
   * sink has written whole itself, so the pipeline counts them delivered; 0 outside exit, where
   * `emit` reports them. See WRITTEN_ASIDE.
   *
   * @internal
   */
  [WRITTEN_ASIDE](events: readonly LogEvent[]): number {
    if (!processExiting()) return 0;
    const held = this.held;
    const count = writtenOverlap(held === undefined ? this.writtenAside : held.events.slice(0, held.done), events);
    // A line cut earlier whose rest went out since (flushSync writes it): its event is out too.
    const finished = this.pending === undefined && this.pendingEvent !== undefined && events[count] === this.pendingEvent;
    return finished ? count + 1 : count;
  }

  /**
   * Waits until a stalled pipe has taken what the sink holds, at most `syncFlushTimeoutMs` (what
   * it did not take stays held, written first once the reader reads again), then fsyncs if asked.
   */
  async flush(): Promise<void> {
    if (this.pending !== undefined) {
      // Bounded, as close(): each periodic log.flush() gives up at its own timeout, and a wait
      // without end would stay behind it, polling the pipe, for as long as the reader stalls. By
      // elapsed time, as every wait here: on the wall clock, a step back (NTP) made it that much longer.
      const deadline = performance.now() + this.syncFlushTimeoutMs;
      await this.waits.wait(
        () => this.drainPending() || performance.now() >= deadline,
        () => new Error(`FileSink: ${this.basePath} closed before a stalled reader took the batch`),
      );
      // Re-read: the wait's attempts write it (the compiler still holds it narrowed from before the await).
      const left = this.pending as Buffer | undefined;
      if (left !== undefined)
        SelfLog.write('FileSink {Path}: the reader did not take {Bytes} bytes in time', this.file?.path, left.length);
    }
    if (this.fsync) this.file?.sync();
    await this.fallbackSink?.flush();
  }

  /**
   * Writes what the sink holds with synchronous I/O (waiting at most `syncFlushTimeoutMs` for a
   * stalled pipe reader), then fsyncs if asked. Never throws: a failure goes to SelfLog.
   */
  flushSync(): void {
    try {
      // At exit, the batch `emit` holds goes first (it would be lost), within the exit's one deadline.
      const exiting = processExiting();
      if (exiting) this.writeHeldAtExit();
      const deadline = exiting ? this.exitWaitDeadline() : performance.now() + this.syncFlushTimeoutMs;
      if (!retryUntil(() => this.tryWrite(() => this.drainPending()), deadline))
        SelfLog.write('FileSink {Path}: the reader did not take {Bytes} bytes in time', this.file?.path, this.pending?.length);
      if (this.fsync) this.file?.sync();
    } catch (error) {
      SelfLog.write('FileSink {Path}: flush failed', this.file?.path, error);
    }
    this.fallbackSink?.flushSync();
  }

  /**
   * Writes what the sink holds and closes the file. Writes still waiting for a stalled pipe reader
   * get one last try at once; those that cannot finish are rejected with a `PartialDeliveryError`
   * naming the events the reader took whole. The rest of a line cut in the middle is waited for
   * without blocking the event loop (polling), at most `syncFlushTimeoutMs`, so the reader does not
   * get half a line; the logger's own close timeout bounds the wait too (see CLOSE_GIVEN_UP). Idempotent.
   */
  close(): void | Promise<void> {
    if (this.closed || this.closing !== undefined) return this.closing;
    // Writes still waiting for a stalled reader end now (one last try), reporting what it took whole.
    this.waits.settleAll();
    if (this.drainQuietly()) {
      const fallbackClosing = this.finishClose();
      // A second close() waits for the fallback's too.
      if (fallbackClosing !== undefined) this.closing = fallbackClosing;
      return fallbackClosing;
    }
    const deadline = performance.now() + this.syncFlushTimeoutMs;
    this.closing = this.waits
      .wait(
        () => this.drainQuietly() || this.closeGivenUp || performance.now() >= deadline,
        () => new Error('closed'),
      )
      .catch(() => undefined)
      .then(() => this.finishClose());
    return this.closing;
  }

  private closing: Promise<void> | undefined;
  /** Set once the logger's close gave up waiting for this sink's (see CLOSE_GIVEN_UP). */
  private closeGivenUp = false;

  /**
   * The logger's close gave up waiting for this sink's `close()` (see CLOSE_GIVEN_UP): its wait
   * for a stalled reader ends now, the file is closed and the bytes the reader did not take are
   * reported, so the wait's polling timer does not keep the process alive up to
   * `syncFlushTimeoutMs` after `log.close()` returned. The fallback file's close, which follows,
   * does not wait either.
   *
   * @internal
   */
  [CLOSE_GIVEN_UP](): void {
    this.closeGivenUp = true;
    this.waits.settleAll();
    this.fallbackSink?.[CLOSE_GIVEN_UP]();
  }

  /** When waiting for a stalled reader at exit ends: `syncFlushTimeoutMs` after the exit's first wait. */
  private exitWaitDeadline(): number {
    return (this.exitDeadline ??= performance.now() + this.syncFlushTimeoutMs);
  }

  /** One try of `write` (true once done), told apart by whether it wrote anything, for `retryUntil`. */
  private tryWrite(write: () => boolean): WriteTry {
    const before = this.written;
    if (write()) return 'done';
    return this.written > before ? 'progress' : 'stalled';
  }

  /**
   * `emitSync` at exit, where nothing asynchronous runs again: the batch `emit` still holds is
   * written first (its events count as pending still: the pipeline does not offer them here), then
   * this one, waiting for a stalled reader until the exit's deadline. Returns the first event not
   * written whole; throws as `writeWithFallback`.
   */
  private writeAtExit(events: readonly LogEvent[]): number {
    if (!this.writeHeldAtExit()) return 0;
    const batch = { events, done: writtenOverlap(this.writtenAside, events) };
    this.writeUntilExitDeadline(batch);
    return batch.done;
  }

  /**
   * Writes `batch` on from its `done` (kept up to date as it goes, so a later exit flush goes on
   * from there), waiting for a stalled reader until the exit's deadline; throws as `writeWithFallback`.
   * A write that fails part-way moves `done` past the events it wrote whole too: they are counted
   * (WRITTEN_ASIDE), and a later exit flush that finds a reader again does not write them again.
   */
  private writeUntilExitDeadline(batch: { readonly events: readonly LogEvent[]; done: number }): void {
    const done = retryUntil(
      () =>
        this.tryWrite(() => {
          try {
            batch.done = this.writeWithFallback(batch.events, batch.done);
          } catch (error) {
            if (error instanceof PartialDeliveryError) batch.done = Math.max(batch.done, error.delivered);
            throw error;
          }
          return batch.done === batch.events.length;
        }),
      this.exitWaitDeadline(),
    );
    if (!done) this.writeStalledToFallback(batch);
  }

  /**
   * At exit, once the deadline has passed with a reader that does not take the rest of `batch`:
   * the fallback file takes it (synchronously; a regular file never makes a write wait), moving
   * `done` past what it took, so those events count delivered there rather than undelivered. A
   * line whose start is in the pipe goes whole to the fallback too: at least once, never torn.
   */
  private writeStalledToFallback(batch: { readonly events: readonly LogEvent[]; done: number }): void {
    const fallback = this.fallback();
    if (fallback === undefined || batch.done >= batch.events.length) return;
    this.reportFallback(new Error(`the reader of ${this.basePath} did not read within syncFlushTimeoutMs at exit`));
    const skipped = fallback.skipped;
    try {
      batch.done = fallback.writeEvents(batch.events, batch.done);
    } catch (error) {
      SelfLog.write('FileSink fallback {FallbackPath} failed too', this.fallbackPath, error);
      if (error instanceof PartialDeliveryError) batch.done = Math.max(batch.done, error.delivered);
    } finally {
      this.skipped += fallback.skipped - skipped;
    }
  }

  /** Writes the rest of the batch `emit` holds, waiting until the exit's deadline; true once it is all written. */
  private writeHeldAtExit(): boolean {
    const held = this.held;
    if (held === undefined) return true;
    try {
      this.writeUntilExitDeadline(held);
    } catch (error) {
      // Its failure is not the offered batch's: a PartialDeliveryError here counts the held events.
      SelfLog.write('FileSink {Path}: writing the held batch at exit failed', this.file?.path, error);
      return false;
    }
    if (held.done < held.events.length) return false;
    this.held = undefined;
    this.writtenAside = held.events;
    return true;
  }

  /** drainPending that reports instead of throwing; true when nothing is held any more. */
  private drainQuietly(): boolean {
    try {
      return this.drainPending();
    } catch (error) {
      SelfLog.write('FileSink {Path}: flush failed', this.file?.path, error);
      return true;
    }
  }

  /** Closes the file, and the fallback file: its close may wait for a stalled reader too. */
  private finishClose(): void | Promise<void> {
    if (this.closed) return undefined;
    if (this.pending !== undefined) {
      SelfLog.write('FileSink {Path}: the reader did not take {Bytes} bytes in time', this.file?.path, this.pending.length);
    }
    this.waits.settleAll();
    this.closed = true;
    // Fsyncs first when asked.
    this.closeFile();
    return this.fallbackSink?.close();
  }

  /**
   * Writes `events` from index `from` on; returns the index of the first event not written whole
   * (`events.length` when all were). Throws on an I/O error that the fallback file did not take:
   * a `PartialDeliveryError` (counted from the batch's start) when events past `from` were written.
   */
  private writeWithFallback(events: readonly LogEvent[], from: number): number {
    let done: number;
    try {
      done = this.writeEvents(events, from);
    } catch (error) {
      const fallback = this.fallback();
      if (fallback === undefined) throw error;
      // After a short write, only the events that are not in the primary file go to the fallback, whole.
      const start = error instanceof PartialDeliveryError ? error.delivered : from;
      this.reportFallback(error);
      // The events its formatter skipped are this batch's: the primary reports them.
      const skipped = fallback.skipped;
      try {
        return fallback.writeEvents(events, start);
      } catch (fallbackError) {
        SelfLog.write('FileSink fallback {FallbackPath} failed too', this.fallbackPath, fallbackError);
        // The events the fallback took before it failed are in a file: delivered, never written again.
        if (fallbackError instanceof PartialDeliveryError && fallbackError.delivered > start)
          throw new PartialDeliveryError(fallbackError.delivered, error);
        throw error;
      } finally {
        this.skipped += fallback.skipped - skipped;
      }
    }
    if (this.aside !== undefined) {
      SelfLog.write(
        'FileSink {Path} writes to its file again; {Count} batches went to {FallbackPath}',
        this.basePath,
        this.aside.batches,
        this.fallbackPath,
      );
      this.aside = undefined;
    }
    return done;
  }

  /**
   * Says that the primary failed and the batch goes to the fallback: once while it fails the same
   * way (a folder that is not mounted fails every batch, and a line per batch would flood stderr
   * for as long), again when the failure changes; the batches are counted for when it recovers.
   */
  private reportFallback(error: unknown): void {
    const cause = error instanceof PartialDeliveryError ? error.cause : error;
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    if (this.aside?.reason !== reason)
      SelfLog.write(
        'FileSink {Path} failed; batches go to {FallbackPath} until it writes again',
        this.basePath,
        this.fallbackPath,
        error,
      );
    this.aside = { reason, batches: (this.aside?.batches ?? 0) + 1 };
  }

  private fallback(): FileSink | undefined {
    if (this.fallbackPath === undefined) return undefined;
    this.fallbackSink ??= new FileSink(this.fallbackPath, {
      formatter: this.formatter,
      clock: this.clock,
      fileSizeLimitBytes: null,
      retainedFileCountLimit: null,
      fsync: this.fsync,
      syncFlushTimeoutMs: this.syncFlushTimeoutMs,
    });
    return this.fallbackSink;
  }

  /**
   * Writes `events` from index `from` on, formatted in chunks of about FILE_SINK_CHUNK_CHARS (one
   * write call per chunk); returns the index of the first event not written whole, short of
   * `events.length` only when a pipe would block. Throws on I/O errors: a `PartialDeliveryError`
   * (counted from the batch's start) when events past `from` are in the file.
   */
  private writeEvents(events: readonly LogEvent[], from: number): number {
    if (!this.drainPending()) return from;
    // The first event not in the file: past `from` when the held rest just completed its line.
    let start = from;
    if (this.pendingEvent !== undefined) {
      if (events[from] === this.pendingEvent) start++;
      this.pendingEvent = undefined;
    }
    if (start >= events.length) return events.length;
    try {
      this.prepare();
    } catch (error) {
      // That event is in the file whole, and no longer held as cut: counted now, or it went again.
      throw start > from ? new PartialDeliveryError(start, error) : error;
    }
    const lines = this.lines;
    const lineEvents = this.lineEvents;
    // The events this chunk skipped: counted once the write settles them (a retry or the fallback formats the rest again).
    const skippedAt: number[] = [];
    let at = start;
    while (at < events.length) {
      lines.length = 0;
      lineEvents.length = 0;
      skippedAt.length = 0;
      // Appending lines makes a rope that fs.writeSync flattens and encodes once: about half the
      // cost of join('') then Buffer.from, which copy the batch twice in JavaScript.
      let text = '';
      let end = at;
      while (end < events.length && text.length < FILE_SINK_CHUNK_CHARS) {
        const line = formatLine(this.formatter, events[end], this.owner);
        if (line === undefined) skippedAt.push(end);
        else {
          lines.push(line);
          lineEvents.push(end);
          text += line;
        }
        end++;
      }
      let done: number;
      try {
        done = lines.length === 0 ? end : this.writeChunkLinked(text, events, end);
      } catch (error) {
        if (error instanceof PartialDeliveryError) this.countSkipped(skippedAt, error.delivered);
        if (at === from || (error instanceof PartialDeliveryError && error.delivered > at)) throw error;
        throw new PartialDeliveryError(at, error instanceof PartialDeliveryError ? error.cause : error);
      }
      this.countSkipped(skippedAt, done);
      if (done < end) return done;
      at = end;
    }
    lines.length = 0;
    lineEvents.length = 0;
    return events.length;
  }

  /** Counts skipped the events of `skippedAt` before `before`: those the write is past, never formatted again. */
  private countSkipped(skippedAt: readonly number[], before: number): void {
    for (const index of skippedAt) if (index < before) this.skipped++;
  }

  /**
   * writeChunk to the current file, written again to the file at its path when the one it went to
   * was deleted meanwhile: between the batch's `stat` and its write, another process's retention
   * (or anyone) may unlink it, and lines in a file no path reaches are lost though the write
   * succeeded. One `fstat` per chunk of a regular file (not of a stream: `/dev/stdout` on a file
   * deleted since names that file still). A chunk split at the size limit checks each part
   * (writeSplit); a file deleted under every try fails the chunk.
   */
  private writeChunkLinked(text: string, events: readonly LogEvent[], end: number): number {
    for (let attempt = 1; ; attempt++) {
      const file = this.file as LogFile;
      const done = this.writeChunk(file, text, events, end);
      // A stream's file is the shell's: opened anew through the descriptor, it is the same deleted file.
      if (!file.regular || this.stream || file !== this.file || !this.deletedUnder(file, text, attempt)) return done;
    }
  }

  /**
   * Whether `file`, just written `text`, was deleted meanwhile: then those bytes are uncounted and
   * the path opened anew (the newest file of a set), to write them again. Throws at the third time.
   */
  private deletedUnder(file: LogFile, text: string, attempt: number): boolean {
    if (!file.isUnlinked()) return false;
    this.written -= Buffer.byteLength(text, 'utf8');
    if (attempt >= 3) throw new Error(`FileSink: ${file.path} was deleted while being written, ${attempt} times`);
    this.reopen();
    return true;
  }

  /** Writes one chunk (`this.lines`, whose last event is `end - 1`); returns the first event not written whole. */
  private writeChunk(file: LogFile, text: string, events: readonly LogEvent[], end: number): number {
    // The common case, a regular file far from its limit (3 bytes per UTF-16 unit at most): one
    // write of the string, no byte count beforehand.
    if (file.regular && (this.limit === null || file.size + 3 * text.length <= this.limit))
      return this.writeText(file, text, events, end);
    const buffer = Buffer.from(text, 'utf8');
    // A pipe or device (whose partial writes need byte offsets), or a chunk near the limit.
    if (!file.regular) return this.writeBuffer(file, buffer, events, end);
    if (this.limit === null || file.size + buffer.length <= this.limit) return this.writeText(file, text, events, end);
    return this.writeSplit(this.limit, events, end);
  }

  /**
   * Splits a chunk at the line that would cross the limit and rolls to the next `_NNN` file, as
   * often as needed. Without `rollOnFileSizeLimit`, the lines that fit are written and the rest
   * fail with a FileSizeLimitError (a PartialDeliveryError naming the events written, when there
   * are some): the file fills up to its limit, as Serilog's does, rather than stopping a batch short.
   */
  private writeSplit(limit: number, events: readonly LogEvent[], end: number): number {
    const lines = this.lines.slice();
    const lineEvents = this.lineEvents.slice();
    let from = 0;
    let deletions = 0;
    try {
      while (from < lines.length) {
        const file = this.file as LogFile;
        let bytes = 0;
        let to = from;
        while (to < lines.length) {
          const lineBytes = Buffer.byteLength(lines[to], 'utf8');
          // A line longer than the limit still goes into an empty file, or it could never be written.
          if (file.size + bytes + lineBytes > limit && file.size + bytes > 0) break;
          bytes += lineBytes;
          to++;
        }
        if (to > from) {
          this.lines.length = 0;
          this.lineEvents.length = 0;
          for (let i = from; i < to; i++) {
            this.lines.push(lines[i]);
            this.lineEvents.push(lineEvents[i]);
          }
          const part = this.lines.join('');
          this.writeText(file, part, events, to < lines.length ? lineEvents[to] : end);
          // Deleted meanwhile (see writeChunkLinked): these lines go again, measured against the file opened anew.
          if (this.deletedUnder(file, part, deletions + 1)) {
            deletions++;
            continue;
          }
        }
        from = to;
        if (from < lines.length) {
          if (!this.rollOnLimit) throw new FileSizeLimitError(file.path, limit);
          this.openSequence(this.sequence + 1);
        }
      }
    } catch (error) {
      // A roll or a write that fails after part of the chunk is in a file (the next `_NNN` name
      // taken by a folder, a full disk, a full file that does not roll): those events are
      // delivered, only the rest is not.
      if (from === 0 || error instanceof PartialDeliveryError) throw error;
      throw new PartialDeliveryError(lineEvents[from], error);
    }
    return end;
  }

  /**
   * Writes a chunk's text (`this.lines`) to a regular file. A short write (a disk filling up, the
   * process's file size limit) is followed by a write of the rest, which either takes it or fails
   * with the errno that says why (the cause reported); what is then torn is undone back to the
   * last whole line, so the file never holds half an event, and reported as a
   * PartialDeliveryError naming how many events of the batch are in the file: the rest are
   * retried, sent to the fallback whole, or failed.
   */
  private writeText(file: LogFile, text: string, events: readonly LogEvent[], end: number): number {
    const lines = this.lines;
    let written: number;
    try {
      written = file.writeText(text);
    } catch (error) {
      const partial = (error as { bytesWritten?: number }).bytesWritten;
      if (partial === undefined || partial === 0) throw error;
      written = partial;
    }
    this.written += written;
    const total = Buffer.byteLength(text, 'utf8');
    if (written === total) return end;
    // A short write says nothing of why; the next write does (EFBIG under `ulimit -f`, ENOSPC,
    // EDQUOT), or takes the rest when there is room again.
    let cause: Error | undefined;
    const before = written;
    try {
      written = file.write(Buffer.from(text, 'utf8'), written);
    } catch (error) {
      written = (error as { written?: number }).written ?? written;
      cause = error as Error;
    }
    this.written += written - before;
    if (written === total) return end;
    const { whole, lineCount } = wholeLines(lines, written);
    // Events before the first unwritten line are in the file (or were skipped by the formatter).
    const delivered = lineCount < lines.length ? this.lineEvents[lineCount] : end;
    try {
      file.truncateTail(written - whole);
      this.written -= written - whole;
    } catch (error) {
      SelfLog.write('FileSink {Path}: could not undo a short write', file.path, error);
      // The line's start stays (an append-only file, chattr +a): its rest is held and written first, as a pipe's.
      this.pending = Buffer.from(lines[lineCount], 'utf8').subarray(written - whole);
      this.pendingEvent = events[delivered];
    }
    const error = cause ?? new Error(`short write to ${file.path}`);
    // No line completed (the start of one may stay, held): a plain failure, as a pipe's, not "only the first 0 events".
    throw delivered === 0 ? error : new PartialDeliveryError(delivered, error);
  }

  /**
   * Writes a chunk to a pipe or device; returns the first event not written whole when the
   * reader stalls. The rest of a line cut in the middle is held (`pending`) and its event noted
   * (`pendingEvent`); the lines after it are not held: the caller still has their events.
   */
  private writeBuffer(file: LogFile, buffer: Buffer, events: readonly LogEvent[], end: number): number {
    const lines = this.lines;
    let at = 0;
    try {
      // In pieces of whole lines of at most PIPE_BUF bytes (Linux's; 512 on macOS), one call each:
      // such a write to a pipe is atomic (all of it or, non-blocking, nothing), so the lines of
      // two writers of one FIFO (two sinks, cluster workers) never run into each other. A longer
      // line goes alone and may be cut.
      for (let line = 0, piece = 0; line < lines.length && at === piece; at = file.write(buffer.subarray(0, piece), at)) {
        const start = piece;
        do piece += Buffer.byteLength(lines[line++], 'utf8');
        while (line < lines.length && piece - start + Buffer.byteLength(lines[line], 'utf8') <= PIPE_BUF);
      }
    } catch (error) {
      at = (error as { written?: number }).written ?? 0;
      this.written += at;
      const cut = wholeLines(lines, at);
      // The line's start is in the pipe: its rest is held and written first, as for a stall (see drainPending).
      if (at > cut.whole && !file.isStale()) {
        this.pending = Buffer.from(buffer.subarray(at, cut.whole + Buffer.byteLength(lines[cut.lineCount], 'utf8')));
        this.pendingEvent = events[this.lineEvents[cut.lineCount]];
      }
      if (cut.lineCount === 0) throw error;
      throw new PartialDeliveryError(cut.lineCount < lines.length ? this.lineEvents[cut.lineCount] : end, error);
    }
    this.written += at;
    if (at === buffer.length) return end;
    const { whole, lineCount } = wholeLines(lines, at);
    const next = lineCount < lines.length ? this.lineEvents[lineCount] : end;
    if (at > whole) {
      this.pending = Buffer.from(buffer.subarray(at, whole + Buffer.byteLength(lines[lineCount], 'utf8')));
      this.pendingEvent = events[next];
    }
    return next;
  }

  /**
   * Writes the held rest of a line, if any; true when nothing is held any more. Throws on I/O
   * errors (its event is not counted: retried, or whole to the fallback), keeping the rest while
   * the path still names the pipe: a FIFO keeps the line's start for its next reader (a restarted
   * shipper after EPIPE), which would get it run into the next line otherwise. The rest is written
   * even when its event has gone whole to a fallback meanwhile: at least once, never torn.
   */
  private drainPending(): boolean {
    const pending = this.pending;
    if (pending === undefined) return true;
    const file = this.file;
    if (file === undefined) {
      // Only after close() gave up on a stalled reader, which already reported the loss.
      this.pending = undefined;
      this.pendingEvent = undefined;
      return true;
    }
    let at: number;
    try {
      at = file.write(pending, 0);
    } catch (error) {
      const reached = (error as { written?: number }).written ?? 0;
      this.written += reached;
      this.pending = pending.subarray(reached);
      // A FIFO replaced or gone for good: the rest is dropped, so the next batch opens the path anew.
      if (file.isStale()) this.pending = this.pendingEvent = undefined;
      throw error;
    }
    this.written += at;
    this.pending = at < pending.length ? pending.subarray(at) : undefined;
    return this.pending === undefined;
  }

  /** The file for this batch: rolls to a new period, reopens a deleted or moved file, opens lazily. */
  private prepare(): LogFile {
    // This batch's time by a clock no step moves, kept once the roll is done: a file left keeps its own last batch's.
    const batchMs = this.retainedMs === null ? 0 : performance.now();
    let now = this.interval === 'infinite' && this.file !== undefined ? 0 : this.readClock();
    // An invalid Date keeps the current file; before the first, the system time picks it (a period
    // of NaN would open `app-.log`, a name outside the set).
    if (Number.isNaN(now)) now = this.file === undefined ? Date.now() : this.period.startMs;
    this.nowMs = now;
    // Forward, as Serilog rolls. A clock stepped back into the period before (NTP across a
    // boundary) stays on the current file until it passes the period's end again: going back would
    // make retention, which keeps the newest names, delete the file holding the newest events. One
    // stepped back further (a device that booted with a date years ahead) opens its own period,
    // where Serilog writes on to the future file until real time reaches it: for years, every event
    // failing once it is full. The future file keeps its name and sorts newest, so retention keeps it.
    if (now >= this.period.endMs || now < this.earliestMs) {
      this.openPeriod(rollingPeriod(this.interval, now));
    } else if (this.file === undefined) {
      this.openSequence(this.sequence);
    } else if (this.file.isStale()) {
      this.reopen();
    } else if (this.rollOnLimit && isFile(this.files.pathFor(this.period.text, this.sequence + 1))) {
      // Another writer rolled on by size: the newest file is where retention keeps what goes in.
      this.closeFile();
      this.openNewest(this.sequence + 1);
    }
    this.lastWriteMs = batchMs;
    return this.file as LogFile;
  }

  /** Opens the path anew after the sink's file was deleted or moved away. */
  private reopen(): void {
    this.closeFile();
    // Another writer of the set (a second logger, a cluster worker) may have rolled on, its
    // retention deleting this file: re-created under its old name, the next roll deletes it again.
    if (this.rolling) this.openNewest(this.sequence);
    else this.file = LogFile.open(this.files.pathFor(this.period.text, this.sequence));
  }

  /**
   * The clock's time in epoch milliseconds; NaN (no time) when it throws or returns neither a Date
   * nor a number, reported once: failing the batch would fail every batch for as long as it does.
   */
  private readClock(): number {
    let time: unknown;
    try {
      time = this.clock();
      // Any realm's Date (one made in a vm context is no `instanceof Date` here): taken for no time, the sink never rolled.
      if (isDate(time)) return Date.prototype.getTime.call(time);
      // Through a Date, so a number no Date can hold (Infinity, past year 275760) is no time either.
      if (typeof time === 'number') return new Date(time).getTime();
    } catch (error) {
      time = error;
    }
    if (!this.clockReported) {
      this.clockReported = true;
      SelfLog.write(
        'FileSink {Path}: the clock gave no time ({Value}); the current period is kept',
        this.basePath,
        describeValue(time),
      );
    }
    return NaN;
  }

  /** Opens the newest file of `period` on disk (continuing it after a restart), or its first file. */
  private openPeriod(period: RollingPeriod): void {
    this.closeFile();
    this.period = period;
    this.earliestMs = rollingPeriod(this.interval, period.startMs - 1).startMs;
    this.openNewest(0);
  }

  /**
   * Opens the newest file of the current period on disk, at `sequence` or later, going on to the
   * next when it is full. The listing only finds where other writers got to (an earlier run, a
   * second logger): when it fails (a folder the process may write but not read, mode 0333, or
   * EMFILE), `sequence` is opened rather than failing every batch, and it is reported.
   */
  private openNewest(sequence: number): void {
    if (this.rolling) {
      try {
        for (const file of this.files.list())
          if (file.period === this.period.text && file.sequence > sequence) sequence = file.sequence;
      } catch (error) {
        SelfLog.write(
          'FileSink {Path}: could not list the rolling set; going on at {File}',
          this.basePath,
          this.files.pathFor(this.period.text, sequence),
          error,
        );
      }
    }
    this.openSequence(sequence);
    const file = this.file as LogFile;
    if (this.rollOnLimit && this.limit !== null && file.regular && file.size >= this.limit) this.openSequence(this.sequence + 1);
  }

  private openSequence(sequence: number): void {
    this.closeFile();
    let file: LogFile | undefined;
    for (let attempt = 1; file === undefined; attempt++) {
      // A folder (or a symlink loop) with the name of a file of the set is not one of its files
      // (list() skips it): the set goes on at the name after it. Opening it would fail every batch
      // until the period ends.
      if (this.rolling) while (isNoFile(this.files.pathFor(this.period.text, sequence))) sequence++;
      this.sequence = sequence;
      const filePath = this.files.pathFor(this.period.text, sequence);
      try {
        file = LogFile.open(filePath);
      } catch (error) {
        // A file of the set the process may not write (left by a run as root, made read-only):
        // the set goes on at the next name, as Serilog's does for a locked file (3 tries), rather
        // than failing every batch until the period ends. A folder that denies creating it fails.
        // So does a FIFO at that name that no process reads (ENXIO): it failed every batch too.
        const noReader = (error as NodeJS.ErrnoException | undefined)?.code === 'ENXIO';
        if (
          !this.rolling ||
          !(isDenied(error) || noReader) ||
          attempt >= 3 ||
          fs.statSync(filePath, { throwIfNoEntry: false }) === undefined
        )
          throw error;
        SelfLog.write(
          noReader
            ? 'FileSink {Path}: {File} is a FIFO no process reads; going on at the next file of the set'
            : 'FileSink {Path}: cannot write {File}; going on at the next file of the set',
          this.basePath,
          filePath,
          error,
        );
        sequence++;
      }
    }
    this.file = file;
    if (!this.rolling) return;
    try {
      applyFileRetention(this.files, this.retained, file.path, this.retainedMs, this.nowMs, this.lastWrites);
    } catch (error) {
      SelfLog.write('FileSink {Path}: retention failed', file.path, error);
    }
  }

  /**
   * Closes the current file, fsyncing it first when asked: a file the sink leaves (a roll, a file
   * moved away) gets no later `flush()`, so its last batches would otherwise never reach the disk.
   */
  private closeFile(): void {
    const file = this.file;
    if (file === undefined) return;
    this.file = undefined;
    if (this.retainedMs !== null) this.lastWrites.set(file.path, this.lastWriteMs);
    try {
      if (this.fsync) file.sync();
    } catch (error) {
      SelfLog.write('FileSink {Path}: flush failed', file.path, error);
    }
    try {
      file.close();
    } catch (error) {
      SelfLog.write('FileSink {Path}: close failed', file.path, error);
    }
  }
}
