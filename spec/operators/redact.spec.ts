import { from, map, of } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { SelfLog } from '../../lib/core/self-log';
import type { LogEvent } from '../../lib/core/log-event';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { redact } from '../../lib/operators/redact';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createLogEvent, LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { createTestScheduler } from '../helpers/test-scheduler';

describe('redact', () => {
  it('replaces events holding what the policy names, and passes the others as they are', () => {
    const testScheduler = createTestScheduler();
    const secret = createLogEvent('information', 'Login {@User}', [{ name: 'ann', password: 'x' }]);
    const plain = createLogEvent('information', 'Hello {Name}', ['ann']);
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-|', { a: secret, b: plain });
      expectObservable(source.pipe(redact({ paths: ['User.password'] }))).toBe('-c-b-|', {
        b: plain,
        c: expect.objectContaining({
          level: 'information',
          messageTemplate: secret.messageTemplate,
          properties: { User: { name: 'ann', password: '[Redacted]' } },
        }) as LogEvent,
      });
    });
    expect(secret.properties).toEqual({ User: { name: 'ann', password: 'x' } });
  });

  it("takes an array of paths as { paths } with the default censor (pino's short form)", () => {
    const testScheduler = createTestScheduler();
    const secret = createLogEvent('information', 'Login {@User}', [{ name: 'ann', password: 'x' }]);
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a: secret }).pipe(redact(['User.password']))).toBe('-c|', {
        c: expect.objectContaining({ properties: { User: { name: 'ann', password: '[Redacted]' } } }) as LogEvent,
      });
    });
    expect(() => redact(['User[0]'])).toThrow(ConfigurationError);
  });

  it('keeps the timestamp and renders the redacted value', () => {
    const secret = createLogEvent('warning', 'Token {Token}', ['abc'], { timestamp: new Date(Date.UTC(2026, 0, 1)) });
    const seen: LogEvent[] = [];
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold }) => {
      cold('a|', { a: secret })
        .pipe(redact({ keys: /token/i, censor: '***' }))
        .subscribe((e) => seen.push(e));
    });
    expect(seen[0].renderMessage()).toBe('Token ***');
    expect(seen[0].timestamp).toEqual(new Date(Date.UTC(2026, 0, 1)));
  });

  it('redacts an exception’s own properties', () => {
    const failure = Object.assign(new Error('bad'), { apiKey: 'k' });
    const event = createLogEvent('error', 'failed', [], { exception: failure });
    const seen: LogEvent[] = [];
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold }) => {
      cold('a|', { a: event })
        .pipe(redact({ keys: /api[-_]?key/i }))
        .subscribe((e) => seen.push(e));
    });
    expect((seen[0].exception as Error & { apiKey: string }).apiKey).toBe('[Redacted]');
    expect(failure.apiKey).toBe('k');
  });

  it('works in a sink pipe, so one sink sees less than another', async () => {
    const full = new MemorySink();
    const shared = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(full, { name: 'full' })
      .writeTo.sink(shared, { name: 'shared', pipe: [redact({ paths: ['Email'], remove: true })] })
      .createLogger();
    log.information('Signed up {Email}', 'ann@example.com');
    expect(full.events[0].properties).toEqual({ Email: 'ann@example.com' });
    expect(shared.events[0].properties).toEqual({});
    expect(log.metrics().sinks.shared).toMatchObject({ received: 1, delivered: 1, dropped: 0, pending: 0 });
    await log.close();
  });

  it('redacts an app operator’s spread copy of an event, which has no timestamp getter, instead of erroring', () => {
    const record = createLogEvent('information', 'Token {Token}', ['abc'], { timestamp: new Date(Date.UTC(2026, 0, 2)) });
    const copy = { ...record, properties: { ...record.properties, Region: 'eu' } } as unknown as LogEvent;
    const seen: LogEvent[] = [];
    let failure: unknown;
    of(copy)
      .pipe(redact({ keys: /token/i }))
      .subscribe({ next: (e) => seen.push(e), error: (e: unknown) => (failure = e) });
    expect(failure).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0].properties).toEqual({ Token: '[Redacted]', Region: 'eu' });
    expect(seen[0].timestamp).toEqual(new Date(Date.UTC(2026, 0, 2)));
    expect(seen[0].renderMessage()).toBe('Token [Redacted]');
  });

  it('redacts a copy in a sink pipe after an app operator, so its events are delivered, not dropped as operator-failed', async () => {
    const memory = new MemorySink();
    const addToken = map((e: LogEvent) => ({ ...e, properties: { ...e.properties, Token: 'abc' } }));
    const log = new LoggerConfiguration().writeTo
      .sink(memory, { name: 'memory', pipe: [addToken, redact({ keys: /token/i })] })
      .createLogger();
    log.information('Signed in');
    expect(memory.events.map((e) => e.properties)).toEqual([{ Token: '[Redacted]' }]);
    expect(log.metrics().sinks.memory).toMatchObject({ received: 1, delivered: 1, dropped: 0 });
    await log.close();
  });

  it('redacts an event holding a cycle of plain objects the app built, keeping its other properties and its exception', () => {
    const node: Record<string, unknown> = { name: 'root', token: 'hunter2' };
    node.self = node;
    const error = Object.assign(new Error('denied'), { apiKey: 'k-1' });
    const event = createLogEvent('information', 'Tree {@Node} for {User}', [{}, 'ann'], { exception: error });
    const built = { ...event, properties: { Node: node, User: 'ann' } } as unknown as LogEvent;
    const seen: LogEvent[] = [];
    of(built)
      .pipe(redact({ keys: /token|api[-_]?key/i }))
      .subscribe((e) => seen.push(e));
    expect(seen[0].properties).toEqual({ Node: { name: 'root', token: '[Redacted]', self: '[Circular]' }, User: 'ann' });
    expect(seen[0].exception).toMatchObject({ message: 'denied', apiKey: '[Redacted]' });
    expect(node.token).toBe('hunter2');
  });

  it('checks an array of a hundred thousand small objects for cycles keeping no entry for each of them', () => {
    // The item objects are leaves (no object in them): in no cycle. An entry each in the check's
    // sets made it cost five times the redaction, time and memory.
    const shared = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const items = Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? { id: i, name: 'x' } : shared));
    const node: Record<string, unknown> = { token: 'hunter2', items: [{ id: 1 }] };
    (node.items as unknown[]).push(node);
    const event = createLogEvent('information', 'Batch {@Items}', [{}]);
    // Node first: the check reads the properties last to first, so it meets the cycle after the items.
    const built = { ...event, properties: { Node: node, Items: items, User: { password: 'x' } } } as unknown as LogEvent;
    const seen: LogEvent[] = [];
    const adds = jest.spyOn(Set.prototype, 'add');
    try {
      of(built)
        .pipe(redact({ paths: ['User.password', 'Node.token'] }))
        .subscribe((e) => seen.push(e));
      expect(adds.mock.calls.length).toBeLessThan(100);
    } finally {
      adds.mockRestore();
    }
    // The cycle behind the leaves is still found, so the event is captured first, as before.
    expect(seen[0].properties).toMatchObject({
      Node: { token: '[Redacted]', items: [{ id: 1 }, '[Circular]'] },
      User: { password: '[Redacted]' },
    });
    expect((seen[0].properties.Items as unknown[]).length).toBe(1001);
  });

  it('redacts what a plain object’s toJSON() gives, the data a sink writes, as the logger’s capture does', () => {
    // An app operator adds an object literal with a toJSON(): the sinks write what toJSON() gives.
    const session = { id: 's-1', toJSON: () => ({ id: 's-1', token: 'hunter2' }) };
    const event = createLogEvent('information', 'Opened {@Session}', [{}]);
    const built = { ...event, properties: { Session: session } } as unknown as LogEvent;
    const seen: LogEvent[] = [];
    of(built)
      .pipe(redact({ keys: /token/i }))
      .subscribe((e) => seen.push(e));
    expect(seen[0].renderMessage()).toBe('Opened {"id":"s-1","token":"[Redacted]"}');
    expect(new CompactJsonFormatter().format(seen[0])).not.toContain('hunter2');
    expect(seen[0].properties).toEqual({ Session: { id: 's-1', token: '[Redacted]' } });
  });

  it('redacts an event holding an array with holes as the logger captures it, not visiting each hole of its length', async () => {
    // items[2] and items[1e6] hold a password; the rest of its length is holes, which no formatter writes one by one.
    const items: unknown[] = [];
    items[2] = { password: 'x', id: 2 };
    items[1_000_000] = { password: 'y', id: 3 };
    const seen: LogEvent[] = [];
    of(new LogEventRecord(0, 'information', parseTemplate('{@Items}'), { Items: items }))
      .pipe(redact({ paths: ['Items.password'] }))
      .subscribe((e) => seen.push(e));
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['Items.password'] })
      .writeTo.sink(memory)
      .createLogger();
    log.information('{@Items}', items);
    await log.close();
    expect(seen[0].properties).toEqual(memory.events[0].properties);
    const captured = seen[0].properties.Items as unknown[];
    expect(captured).toHaveLength(1001);
    expect(captured[2]).toEqual({ password: '[Redacted]', id: 2 });
    expect(captured[1000]).toBe('…999001 more');
  });

  it('passes on an exception that is no object (null, a string from JSON) as it is, not made an Error', () => {
    const told: string[] = [];
    SelfLog.enable((message) => told.push(message));
    const seen: LogEvent[] = [];
    try {
      const events = [null, 'a text, never searched'].map(
        (exception) =>
          new LogEventRecord(0, 'error', parseTemplate('Failed {Token}'), { Token: 't-1' }, exception as unknown as Error),
      );
      from(events)
        .pipe(redact({ paths: ['*'], keys: /token/i }))
        .subscribe((e) => seen.push(e));
    } finally {
      SelfLog.disable();
    }
    expect(seen.map((e) => [e.properties, e.exception])).toEqual([
      [{ Token: '[Redacted]' }, null],
      [{ Token: '[Redacted]' }, 'a text, never searched'],
    ]);
    expect(told).toEqual([]);
  });

  it('passes on a value that is not an event (a map branch’s undefined) as it is', () => {
    const seen: unknown[] = [];
    let failure: unknown;
    of(undefined as unknown as LogEvent)
      .pipe(redact({ keys: /token/i }))
      .subscribe({ next: (e) => seen.push(e), error: (e: unknown) => (failure = e) });
    expect(failure).toBeUndefined();
    expect(seen).toEqual([undefined]);
  });

  it('rejects bad options at once', () => {
    expect(() => redact({})).toThrow(ConfigurationError);
    expect(() => redact({ paths: ['.x'] })).toThrow(/redact: paths\[0\]/);
  });
});
