import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { map, throwError } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../lib/core/level-switch';
import { minimumLevel } from '../../lib/operators/minimum-level';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { filterEvents } from '../../lib/operators/filter-events';
import type { LogEvent } from '../../lib/core/log-event';
import { collectSelfLog } from '../helpers/self-log';
import type { Sink } from '../../lib/core/sink';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { ObservableSink } from '../../lib/sinks/observable-sink';
import { HttpSink } from '../../lib/sinks/http/http-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { LokiSink } from '../../lib/sinks/http/loki-sink';

function levels(memory: MemorySink): string[] {
  return memory.events.map((e) => e.level);
}

describe('LoggerConfiguration', () => {
  describe('minimumLevel', () => {
    it('defaults to information, as in Serilog', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      log.debug('hidden');
      log.information('shown');
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['shown']);
    });

    it('sets the level by method or by name, aliases included', () => {
      for (const [configure, expected] of [
        [(c: LoggerConfiguration) => c.minimumLevel.verbose(), ['verbose', 'debug', 'information', 'warning', 'error', 'fatal']],
        [(c: LoggerConfiguration) => c.minimumLevel.debug(), ['debug', 'information', 'warning', 'error', 'fatal']],
        [(c: LoggerConfiguration) => c.minimumLevel.is('WARN'), ['warning', 'error', 'fatal']],
        [(c: LoggerConfiguration) => c.minimumLevel.error(), ['error', 'fatal']],
        [(c: LoggerConfiguration) => c.minimumLevel.fatal(), ['fatal']],
      ] as const) {
        const memory = new MemorySink();
        const log = configure(new LoggerConfiguration()).writeTo.sink(memory).createLogger();
        log.verbose('v');
        log.debug('d');
        log.information('i');
        log.warning('w');
        log.error('e');
        log.fatal('f');
        expect(levels(memory)).toEqual(expected);
      }
    });

    it('throws a ConfigurationError naming an unknown level', () => {
      expect(() => new LoggerConfiguration().minimumLevel.is('loud')).toThrow(ConfigurationError);
      expect(() => new LoggerConfiguration().minimumLevel.is('loud')).toThrow(/minimumLevel\.is: unknown level "loud"/);
    });

    it('throws naming the prefix of an override whose level is not a level, and takes a LevelSwitch as it is', () => {
      expect(() => new LoggerConfiguration().minimumLevel.override(' Orders ', 'loud')).toThrow(
        /^minimumLevel\.override\("Orders"\): unknown level "loud"/,
      );
      // Quoted as JSON: a prefix with a quote read as `override("Shop"Db")`.
      expect(() => new LoggerConfiguration().minimumLevel.override('Shop"Db\n', 'loud')).toThrow(
        /^minimumLevel\.override\("Shop\\"Db"\): unknown level "loud"/,
      );
      const sw = new LevelSwitch('error');
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel.override('Orders', sw).writeTo.sink(memory).createLogger();
      const orders = log.forContext('SourceContext', 'Orders');
      orders.warning('hidden');
      sw.level = 'warning';
      orders.warning('shown');
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['shown']);
    });

    it('refuses a LevelSwitch whose level cannot be read, so that no logging call throws on it later', () => {
      // It carries LevelSwitch's mark (on the prototype) but no level: every logging call would throw reading it.
      const markOnly = Object.create(LevelSwitch.prototype) as LevelSwitch;
      class Broken extends LevelSwitch {
        override get value(): number {
          return Number.NaN;
        }
      }
      for (const sw of [markOnly, new Broken()]) {
        expect(() => new LoggerConfiguration().minimumLevel.controlledBy(sw)).toThrow(
          /^minimumLevel\.controlledBy: (reading the LevelSwitch's level threw TypeError|expected a LevelSwitch at one of the six levels, got number NaN)/,
        );
        expect(() => new LoggerConfiguration().minimumLevel.override('Orders', sw)).toThrow(
          /^minimumLevel\.override\("Orders"\): /,
        );
        expect(() => new LoggerConfiguration().writeTo.sink(new MemorySink(), { minimumLevel: sw })).toThrow(
          /^writeTo\.sink\(memory\)\.minimumLevel: /,
        );
        expect(() => minimumLevel(sw)).toThrow(ConfigurationError);
      }
    });

    it('takes a LevelSwitch whose prototype chain never ends without walking it for ever', () => {
      // A Proxy whose getPrototypeOf gives itself, around a switch: run in a child process with a
      // timeout, as a configuration that walks the chain for ever would hang.
      const fixture = path.join(__dirname, 'fixtures', 'prototype-loop.ts');
      const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, 'switch'], { encoding: 'utf8', timeout: 20_000 });
      expect(child.stderr).toBe('');
      expect(child.signal).toBeNull();
      expect(child.stdout).toBe('switch taken: root, orders\n');
    });

    it('follows a LevelSwitch at once', () => {
      const sw = new LevelSwitch('warning');
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel.controlledBy(sw).writeTo.sink(memory).createLogger();
      log.information('before');
      sw.level = 'debug';
      log.debug('after');
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['after']);
      expect(log.isEnabled('debug')).toBe(true);
    });

    it('overrides the level for a SourceContext prefix, the longest prefix winning', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel
        .information()
        .minimumLevel.override('Orders', 'warning')
        .minimumLevel.override('Orders.Audit', 'debug')
        .writeTo.sink(memory)
        .createLogger();
      log.forContext('SourceContext', 'Orders.Api').information('orders info');
      log.forContext('SourceContext', 'Orders.Api').warning('orders warning');
      log.forContext('SourceContext', 'Orders.Audit.Trail').debug('audit debug');
      log.forContext('SourceContext', 'OrdersX').information('not a prefix match');
      log.child({ SourceContext: 'Orders' }).information('exact prefix');
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['orders warning', 'audit debug', 'not a prefix match']);
    });

    it('reads a boxed String SourceContext as its text, as the events carry it; another value picks no override', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel
        .information()
        .minimumLevel.override('Orders', 'warning')
        .writeTo.sink(memory)
        .createLogger();
      const boxed = log.child({ SourceContext: new String('Orders.Api') });
      boxed.information('boxed info');
      boxed.warning('boxed warning');
      log.child({ SourceContext: 42 }).information('number info');
      const written = memory.events.map((e) => [e.renderMessage(), e.properties.SourceContext]);
      expect(written).toEqual([
        ['boxed warning', 'Orders.Api'],
        ['number info', 42],
      ]);
      expect(new CompactJsonFormatter().format(memory.events[0])).toContain('"SourceContext":"Orders.Api"');
      expect(new TextFormatter('[{SourceContext}] {Message}').format(memory.events[0])).toBe('[Orders.Api] boxed warning');
    });
  });

  describe('enrich', () => {
    it('adds fixed and computed properties without overwriting the event’s own', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .withProperty('App', 'shop')
        .enrich.with(() => ({ Host: 'web-1', UserId: 'from-enricher' }))
        .writeTo.sink(memory)
        .createLogger();
      log.information('User {UserId} in', 42);
      expect(memory.events[0].properties).toEqual({ UserId: 42, App: 'shop', Host: 'web-1' });
    });

    it('adds the LogContext properties in force where the event was logged', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
      LogContext.run({ RequestId: 'r-7' }, () => log.information('inside'));
      log.information('outside');
      expect(memory.events.map((e) => e.properties)).toEqual([{ RequestId: 'r-7' }, {}]);
    });

    it('throws when an enricher is not a function', () => {
      expect(() => new LoggerConfiguration().enrich.with('nope' as never)).toThrow(
        /enrich\.with\[0\]: expected an enricher function, got "nope"/,
      );
    });
  });

  describe('filter', () => {
    it('excludes and includes events, counting what it removed', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().filter
        .byExcluding((e) => e.properties.Path === '/health')
        .filter.byIncludingOnly((e) => e.level !== 'verbose')
        .writeTo.sink(memory)
        .createLogger();
      log.information('GET {Path}', '/health');
      log.information('GET {Path}', '/orders');
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['GET /orders']);
      expect(log.metrics().filtered).toBe(1);
      expect(log.metrics().logged).toBe(2);
    });

    it('throws when a predicate is not a function', () => {
      expect(() => new LoggerConfiguration().filter.byExcluding(undefined as never)).toThrow(
        /filter\.byExcluding: expected a predicate function, got undefined/,
      );
    });
  });

  describe('pipe', () => {
    it('runs app operators on the shared stream before every sink', () => {
      const a = new MemorySink();
      const b = new MemorySink();
      const log = new LoggerConfiguration()
        .pipe(
          map((e) => new LogEventRecord(e.timestamp, e.level, e.messageTemplate, { ...e.properties, Piped: true }, e.exception)),
        )
        .writeTo.sink(a)
        .writeTo.sink(b)
        .createLogger();
      log.information('x');
      expect(a.events[0].properties).toEqual({ Piped: true });
      expect(b.events[0].properties).toEqual({ Piped: true });
    });

    it('throws naming an operator that is not a function by its index, in .pipe() and in a sink’s pipe', () => {
      expect(() =>
        new LoggerConfiguration().pipe(
          map((e) => e),
          null as never,
        ),
      ).toThrow(new ConfigurationError('pipe[1]: expected an operator function, got null'));
      expect(() => new LoggerConfiguration().writeTo.sink(new MemorySink(), { pipe: [map((e) => e), 'x' as never] })).toThrow(
        new ConfigurationError('writeTo.sink(memory).pipe[1]: expected an operator function, got "x"'),
      );
    });
  });

  describe('writeTo', () => {
    it('names sinks by kind, numbering repeats', () => {
      const log = new LoggerConfiguration().writeTo
        .sink(new MemorySink())
        .writeTo.sink(new MemorySink())
        .writeTo.sink({ emit: () => undefined })
        .writeTo.sink(new MemorySink(), { name: 'audit' })
        .createLogger();
      expect(Object.keys(log.metrics().sinks)).toEqual(['memory', 'memory-2', 'sink', 'audit']);
    });

    it('gives each sink its own minimum level and operators', () => {
      const all = new MemorySink();
      const errors = new MemorySink();
      const log = new LoggerConfiguration().writeTo
        .sink(all)
        .writeTo.sink(errors, {
          minimumLevel: 'error',
          pipe: [map((e) => new LogEventRecord(e.timestamp, e.level, e.messageTemplate, { Tagged: 1 }, e.exception))],
        })
        .createLogger();
      log.information('a');
      log.error('b');
      expect(levels(all)).toEqual(['information', 'error']);
      expect(errors.events.map((e) => [e.level, e.properties])).toEqual([['error', { Tagged: 1 }]]);
    });

    it('lets a sink’s minimum level only raise the logger’s, a lower override reaching it, as Serilog’s restrictedToMinimumLevel', () => {
      const debugSink = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel
        .information()
        .minimumLevel.override('Orders', 'debug')
        .writeTo.sink(debugSink, { minimumLevel: 'debug' })
        .createLogger();
      log.debug('root debug');
      log.forContext('SourceContext', 'Orders.Api').debug('orders debug');
      log.forContext('SourceContext', 'Orders.Api').verbose('orders verbose');
      expect(debugSink.events.map((e) => e.renderMessage())).toEqual(['orders debug']);
    });

    it('rejects a sink without emit, naming what it got', () => {
      expect(() => new LoggerConfiguration().writeTo.sink({} as Sink)).toThrow(
        /writeTo\.sink: expected a sink with an emit\(events\) method, got Object/,
      );
      expect(() => new LoggerConfiguration().writeTo.sink(null as unknown as Sink)).toThrow(ConfigurationError);
    });

    it('rejects out-of-range delivery options with their path and value', () => {
      const memory = new MemorySink();
      expect(() => new LoggerConfiguration().writeTo.sink(memory, { queue: { limit: -1 } })).toThrow(
        'writeTo.sink(memory).queue.limit: expected a whole number of events ≥ 1, got number -1',
      );
      // A string reads as one, not as the number it spells ("got 5" read as a valid limit).
      expect(() => new LoggerConfiguration().writeTo.sink(memory, { queue: { limit: '5' as never } })).toThrow(
        'writeTo.sink(memory).queue.limit: expected a whole number of events ≥ 1, got "5"',
      );
      expect(() => new LoggerConfiguration().writeTo.sink(memory, { batch: { size: 0 } })).toThrow(
        /writeTo\.sink\(memory\)\.batch\.size/,
      );
      expect(() => new LoggerConfiguration().writeTo.sink(memory, { queue: { overflow: 'drop-all' as never } })).toThrow(
        /writeTo\.sink\(memory\)\.queue\.overflow: unknown policy "drop-all"/,
      );
      expect(() => new LoggerConfiguration().writeTo.sink(memory, { minimumLevel: 'loud' })).toThrow(
        /writeTo\.sink\(memory\)\.minimumLevel: unknown level "loud" \(expected one of verbose, debug, information, warning, error, fatal, or trace, info, warn\)/,
      );
      expect(() => new LoggerConfiguration().writeTo.sink(memory, { minimumLevel: Object.create(null) as string })).toThrow(
        /writeTo\.sink\(memory\)\.minimumLevel: unknown level object \(expected one of/,
      );
      expect(() => new LoggerConfiguration().writeTo.sink(memory, { fallback: {} as Sink })).toThrow(/fallback: expected a sink/);
    });

    it('rejects a duplicate sink name', () => {
      expect(() =>
        new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'x' }).writeTo.sink(new MemorySink(), { name: 'x' }),
      ).toThrow(/a sink named "x" is already configured/);
    });

    // metrics().sinks and the shutdown report are keyed by name: a sink named __proto__ would set
    // their prototype instead of being listed, and its accounting would vanish.
    it('rejects the name __proto__, and names a sink whose kind is __proto__ "sink"', async () => {
      expect(() => new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: '__proto__' })).toThrow(
        /writeTo\.sink: expected a non-blank name other than "__proto__", got "__proto__"/,
      );
      const log = new LoggerConfiguration().writeTo.sink({ kind: '__proto__', emit: () => undefined }).createLogger();
      log.information('x');
      expect(Object.keys(log.metrics().sinks)).toEqual(['sink']);
      expect(Object.keys((await log.close()).sinks)).toEqual(['sink']);
    });
  });

  // Found by review: an operator that failed when the logger applied it (a factory given without
  // calling it) was only a SelfLog line, and the logger then dropped every event through it: with
  // .pipe(), every event of every sink.
  it.each<[string, (c: LoggerConfiguration, memory: MemorySink) => LoggerConfiguration, string, string]>([
    [
      'an operator factory not called, in .pipe()',
      (c, memory) => c.pipe(throttleEvents as never).writeTo.sink(memory),
      'pipe[0]',
      'ConfigurationError: throttleEvents: unknown option',
    ],
    [
      'an operator factory not called, in a sink pipe',
      (c, memory) => c.writeTo.sink(memory, { name: 'audit', pipe: [map((e: LogEvent) => e), filterEvents as never] }),
      'audit.pipe[1]',
      'ConfigurationError: filterEvents: expected a predicate function',
    ],
    [
      'an operator whose Observable fails on subscription',
      (c, memory) =>
        c.writeTo.sink(memory, {
          pipe: [() => throwError(() => new Error('no connection'))],
        }),
      'memory.pipe[0]',
      'Error: no connection',
    ],
    [
      'an operator that returns no Observable',
      (c, memory) => c.pipe((() => undefined) as never).writeTo.sink(memory),
      'pipe[0]',
      'TypeError',
    ],
  ])(
    'throws a ConfigurationError from createLogger for %s, naming it, and again on a second call',
    (_, configure, where, cause) => {
      const selfLog = collectSelfLog();
      try {
        const configuration = configure(new LoggerConfiguration(), new MemorySink());
        for (let call = 0; call < 2; call++) {
          let thrown: unknown;
          try {
            configuration.createLogger();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(ConfigurationError);
          expect((thrown as Error).message).toContain(
            `createLogger: operator ${where} failed when applied, so it would drop every event`,
          );
          expect((thrown as Error).message).toContain(cause);
          expect((thrown as Error).cause).toBeDefined();
        }
        // Thrown instead of reported.
        expect(selfLog.diagnostics).toEqual([]);
      } finally {
        selfLog.stop();
      }
    },
  );

  it('still builds a logger whose .pipe() operator is only applied when events$ is first subscribed (no sinks)', () => {
    const selfLog = collectSelfLog();
    try {
      const log = new LoggerConfiguration().pipe((() => undefined) as never).createLogger();
      const subscription = log.events$.subscribe();
      log.information('x');
      subscription.unsubscribe();
      expect(selfLog.diagnostics.map((d) => [d.template, d.args[0]])).toEqual([
        ['Operator {Where} failed to start; events dropped', 'pipe[0]'],
      ]);
    } finally {
      selfLog.stop();
    }
  });

  it('builds one logger per configuration', () => {
    const configuration = new LoggerConfiguration();
    configuration.createLogger();
    expect(() => configuration.createLogger()).toThrow(/already created a logger/);
  });

  it('refuses every builder call after createLogger, naming it, and leaves the logger as it was built', async () => {
    const memory = new MemorySink();
    const configuration = new LoggerConfiguration().filter.byExcluding(() => false).writeTo.sink(memory);
    const log = configuration.createLogger();
    // Each call would be lost without a word: the logger is built and cannot change.
    const late: [string, () => unknown][] = [
      ['minimumLevel.debug', () => configuration.minimumLevel.debug()],
      ['minimumLevel.is', () => configuration.minimumLevel.is('verbose')],
      ['minimumLevel.controlledBy', () => configuration.minimumLevel.controlledBy(new LevelSwitch())],
      ['minimumLevel.override', () => configuration.minimumLevel.override('Orders', 'debug')],
      ['enrich.withProperty', () => configuration.enrich.withProperty('A', 1)],
      ['enrich.with', () => configuration.enrich.with(() => ({ B: 2 }))],
      ['enrich.fromLogContext', () => configuration.enrich.fromLogContext()],
      ['filter.byExcluding', () => configuration.filter.byExcluding(() => true)],
      ['filter.byIncludingOnly', () => configuration.filter.byIncludingOnly(() => false)],
      ['writeTo.sink', () => configuration.writeTo.sink(new MemorySink())],
      ['writeTo.console', () => configuration.writeTo.console()],
      ['destructure.redact', () => configuration.destructure.redact({ paths: ['Secret'] })],
      ['pipe', () => configuration.pipe(map((e) => e))],
      ['useScheduler', () => configuration.useScheduler({ now: () => 0, schedule: () => ({}) } as never)],
    ];
    for (const [where, call] of late) {
      expect(call).toThrow(ConfigurationError);
      expect(call).toThrow(new RegExp(`^${where.replace('.', '\\.')}: this configuration already created its logger`));
    }
    log.debug('Token {Secret}', 's-0');
    log.information('Token {Secret}', 's-1');
    expect(memory.events.map((e) => e.properties)).toEqual([{ Secret: 's-1' }]);
    expect(log.metrics().filtered).toBe(0);
    expect(Object.keys(log.metrics().sinks)).toEqual(['memory']);
    await log.close();
  });

  it('rejects something that is not a scheduler', () => {
    expect(() => new LoggerConfiguration().useScheduler({} as never)).toThrow(/useScheduler: expected an RxJS SchedulerLike/);
  });
});

