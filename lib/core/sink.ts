import type { LogEvent } from './log-event';

/**
 * Where events end up. `emit` receives a batch; a throw or a rejected promise is a failed batch
 * that goes to retry, the circuit breaker and the fallback.
 */
export interface Sink {
  emit(events: readonly LogEvent[]): void | Promise<void>;
  /** Writes now, without blocking; `false` means it would block, so the batch is queued instead. */
  emitSync?(events: readonly LogEvent[]): boolean;
  flush?(): void | Promise<void>;
  /** Synchronous flush, for process `exit` and page unload. */
  flushSync?(): void;
  close?(): void | Promise<void>;
  /**
   * The batching this sink gets when its `writeTo.sink` options give none: file and stream sinks
   * batch (512 events / 100 ms) so a burst costs one write per batch. Without it, events go one
   * at a time.
   */
  readonly batchDefaults?: { readonly size: number; readonly maxDelayMs: number };
  /**
   * What this sink is (`console`, `file`, `seq` …): its default name in `metrics().sinks` and the
   * shutdown report. Data, not the class name, which minifiers rename. Default `'sink'`.
   */
  readonly kind?: string;
}

/** A formatter turns one event into text (one line for CLEF, whatever the template says for text). */
export interface Formatter {
  format(event: LogEvent): string;
  /**
   * True when `format` always returns one line without a trailing newline (CLEF, NDJSON), so a
   * file or stream sink appends `\n` without reading the line's last character — a read that
   * would make V8 copy the freshly built string once more.
   */
  readonly singleLine?: boolean;
}
