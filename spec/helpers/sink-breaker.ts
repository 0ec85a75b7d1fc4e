import { VirtualTimeScheduler } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { SelfLog } from '../../lib/core/self-log';
import type { Sink } from '../../lib/core/sink';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** What a sink broken as a whole did under a logger with a circuit breaker (see expectBreakerOpens). */
export interface BrokenSinkRun {
  /** Calls of the sink's emit while the first five events were delivered, then after the probe. */
  readonly calls: readonly [number, number];
  /** The lane's breaker after the five events, then after the probe. */
  readonly breaker: readonly [string, string];
  readonly retried: number;
  /** The events the fallback got, of six. */
  readonly fallback: number;
  /** SelfLog's lines saying the sink refuses every batch. */
  readonly told: readonly string[];
  /** received = delivered + dropped + failed + pending. */
  readonly balanced: boolean;
}

/**
 * Logs six events, one batch each, to `sink` (already broken as a whole: closed, its stream
 * failed …) under a lane with retries (3 tries), a breaker opening after 3 failures (probe after
 * 400 ms of virtual time) and a MemorySink fallback: the first five events, then one after
 * resetTimeoutMs (the probe). Counts the sink's tries by wrapping its `emit` (and `emitSync`).
 */
export async function runBrokenSink(sink: Sink, settleTurns = 50): Promise<BrokenSinkRun> {
  // Tries: calls of emit, not counting one that emitSync makes of it (the stage calls emitSync
  // first, then emit when emitSync refused or threw).
  let calls = 0;
  let inSync = false;
  const target = sink as { emit: Sink['emit']; emitSync?: Sink['emitSync'] };
  const emit = target.emit.bind(sink);
  target.emit = (events) => {
    if (!inSync) calls++;
    return emit(events);
  };
  const emitSync = target.emitSync?.bind(sink);
  if (emitSync !== undefined)
    target.emitSync = (events) => {
      inSync = true;
      try {
        return emitSync(events);
      } finally {
        inSync = false;
      }
    };
  const told: string[] = [];
  const subscription = SelfLog.events$.subscribe((event) => {
    if (event.message.includes('rxlog: Sink broken refuses every batch')) told.push(event.message);
  });
  const scheduler = new VirtualTimeScheduler();
  const fallback = new MemorySink();
  const log = new LoggerConfiguration()
    .useScheduler(scheduler)
    .writeTo.sink(sink, {
      name: 'broken',
      batch: { size: 1, maxDelayMs: 0 },
      retry: { attempts: 3, initialDelayMs: 100, jitter: 0 },
      circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 400 },
      fallback,
    })
    .createLogger();
  // Turns of the event loop, bounded, until the fallback has `n` events (a sink may fail asynchronously).
  const settle = async (n: number): Promise<void> => {
    for (let t = 0; t < settleTurns && fallback.events.length < n; t++) {
      scheduler.flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    for (let n = 1; n <= 5; n++) {
      log.information('Item {N}', n);
      await settle(n);
    }
    const before = calls;
    const breakerBefore = log.metrics().sinks.broken.breaker;
    scheduler.schedule(() => undefined, 400);
    scheduler.flush();
    log.information('Item {N}', 6);
    await settle(6);
    const m = log.metrics().sinks.broken;
    return {
      calls: [before, calls],
      breaker: [breakerBefore, m.breaker],
      retried: m.retried,
      fallback: fallback.events.length,
      told,
      balanced: m.received === m.delivered + m.dropped + m.failed + m.pending && m.received === 6,
    };
  } finally {
    subscription.unsubscribe();
    await log.close({ strategy: 'immediate' });
  }
}

/**
 * What a sink broken as a whole must do: three tries (one per batch, none retried) open the
 * breaker, the next two batches reach the fallback without a call, one probe after
 * resetTimeoutMs fails and reopens it, SelfLog says once that the sink refuses every batch, and
 * every event is counted.
 */
export function expectBreakerOpens(run: BrokenSinkRun, error: RegExp): void {
  expect(run).toMatchObject({ calls: [3, 4], breaker: ['open', 'open'], retried: 0, fallback: 6, balanced: true });
  expect(run.told).toHaveLength(1);
  expect(run.told[0]).toMatch(error);
}