describe('LoggerConfiguration batch defaults', () => {
  it('batches a sink that declares batchDefaults unless its options say otherwise', () => {
    const batches: number[] = [];
    const batching = {
      batchDefaults: { size: 3, maxDelayMs: 1_000 },
      emit: (events: readonly unknown[]) => void batches.push(events.length),
    };
    const log = new LoggerConfiguration().writeTo.sink(batching).createLogger();
    for (let i = 0; i < 7; i++) log.information('e');
    expect(batches).toEqual([3, 3]);

    const unbatched: number[] = [];
    const overridden = {
      batchDefaults: { size: 3, maxDelayMs: 1_000 },
      emit: (events: readonly unknown[]) => void unbatched.push(events.length),
    };
    const log2 = new LoggerConfiguration().writeTo.sink(overridden, { batch: { size: 1, maxDelayMs: 0 } }).createLogger();
    log2.information('a');
    log2.information('b');
    expect(unbatched).toEqual([1, 1]);
  });
});

describe('sink names', () => {
  it('come from each sink’s declared kind, never from its class name', () => {
    class RenamedByAMinifier {
      readonly kind = 'audit';
      emit(): void {}
    }
    class Anonymous {
      emit(): void {}
    }
    const log = new LoggerConfiguration().writeTo
      .sink(new RenamedByAMinifier())
      .writeTo.sink(new Anonymous())
      .writeTo.sink({ emit: () => undefined })
      .writeTo.sink(new MemorySink())
      .writeTo.sink(new ObservableSink())
      .writeTo.console({ stdout: { write: () => true } })
      .createLogger();
    expect(Object.keys(log.metrics().sinks)).toEqual(['audit', 'sink', 'sink-2', 'memory', 'observable', 'console']);
  });

  it('are the declared kind in lower case, numbered as one kind whatever its case', () => {
    const log = new LoggerConfiguration().writeTo
      .sink({ kind: 'Kafka', emit: () => undefined })
      .writeTo.sink({ kind: 'KAFKA', emit: () => undefined })
      .writeTo.sink({ kind: '__PROTO__', emit: () => undefined })
      .createLogger();
    expect(Object.keys(log.metrics().sinks)).toEqual(['kafka', 'kafka-2', 'sink']);
  });

  it('come from the kind of every built-in sink', () => {
    const kinds = [
      new HttpSink({ url: 'http://127.0.0.1:9/' }),
      new SeqSink({ serverUrl: 'http://127.0.0.1:9' }),
      new OtlpSink({ endpoint: 'http://127.0.0.1:9' }),
      new LokiSink({ url: 'http://127.0.0.1:9' }),
    ].map((sink) => sink.kind);
    expect(kinds).toEqual(['http', 'seq', 'otlp', 'loki']);
  });
});

