import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { ContextProperties, ContextStore } from '../../lib/context/context-store';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog } from '../../lib/core/self-log';
import type { Sink } from '../../lib/core/sink';
import { AsyncLocalStorageContextStore } from '../../lib/node/async-local-storage-store';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import type { Logger } from '../../lib/pipeline/logger';
import { appContextStore } from '../helpers/app-context-store';
import { useRegisteredTracer } from '../helpers/registered-tracer';

// With the AsyncLocalStorage store, a sink's delivery runs in no request's async context: a batch
// holds events of many requests (Serilog's batching loop starts at construction, outside them all).
// Real timers, awaited through what the sink sees, never slept on: jest's fake timers call a timer
// back in the context of the test's advanceTimersByTime, so they cannot show which context a real
// timer carries.

/** A sink whose `emit` records what it sees at each call, and tells `next()` about it. */
class SeeingSink implements Sink {
  readonly seen: { context: ContextProperties | undefined; messages: string[]; extra: unknown }[] = [];
  readonly events: LogEvent[] = [];
  #waiting: (() => void)[] = [];
  failures = 0;

  constructor(private readonly look: () => unknown = () => undefined) {}

  emit(events: readonly LogEvent[]): Promise<void> {
    this.events.push(...events);
    this.seen.push({ context: LogContext.current(), messages: events.map((e) => e.messageTemplate.text), extra: this.look() });
    for (const resolve of this.#waiting.splice(0)) resolve();
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('receiver down'));
    }
    return Promise.resolve();
  }

  /** Resolves at the next call of `emit`. */
  next(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}

/** A logger with LogContext's properties on its events, writing to `sink` in batches its 10 ms age timer sends. */
function agingInto(sink: SeeingSink): Logger {
  return new LoggerConfiguration().enrich
    .fromLogContext()
    .writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 10 } })
    .createLogger();
}

/** A logger writing to `sink` unbatched with one retry after 5 ms, and a promise of the sink's second call (the retry). */
function retryingInto(sink: SeeingSink): { log: Logger; retried: Promise<void> } {
  const log = new LoggerConfiguration().writeTo
    .sink(sink, { retry: { attempts: 2, initialDelayMs: 5, jitter: 0 } })
    .createLogger();
  const retried = new Promise<void>((resolve) => {
    void sink.next().then(() => void sink.next().then(resolve));
  });
  return { log, retried };
}

/**
 * Logs one event inside a request's LogContext to a sink that fails its first write: the write,
 * its retry and SelfLog's report of the failed try all see no context.
 */
async function expectRetryInNoContext(): Promise<void> {
  const sink = new SeeingSink();
  sink.failures = 1;
  const selfLogContexts: (ContextProperties | undefined)[] = [];
  SelfLog.enable((message) => {
    if (message.includes('retrying')) selfLogContexts.push(LogContext.current());
  });
  try {
    const { log, retried } = retryingInto(sink);
    LogContext.run({ RequestId: 'r-1' }, () => log.information('unbatched'));
    await retried;
    expect(sink.seen.map((s) => s.context)).toEqual([undefined, undefined]);
    expect(selfLogContexts).toEqual([undefined]);
    await log.close();
  } finally {
    SelfLog.disable();
  }
}

describe('sink delivery with the AsyncLocalStorage store', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = useAsyncLocalStorage();
  });
  afterAll(() => restore());

  it('writes a batch aged by its timer in no request’s context, though the timer was armed inside one', async () => {
    const sink = new SeeingSink();
    const log = agingInto(sink);
    const written = sink.next();
    LogContext.run({ A: 1 }, () => log.information('first'));
    LogContext.run({ R: 'r2' }, () => log.information('second'));
    await written;
    expect(sink.seen).toEqual([{ context: undefined, messages: ['first', 'second'], extra: undefined }]);
    // Each event keeps its own request's properties.
    expect(sink.events.map((e) => [e.properties.A, e.properties.R])).toEqual([
      [1, undefined],
      [undefined, 'r2'],
    ]);
    await log.close();
  });

  it('writes a batch a log call filled in no request’s context, through emit and through emitSync', async () => {
    const sink = new SeeingSink();
    const syncSeen: (ContextProperties | undefined)[] = [];
    const syncSink: Sink = {
      emit: () => undefined,
      emitSync: () => {
        syncSeen.push(LogContext.current());
        return true;
      },
    };
    const log = new LoggerConfiguration().writeTo
      .sink(sink, { batch: { size: 2, maxDelayMs: 60_000 } })
      .writeTo.sink(syncSink, { batch: { size: 2, maxDelayMs: 60_000 } })
      .createLogger();
    LogContext.run({ A: 1 }, () => log.information('first'));
    LogContext.run({ R: 'r2' }, () => log.information('second'));
    await log.close();
    expect(sink.seen.map((s) => s.context)).toEqual([undefined]);
    expect(syncSeen).toEqual([undefined]);
  });

  it('retries, and tells SelfLog of the failed try, in no request’s context', expectRetryInNoContext);

  it('restores every AsyncLocalStorage of the process, not only LogContext’s, as it was when the store was made', async () => {
    // Made after the store: it reads as unset where delivery runs.
    const other = new AsyncLocalStorage<string>();
    const sink = new SeeingSink(() => other.getStore());
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 10 } }).createLogger();
    const written = sink.next();
    other.run('request-1', () => log.information('first'));
    await written;
    expect(sink.seen[0].extra).toBeUndefined();
    await log.close();
  });

  describe('under the real OpenTelemetry SDK (NodeTracerProvider, AsyncLocalStorageContextManager)', () => {
    const tracer = useRegisteredTracer();

    it('a sink’s write is no child of the span of the request whose event opened the batch', async () => {
      const sink = new SeeingSink(() => trace.getActiveSpan()?.spanContext().spanId);
      const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 10 } }).createLogger();
      const written = sink.next();
      const requestSpanId = tracer.startActiveSpan('GET /orders', (span) => {
        log.information('inside the request');
        span.end();
        return span.spanContext().spanId;
      });
      expect(requestSpanId).toMatch(/^[0-9a-f]{16}$/);
      await written;
      expect(sink.seen).toHaveLength(1);
      expect(sink.seen[0].extra).toBeUndefined();
      await log.close();
    });

    it('a retry is no child of the request’s span either', async () => {
      const sink = new SeeingSink(() => trace.getActiveSpan()?.spanContext().spanId);
      sink.failures = 1;
      SelfLog.enable(() => undefined);
      try {
        const { log, retried } = retryingInto(sink);
        tracer.startActiveSpan('GET /orders', (span) => {
          log.information('inside the request');
          span.end();
        });
        await retried;
        expect(sink.seen.map((s) => s.extra)).toEqual([undefined, undefined]);
        await log.close();
      } finally {
        SelfLog.disable();
      }
    });
  });
});

