import { createLogEvent, LogEventRecord } from '../../lib/templates/log-event-record';
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

  it('exposes only LogEvent fields as own enumerable keys; the timestamp is a getter', () => {
    const event = new LogEventRecord(new Date(0), 'information', parseTemplate('x'), {});
    expect(Object.keys(event)).toEqual(['level', 'messageTemplate', 'properties', 'exception']);
    expect(event.timestamp).toEqual(new Date(0));
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
