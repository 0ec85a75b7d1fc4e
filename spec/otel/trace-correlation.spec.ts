import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
// sdk-trace-node re-exports sdk-trace-base: its BasicTracerProvider registers no context manager.
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { OpenTelemetrySink } from '../../lib/otel/open-telemetry-sink';
import { traceContextEnricher } from '../../lib/otel/trace-context-enricher';
import { otlpLogRecordJson } from '../../lib/sinks/http/otlp-log-record';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** One field of a protobuf message: its number and its value (a varint or fixed number, or the bytes of a length-delimited one). */
interface Field {
  no: number;
  value: bigint | Uint8Array;
}

/** The fields of one protobuf message, read by the wire format alone (no schema). */
function fieldsOf(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; at < bytes.length; shift += 7n) {
      const byte = bytes[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error('truncated varint');
  };
  const fixed = (size: number): bigint => {
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
    at += size;
    return value;
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ no, value: varint() });
    else if (wire === 1) fields.push({ no, value: fixed(8) });
    else if (wire === 5) fields.push({ no, value: fixed(4) });
    else if (wire === 2) {
      const length = Number(varint());
      fields.push({ no, value: bytes.subarray(at, at + length) });
      at += length;
    } else throw new Error(`wire type ${wire}`);
  }
  return fields;
}

const children = (bytes: Uint8Array, no: number): Uint8Array[] =>
  fieldsOf(bytes).flatMap((f) => (f.no === no && f.value instanceof Uint8Array ? [f.value] : []));
const hex = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined || bytes.length === 0 ? undefined : Buffer.from(bytes).toString('hex');

/**
 * What opentelemetry-proto's logs.proto puts on the wire for each record of an
 * ExportLogsServiceRequest (resource_logs 1, scope_logs 2, log_records 2): its body's string_value
 * (body 5, AnyValue.string_value 1), and trace_id (9) and span_id (10) as bytes, flags (8, fixed32).
 */
function protoRecords(request: Uint8Array): { body: string; traceId?: string; spanId?: string; flags?: number }[] {
  return children(request, 1)
    .flatMap((resourceLogs) => children(resourceLogs, 2))
    .flatMap((scopeLogs) => children(scopeLogs, 2))
    .map((record) => {
      const fields = fieldsOf(record);
      const bytesOf = (no: number): Uint8Array | undefined =>
        fields.find((f) => f.no === no && f.value instanceof Uint8Array)?.value as Uint8Array | undefined;
      const flags = fields.find((f) => f.no === 8)?.value;
      return {
        body: Buffer.from(children(bytesOf(5) ?? new Uint8Array(), 1)[0] ?? []).toString('utf8'),
        traceId: hex(bytesOf(9)),
        spanId: hex(bytesOf(10)),
        flags: typeof flags === 'bigint' && flags !== 0n ? Number(flags) : undefined,
      };
    });
}

// The SDK as an app that does not use sdk-trace-node's register() sets it up: sdk-trace-base's
// BasicTracerProvider, and the AsyncLocalStorage context manager registered by hand (the setup
// docs/opentelemetry.md shows), beside LogContext's own AsyncLocalStorage store.
describe('trace correlation with sdk-trace-base and the AsyncLocalStorageContextManager', () => {
  const provider = new BasicTracerProvider();
  const tracer = provider.getTracer('spec');
  let restoreStore: () => void;
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  });
  beforeEach(() => {
    restoreStore = useAsyncLocalStorage();
  });
  afterEach(() => restoreStore());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  function setup(): { log: ReturnType<LoggerConfiguration['createLogger']>; sink: MemorySink } {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .with(traceContextEnricher())
      .enrich.fromLogContext()
      .writeTo.sink(sink)
      .createLogger();
    return { log, sink };
  }

  it('puts the span’s ids and sampled flag on events inside it, across an await and a timer, beside LogContext’s, and nothing outside', async () => {
    const { log, sink } = setup();
    const ids = await tracer.startActiveSpan('GET /orders', (span) =>
      LogContext.run({ RequestId: 'r-1' }, async () => {
        log.information('Start');
        await Promise.resolve();
        log.information('After await');
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.information('After timer');
        span.end();
        return span.spanContext();
      }),
    );
    log.information('Outside');
    const inside = { TraceId: ids.traceId, SpanId: ids.spanId, TraceFlags: 1, RequestId: 'r-1' };
    expect(sink.events.map((e) => e.properties)).toEqual([inside, inside, inside, {}]);
    expect(ids.traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    expect(ids.spanId).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
  });

  // Serilog's LogContext.Suspend() leaves Activity.Current as it is, and so does LogContext.suspend
  // the active span: OpenTelemetry's context is its own. docs/opentelemetry.md says so.
  it('keeps the active span’s ids inside LogContext.suspend, which leaves only LogContext; context.with(ROOT_CONTEXT) leaves the span', () => {
    const { log, sink } = setup();
    const ids = tracer.startActiveSpan('GET /orders', (span) => {
      LogContext.run({ RequestId: 'r-1' }, () => {
        LogContext.suspend(() => log.information('Suspended'));
        context.with(ROOT_CONTEXT, () => LogContext.suspend(() => log.information('Detached')));
      });
      span.end();
      return span.spanContext();
    });
    expect(sink.events.map((e) => e.properties)).toEqual([{ TraceId: ids.traceId, SpanId: ids.spanId, TraceFlags: 1 }, {}]);
  });

  it('writes the same trace_id, span_id and flags bytes as the SDK’s own logger, through OpenTelemetrySink’s protobuf and OtlpSink’s hex', async () => {
    const { log, sink } = setup();
    const exporter = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const sdkLogger = loggerProvider.getLogger('sdk');
    const unsampledTracer = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('spec');
    const both = (body: string): void => {
      log.information(body);
      sdkLogger.emit({ body });
    };
    tracer.startActiveSpan('sampled', (span) => {
      both('sampled');
      span.end();
    });
    unsampledTracer.startActiveSpan('unsampled', (span) => {
      both('unsampled');
      span.end();
    });
    both('outside');
    const otel = new OpenTelemetrySink({ loggerProvider });
    otel.emit(sink.events);
    await loggerProvider.forceFlush();
    const records = protoRecords(ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords()) ?? new Uint8Array());
    const sdk = records.slice(0, 3);
    // The SDK's own records carry what the proto requires: 16 and 8 bytes, flags 1 when sampled.
    expect(sdk.map((r) => [r.body, r.traceId?.length, r.spanId?.length, r.flags])).toEqual([
      ['sampled', 32, 16, 1],
      ['unsampled', 32, 16, undefined],
      ['outside', undefined, undefined, undefined],
    ]);
    // OpenTelemetrySink's records of the same calls, through the same serializer: byte for byte.
    expect(records.slice(3)).toEqual(sdk);
    // OtlpSink's JSON (hex, as the OTLP/JSON mapping writes trace_id and span_id) names the same bytes.
    const fromJson = sink.events.map((e) => {
      const json = JSON.parse(otlpLogRecordJson(e)) as {
        body: { stringValue: string };
        traceId?: string;
        spanId?: string;
        flags?: number;
      };
      return { body: json.body.stringValue, traceId: json.traceId, spanId: json.spanId, flags: json.flags || undefined };
    });
    expect(fromJson).toEqual(sdk);
    await loggerProvider.shutdown();
  });
});
