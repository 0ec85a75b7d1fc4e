import { context, defaultTextMapGetter, INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AlwaysOffSampler, NodeTracerProvider, ParentBasedSampler } from '@opentelemetry/sdk-trace-node';
import { asyncScheduler, delay, lastValueFrom, mergeMap, observeOn, of, Subject, switchMap, tap, timer } from 'rxjs';
import { useRegisteredTracer } from '../helpers/registered-tracer';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { traceContextEnricher } from '../../lib/otel/trace-context-enricher';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { otlpLogRecordJson } from '../../lib/sinks/http/otlp-log-record';
import { OpenTelemetrySink } from '../../lib/otel/open-telemetry-sink';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { startTestServer } from '../helpers/http-test-server';

// The real OpenTelemetry SDK in-process: NodeTracerProvider registers its AsyncLocalStorage context manager.
describe('traceContextEnricher', () => {
  const tracer = useRegisteredTracer();

  function setup(): { log: ReturnType<LoggerConfiguration['createLogger']>; sink: MemorySink } {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().enrich.with(traceContextEnricher()).writeTo.sink(sink).createLogger();
    return { log, sink };
  }

  it('adds the active span ids to events logged inside it, also after an await, and nothing outside', async () => {
    const { log, sink } = setup();
    log.information('Before');
    const ids = await tracer.startActiveSpan('checkout', async (span) => {
      log.information('Inside');
      await new Promise((resolve) => setImmediate(resolve));
      log.information('After an await');
      span.end();
      return span.spanContext();
    });
    log.information('Outside again');
    expect(sink.events.map((e) => [e.renderMessage(), e.properties])).toEqual([
      ['Before', {}],
      ['Inside', { TraceId: ids.traceId, SpanId: ids.spanId, TraceFlags: 1 }],
      ['After an await', { TraceId: ids.traceId, SpanId: ids.spanId, TraceFlags: 1 }],
      ['Outside again', {}],
    ]);
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ids.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('follows RxJS operators that schedule (delay, observeOn, timer, mergeMap of a promise); a Subject’s subscriber logs with the span of the code that calls next', async () => {
    const { log, sink } = setup();
    const subject = new Subject<string>();
    subject.subscribe((value) => log.information('Subscriber got {Value}', value));
    const ids = await tracer.startActiveSpan('stream', async (span) => {
      await lastValueFrom(
        of(1).pipe(
          delay(2),
          tap(() => log.information('After delay')),
          observeOn(asyncScheduler),
          tap(() => log.information('After observeOn')),
          mergeMap(async (value) => {
            await new Promise((resolve) => setImmediate(resolve));
            log.information('In mergeMap');
            return value;
          }),
          switchMap(() => timer(1)),
          tap(() => log.information('After timer')),
        ),
      );
      subject.next('inside');
      span.end();
      return span.spanContext();
    });
    subject.next('outside');
    expect(sink.events.map((e) => [e.renderMessage(), e.properties.SpanId])).toEqual([
      ['After delay', ids.spanId],
      ['After observeOn', ids.spanId],
      ['In mergeMap', ids.spanId],
      ['After timer', ids.spanId],
      ['Subscriber got inside', ids.spanId],
      ['Subscriber got outside', undefined],
    ]);
  });

  it('follows nested spans: the innermost active span wins', () => {
    const { log, sink } = setup();
    let innerSpanId = '';
    tracer.startActiveSpan('outer', (outer) => {
      tracer.startActiveSpan('inner', (inner) => {
        innerSpanId = inner.spanContext().spanId;
        log.information('In inner');
        inner.end();
      });
      log.information('In outer');
      outer.end();
      expect(innerSpanId).not.toBe(outer.spanContext().spanId);
      expect(sink.events.map((e) => e.properties.SpanId)).toEqual([innerSpanId, outer.spanContext().spanId]);
      expect(sink.events.map((e) => e.properties.TraceId)).toEqual([outer.spanContext().traceId, outer.spanContext().traceId]);
    });
  });

  // The enricher and OtlpSink together, as an app has them: the records a collector gets (a real
  // server on 127.0.0.1) carry the span active at each call, though the sink batches and sends later.
  it('gives OtlpSink’s records the trace context of the span active at each call: nested, after an await, unsampled, none when invalid', async () => {
    const server = await startTestServer();
    try {
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher())
        .writeTo.sink(new OtlpSink({ endpoint: `${server.url}/v1/logs`, environment: {} }), {
          name: 'otlp',
          batch: { size: 10, maxDelayMs: 60_000 },
        })
        .createLogger();
      const dropping = new NodeTracerProvider({ sampler: new AlwaysOffSampler() });
      const spans = await tracer.startActiveSpan('outer', async (outer) => {
        const inner = tracer.startActiveSpan('inner', (span) => {
          log.information('Inner');
          span.end();
          return span;
        });
        await Promise.resolve();
        log.information('Outer after await');
        outer.end();
        return { outer, inner };
      });
      const unsampled = dropping.getTracer('spec').startActiveSpan('unsampled', (span) => {
        log.information('Unsampled');
        span.end();
        return span;
      });
      context.with(trace.setSpan(context.active(), trace.wrapSpanContext(INVALID_SPAN_CONTEXT)), () =>
        log.information('Invalid'),
      );
      await log.close({ strategy: 'flush' });
      await dropping.shutdown();
      const records = server.requests.flatMap(
        (request) =>
          (
            JSON.parse(request.body) as {
              resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[];
            }
          ).resourceLogs[0].scopeLogs[0].logRecords,
      );
      const ids = (span: { spanContext(): { traceId: string; spanId: string } }, flags: number): object => ({
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        flags,
      });
      expect(records.map(({ body, traceId, spanId, flags }) => ({ body, traceId, spanId, flags }))).toEqual([
        { body: { stringValue: 'Inner' }, ...ids(spans.inner, 1) },
        { body: { stringValue: 'Outer after await' }, ...ids(spans.outer, 1) },
        { body: { stringValue: 'Unsampled' }, ...ids(unsampled, 0) },
        { body: { stringValue: 'Invalid' }, traceId: undefined, spanId: undefined, flags: undefined },
      ]);
      expect(spans.inner.spanContext().traceId).toBe(spans.outer.spanContext().traceId);
      expect(spans.inner.spanContext().spanId).not.toBe(spans.outer.spanContext().spanId);
      // Moved to the record, never also sent as attributes.
      expect(records.flatMap((r) => (r.attributes as { key: string }[]).map((a) => a.key))).toEqual(
        Array(4).fill('message_template.text'),
      );
    } finally {
      await server.close();
    }
  });

  describe('with traceState: true', () => {
    const propagator = new W3CTraceContextPropagator();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    /** The context of a request whose headers carried this traceparent and tracestate. */
    const remote = (tracestate?: string): ReturnType<typeof context.active> =>
      propagator.extract(
        ROOT_CONTEXT,
        tracestate === undefined ? { traceparent } : { traceparent, tracestate },
        defaultTextMapGetter,
      );

    it('adds the span context’s tracestate as TraceState, its header text, beside the ids; none without one, nor by default', () => {
      const sink = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher({ traceState: true }))
        .writeTo.sink(sink)
        .createLogger();
      const plain = setup();
      const header = 'congo=t61rcWkgMzE, ot=th:4;rv:6e6d1a75832a2f';
      for (const tracestate of [header, undefined, 'not a member']) {
        context.with(remote(tracestate), () => {
          tracer.startActiveSpan('handler', (span) => {
            log.information('Handled');
            plain.log.information('Handled');
            span.end();
          });
        });
      }
      expect(sink.events.map((e) => e.properties.TraceState)).toEqual([
        'congo=t61rcWkgMzE,ot=th:4;rv:6e6d1a75832a2f',
        undefined,
        undefined,
      ]);
      expect(sink.events.map((e) => Object.keys(e.properties))).toEqual([
        ['TraceId', 'SpanId', 'TraceFlags', 'TraceState'],
        ['TraceId', 'SpanId', 'TraceFlags'],
        ['TraceId', 'SpanId', 'TraceFlags'],
      ]);
      expect(sink.events[0]?.properties.TraceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(plain.sink.events.map((e) => Object.keys(e.properties))).toEqual(Array(3).fill(['TraceId', 'SpanId', 'TraceFlags']));
    });

    it('adds nothing to an event that has its own TraceState, so two trace contexts never mix', () => {
      const sink = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher({ traceState: true }))
        .writeTo.sink(sink)
        .createLogger();
      context.with(remote('ot=rv:6e6d1a75832a2f'), () => log.child({ TraceState: 'ot=rv:00000000000001' }).information('Own'));
      expect(sink.events.map((e) => e.properties)).toEqual([{ TraceState: 'ot=rv:00000000000001' }]);
    });

    it('is sent by OtlpSink as an attribute (no log record has a trace state field), by CLEF as a property', () => {
      const sink = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher({ traceState: true }))
        .writeTo.sink(sink)
        .createLogger();
      context.with(remote('ot=rv:6e6d1a75832a2f'), () => log.information('Handled'));
      const record = JSON.parse(otlpLogRecordJson(sink.events[0])) as { traceId: string; attributes: unknown[] };
      expect(record.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(record.attributes).toContainEqual({ key: 'TraceState', value: { stringValue: 'ot=rv:6e6d1a75832a2f' } });
      expect(JSON.parse(new CompactJsonFormatter().format(sink.events[0]))).toMatchObject({ TraceState: 'ot=rv:6e6d1a75832a2f' });
    });

    it('refuses a traceState that is not a boolean and an unknown option when the configuration is built', () => {
      expect(() => traceContextEnricher({ traceState: 'yes' as unknown as boolean })).toThrow(
        new ConfigurationError('traceContextEnricher: traceState: expected true or false, got "yes"'),
      );
      expect(() => traceContextEnricher({ tracestate: true } as never)).toThrow(
        /traceContextEnricher: unknown option "tracestate"/,
      );
      expect(() => traceContextEnricher({ traceState: undefined })).not.toThrow();
    });

    it('refuses a traceState it cannot read (a getter or Proxy trap that throws) with a ConfigurationError naming it', () => {
      const boom = (): never => {
        throw new Error('boom');
      };
      let error: unknown;
      try {
        traceContextEnricher({
          get traceState(): boolean {
            return boom();
          },
        });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toEqual(new ConfigurationError('traceContextEnricher: reading option "traceState" threw Error: boom'));
      expect((error as Error).cause).toEqual(new Error('boom'));
    });
  });

  it('adds nothing for an invalid (all-zero) span context', () => {
    const { log, sink } = setup();
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(INVALID_SPAN_CONTEXT)), () => log.information('Invalid'));
    expect(sink.events[0]?.properties).toEqual({});
  });

  it('never mixes trace contexts: an event that already has a TraceId or SpanId gets no ids from the active span', () => {
    const { log, sink } = setup();
    const given = { TraceId: '4bf92f3577b34da6a3ce929d0e0e4736' };
    tracer.startActiveSpan('op', (span) => {
      log.child(given).information('Trace only');
      log.child({ SpanId: '00f067aa0ba902b7' }).information('Span only');
      span.end();
    });
    expect(sink.events.map((e) => e.properties)).toEqual([given, { SpanId: '00f067aa0ba902b7' }]);
  });

  it('adds none of the active span’s ids to an event that has any of TraceId, SpanId or TraceFlags, even one whose value is undefined', () => {
    const { log, sink } = setup();
    const formatter = new CompactJsonFormatter();
    tracer.startActiveSpan('op', (span) => {
      // A template hole given undefined (a request without a trace id) is still the event's own property.
      log.information('Request {TraceId} for {Path}', undefined, '/cart');
      log.child({ SpanId: undefined }).information('No span id');
      // Flags of another context, which would call the active (sampled) span unsampled.
      log.child({ TraceFlags: 0 }).information('Flags only');
      span.end();
    });
    expect(sink.events.map((e) => e.properties)).toEqual([
      { TraceId: undefined, Path: '/cart' },
      { SpanId: undefined },
      { TraceFlags: 0 },
    ]);
    // No span id without its trace id in CLEF.
    expect(formatter.format(sink.events[0])).not.toContain('"@sp"');
  });

  it('adds the ids of a non-recording span too, with its unsampled flags', () => {
    const { log, sink } = setup();
    const unsampled = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 };
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(unsampled)), () => log.information('Unsampled'));
    expect(sink.events[0]?.properties).toEqual({ TraceId: unsampled.traceId, SpanId: unsampled.spanId, TraceFlags: 0 });
  });

  it('adds upper-case ids, which the API takes as valid (a custom propagator’s), in lower case as W3C Trace Context writes them', () => {
    const { log, sink } = setup();
    const upper = { traceId: '4BF92F3577B34DA6A3CE929D0E0E4736', spanId: '00F067AA0BA902B7', traceFlags: 1, isRemote: true };
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(upper)), () => log.information('Upper'));
    expect(sink.events[0]?.properties).toEqual({
      TraceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      SpanId: '00f067aa0ba902b7',
      TraceFlags: 1,
    });
  });

  it('adds the ids of the SDK’s own unsampled spans (a sampler that drops, a remote unsampled parent) with flags 0, and of sampled ones with 1', async () => {
    const { log, sink } = setup();
    const dropping = new NodeTracerProvider({ sampler: new AlwaysOffSampler() });
    const parentBased = new NodeTracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) });
    const dropped = dropping.getTracer('spec').startActiveSpan('dropped', (span) => {
      log.information('Dropped by the sampler');
      span.end();
      return span;
    });
    const remote = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0, isRemote: true };
    const child = context.with(trace.setSpanContext(context.active(), remote), () =>
      parentBased.getTracer('spec').startActiveSpan('child of unsampled', (span) => {
        log.information('Child of an unsampled remote parent');
        span.end();
        return span;
      }),
    );
    const sampled = tracer.startActiveSpan('sampled', (span) => {
      log.information('Sampled');
      span.end();
      return span;
    });
    expect([dropped.isRecording(), child.isRecording()]).toEqual([false, false]);
    expect(sink.events.map((e) => e.properties)).toEqual([
      { TraceId: dropped.spanContext().traceId, SpanId: dropped.spanContext().spanId, TraceFlags: 0 },
      { TraceId: remote.traceId, SpanId: child.spanContext().spanId, TraceFlags: 0 },
      { TraceId: sampled.spanContext().traceId, SpanId: sampled.spanContext().spanId, TraceFlags: 1 },
    ]);
    expect(child.spanContext().spanId).not.toBe(remote.spanId);
    await Promise.all([dropping.shutdown(), parentBased.shutdown()]);
  });

  // W3C Trace Context defines only the sampled bit (Level 2 adds random, 0x02); logs.proto's flags
  // carry the whole byte. The SDK's logger and exporter keep every bit of an extracted parent's
  // flags: so do the enricher and both sinks, and the SDK reads sampled as bit 0 (flags & 1).
  it('keeps flag bits beyond sampled as the propagator read them, and both sinks send the byte as the SDK’s own logger does', async () => {
    const { log, sink } = setup();
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const otel = new OpenTelemetrySink({ loggerProvider: provider });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    const flags = ['00', '01', '02', '03', 'fe', 'ff'];
    for (const byte of flags) {
      const parent = new W3CTraceContextPropagator().extract(
        ROOT_CONTEXT,
        { traceparent: `00-${traceId}-${spanId}-${byte}` },
        defaultTextMapGetter,
      );
      context.with(parent, () => {
        log.information('Flags {Byte}', byte);
        provider.getLogger('sdk').emit({ body: byte });
      });
    }
    otel.emit(sink.events);
    await provider.forceFlush();
    const values = flags.map((byte) => parseInt(byte, 16));
    expect(sink.events.map((e) => e.properties.TraceFlags)).toEqual(values);
    const exported = (
      JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords()))) as {
        resourceLogs: { scopeLogs: { scope: { name: string }; logRecords: { flags?: number; traceId?: string }[] }[] }[];
      }
    ).resourceLogs[0].scopeLogs;
    const flagsOf = (scope: string): (number | undefined)[] =>
      exported.filter((s) => s.scope.name === scope).flatMap((s) => s.logRecords.map((r) => r.flags));
    expect(flagsOf('sdk')).toEqual(values);
    expect(flagsOf('rxlog')).toEqual(values);
    expect(sink.events.map((e) => (JSON.parse(otlpLogRecordJson(e)) as { flags?: number }).flags)).toEqual(values);
    await provider.shutdown();
  });

  it('gives CLEF its @tr and @sp, Seq’s trace and span fields, and no TraceId or SpanId property beside them', () => {
    const { log, sink } = setup();
    const ids = tracer.startActiveSpan('op', (span) => {
      log.information('Traced');
      span.end();
      return span.spanContext();
    });
    const clef = JSON.parse(new CompactJsonFormatter().format(sink.events[0])) as Record<string, unknown>;
    expect(clef).toMatchObject({ '@tr': ids.traceId, '@sp': ids.spanId });
    expect(Object.keys(clef)).not.toEqual(expect.arrayContaining(['TraceId']));
    expect(Object.keys(clef)).not.toEqual(expect.arrayContaining(['SpanId']));
  });

  it('keeps trace ids the event already has, and the formatters show them', () => {
    const { log, sink } = setup();
    tracer.startActiveSpan('op', (span) => {
      log.child({ TraceId: 'given' }).information('Hi');
      log.information('Shown');
      span.end();
    });
    expect(sink.events[0]?.properties.TraceId).toBe('given');
    const shown = sink.events[1];
    const text = new TextFormatter('{Message} {TraceId} {SpanId}').format(shown);
    expect(text).toBe(`Shown ${String(shown.properties.TraceId)} ${String(shown.properties.SpanId)}`);
    expect(new CompactJsonFormatter().format(shown)).toContain(String(shown.properties.TraceId));
  });

  it('names the ids TraceId, SpanId and TraceFlags; the enricher docs/opentelemetry.md shows adds the pino and winston instrumentations’ names', () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .with(traceContextEnricher())
      .enrich.with(({ properties: { TraceId, SpanId, TraceFlags } }) =>
        typeof TraceFlags === 'number'
          ? { trace_id: TraceId, span_id: SpanId, trace_flags: TraceFlags.toString(16).padStart(2, '0') }
          : undefined,
      )
      .writeTo.sink(sink)
      .createLogger();
    const unsampled = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 };
    const ids = tracer.startActiveSpan('op', (span) => {
      log.information('Sampled');
      span.end();
      return span.spanContext();
    });
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(unsampled)), () => log.information('Unsampled'));
    log.information('Outside');
    // @opentelemetry/instrumentation-pino and -winston write trace_flags as `0${flags.toString(16)}`.
    expect(sink.events.map((e) => e.properties)).toEqual([
      { TraceId: ids.traceId, SpanId: ids.spanId, TraceFlags: 1, trace_id: ids.traceId, span_id: ids.spanId, trace_flags: '01' },
      {
        TraceId: unsampled.traceId,
        SpanId: unsampled.spanId,
        TraceFlags: 0,
        trace_id: unsampled.traceId,
        span_id: unsampled.spanId,
        trace_flags: '00',
      },
      {},
    ]);
  });
});