// Under exactOptionalPropertyTypes (TypeScript 5.9's `tsc --init` turns it on) an option read from
// the environment (`{ apiKey: process.env.SEQ_API_KEY }`) is given as undefined: rxlog's option
// types say `| undefined`, and undefined means the default, as leaving the option out does.
describe('options given as undefined', () => {
  it('mean their defaults in writeTo.sink, the HTTP sinks and close', async () => {
    const memory = new MemorySink();
    const http = new HttpSink({ url: 'http://127.0.0.1:9/logs', headers: undefined, offline: undefined, beacon: undefined });
    const seq = new SeqSink({ serverUrl: 'http://127.0.0.1:9', apiKey: undefined, headers: undefined });
    expect([http.kind, seq.kind]).toEqual(['http', 'seq']);
    const log = new LoggerConfiguration().writeTo
      .sink(memory, {
        name: undefined,
        minimumLevel: undefined,
        pipe: undefined,
        queue: undefined,
        batch: undefined,
        retry: undefined,
        circuitBreaker: undefined,
        fallback: undefined,
      })
      .createLogger();
    log.information('Hello {Name}', 'world');
    expect(Object.keys(log.metrics().sinks)).toEqual(['memory']);
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['Hello world']);
    const report = await log.close({ strategy: undefined, timeoutMs: undefined });
    expect(report.sinks.memory).toMatchObject({ delivered: 1 });
    http.close();
    seq.close();
  });
});

