import type { LogEvent } from '../core/log-event';
import type { Sink } from '../core/sink';

/**
 * Keeps every event it receives in `events`, in order, until `clear()`: for tests and demos. It has
 * no limit (as Serilog's InMemorySink has none), so a long-running app that keeps one grows without
 * end; for an in-app view of the latest events, use an ObservableSink and keep the last N yourself.
 *
 * @example
 * const memory = new MemorySink();
 * const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
 * log.information('Hello {Name}', 'Ada');
 * memory.events[0].renderMessage(); // 'Hello Ada'
 */
export class MemorySink implements Sink {
  /** The default name of this sink in metrics and the shutdown report. */
  readonly kind = 'memory';

  readonly events: LogEvent[] = [];

  emit(events: readonly LogEvent[]): void {
    for (const event of events) this.events.push(event);
  }

  emitSync(events: readonly LogEvent[]): boolean {
    this.emit(events);
    return true;
  }

  /** Forgets every event received so far. */
  clear(): void {
    this.events.length = 0;
  }
}
