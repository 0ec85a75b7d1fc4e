import type { LogEvent } from '../../lib/core/log-event';
import type { Sink } from '../../lib/core/sink';

/**
 * Serilog's DisposeTrackingSink (and AsyncDisposeTrackingSink): a sink that keeps what it receives
 * and records whether its close() was called. `close` says when close() finishes: `'sync'` at once,
 * `'async'` on a later macrotask (setTimeout), so a logger's close() must await it.
 */
export class DisposeTrackingSink implements Sink {
  readonly events: LogEvent[] = [];
  isDisposed = false;

  constructor(private readonly closes: 'sync' | 'async' = 'sync') {}

  emit(events: readonly LogEvent[]): void {
    this.events.push(...events);
  }

  close(): void | Promise<void> {
    if (this.closes === 'sync') {
      this.isDisposed = true;
      return;
    }
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        this.isDisposed = true;
        resolve();
      }, 0),
    );
  }
}