describe('sink delivery with a subclass of the AsyncLocalStorage store', () => {
  // A subclass that overrides neither run nor suspend is served rxlog's own way; one that
  // overrides suspend is the app's own store, and delivery runs inside its suspend.
  class Counting extends AsyncLocalStorageContextStore {}
  class Suspending extends AsyncLocalStorageContextStore {
    suspended = 0;
    override suspend<T>(fn: () => T): T {
      this.suspended++;
      return super.suspend(fn);
    }
  }

  it.each([
    ['overrides nothing: every AsyncLocalStorage restored as where rxlog/node loaded', new Counting(), undefined],
    ['overrides suspend: inside it, other AsyncLocalStorages as the caller’s', new Suspending(), 'request-1'],
  ])('%s', async (_name, store, extra) => {
    const previous = LogContext.useStore(store);
    const other = new AsyncLocalStorage<string>();
    const sink = new SeeingSink(() => other.getStore());
    const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 1, maxDelayMs: 10 } }).createLogger();
    try {
      const written = sink.next();
      other.run('request-1', () => LogContext.run({ RequestId: 'r-1' }, () => log.information('first')));
      await written;
      expect(sink.seen.map((s) => [s.context, s.extra])).toEqual([[undefined, extra]]);
      if (store instanceof Suspending) expect(store.suspended).toBeGreaterThan(0);
    } finally {
      await log.close();
      LogContext.useStore(previous);
    }
  });
});

describe('sink delivery with an AsyncLocalStorage store first switched on inside a request', () => {
  // A serverless handler that calls useAsyncLocalStorage() as it sets up, on every invocation
  // (docs/configuration.md: such calls cost nothing more), makes the store inside the first one.
  it('runs in none of that request’s async context: a later invocation’s batch does not see the first’s', async () => {
    const invocation = new AsyncLocalStorage<string>();
    const sink = new SeeingSink(() => invocation.getStore());
    const log = new LoggerConfiguration().enrich
      .fromLogContext()
      .writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 5 } })
      .createLogger();
    const restores: (() => void)[] = [];
    const handle = (id: string): void =>
      invocation.run(id, () => {
        restores.push(useAsyncLocalStorage());
        LogContext.run({ RequestId: id }, () => log.information('handled'));
      });
    try {
      let written = sink.next();
      handle('invocation-1');
      await written;
      written = sink.next();
      handle('invocation-2');
      await written;
      expect(sink.seen.map((s) => [s.context, s.extra])).toEqual([
        [undefined, undefined],
        [undefined, undefined],
      ]);
      expect(sink.events.map((e) => e.properties.RequestId)).toEqual(['invocation-1', 'invocation-2']);
    } finally {
      for (const restore of restores) restore();
      await log.close();
    }
  });
});

describe('sink delivery with a store of the app’s own that offers suspend()', () => {
  // A store bridging LogContext to the app's request scope (docs/configuration.md) that follows
  // async work as AsyncLocalStorage does: delivery runs inside its suspend, with no properties of
  // the request whose event armed the batch's timer or whose failed try is retried.
  let previous: ContextStore;
  beforeEach(() => {
    previous = LogContext.useStore(appContextStore({ suspend: true }));
  });
  afterEach(() => LogContext.useStore(previous));

  it('writes a batch aged by its timer with none of the properties of the request that armed it', async () => {
    const sink = new SeeingSink();
    const log = agingInto(sink);
    const written = sink.next();
    LogContext.run({ RequestId: 'r-1' }, () => log.information('first'));
    await written;
    expect(sink.seen.map((s) => s.context)).toEqual([undefined]);
    expect(sink.events.map((e) => e.properties.RequestId)).toEqual(['r-1']);
    await log.close();
  });

  it('retries, and tells SelfLog of the failed try, with none of the request’s properties', expectRetryInNoContext);
});
