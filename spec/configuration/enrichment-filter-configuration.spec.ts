import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { Enricher } from '../../lib/core/enricher';
import type { EventPredicate } from '../../lib/operators/event-predicate';
import { enrich } from '../../lib/operators/enrich';
import { filterEvents } from '../../lib/operators/filter-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { collectSelfLog } from '../helpers/self-log';

/**
 * `callback` behind a Proxy whose `name` cannot be read (as a mocking library's or a membrane's
 * Proxy may refuse it). The pipeline names an enricher or filter in SelfLog's messages; reading
 * that name threw on every event, outside the guard that catches the callback's own faults.
 */
function nameless<T extends object>(callback: T): T {
  return new Proxy(callback, {
    get(target, key) {
      if (key === 'name') throw new Error('no name here');
      return Reflect.get(target, key) as unknown;
    },
  });
}

describe('enrich.with and filter.by… with a callback whose name cannot be read', () => {
  let selfLog: ReturnType<typeof collectSelfLog>;
  beforeEach(() => (selfLog = collectSelfLog()));
  afterEach(() => selfLog.stop());

  it('enriches every event with what the enricher returns, and loses none', () => {
    const memory = new MemorySink();
    const enricher: Enricher = () => ({ Host: 'web-1' });
    const log = new LoggerConfiguration().enrich.with(nameless(enricher)).writeTo.sink(memory).createLogger();
    log.information('a');
    log.information('b');
    expect(memory.events.map((e) => [e.renderMessage(), e.properties.Host])).toEqual([
      ['a', 'web-1'],
      ['b', 'web-1'],
    ]);
    expect(log.metrics().sinks.memory.delivered).toBe(2);
  });

  it('passes the event on unenriched when such an enricher throws, and reports it as anonymous', () => {
    const memory = new MemorySink();
    const enricher: Enricher = () => {
      throw new Error('enricher broke');
    };
    const log = new LoggerConfiguration().enrich.with(nameless(enricher)).writeTo.sink(memory).createLogger();
    log.information('a');
    log.information('b');
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['a', 'b']);
    expect(selfLog.diagnostics.map((d) => [d.template, d.args[0]])).toContainEqual([
      'Enricher {Name} failed; event passed on unenriched',
      'anonymous',
    ]);
  });

  it('keeps the event a throwing byIncludingOnly predicate saw, and follows its answers after', () => {
    const memory = new MemorySink();
    let calls = 0;
    const predicate: EventPredicate = (event) => {
      if (calls++ === 0) throw new Error('predicate broke');
      return event.renderMessage() !== 'drop';
    };
    const log = new LoggerConfiguration().filter.byIncludingOnly(nameless(predicate)).writeTo.sink(memory).createLogger();
    log.information('kept though the predicate threw');
    log.information('drop');
    log.information('kept');
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['kept though the predicate threw', 'kept']);
    expect(log.metrics()).toMatchObject({ logged: 3, filtered: 1, sinks: { memory: { delivered: 2 } } });
  });

  it('is taken by byExcluding, whose answers are followed', () => {
    const memory = new MemorySink();
    const predicate: EventPredicate = (event) => event.renderMessage() === 'drop';
    const log = new LoggerConfiguration().filter.byExcluding(nameless(predicate)).writeTo.sink(memory).createLogger();
    log.information('drop');
    log.information('kept');
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['kept']);
    expect(log.metrics()).toMatchObject({ logged: 2, filtered: 1 });
  });

  it('reports a Promise-returning predicate as anonymous and keeps its events', () => {
    const memory = new MemorySink();
    const predicate = (() => Promise.resolve(false)) as unknown as EventPredicate;
    const log = new LoggerConfiguration().filter.byIncludingOnly(nameless(predicate)).writeTo.sink(memory).createLogger();
    log.information('a');
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['a']);
    expect(selfLog.diagnostics.map((d) => d.message.replace(/^.* rxlog: /, ''))).toContain(
      'Filter anonymous returned a Promise; it must answer synchronously, so the Promise is ignored',
    );
  });
});