// Found by a review: a hostile Proxy given where one value is expected (not an options object)
// let its traps' raw Error escape from the check meant to name it.
describe('LoggerConfiguration given a hostile Proxy as a value', () => {
  const hostile = <T extends object>(target: T): T =>
    new Proxy(target, {
      get: () => {
        throw new Error('get trap');
      },
      getPrototypeOf: () => {
        throw new Error('getPrototypeOf trap');
      },
      has: () => {
        throw new Error('has trap');
      },
    });
  it.each([
    ['useScheduler', () => new LoggerConfiguration().useScheduler(hostile({}) as never)],
    ['minimumLevel.controlledBy', () => new LoggerConfiguration().minimumLevel.controlledBy(hostile({}) as never)],
    ['minimumLevel.is', () => new LoggerConfiguration().minimumLevel.is(hostile({}) as never)],
    ['minimumLevel.override', () => new LoggerConfiguration().minimumLevel.override('App', hostile({}) as never)],
    ['filter.byExcluding', () => new LoggerConfiguration().filter.byExcluding(hostile({}) as never)],
    ['writeTo.sink', () => new LoggerConfiguration().writeTo.sink(hostile({}) as never)],
  ])('%s throws a ConfigurationError naming the call', (where, build) => {
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(new RegExp(where.replace('.', '\\.')));
  });
  it('names a hostile value it cannot describe as unreadable', () => {
    const fn = new Proxy(() => undefined, {
      get: () => {
        throw new Error('get trap');
      },
    });
    expect(() => new LoggerConfiguration().filter.byExcluding(fn as never)).not.toThrow();
    expect(() => new LoggerConfiguration().minimumLevel.is(fn as never)).toThrow(/minimumLevel\.is.*an unreadable function/);
  });
  it('keeps what a scheduler or a context store threw when read as the cause', () => {
    const scheduler = hostile({});
    expect(() => new LoggerConfiguration().useScheduler(scheduler as never)).toThrow(
      'useScheduler: reading the scheduler threw Error: get trap',
    );
    expect(() => LogContext.useStore(hostile({}) as never)).toThrow(
      'LogContext.useStore: reading the store threw Error: get trap',
    );
  });
});
