import { SeverityNumber } from '@opentelemetry/api-logs';
import type { LogLevelName } from '../../lib/core/log-level';
import { toOtelLogRecord } from '../../lib/otel/to-otel-log-record';
import { makeEvent } from '../helpers/events';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { ROOT_CONTEXT } from '@opentelemetry/api';

describe('toOtelLogRecord', () => {
  it('maps the six levels to the first severity number of each OpenTelemetry range and Serilog’s names', () => {
    const levels: LogLevelName[] = ['verbose', 'debug', 'information', 'warning', 'error', 'fatal'];
    expect(levels.map((level) => toOtelLogRecord(makeEvent({ level })).severityNumber)).toEqual([
      SeverityNumber.TRACE,
      SeverityNumber.DEBUG,
      SeverityNumber.INFO,
      SeverityNumber.WARN,
      SeverityNumber.ERROR,
      SeverityNumber.FATAL,
    ]);
    expect(levels.map((level) => toOtelLogRecord(makeEvent({ level })).severityText)).toEqual([
      'Verbose',
      'Debug',
      'Information',
      'Warning',
      'Error',
      'Fatal',
    ]);
  });

  it('gives a level outside the six no severity number and its name as the text, even one named like an Object.prototype member', () => {
    for (const level of ['loud', 'constructor', 'toString', '__proto__']) {
      const record = toOtelLogRecord(makeEvent({ level: level as LogLevelName }));
      expect([record.severityNumber, record.severityText]).toEqual([undefined, level]);
    }
  });

  it('gives the event time as the time and the observed time, and leaves an invalid time to the SDK', () => {
    const at = new Date(Date.UTC(2026, 2, 1, 10, 0, 0));
    expect(toOtelLogRecord(makeEvent({ timestamp: at }))).toMatchObject({ timestamp: at, observedTimestamp: at });
    const record = toOtelLogRecord(makeEvent({ timestamp: new Date(Number.NaN) }));
    expect([record.timestamp, record.observedTimestamp]).toEqual([undefined, undefined]);
  });

  it('names an exception without a name Error and leaves out an empty message, so exception.type is always there', () => {
    const error = Object.assign(new Error(''), { name: '', stack: 'at x' });
    expect(toOtelLogRecord(makeEvent({ exception: error })).attributes).toEqual({
      'message_template.text': 'event',
      'exception.type': 'Error',
      'exception.stacktrace': 'at x',
    });
  });

  // "Never throws": an event built in JavaScript that throws when read would otherwise fail every
  // retry of its batch at that event (OpenTelemetrySink resends from the first record not emitted).
  it('gives an event it cannot read as an unformattable event of severity ERROR with the error as its exception, on SelfLog', () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    const unreadable: LogEvent[] = [
      Object.defineProperty(makeEvent(), 'level', { get: boom }),
      { ...makeEvent(), messageTemplate: null as never },
    ];
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    try {
      for (const event of unreadable) {
        const record = toOtelLogRecord(event);
        expect(record).toMatchObject({
          severityNumber: SeverityNumber.ERROR,
          severityText: 'Error',
          body: 'Unformattable event',
          context: ROOT_CONTEXT,
        });
        expect(Object.keys(record.attributes ?? {})).toEqual(['exception.type', 'exception.message', 'exception.stacktrace']);
        // The time is left to the SDK: the time of emit.
        expect(record.timestamp).toBeUndefined();
      }
      expect(toOtelLogRecord(unreadable[0]).attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'boom' });
    } finally {
      subscription.unsubscribe();
    }
    expect(seen).toHaveLength(3);
  });

  // Only what cannot be read is lost: a throwing TraceId getter, or properties whose every read
  // throws, leave the record its body, severity and time, not an "Unformattable event".
  it('gives the record its body, severity and time when its trace context properties throw when read, or its properties are a Proxy whose traps throw', () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    const events = [
      makeEvent({
        properties: Object.defineProperty({ SpanId: '00f067aa0ba902b7' }, 'TraceId', { enumerable: true, get: boom }),
      }),
      makeEvent({ properties: new Proxy({ TraceId: '4bf92f3577b34da6a3ce929d0e0e4736' }, { get: boom }) }),
      makeEvent({ properties: new Proxy({}, { get: boom, ownKeys: boom }) }),
    ];
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    let records: ReturnType<typeof toOtelLogRecord>[];
    try {
      records = events.map(toOtelLogRecord);
    } finally {
      subscription.unsubscribe();
    }
    for (const record of records) {
      expect(record).toMatchObject({
        severityNumber: SeverityNumber.INFO,
        body: 'event',
        timestamp: events[0].timestamp,
        context: ROOT_CONTEXT,
      });
    }
    expect(records.map((record) => record.attributes)).toEqual([
      { SpanId: '00f067aa0ba902b7', TraceId: '[Throws: boom]', 'message_template.text': 'event' },
      { TraceId: '[Throws: boom]', 'message_template.text': 'event' },
      { 'rxlog.unreadable': '[Throws: boom]', 'message_template.text': 'event' },
    ]);
    expect(seen).toHaveLength(3);
  });

  // The API's LogRecord has a string template attribute and body here: an object whose members are
  // functions made the SDK drop message_template.text as invalid (isLogAttributeValue).
  it('gives a message or template text that is not a string as its String() text', () => {
    const text = { toString: () => 'say "hi"' };
    const record = toOtelLogRecord({
      ...makeEvent(),
      messageTemplate: { text: text as unknown as string, tokens: [] },
      renderMessage: () => text as unknown as string,
    });
    expect(record.body).toBe('say "hi"');
    expect(record.attributes).toEqual({ 'message_template.text': 'say "hi"' });
  });
});
