import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, LOG_LEVELS } from '../../../lib/core/log-level';
import { createLogEvent } from '../../../lib/templates/log-event-record';
import fc from 'fast-check';
import type { LogLevelName } from '../../../lib/core/log-level';
import { otlpLogRecordJson, type OtlpLogRecord, toOtlpLogRecord } from '../../../lib/sinks/http/otlp-log-record';
import { makeEvent } from '../../helpers/events';
import type { LogEvent } from '../../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { otlpScopeName } from '../../../lib/sinks/http/otlp-log-record';
import { referenceLogRecord } from '../../helpers/otlp-reference';
import { collectSelfLog } from '../../helpers/self-log';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';

describe('toOtlpLogRecord', () => {
  it('writes time, severity, rendered body, properties and the template', () => {
    const event = createLogEvent(LogLevel.Warning, 'User {UserId} from {@Location}', [42, { city: 'Oslo' }], {
      timestamp: new Date(1_700_000_000_123),
    });
    expect(toOtlpLogRecord(event)).toEqual({
      timeUnixNano: '1700000000123000000',
      observedTimeUnixNano: '1700000000123000000',
      severityNumber: 13,
      severityText: 'Warning',
      body: { stringValue: 'User 42 from {"city":"Oslo"}' },
      attributes: [
        { key: 'UserId', value: { intValue: '42' } },
        { key: 'Location', value: { kvlistValue: { values: [{ key: 'city', value: { stringValue: 'Oslo' } }] } } },
        { key: 'message_template.text', value: { stringValue: 'User {UserId} from {@Location}' } },
      ],
    });
  });

  // docs/opentelemetry.md: capture makes a typed array a list and a Buffer what its toJSON() gives,
  // as JSON.stringify and pino do; only a Uint8Array put into an event after capture is bytes.
  it('sends a logged typed array as integers and a logged Buffer as its toJSON map, a Uint8Array added after capture as bytes', () => {
    const event = createLogEvent(LogLevel.Information, '{Floats} {Bytes} {Buffer}', [
      new Float32Array([1.5, 2]),
      new Uint8Array([1, 255]),
      Buffer.from('hi'),
    ]);
    const later = makeEvent({ text: 'Later', properties: { Bytes: new Uint8Array([1, 255]), Buffer: Buffer.from('hi') } });
    const int = (n: number): { intValue: string } => ({ intValue: String(n) });
    expect(toOtlpLogRecord(event).attributes.slice(0, 3)).toEqual([
      { key: 'Floats', value: { arrayValue: { values: [{ doubleValue: 1.5 }, int(2)] } } },
      { key: 'Bytes', value: { arrayValue: { values: [int(1), int(255)] } } },
      {
        key: 'Buffer',
        value: {
          kvlistValue: {
            values: [
              { key: 'type', value: { stringValue: 'Buffer' } },
              { key: 'data', value: { arrayValue: { values: [int(104), int(105)] } } },
            ],
          },
        },
      },
    ]);
    expect(toOtlpLogRecord(later).attributes.slice(0, 2)).toEqual([
      { key: 'Bytes', value: { bytesValue: 'Af8=' } },
      { key: 'Buffer', value: { bytesValue: 'aGk=' } },
    ]);
  });

  it('sends no eventName and applies no attribute limits: an EventName property is an attribute, 200 properties and a 100 000-character string go whole', () => {
    const properties: Record<string, unknown> = { EventName: 'user.login', Long: 'y'.repeat(100_000) };
    for (let i = 0; i < 198; i++) properties[`P${i}`] = i;
    const record = toOtlpLogRecord(makeEvent({ properties }));
    expect(Object.keys(record)).not.toContain('eventName');
    expect(record.droppedAttributesCount).toBeUndefined();
    expect(record.attributes).toHaveLength(201);
    expect(record.attributes[0]).toEqual({ key: 'EventName', value: { stringValue: 'user.login' } });
    expect(record.attributes[1]).toEqual({ key: 'Long', value: { stringValue: 'y'.repeat(100_000) } });
  });

  it('maps the six levels to the first number of each OpenTelemetry range', () => {
    expect(LOG_LEVELS.map((level) => toOtlpLogRecord(makeEvent({ level })).severityNumber)).toEqual([1, 5, 9, 13, 17, 21]);
    expect(LOG_LEVELS.map((level) => toOtlpLogRecord(makeEvent({ level })).severityText)).toEqual([
      'Verbose',
      'Debug',
      'Information',
      'Warning',
      'Error',
      'Fatal',
    ]);
  });

  it('adds the exception as exception.type, exception.message and exception.stacktrace', () => {
    const failure = new TypeError('card declined');
    const attributes = toOtlpLogRecord(makeEvent({ exception: failure })).attributes;
    expect(attributes.slice(-3)).toEqual([
      { key: 'exception.type', value: { stringValue: 'TypeError' } },
      { key: 'exception.message', value: { stringValue: 'card declined' } },
      { key: 'exception.stacktrace', value: { stringValue: failure.stack } },
    ]);
  });

  // Semantic conventions, exceptions in logs: one of exception.type and exception.message is
  // required; the type is always sent, so an empty message is left out (as the SDK's LogRecord does).
  it('leaves out exception.message when the message is empty, and sends exception.type Error for an empty name', () => {
    const failure = Object.assign(new RangeError(''), { stack: 'RangeError\n    at x' });
    const attributes = toOtlpLogRecord(makeEvent({ exception: failure })).attributes;
    expect(attributes.slice(-2)).toEqual([
      { key: 'exception.type', value: { stringValue: 'RangeError' } },
      { key: 'exception.stacktrace', value: { stringValue: 'RangeError\n    at x' } },
    ]);
    const unnamed = toOtlpLogRecord(makeEvent({ exception: Object.assign(new Error(''), { name: '' }) })).attributes;
    expect(unnamed.slice(-2, -1)).toEqual([{ key: 'exception.type', value: { stringValue: 'Error' } }]);
  });

  // A decision, not a defect: the semantic conventions' exception.type is the exception's type (its
  // class name); the SDK's Span.recordException writes a Node error's code there instead. The code
  // stays in the record: exception.stacktrace lists the error's own scalar fields after its stack.
  it('sends a Node error’s name as exception.type, and its code in exception.stacktrace', () => {
    let failure: unknown;
    try {
      readFileSync(join(tmpdir(), 'rxlog-no-such-file', 'none'));
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'ENOENT', name: 'Error' });
    const attributes = toOtlpLogRecord(makeEvent({ exception: failure as Error })).attributes;
    expect(attributes.find((a) => a.key === 'exception.type')).toEqual({
      key: 'exception.type',
      value: { stringValue: 'Error' },
    });
    expect(attributes.find((a) => a.key === 'exception.stacktrace')?.value).toEqual({
      stringValue: expect.stringContaining('code: "ENOENT"') as unknown,
    });
  });

  it('moves valid TraceId and SpanId properties to the record’s trace context', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    const record = toOtlpLogRecord(makeEvent({ properties: { TraceId: traceId, SpanId: spanId, N: 1 } }));
    expect(record).toMatchObject({ traceId, spanId });
    expect(record.attributes.map((a) => a.key)).toEqual(['N', 'message_template.text']);
    const invalid = toOtlpLogRecord(makeEvent({ properties: { TraceId: 'nope', SpanId: spanId } }));
    expect(invalid.traceId).toBeUndefined();
    expect(invalid.attributes.map((a) => a.key)).toEqual(['TraceId', 'SpanId', 'message_template.text']);
  });

  it('sends TraceFlags as the record’s flags, and neither it nor the ids again as attributes', () => {
    const properties = { TraceId: '4bf92f3577b34da6a3ce929d0e0e4736', SpanId: '00f067aa0ba902b7', TraceFlags: 1, N: 1 };
    const record = toOtlpLogRecord(makeEvent({ properties }));
    expect(record).toMatchObject({ traceId: properties.TraceId, spanId: properties.SpanId, flags: 1 });
    expect(record.attributes.map((a) => a.key)).toEqual(['N', 'message_template.text']);
  });

  it('sends no all-zero trace or span id, which OTLP defines as invalid', () => {
    const zeroTrace = toOtlpLogRecord(
      makeEvent({ properties: { TraceId: '0'.repeat(32), SpanId: '00f067aa0ba902b7', TraceFlags: 0 } }),
    );
    expect(zeroTrace.traceId).toBeUndefined();
    expect(zeroTrace.spanId).toBeUndefined();
    expect(zeroTrace.flags).toBeUndefined();
    expect(JSON.stringify(zeroTrace)).not.toContain('0'.repeat(32));
    const zeroSpan = toOtlpLogRecord(
      makeEvent({ properties: { TraceId: '4bf92f3577b34da6a3ce929d0e0e4736', SpanId: '0'.repeat(16) } }),
    );
    expect(zeroSpan.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(zeroSpan.spanId).toBeUndefined();
    expect(JSON.stringify(zeroSpan)).not.toContain('0'.repeat(16));
  });

  it('writes a time before 1970 as 0 (unknown), never negative, and always sets observedTimeUnixNano', () => {
    const before = Date.now();
    const record = toOtlpLogRecord(makeEvent({ timestamp: new Date(Date.UTC(1969, 6, 20, 20, 17)) }));
    expect(record.timeUnixNano).toBe('0');
    expect(BigInt(record.observedTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(before) * 1_000_000n);
    const invalid = toOtlpLogRecord(makeEvent({ timestamp: new Date(Number.NaN) }));
    expect(invalid.timeUnixNano).toBe('0');
    expect(BigInt(invalid.observedTimeUnixNano)).toBeGreaterThan(0n);
  });

  it('writes a time past fixed64 nanoseconds (after 2554-07-21) as 0 (unknown), so a collector can parse the request', () => {
    // logs.proto: time_unix_nano is a fixed64; 2^64 - 1 ns is 2554-07-21T23:34:33.709551615Z.
    const max = 2n ** 64n - 1n;
    const last = toOtlpLogRecord(makeEvent({ timestamp: new Date(Date.UTC(2554, 6, 21, 23, 34, 33, 709)) }));
    expect(last.timeUnixNano).toBe('18446744073709000000');
    const before = Date.now();
    for (const time of [Date.UTC(2554, 6, 21, 23, 34, 33, 710), Date.UTC(2600, 0, 1), 8.64e15]) {
      const record = toOtlpLogRecord(makeEvent({ timestamp: new Date(time) }));
      expect(record.timeUnixNano).toBe('0');
      expect(BigInt(record.observedTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(before) * 1_000_000n);
      expect(BigInt(record.observedTimeUnixNano)).toBeLessThanOrEqual(max);
    }
    fc.assert(
      fc.property(fc.date(), (date) => {
        const record = toOtlpLogRecord(makeEvent({ timestamp: date }));
        for (const nanos of [record.timeUnixNano, record.observedTimeUnixNano]) {
          expect(BigInt(nanos)).toBeGreaterThanOrEqual(0n);
          expect(BigInt(nanos)).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it('sends each attribute key once: a property named like a key the record writes itself is not sent', () => {
    // common.proto / logs.proto: attribute keys MUST be unique.
    const event = makeEvent({
      text: 'Paid',
      properties: {
        'message_template.text': 'forged',
        'exception.type': 'forged',
        'exception.message': 'forged',
        'exception.stacktrace': 'forged',
        Order: 7,
      },
      exception: Object.assign(new TypeError('bad'), { stack: 'TypeError: bad\n    at x' }),
    });
    const attributes = toOtlpLogRecord(event).attributes;
    expect(attributes.map((a) => a.key)).toEqual([
      'Order',
      'message_template.text',
      'exception.type',
      'exception.message',
      'exception.stacktrace',
    ]);
    expect(attributes.map((a) => a.value.stringValue ?? a.value.intValue)).toEqual([
      '7',
      'Paid',
      'TypeError',
      'bad',
      'TypeError: bad\n    at x',
    ]);
    // Without an exception the exception.* properties are the only ones of that name: they are kept.
    const plain = toOtlpLogRecord(
      makeEvent({ text: 'T', properties: { 'exception.type': 'kept', 'message_template.text': 'x' } }),
    );
    expect(plain.attributes.map((a) => [a.key, a.value.stringValue])).toEqual([
      ['exception.type', 'kept'],
      ['message_template.text', 'T'],
    ]);
  });

  it('sends no attribute with an empty key, as the OpenTelemetry SDK drops it; nested map keys stay', () => {
    // OpenTelemetry common spec: an attribute key MUST be a non-empty string.
    const record = toOtlpLogRecord(makeEvent({ text: 'T', properties: { '': 1, A: { '': 2 } } }));
    expect(record.attributes).toEqual([
      { key: 'A', value: { kvlistValue: { values: [{ key: '', value: { intValue: '2' } }] } } },
      { key: 'message_template.text', value: { stringValue: 'T' } },
    ]);
    const traced = toOtlpLogRecord(
      makeEvent({ text: 'T', properties: { '': 1, TraceId: '0af7651916cd43dd8448eb211c80319c', SpanId: 'b7ad6b7169203331' } }),
    );
    expect(traced.attributes.map((a) => a.key)).toEqual(['message_template.text']);
  });

  // logs.proto: dropped_attributes_count. A property the record cannot send under its key (one the
  // record writes itself, an empty one) was left out without a trace: the collector's record now says
  // how many. Undefined values are no attributes, so none is counted for them.
  it('counts the properties it leaves out (a key the record writes itself, an empty key) in droppedAttributesCount', () => {
    const forged = toOtlpLogRecord(
      makeEvent({
        text: 'Paid',
        properties: {
          '': 1,
          'message_template.text': 'forged',
          'exception.type': 'forged',
          'exception.message': undefined,
          Order: 7,
        },
        exception: new TypeError('bad'),
      }),
    );
    expect(forged.droppedAttributesCount).toBe(3);
    expect(forged.attributes.filter((a) => a.key === 'Order')).toHaveLength(1);
    // Without an exception, exception.* properties are sent; the empty key alone is left out.
    expect(
      toOtlpLogRecord(makeEvent({ text: 'T', properties: { '': 1, 'exception.type': 'kept' } })).droppedAttributesCount,
    ).toBe(1);
    // The trace context moves to the record's fields: not dropped. Nothing left out: no field (proto3's default 0).
    const traced = toOtlpLogRecord(
      makeEvent({
        text: 'T',
        properties: { TraceId: '0af7651916cd43dd8448eb211c80319c', SpanId: 'b7ad6b7169203331', TraceFlags: 1 },
      }),
    );
    expect(traced).not.toHaveProperty('droppedAttributesCount');
    expect(traced.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    const withTrace = toOtlpLogRecord(
      makeEvent({ text: 'T', properties: { '': 1, 'message_template.text': 'x', TraceId: '0af7651916cd43dd8448eb211c80319c' } }),
    );
    expect(withTrace.droppedAttributesCount).toBe(2);
  });

  // common.proto: attribute keys, and the keys of a kvlist, MUST be unique. A lone surrogate is
  // written as U+FFFD (the body is UTF-8), so two keys that differ only there were sent twice.
  it('sends one attribute for keys that are one once written (a lone surrogate is U+FFFD), the first, and counts the other in droppedAttributesCount', () => {
    const record = toOtlpLogRecord(
      makeEvent({
        text: 'T',
        properties: { 'a\ud800': 1, 'a\udc00': 2, 'a\ufffd': 3, Map: { 'k\udbff': 'first', 'k\udfff': 'second' }, b: 4 },
      }),
    );
    expect(record.attributes.map((a) => [a.key, a.value])).toEqual([
      ['a\ufffd', { intValue: '1' }],
      ['Map', { kvlistValue: { values: [{ key: 'k\ufffd', value: { stringValue: 'first' } }] } }],
      ['b', { intValue: '4' }],
      ['message_template.text', { stringValue: 'T' }],
    ]);
    expect(record.droppedAttributesCount).toBe(2);
  });

  it('falls back to the template text when rendering throws', () => {
    const event = {
      ...makeEvent({ text: 'raw {X}' }),
      renderMessage: () => {
        throw new Error('render');
      },
    };
    expect(toOtlpLogRecord(event).body).toEqual({ stringValue: 'raw {X}' });
  });
});

/** Events built in JavaScript that no writer can read: a throwing level getter, a missing template. */
function unreadableEvents(): LogEvent[] {
  const boom = (): never => {
    throw new Error('boom');
  };
  return [Object.defineProperty(makeEvent(), 'level', { get: boom }), { ...makeEvent(), messageTemplate: null as never }];
}

/** Events built in JavaScript whose properties throw when read: a TraceId getter, Proxies whose traps throw. */
function hostilePropertyEvents(): LogEvent[] {
  const boom = (): never => {
    throw new Error('boom');
  };
  return [
    makeEvent({ properties: Object.defineProperty({}, 'TraceId', { enumerable: true, get: boom }) }),
    makeEvent({ properties: new Proxy({ SourceContext: 'Orders' }, { get: boom }) }),
    makeEvent({ properties: new Proxy({}, { get: boom, ownKeys: boom }) }),
  ];
}

describe('an event the OTLP writer cannot read', () => {
  // The writers' "never throws": an event built in JavaScript that throws when read must not fail
  // its whole batch (an OtlpSink request body is every record of the batch, and retrying it fails
  // the same way), nor vanish uncounted. As CompactJsonFormatter writes it "Unformattable event",
  // it is sent as an ERROR record (logs data model, SeverityNumber 17) whose exception attributes
  // (semantic conventions for exceptions: exception.type, exception.message, exception.stacktrace)
  // say what failed, and SelfLog says so.
  it('is an unformattable event of severity ERROR with the error as its exception, at the time of conversion, on SelfLog', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    const before = BigInt(Date.now()) * 1_000_000n;
    try {
      for (const event of unreadableEvents()) {
        const record = toOtlpLogRecord(event);
        expect(record).toMatchObject({
          severityNumber: 17,
          severityText: 'Error',
          body: { stringValue: 'Unformattable event' },
        });
        expect(BigInt(record.timeUnixNano)).toBeGreaterThanOrEqual(before);
        expect(record.observedTimeUnixNano).toBe(record.timeUnixNano);
        expect(record.attributes.map(({ key }) => key)).toEqual(['exception.type', 'exception.message', 'exception.stacktrace']);
        expect(record.traceId).toBeUndefined();
      }
    } finally {
      subscription.unsubscribe();
    }
    expect(toOtlpLogRecord(unreadableEvents()[0]).attributes.slice(0, 2)).toEqual([
      { key: 'exception.type', value: { stringValue: 'Error' } },
      { key: 'exception.message', value: { stringValue: 'boom' } },
    ]);
    expect(seen).toHaveLength(2);
  });

  it('is in the fallback scope when its SourceContext cannot be read', () => {
    for (const event of [...unreadableEvents(), ...hostilePropertyEvents()]) expect(otlpScopeName(event, 'rxlog')).toBe('rxlog');
  });
});

/** A getter (or Proxy trap) that throws `message`. */
function throwing(message: string): () => never {
  return () => {
    throw new Error(message);
  };
}

// An event built in JavaScript (an app operator's copy, a sink's emit called directly) can hold
// values that throw when read. Each is its own attribute (logs.proto: attributes are a list of
// KeyValue): one that cannot be read is sent under its key as the marker capture and CLEF's writer
// put there, '[Throws: message]', and the record with its other attributes is sent as usual.
describe('a property value the OTLP writer cannot read', () => {
  it('is sent as a [Throws: message] marker under its own key; the other attributes and the record are sent, with one SelfLog report', () => {
    const properties: Record<string, unknown> = { A: 1 };
    Object.defineProperty(properties, 'Bad', { enumerable: true, get: throwing('nope') });
    properties.C = 'kept';
    const nested = Object.defineProperty({ x: 1 }, 'y', { enumerable: true, get: throwing('inner') });
    Object.assign(nested, { z: 3 });
    properties.Nested = nested;
    properties.Keys = new Proxy({}, { ownKeys: throwing('keys') });
    properties.Last = true;
    const { diagnostics, stop } = collectSelfLog();
    let record: OtlpLogRecord;
    try {
      record = toOtlpLogRecord(makeEvent({ text: 'Hi', level: 'warning', properties }));
    } finally {
      stop();
    }
    expect(record).toMatchObject({ severityNumber: 13, body: { stringValue: 'Hi' } });
    expect(record.attributes).toEqual([
      { key: 'A', value: { intValue: '1' } },
      { key: 'Bad', value: { stringValue: '[Throws: nope]' } },
      { key: 'C', value: { stringValue: 'kept' } },
      {
        key: 'Nested',
        value: {
          kvlistValue: {
            values: [
              { key: 'x', value: { intValue: '1' } },
              { key: 'y', value: { stringValue: '[Throws: inner]' } },
              { key: 'z', value: { intValue: '3' } },
            ],
          },
        },
      },
      { key: 'Keys', value: { stringValue: '[Throws: keys]' } },
      { key: 'Last', value: { boolValue: true } },
      { key: 'message_template.text', value: { stringValue: 'Hi' } },
    ]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message).toContain('3 unreadable value(s) of an event');
    expect(diagnostics[0].message).toContain('[Throws: nope]');
  });

  // The OTLP writers and CLEF's share one count of unreadable values: a getter that writes another
  // event as CLEF while the record is written (an app's getter that logs to a file) must not move it.
  it('counts only its own record’s unreadable values when a getter it reads writes another event as CLEF', () => {
    const inner: Record<string, unknown> = { Ok: 1 };
    Object.defineProperty(inner, 'Secret', { enumerable: true, get: throwing('inner') });
    Object.defineProperty(inner, 'Other', { enumerable: true, get: throwing('inner 2') });
    const clef: string[] = [];
    const properties: Record<string, unknown> = {};
    Object.defineProperty(properties, 'Bad', { enumerable: true, get: throwing('outer') });
    Object.defineProperty(properties, 'Logs', {
      enumerable: true,
      get: () => {
        clef.push(new CompactJsonFormatter().format(makeEvent({ text: 'Inner', properties: inner })));
        return 'read';
      },
    });
    const { diagnostics, stop } = collectSelfLog();
    try {
      toOtlpLogRecord(makeEvent({ text: 'Hi', properties }));
    } finally {
      stop();
    }
    expect(clef[0]).toContain('"Secret":"[Throws: inner]","Other":"[Throws: inner 2]"');
    expect(diagnostics.map((d) => d.message.replace(/^\S+ /, ''))).toEqual([
      'rxlog: CompactJsonFormatter: 2 unreadable value(s) of an event written as markers, the first [Throws: inner]',
      'rxlog: OpenTelemetry: 1 unreadable value(s) of an event sent as markers, the first [Throws: outer]',
    ]);
  });

  // Only what cannot be read is lost: a throwing TraceId getter, or properties whose every read
  // throws, leave the record its body, severity and time (logs data model: every field but the
  // attributes is still known), not an "Unformattable event".
  it('sends the record when its trace context properties throw when read, or its properties are a Proxy whose traps throw', () => {
    const [trace, proxy, unlistable] = hostilePropertyEvents();
    const { diagnostics, stop } = collectSelfLog();
    let records: OtlpLogRecord[];
    try {
      records = [trace, proxy, unlistable].map(toOtlpLogRecord);
    } finally {
      stop();
    }
    for (const record of records) {
      expect(record).toMatchObject({
        timeUnixNano: '1795348800000000000',
        severityNumber: 9,
        severityText: 'Information',
        body: { stringValue: 'event' },
      });
      expect(record.traceId).toBeUndefined();
    }
    expect(records.map((record) => record.attributes.slice(0, -1))).toEqual([
      [{ key: 'TraceId', value: { stringValue: '[Throws: boom]' } }],
      [{ key: 'SourceContext', value: { stringValue: '[Throws: boom]' } }],
      [{ key: 'rxlog.unreadable', value: { stringValue: '[Throws: boom]' } }],
    ]);
    expect(diagnostics).toHaveLength(3);
  });

  it('cuts a long message to 200 characters, in the marker and in the report', () => {
    const long = 'x'.repeat(100_000);
    const properties = Object.defineProperty({}, 'Bad', { enumerable: true, get: throwing(long) });
    const { diagnostics, stop } = collectSelfLog();
    let json: string;
    try {
      json = otlpLogRecordJson(makeEvent({ properties }));
    } finally {
      stop();
    }
    const marker = `[Throws: ${'x'.repeat(200)}…]`;
    expect((JSON.parse(json) as OtlpLogRecord).attributes[0]).toEqual({ key: 'Bad', value: { stringValue: marker } });
    expect(json.length).toBeLessThan(1000);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message.length).toBeLessThan(500);
  });

  it('sends properties whose keys cannot be listed as one rxlog.unreadable attribute, with the marker', () => {
    const properties = new Proxy({}, { ownKeys: throwing('no keys') });
    expect(toOtlpLogRecord(makeEvent({ text: 'Hi', properties })).attributes).toEqual([
      { key: 'rxlog.unreadable', value: { stringValue: '[Throws: no keys]' } },
      { key: 'message_template.text', value: { stringValue: 'Hi' } },
    ]);
  });

  it('reports nothing for an event whose values all read', () => {
    const { diagnostics, stop } = collectSelfLog();
    try {
      toOtlpLogRecord(makeEvent({ properties: { A: 1, B: { c: [2] } } }));
    } finally {
      stop();
    }
    expect(diagnostics).toEqual([]);
  });
});

// common.proto: string_value is a string. An event built in JavaScript whose renderMessage() or
// template text is not one (an object, a number) was written as {"stringValue":{}}: JSON, but no
// AnyValue, so a collector rejected the request, and with it every record of the batch.
describe('an event whose message or template text is not a string', () => {
  it('sends their String() text as string values', () => {
    const text = { toString: () => 'say "hi"' };
    const event: LogEvent = {
      ...makeEvent(),
      messageTemplate: { text: text as unknown as string, tokens: [] },
      renderMessage: () => text as unknown as string,
    };
    const record = JSON.parse(otlpLogRecordJson(event)) as OtlpLogRecord;
    expect(record.body).toEqual({ stringValue: 'say "hi"' });
    expect(record.attributes).toEqual([{ key: 'message_template.text', value: { stringValue: 'say "hi"' } }]);
    expect(toOtlpLogRecord({ ...makeEvent(), renderMessage: () => 42 as unknown as string }).body).toEqual({ stringValue: '42' });
  });
});

describe('otlpLogRecordJson', () => {
  const traceId = fc.constantFrom('0af7651916cd43dd8448eb211c80319c', '0'.repeat(32), 'not-a-trace', 7);
  const spanId = fc.constantFrom('b7ad6b7169203331', '0'.repeat(16), 'short');
  const flags = fc.constantFrom(1, 0, 255, 256, 1.5, '1');
  const level = fc.constantFrom<LogLevelName>('verbose', 'debug', 'information', 'warning', 'error', 'fatal');
  const exception = fc.option(
    fc.string().map((message) => Object.assign(new Error(message, { cause: 'root' }), { stack: `Error: ${message}\n    at x` })),
    { nil: undefined },
  );

  it('writes exactly JSON.stringify of the record object, for any event', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            TraceId: traceId,
            SpanId: spanId,
            TraceFlags: flags,
            Name: fc.string(),
            Data: fc.anything({ withBigInt: true, withDate: true, withSparseArray: true, withTypedArray: true }),
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.constant(undefined))),
        level,
        exception,
        fc.integer({ min: 0, max: 4e12 }),
        (trace, others, eventLevel, error, time) => {
          const event = makeEvent({
            text: 'T {Name}',
            level: eventLevel,
            properties: { ...others, ...trace },
            exception: error,
            timestamp: new Date(time),
          });
          expect(otlpLogRecordJson(event)).toBe(JSON.stringify(referenceLogRecord(event)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes severity 0 and the level as it is for a level outside the six', () => {
    for (const odd of ['loud', 'constructor', 'toString']) {
      const record = JSON.parse(otlpLogRecordJson(makeEvent({ level: odd as LogLevelName }))) as OtlpLogRecord;
      expect([record.severityNumber, record.severityText]).toEqual([0, odd]);
    }
  });
});