// The same callbacks given to the operators in a sink's pipe: the name is read only to report,
// and guarded there, wherever the callback was given.
describe('filterEvents and enrich in a sink pipe with a callback whose name cannot be read', () => {
  let selfLog: ReturnType<typeof collectSelfLog>;
  beforeEach(() => (selfLog = collectSelfLog()));
  afterEach(() => selfLog.stop());

  it('follows the answers of such a filter, keeps what it threw on, and reports it as anonymous', () => {
    const memory = new MemorySink();
    let calls = 0;
    const predicate: EventPredicate = (event) => {
      if (calls++ === 0) throw new Error('predicate broke');
      return event.renderMessage() !== 'drop';
    };
    const log = new LoggerConfiguration().writeTo.sink(memory, { pipe: [filterEvents(nameless(predicate))] }).createLogger();
    for (const message of ['kept though the predicate threw', 'drop', 'kept']) log.information(message);
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['kept though the predicate threw', 'kept']);
    expect(selfLog.diagnostics.map((d) => [d.template, d.args[0]])).toContainEqual([
      'Filter {Name} failed; event kept',
      'anonymous',
    ]);
    const sink = log.metrics().sinks.memory;
    expect(sink.received).toBe(sink.delivered + sink.dropped + sink.failed + sink.pending);
  });

  it('enriches with such an enricher, and passes events on unenriched when it throws', () => {
    const memory = new MemorySink();
    let calls = 0;
    const enricher: Enricher = () => {
      if (calls++ === 1) throw new Error('enricher broke');
      return { Host: 'web-1' };
    };
    const log = new LoggerConfiguration().writeTo.sink(memory, { pipe: [enrich(nameless(enricher))] }).createLogger();
    for (const message of ['a', 'b', 'c']) log.information(message);
    expect(memory.events.map((e) => [e.renderMessage(), e.properties.Host])).toEqual([
      ['a', 'web-1'],
      ['b', undefined],
      ['c', 'web-1'],
    ]);
    expect(selfLog.diagnostics.map((d) => [d.template, d.args[0]])).toContainEqual([
      'Enricher {Name} failed; event passed on unenriched',
      'anonymous',
    ]);
  });
});

// Serilog's Enrich.WithProperty makes a PropertyEnricher, whose constructor throws on a name that
// string.IsNullOrWhiteSpace refuses (LogEventProperty.EnsureValidName); forContext refuses the same names.
describe('enrich.withProperty’s name, checked against Serilog’s PropertyEnricher', () => {
  it.each<[string, unknown]>([
    ['empty', ''],
    ['a space', ' '],
    ['white space', '\t\n  '],
    ['not a string', 42],
    ['undefined', undefined],
  ])('refuses a name that is %s with a ConfigurationError naming it', (_, name) => {
    expect(() => new LoggerConfiguration().enrich.withProperty(name as string, 'v')).toThrow(
      /^enrich\.withProperty: expected a property name that is not empty or white space, got /,
    );
  });

  it('keeps a name with white space around other characters as it is, as Serilog does', () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().enrich.withProperty(' App ', 'shop').writeTo.sink(sink).createLogger();
    log.information('Hello');
    expect(sink.events[0].properties).toEqual({ ' App ': 'shop' });
  });
});

// Serilog's Enrich.With<ThreadIdEnricher>() and Filter.With<TFilter>() take a class; a class given
// here is called without `new` and throws on every call, so every event went on unenriched (or
// kept by a filter meant to drop it, or every captured object became '[Throws: …]'), told only to
// SelfLog, which is off by default.
describe('a class given where configuration calls a function', () => {
  class ThreadIdEnricher {
    enrich(): Record<string, unknown> {
      return { ThreadId: 1 };
    }
  }
  const classes: [string, (c: LoggerConfiguration) => unknown, string][] = [
    [
      'enrich.with',
      (c) => c.enrich.with(ThreadIdEnricher as never),
      'enrich.with[0]: expected an enricher function, not a class',
    ],
    [
      'filter.byExcluding',
      (c) => c.filter.byExcluding(ThreadIdEnricher as never),
      'filter.byExcluding: expected a predicate function, not a class',
    ],
    [
      'filter.byIncludingOnly',
      (c) => c.filter.byIncludingOnly(class {} as never),
      'filter.byIncludingOnly: expected a predicate function, not a class',
    ],
    ['pipe', (c) => c.pipe((x) => x, ThreadIdEnricher as never), 'pipe[1]: expected an operator function, not a class'],
    [
      'a sink’s pipe',
      (c) => c.writeTo.sink(new MemorySink(), { pipe: [ThreadIdEnricher as never] }),
      'writeTo.sink(memory).pipe[0]: expected an operator function, not a class',
    ],
    [
      'destructure.byTransforming’s transform',
      (c) => c.destructure.byTransforming(Date, ThreadIdEnricher as never),
      'destructure.byTransforming: expected a transform function, not a class',
    ],
    [
      'destructure.byTransformingWhere’s predicate',
      (c) => c.destructure.byTransformingWhere(ThreadIdEnricher as never, (value) => value),
      'destructure.byTransformingWhere: expected a predicate function, not a class',
    ],
  ];

  it.each(classes)('refuses one given to %s, naming it', (_, configure, message) => {
    expect(() => configure(new LoggerConfiguration())).toThrow(message);
    expect(() => configure(new LoggerConfiguration())).toThrow(/got function (ThreadIdEnricher|\(anonymous\))$/);
  });

  it('takes functions that are no class: a method named class, and a built-in constructor such as Boolean', () => {
    const sink = new MemorySink();
    const methods = {
      class(): Record<string, unknown> {
        return { Method: true };
      },
    };
    const log = new LoggerConfiguration().enrich
      .with(methods.class)
      .filter.byIncludingOnly(Boolean)
      .writeTo.sink(sink)
      .createLogger();
    log.information('kept');
    expect(sink.events.map((e) => [e.renderMessage(), e.properties.Method])).toEqual([['kept', true]]);
  });
});
