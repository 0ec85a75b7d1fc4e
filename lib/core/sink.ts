import type { LogEvent } from './log-event';

/**
 * What a sink may say of a batch it wrote: the receiver accepted the request but refused
 * `rejected` of its events without saying which (an OTLP partial success). Those count as failed,
 * the rest as delivered; none is sent again or to the fallback, and the write is a success for the
 * circuit breaker.
 */
export interface EmitResult {
  /** How many events of the batch the receiver refused (at most the batch's length is counted). */
  readonly rejected: number;
  /**
   * Events of the batch the sink chose not to send, which nobody refused (SeqSink leaves out events
   * below the level Seq said it accepts): they count in the sink's `dropped`, under `reason` in its
   * `droppedBy`, not as failed (at most what the batch has beyond `rejected` is counted).
   */
  readonly dropped?: { readonly count: number; readonly reason: string } | undefined;
}

/**
 * Where events end up. `emit` receives a batch; a throw or a rejected promise is a failed batch
 * that goes to retry, the circuit breaker and the fallback.
 *
 * One `writeTo.sink` registration calls `emit` with one batch at a time, the next once the last
 * has settled. `emitSync` and `flushSync` may still come while an `emit` is pending (a flush at
 * process exit or page hide: `emitSync` refuses, `false`, a batch that would overtake it), and
 * `close` when a close gave up waiting for it. A sink that serves several lanes (the `fallback` of
 * several sinks, or one sink shared by two loggers through a wrapper) is called by each on its own,
 * so its `emit` may be called again before the last one settled: it must keep each batch whole and
 * answer for each call alone. The built-in sinks do; the file, stream and syslog sinks write such
 * batches in the order they were called, the HTTP sinks send them as requests at once.
 */
export interface Sink {
  /**
   * Writes a batch of events, in order; may return a promise that settles when they are written.
   * A result with `rejected` (see EmitResult) counts that many of them failed.
   */
  emit(events: readonly LogEvent[]): void | EmitResult | Promise<void | EmitResult>;
  /**
   * Writes now, without blocking; `false` means it would block, so the batch is queued instead.
   * An EmitResult means it took the batch and `rejected` of its events count failed (one a
   * formatter threw on and the sink skipped).
   */
  emitSync?(events: readonly LogEvent[]): boolean | EmitResult;
  /** Writes out anything the sink itself holds; resolves once it is written. */
  flush?(): void | Promise<void>;
  /** Synchronous flush, for process `exit` and page unload. */
  flushSync?(): void;
  /** Releases the sink's resources (files, sockets) after its last batch; called once, at logger close. */
  close?(): void | Promise<void>;
  /**
   * The batching this sink gets for what its `writeTo.sink` options leave out (all of it, or a
   * field a `batch` option does not give): file, stream and syslog sinks batch (512 events /
   * 100 ms) so a burst costs one write per batch. Without it, events go one at a time.
   */
  readonly batchDefaults?: { readonly size: number; readonly maxDelayMs: number } | undefined;
  /**
   * The queue bound this sink gets when its `writeTo.sink` options give no `queue.limit` (the OTLP
   * sink takes the OpenTelemetry batch processor's 2 048 events; SeqSink Serilog's Seq sink's
   * 100 000; FileSink, StreamSink and ConsoleSink 1 000 000, so their 16 MiB byte bound binds).
   * Without it, the pipeline's default queue: 10 000 events.
   */
  readonly queueDefaults?: { readonly limit: number } | undefined;
  /**
   * What this sink is (`console`, `file`, `seq` …): its default name in `metrics().sinks` and the
   * shutdown report. Data, not the class name, which minifiers rename. Default `'sink'`, which a
   * kind that is empty or only white space also gets.
   */
  readonly kind?: string | undefined;
}

/** A formatter turns one event into text (one line for CLEF, whatever the template says for text). */
export interface Formatter {
  /** The text of one event. Never throws. */
  format(event: LogEvent): string;
  /**
   * True when `format` always returns one line without a trailing newline (CLEF, NDJSON), so a
   * file or stream sink appends `\n` without reading the line's last character — a read that
   * would make V8 copy the freshly built string once more.
   */
  readonly singleLine?: boolean | undefined;
}

/**
 * Internal, for rxlog's own FileSink and StreamSink; not part of the public API. At process exit
 * their `flushSync` (and `emitSync`) also write the batch their async `emit` still holds, out of
 * the delivery stage's sight: `sink[WRITTEN_ASIDE](events)`, asked by the stage at the end of its
 * `flushSync` with the batch in flight, returns how many of its leading events the sink has
 * written whole (0 outside exit), which the stage then counts as delivered. A sink without it
 * keeps its batch in flight, reported undelivered, and is never offered it again.
 *
 * @internal
 */
export const WRITTEN_ASIDE: unique symbol = Symbol.for('rxlog.aside');

/**
 * Internal, for rxlog's own HttpSink; not part of the public API. The delivery stage calls
 * `sink[GIVEN_UP](events)` when it stops holding a batch the sink failed (no retry is left, or
 * the breaker is open: the batch fails for good or goes to the fallback). A sink that keeps a
 * failed batch aside for a later hand-over (HttpSink's page-hide beacons) lets it go, so events
 * counted failed, or delivered by the fallback, are never sent again.
 *
 * @internal
 */
export const GIVEN_UP: unique symbol = Symbol.for('rxlog.givenUp');

/**
 * Internal, for rxlog's own SeqSink; not part of the public API. The delivery stage asks
 * `sink[DECLINED](event)` of each event as it enters (before its batch or queue, idle or busy): a
 * reason (`seq.belowMinimumLevelAccepted`) means the sink would leave the event out, so it counts
 * dropped under that reason at once, as Serilog's Seq sink leaves such events out where they enter
 * it: they take no room from those it sends.
 *
 * @internal
 */
export const DECLINED: unique symbol = Symbol.for('rxlog.declined');

/**
 * Internal, for rxlog's own StreamSink, FileSink and SyslogSink (RELP); not part of the public API. The delivery
 * stage calls `sink[CLOSE_GIVEN_UP]()` when the logger's close stopped waiting for the sink's
 * `close()` (its timeout passed): the sink ends the waits its close still has at once (a stalled
 * reader's, whose timers would keep a Node process alive after `log.close()` returned), leaving
 * unwritten what the reader did not take, and its `close()` resolves. A sink closed on its own
 * (`await sink.close()`) keeps waiting, its timers keeping the process alive until it returns.
 *
 * @internal
 */
export const CLOSE_GIVEN_UP: unique symbol = Symbol.for('rxlog.closeGivenUp');

/** @internal A sink that implements CLOSE_GIVEN_UP. */
export interface StopsClosing {
  [CLOSE_GIVEN_UP]?(): void;
}

/** @internal A sink that implements DECLINED. */
export interface Declines {
  [DECLINED]?(event: LogEvent): string | undefined;
}

/** @internal A sink that implements GIVEN_UP. */
export interface LetsGo {
  [GIVEN_UP]?(events: readonly LogEvent[]): void;
}

/** @internal A sink that implements WRITTEN_ASIDE. */
export interface WritesAside {
  [WRITTEN_ASIDE]?(events: readonly LogEvent[]): number;
}
