import { runInNewContext } from 'node:vm';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { LogEvent } from '../../lib/core/log-event';
import { OpenTelemetrySink } from '../../lib/otel/open-telemetry-sink';
import { toOtelLogRecord } from '../../lib/otel/to-otel-log-record';
import { toOtlpLogRecord } from '../../lib/sinks/http/otlp-log-record';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplateCached } from '../../lib/templates/template-cache';

const AT = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

/** A record as the logger makes it: its time is an own `timeMs`, its `timestamp` a getter of the class. */
function record(): LogEventRecord {
  return new LogEventRecord(AT, 'information', parseTemplateCached('Order {Id}'), { Id: 7 });
}

describe('toOtelLogRecord: the time of an event', () => {
  // An app operator's copy of an event (`{ ...event, properties }`) keeps the record's own timeMs and
  // not its timestamp, a getter of the class: the record went without a time, and the SDK stamped it
  // with the time of emit, where OtlpSink sends the event's time. So did a Date of another realm (a
  // vm context's, an iframe's), which fails `instanceof Date`.
  it.each([
    [
      'an app operator’s spread copy of a record',
      (): LogEvent => ({ ...record(), properties: { Id: 8 } }) as unknown as LogEvent,
    ],
    [
      'an event whose timestamp is a Date of another realm',
      (): LogEvent => ({ ...record(), timestamp: runInNewContext(`new Date(${AT})`) as Date }) as unknown as LogEvent,
    ],
  ])('gives %s its time, as OtlpSink sends it', async (_, make) => {
    const event = make();
    const converted = toOtelLogRecord(event);
    expect((converted.timestamp as Date | undefined)?.getTime()).toBe(AT);
    expect((converted.observedTimestamp as Date | undefined)?.getTime()).toBe(AT);
    expect(toOtlpLogRecord(event).timeUnixNano).toBe(`${AT}000000`);

    // What the SDK exports: the event's time, not the time of emit.
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    new OpenTelemetrySink({ loggerProvider: provider }).emit([event]);
    const [exported] = exporter.getFinishedLogRecords();
    expect([hrTimeToMilliseconds(exported.hrTime), hrTimeToMilliseconds(exported.hrTimeObserved)]).toEqual([AT, AT]);
    await provider.shutdown();
  });

  it('leaves to the SDK a time it cannot read, and still converts the rest of the event', () => {
    const event = Object.defineProperty({ ...record() }, 'timestamp', {
      get: (): never => {
        throw new Error('boom');
      },
    }) as unknown as LogEvent;
    const converted = toOtelLogRecord(event);
    expect(converted.timestamp).toBeUndefined();
    expect(converted.attributes).toMatchObject({ 'message_template.text': 'Order {Id}', Id: 7 });
  });
});
