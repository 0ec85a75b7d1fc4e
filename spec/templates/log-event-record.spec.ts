import type { LogEvent } from '../../lib/core/log-event';
import { createLogEvent, eventTimeMs, LogEventRecord, wholeEvent } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { parseTemplateCached } from '../../lib/templates/template-cache';

describe('LogEventRecord', () => {
  it('carries the fields it was built with', () => {
    const template = parseTemplate('Hi {Name}');
    const error = new Error('x');
    const event = new LogEventRecord(new Date(0), 'warning', template, { Name: 'Ann' }, error);
    expect(event.timestamp).toEqual(new Date(0));
    expect(event.level).toBe('warning');
    expect(event.messageTemplate).toBe(template);
    expect(event.properties).toEqual({ Name: 'Ann' });
    expect(event.exception).toBe(error);
  });

  it('renders its message', () => {
    const event = new LogEventRecord(new Date(0), 'information', parseTemplate('Hi {Name}, {Missing}'), { Name: 'Ann' });
    expect(event.renderMessage()).toBe('Hi Ann, {Missing}');
  });

  it('renders its message once and returns the same text after', () => {
    const properties: Record<string, unknown> = { Name: 'Ann' };
    const event = new LogEventRecord(new Date(0), 'information', parseTemplate('Hi {Name}'), properties);
    expect(event.renderMessage()).toBe('Hi Ann');
    properties.Name = 'Bob';
    expect(event.renderMessage()).toBe('Hi Ann');
  });

  it('exposes the LogEvent fields and timeMs as own enumerable keys; the timestamp is a getter', () => {
    const event = new LogEventRecord(new Date(0), 'information', parseTemplate('x'), {});
    // timeMs is own so that a copy made with spread syntax keeps the time (see wholeEvent).
    expect(Object.keys(event)).toEqual(['level', 'messageTemplate', 'properties', 'exception', 'timeMs']);
    expect(event.timestamp).toEqual(new Date(0));
    expect(Object.keys({ ...event })).toContain('timeMs');
  });

  it('takes epoch milliseconds and makes the Date on first read, once', () => {
    const event = new LogEventRecord(1_795_000_000_123, 'information', parseTemplate('x'), {});
    expect(event.timeMs).toBe(1_795_000_000_123);
    expect(event.timestamp.toISOString()).toBe(new Date(1_795_000_000_123).toISOString());
    expect(event.timestamp).toBe(event.timestamp);
  });
  // Formatters read timeMs (taken when the event is built); event.timestamp must say the same thing.
  it('keeps its time when the Date it was built with is changed afterwards', () => {
    const when = new Date(0);
    const event = new LogEventRecord(when, 'information', parseTemplate('x'), {});
    when.setUTCFullYear(2030);
    expect(event.timeMs).toBe(0);
    expect(event.timestamp.toISOString()).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('createLogEvent', () => {
  it('builds an event from a template text and arguments', () => {
    const event = createLogEvent('debug', 'Slow {Ms} ms', [812], { timestamp: new Date(5) });
    expect(event.messageTemplate).toBe(parseTemplateCached('Slow {Ms} ms'));
    expect(event.properties).toEqual({ Ms: 812 });
    expect(event.timestamp).toEqual(new Date(5));
    expect(event.level).toBe('debug');
    expect(event.renderMessage()).toBe('Slow 812 ms');
  });

  it('applies capture limits', () => {
    expect(createLogEvent('information', '{S}', ['abcd'], { limits: { maxStringLength: 2 } }).properties).toEqual({
      S: 'ab…[truncated 2 chars]',
    });
  });
});

describe('wholeEvent', () => {
  const record = new LogEventRecord(1_795_000_000_123, 'warning', parseTemplateCached('Hi {Name}'), { Name: 'Ann' });

  it('makes a copy made with spread syntax a LogEventRecord again, with its time, template, properties and exception', () => {
    const error = new Error('boom');
    // What an app operator's map((e) => ({ ...e, … })) gives: it compiles, as LogEvent is an interface.
    const event: LogEvent = record;
    const copy: LogEvent = { ...event, properties: { ...event.properties, Region: 'eu' }, exception: error };
    const whole = wholeEvent(copy);
    expect(whole).toBeInstanceOf(LogEventRecord);
    expect(whole.timestamp.toISOString()).toBe(new Date(1_795_000_000_123).toISOString());
    expect(whole.level).toBe('warning');
    expect(whole.messageTemplate).toBe(record.messageTemplate);
    expect(whole.properties).toEqual({ Name: 'Ann', Region: 'eu' });
    expect(whole.exception).toBe(error);
    expect(whole.renderMessage()).toBe('Hi Ann');
  });

  it('passes a LogEventRecord, a LogEvent the app made itself and what is not an object as they are', () => {
    expect(wholeEvent(record)).toBe(record);
    const own: LogEvent = {
      timestamp: new Date(0),
      level: 'information',
      messageTemplate: parseTemplateCached('x'),
      properties: {},
      renderMessage: () => 'mine',
    };
    expect(wholeEvent(own)).toBe(own);
    expect(wholeEvent(undefined as unknown as LogEvent)).toBeUndefined();
  });

  it('takes a Date timestamp of the copy, else now, and parses a template given as text', () => {
    const fromDate = wholeEvent({
      level: 'error',
      messageTemplate: 'Hi {Name}',
      properties: { Name: 'Bo' },
      timestamp: new Date(5),
    } as unknown as LogEvent);
    expect(fromDate.timestamp.getTime()).toBe(5);
    expect(fromDate.messageTemplate).toBe(parseTemplateCached('Hi {Name}'));
    expect(fromDate.renderMessage()).toBe('Hi Bo');
    const before = Date.now();
    const timeless = wholeEvent({ level: 'error', messageTemplate: parseTemplateCached('x') } as unknown as LogEvent);
    expect(timeless.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    expect(timeless.properties).toEqual({});
  });

  it('passes an object without a template, or whose fields throw, as it is', () => {
    const noTemplate = { level: 'error', properties: {} } as unknown as LogEvent;
    expect(wholeEvent(noTemplate)).toBe(noTemplate);
    const hostile = new Proxy({} as LogEvent, {
      get() {
        throw new Error('trap');
      },
    });
    expect(wholeEvent(hostile)).toBe(hostile);
  });
});

describe('eventTimeMs', () => {
  const record = new LogEventRecord(1_795_000_000_123, 'warning', parseTemplateCached('Hi {Name}'), { Name: 'Ann' });
  const event: LogEvent = record;

  it("reads a record's own time, and the time a spread copy of it keeps (the copy has no timestamp getter)", () => {
    expect(eventTimeMs(record)).toBe(1_795_000_000_123);
    expect(eventTimeMs({ ...event, properties: {} })).toBe(1_795_000_000_123);
  });

  it("reads a copy's own timestamp when an operator gave it one, over the time the record had", () => {
    expect(eventTimeMs({ ...event, timestamp: new Date(1_000) })).toBe(1_000);
  });

  it('throws a TypeError for an event with neither a Date nor a time in milliseconds', () => {
    expect(() => eventTimeMs({ ...event, timestamp: { getTime: () => 5 } } as unknown as LogEvent)).toThrow(TypeError);
    const { timeMs: _, ...timeless } = { ...event } as LogEvent & { timeMs: number };
    expect(() => eventTimeMs(timeless)).toThrow(TypeError);
  });
});
