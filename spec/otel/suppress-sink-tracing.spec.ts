import { execFile, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { LogEvent } from '../../lib/core/log-event';
import type { Sink } from '../../lib/core/sink';
import { suppressSinkTracing } from '../../lib/otel/suppress-sink-tracing';
import { HttpSink } from '../../lib/sinks/http/http-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { LevelSwitch } from '../../lib/core/level-switch';
import { FakeStorage } from '../helpers/fake-storage';
import { nextMacrotask } from '../helpers/self-resolving-thenable';
import { useRegisteredTracer } from '../helpers/registered-tracer';

/** What a sink's write sees of OpenTelemetry: the span active there, and whether a span it starts (as an HTTP instrumentation does) records. */
interface TracingSeen {
  activeSpanId: string | undefined;
  suppressed: boolean;
  startsRecordingSpan: boolean;
  properties: unknown;
}

function look(): TracingSeen {
  const span = trace.getTracer('instrumentation').startSpan('POST');
  const startsRecordingSpan = span.isRecording();
  span.end();
  return {
    activeSpanId: trace.getActiveSpan()?.spanContext().spanId,
    suppressed: isTracingSuppressed(context.active()),
    startsRecordingSpan,
    properties: LogContext.current(),
  };
}

/** A sink that records what its `emit` sees, and resolves `written` at each write. */
class TracingSink implements Sink {
  readonly seen: TracingSeen[] = [];
  #waiting: (() => void)[] = [];
  emit(_events: readonly LogEvent[]): Promise<void> {
    this.see();
    return Promise.resolve();
  }
  written(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  protected see(): void {
    this.seen.push(look());
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

/** One that writes synchronously too, for the logger's flushSync: its `emitSync` and `flushSync` record what they see. */
class SyncTracingSink extends TracingSink {
  emitSync(_events: readonly LogEvent[]): boolean {
    this.see();
    return true;
  }
  flushSync(): void {
    this.see();
  }
}

describe('suppressSinkTracing', () => {
  describe('under the real SDK in this process (NodeTracerProvider), with the default LogContext store', () => {
    const tracer = useRegisteredTracer();

    /** Logs one event inside a request span through an unbatched sink and returns what the sink's write saw, and the span's id. */
    async function writeInsideRequest(): Promise<[TracingSeen, string]> {
      const sink = new TracingSink();
      const log = new LoggerConfiguration().writeTo.sink(sink).createLogger();
      const written = sink.written();
      const requestSpanId = tracer.startActiveSpan('GET /orders', (span) => {
        LogContext.run({ RequestId: 'r-1' }, () => log.information('inside the request'));
        span.end();
        return span.spanContext().spanId;
      });
      await written;
      await log.close();
      return [sink.seen[0], requestSpanId];
    }

    it('without it, a sink’s write runs in the request’s span and what it starts is traced as its child', async () => {
      const [seen, requestSpanId] = await writeInsideRequest();
      expect(seen).toEqual({ activeSpanId: requestSpanId, suppressed: false, startsRecordingSpan: true, properties: undefined });
    });

    it('runs a sink’s write in the root context with tracing suppressed, until the restore function is called', async () => {
      const restore = suppressSinkTracing();
      try {
        const [seen] = await writeInsideRequest();
        expect(seen).toEqual({ activeSpanId: undefined, suppressed: true, startsRecordingSpan: false, properties: undefined });
      } finally {
        restore();
      }
      const [after, requestSpanId] = await writeInsideRequest();
      expect(after.activeSpanId).toBe(requestSpanId);
      expect(after.startsRecordingSpan).toBe(true);
    });

    it('nests: delivery is traced again only once every call is restored, and a restore acts once', async () => {
      const first = suppressSinkTracing();
      const second = suppressSinkTracing();
      first();
      first();
      expect((await writeInsideRequest())[0].suppressed).toBe(true);
      second();
      expect((await writeInsideRequest())[0].suppressed).toBe(false);
    });

    it('suppresses tracing in flushSync too: the batch’s emitSync and the sink’s flushSync run in no request’s span nor LogContext', () => {
      const restore = suppressSinkTracing();
      try {
        const sink = new SyncTracingSink();
        const log = new LoggerConfiguration().writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 60_000 } }).createLogger();
        log.information('waits in the open batch');
        tracer.startActiveSpan('exit', (span) => {
          LogContext.run({ RequestId: 'r-1' }, () => log.flushSync());
          span.end();
        });
        const detached = { activeSpanId: undefined, suppressed: true, startsRecordingSpan: false, properties: undefined };
        expect(sink.seen).toEqual([detached, detached]);
        void log.close();
      } finally {
        restore();
      }
    });
    // Found by review: the offline store's replay (the batches it kept, sent when the sink starts,
    // when the network returns, on its retry timer) ran in the context that set it off, such as
    // the request whose code built the sink, so each replayed request was traced in that request.
    it('suppresses tracing in the offline store’s replay too, whatever context set it off', async () => {
      const restore = suppressSinkTracing();
      const storage = new FakeStorage();
      const url = 'http://127.0.0.1:1/ingest';
      storage.items.set(`rxlog:offline:${url}`, '[{"id":"a","count":1,"body":"{\\"N\\":1}"}]');
      const seen: TracingSeen[] = [];
      let replayed!: () => void;
      const done = new Promise<void>((resolve) => (replayed = resolve));
      const fetch = (): Promise<Response> => {
        seen.push(look());
        replayed();
        return Promise.resolve(new Response('', { status: 200 }));
      };
      try {
        // Built inside a request, as an app that makes its logger on first use: the replay of what
        // earlier runs kept starts then.
        const sink = tracer.startActiveSpan('GET /orders', (span) => {
          span.end();
          return LogContext.run({ RequestId: 'r-1' }, () => new HttpSink({ url, fetch, offline: { store: storage } }));
        });
        await done;
        expect(seen).toEqual([{ activeSpanId: undefined, suppressed: true, startsRecordingSpan: false, properties: undefined }]);
        // The answer's turn: the batch is taken out of the store.
        await nextMacrotask();
        expect(sink.offline).toMatchObject({ replayed: 1, pending: 0 });
        sink.close();
      } finally {
        restore();
      }
    });
    // Found by review: the level probe of a SeqSink with a controlLevelSwitch (an empty batch
    // after 2 minutes without a request) ran on a timer armed when the sink was built, in that
    // context, so every probe was a client span and sent a traceparent.
    it('suppresses tracing in SeqSink’s level probe too (fake timers)', async () => {
      jest.useFakeTimers();
      const restore = suppressSinkTracing();
      const seen: TracingSeen[] = [];
      const fetch = (): Promise<Response> => {
        seen.push(look());
        return Promise.resolve(new Response('{"MinimumLevelAccepted":null}', { status: 201 }));
      };
      try {
        const sink = new SeqSink({ serverUrl: 'http://127.0.0.1:1', fetch, controlLevelSwitch: new LevelSwitch() });
        await jest.advanceTimersByTimeAsync(120_000);
        expect(seen).toEqual([{ activeSpanId: undefined, suppressed: true, startsRecordingSpan: false, properties: undefined }]);
        sink.close();
      } finally {
        restore();
        jest.useRealTimers();
      }
    });
  });

  describe('with @opentelemetry/instrumentation-http and -undici, against a receiver on 127.0.0.1 (a child process: the instrumentations patch node:http as Node loads it)', () => {
    interface Seen {
      spans: number;
      childrenOfRequest: number;
      traceparent: 'none' | 'request-trace' | 'other-trace';
      bodyHasRequestTrace: boolean;
    }
    const run = (store: 'stack' | 'als'): Promise<Record<'as-is' | 'suppressed', Record<string, Seen>>> =>
      new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', path.join(__dirname, 'fixtures/sink-http-tracing.ts'), store],
          { timeout: 60_000 },
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
        );
      });
    const rxlogSinks = ['http', 'seq', 'otlp', 'loki', 'node-http', 'batched'];
    const untraced: Seen = { spans: 0, childrenOfRequest: 0, traceparent: 'none', bodyHasRequestTrace: true };

    it.each([
      ['the default store', 'stack', 1, 'request-trace'],
      ['useAsyncLocalStorage()', 'als', 0, 'other-trace'],
    ] as const)(
      'with %s, each HTTP sink’s request is traced until it is called; after it, none is, like the official exporter’s',
      async (_, store, children, traceparent) => {
        const seen = await run(store);
        // As it is: every batch a client span (a child of the request span that logged, without
        // the AsyncLocalStorage store; a root span of a trace of its own with it) and a traceparent.
        // The official exporter and OpenTelemetrySink (exported by the same exporter) make none.
        for (const name of rxlogSinks)
          expect([name, seen['as-is'][name]]).toEqual([
            name,
            { spans: 1, childrenOfRequest: children, traceparent, bodyHasRequestTrace: true },
          ]);
        expect(seen['as-is'].official).toEqual(untraced);
        expect(seen['as-is']['otel-sink']).toEqual(untraced);
        // Suppressed: no span, no traceparent; the events keep the request's trace ids in their body.
        for (const name of [...rxlogSinks, 'official', 'otel-sink'])
          expect([name, seen.suppressed[name]]).toEqual([name, untraced]);
      },
      70_000,
    );
  });

  // Before, each call added a registration of its own around sink delivery, kept until its restore
  // function was called: 200 000 calls never restored held 121 MiB.
  describe('called on every invocation of a handler and never restored (a serverless function’s setup)', () => {
    it('keeps nothing per call: 200 000 calls, and delivery still suppressed', () => {
      const child = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'fixtures', 'unrestored-suppression-heap.ts'), '200000'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (child.stdout === '') throw new Error(child.stderr);
      const { growthMiB, suppressed } = JSON.parse(child.stdout) as { growthMiB: number; suppressed: boolean };
      expect(suppressed).toBe(true);
      expect(growthMiB).toBeLessThan(2);
    }, 70_000);
  });
});
