import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../lib/core/level-switch';
import type { LogEvent } from '../../lib/core/log-event';
import { filterEvents } from '../../lib/operators/filter-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { DisposeTrackingSink } from '../helpers/dispose-tracking-sink';
import { collectSelfLog } from '../helpers/self-log';
import { createTestScheduler } from '../helpers/test-scheduler';

// Serilog's test checks that a logger lets its configuration be collected; so does this one, with V8's gc().
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const messages = (sink: MemorySink): string[] => sink.events.map((e) => e.renderMessage());

// The reference tests, case by case (serilog/serilog at 60935b4). Cases with no counterpart in
// rxlog's API are listed at the end of the describe, with the reason.
describe('Serilog test/Serilog.Tests/Configuration/LoggerConfigurationTests.cs', () => {
  it('LoggerShouldNotReferenceToItsConfigurationAfterBeingCreated', async () => {
    function createLogger(): { logger: unknown; configuration: WeakRef<LoggerConfiguration> } {
      const configuration = new LoggerConfiguration().enrich
        .withProperty('A', 1)
        .filter.byExcluding(() => false)
        .minimumLevel.override('Orders', 'debug')
        .writeTo.sink(new MemorySink());
      return { logger: configuration.createLogger(), configuration: new WeakRef(configuration) };
    }
    const { logger, configuration } = createLogger();
    // A WeakRef's target is kept until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(configuration.deref()).toBeUndefined();
    expect(logger).toBeDefined();
  });

  it('CreateLoggerThrowsIfCalledMoreThanOnce (a ConfigurationError, where Serilog throws InvalidOperationException)', () => {
    const configuration = new LoggerConfiguration();
    configuration.createLogger();
    expect(() => configuration.createLogger()).toThrow(ConfigurationError);
  });

  it('DisposableSinksAreDisposedAlongWithRootLogger', async () => {
    const sink = new DisposeTrackingSink('async');
    const log = new LoggerConfiguration().writeTo.sink(sink).createLogger();
    await log.close();
    expect(sink.isDisposed).toBe(true);
  });

  // Deliberate difference (docs/configuration.md, "Context and child loggers"): a contextual
  // logger shares its parent's one pipeline, so its close() closes that pipeline and its sinks,
  // where Serilog's contextual logger ignores Dispose(). Log.logger = log.forContext(…) then
  // Log.closeAndFlush(), and installProcessHooks(child), rely on it.
  it('DisposableSinksAreNotDisposedAlongWithContextualLoggers: in rxlog a contextual logger’s close() closes the shared pipeline', async () => {
    const sink = new DisposeTrackingSink('async');
    const log = new LoggerConfiguration().writeTo.sink(sink).createLogger();
    const report = await log.forContext('SourceContext', 'Serilog.Tests.Configuration.LoggerConfigurationTests').close();
    expect(sink.isDisposed).toBe(true);
    expect(await log.close()).toBe(report);
  });

  it('AFilterPreventsMatchedEventsFromPassingToTheSink', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(memory)
      .filter.byIncludingOnly((e) => e.messageTemplate.text !== 'excluded')
      .createLogger();
    log.information('included');
    log.information('excluded');
    expect(messages(memory)).toEqual(['included']);
  });

  it('TransformationsAreAppliedToEventProperties', () => {
    class AB {
      A = 0;
      B = 0;
    }
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(memory)
      .destructure.byTransforming(AB, (ab) => ({ C: ab.B }))
      .createLogger();
    log.information('{@AB}', new AB());
    expect(memory.events[0].properties.AB).toEqual({ C: 0 });
  });

  // A class's own toJSON() is the other way to the same end, with no configuration.
  it('TransformationsAreAppliedToEventProperties: through toJSON()', () => {
    class AB {
      A = 0;
      B = 0;
      toJSON(): unknown {
        return { C: this.B };
      }
    }
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    log.information('{@AB}', new AB());
    expect(memory.events[0].properties.AB).toEqual({ C: 0 });
  });

  // Destructure.AsScalar(typeof(AB)): a transform to the value's text (docs/configuration.md's
  // Serilog table), which capture keeps as a string with @ too, at any depth.
  it('SpecifyingThatATypeIsScalarCausesItToBeLoggedAsScalarEvenWhenDestructuring: byTransforming to its text', () => {
    class AB {
      A = 0;
      B = 0;
      toString(): string {
        return `AB(${this.A}, ${this.B})`;
      }
    }
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(memory)
      .destructure.byTransforming(AB, (ab) => String(ab))
      .createLogger();
    log.information('{@AB} {@List}', new AB(), [new AB()]);
    expect(memory.events[0].properties).toEqual({ AB: 'AB(0, 0)', List: ['AB(0, 0)'] });
  });

  // WriteTo.Logger(lc => …): a sub-logger is a sink's own lane in rxlog (docs/configuration.md).
  it('WritingToALoggerWritesToSubLogger: a sink lane with its own operators', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory, { pipe: [filterEvents(() => true)] }).createLogger();
    log.information('x');
    expect(memory.events).toHaveLength(1);
  });

  it('SubLoggerRestrictsFilter: a sink lane at fatal', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory, { minimumLevel: 'fatal' }).createLogger();
    log.information('x');
    expect(memory.events).toHaveLength(0);
  });

  // Serilog's sub-logger sees only what its parent let through: its own lower MinimumLevel cannot
  // bring back an event below the parent's. So with a lane's minimumLevel (docs/sinks.md).
  it('a sub-logger (a sink lane) at a lower level than its logger receives nothing below the logger’s', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel
      .information()
      .writeTo.sink(memory, { minimumLevel: 'verbose' })
      .createLogger();
    log.debug('below the logger');
    log.information('x');
    expect(messages(memory)).toEqual(['x']);
  });

  // Serilog's FilteringSink asks its filters in the order configured and stops at the first that
  // refuses the event; the enrichers ran before it (Logger.Dispatch), so filters see their properties.
  it('asks filters in configuration order, after enrichment, stopping at the first that excludes the event', () => {
    const asked: string[] = [];
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .with(() => ({ Enriched: true }))
      .filter.byExcluding((e) => {
        asked.push(`first ${e.messageTemplate.text} ${String(e.properties.Enriched)}`);
        return e.messageTemplate.text === 'dropped';
      })
      .filter.byIncludingOnly((e) => {
        asked.push(`second ${e.messageTemplate.text}`);
        return true;
      })
      .writeTo.sink(memory)
      .createLogger();
    log.information('dropped');
    log.information('kept');
    expect(asked).toEqual(['first dropped true', 'first kept true', 'second kept']);
    expect(messages(memory)).toEqual(['kept']);
  });

  it.each<[string, (seen: (e: LogEvent) => void) => LoggerConfiguration]>([
    [
      'EnrichersExecuteInConfigurationOrder',
      (seen) =>
        new LoggerConfiguration().enrich
          .with(() => ({ Property: 'value' }))
          .enrich.with((e) => {
            seen(e);
            return undefined;
          }),
    ],
    [
      'EnrichersWithPropertyFactoryExecuteInConfigurationOrder',
      (seen) =>
        new LoggerConfiguration().enrich.withProperty('Property', 'value').enrich.with((e) => {
          seen(e);
          return undefined;
        }),
    ],
  ])('%s', (_, configure) => {
    let enrichedPropertySeen = false;
    const log = configure((e) => (enrichedPropertySeen = Object.hasOwn(e.properties, 'Property')))
      .writeTo.sink(new MemorySink())
      .createLogger();
    log.information('x');
    expect(enrichedPropertySeen).toBe(true);
  });

  // Difference in counting depth (lib/templates, docs/templates-and-capture.md): rxlog keeps 10
  // levels of structures and a scalar inside the 10th; Serilog counts every value, so its 11th
  // (the string 'Lvl11') becomes null. A structure at the 11th level is cut by both.
  it('MaximumDestructuringDepthDefaultIsEffective: 10 levels of structures kept', () => {
    const x = {
      Lvl01: { Lvl02: { Lvl03: { Lvl04: { Lvl05: { Lvl06: { Lvl07: { Lvl08: { Lvl09: { Lvl10: 'Lvl11' } } } } } } } } },
    };
    const deeper = {
      Lvl01: { Lvl02: { Lvl03: { Lvl04: { Lvl05: { Lvl06: { Lvl07: { Lvl08: { Lvl09: { Lvl10: { Lvl11: 1 } } } } } } } } } },
    };
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    log.information('{@X} {@Y}', x, deeper);
    const [xs, ys] = [JSON.stringify(memory.events[0].properties.X), JSON.stringify(memory.events[0].properties.Y)];
    expect(xs).toContain('"Lvl10":"Lvl11"');
    expect(ys).toContain('"Lvl10":"[MaxDepth]"');
    expect(ys).not.toContain('Lvl11');
  });

  it('DynamicallySwitchingSinkRestrictsOutput', () => {
    const levelSwitch = new LevelSwitch();
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel
      .verbose()
      .writeTo.sink(memory, { minimumLevel: levelSwitch })
      .createLogger();
    log.information('1');
    levelSwitch.level = 'warning';
    log.information('2');
    levelSwitch.level = 'verbose';
    log.information('3');
    expect(messages(memory)).toEqual(['1', '3']);
  });

  it('DynamicallySwitchingSinkRestrictsOutput, in virtual time: root, override and sink switches are read as each event is logged, not when its batch leaves', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const root = new LevelSwitch('information');
      const db = new LevelSwitch('warning');
      const sink = new LevelSwitch('verbose');
      const batches: [number, string[]][] = [];
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .minimumLevel.controlledBy(root)
        .minimumLevel.override('Shop.Db', db)
        .writeTo.sink(
          { emit: (events) => void batches.push([scheduler.now(), events.map((e) => e.renderMessage())]) },
          { minimumLevel: sink, batch: { size: 100, maxDelayMs: 50 } },
        )
        .createLogger();
      // Made before any switch changes: a child follows its switch, as Serilog's contextual loggers do.
      const dbLog = log.forContext('SourceContext', 'Shop.Db.Pool');
      const at = (frame: number, act: () => void): void => void scheduler.schedule(act, frame);
      at(
        0,
        () => (log.debug('root debug at 0'), dbLog.information('db information at 0'), log.information('root information at 0')),
      );
      at(10, () => ((root.level = 'debug'), (db.level = 'information'), (sink.level = 'error')));
      at(20, () => (log.debug('root debug at 20'), dbLog.information('db information at 20'), log.error('root error at 20')));
      at(30, () => (sink.level = 'verbose'));
      at(40, () => (log.debug('root debug at 40'), dbLog.information('db information at 40'), dbLog.debug('db debug at 40')));
      at(60, () => ((root.level = 'fatal'), (db.level = 'fatal')));
      at(70, () => (log.error('root error at 70'), dbLog.error('db error at 70')));
      flush();
      // The first batch opened at 0 (50 ms age); the 10-ms switch changes took nothing back out of it.
      expect(batches).toEqual([[50, ['root information at 0', 'root error at 20', 'root debug at 40', 'db information at 40']]]);
      expect(log.metrics().logged).toBe(6);
      void log.close({ strategy: 'immediate' });
    });
  });

  it.each<[string, (c: LoggerConfiguration) => LoggerConfiguration, number]>([
    ['LastMinimumLevelConfigurationWins', (c) => c.minimumLevel.controlledBy(new LevelSwitch('fatal')).minimumLevel.debug(), 1],
    [
      'LastMinimumLevelConfigurationWins (the other way round)',
      (c) => c.minimumLevel.debug().minimumLevel.controlledBy(new LevelSwitch('fatal')),
      0,
    ],
  ])('%s', (_, configure, expected) => {
    const memory = new MemorySink();
    const log = configure(new LoggerConfiguration()).writeTo.sink(memory).createLogger();
    log.information('x');
    expect(memory.events).toHaveLength(expected);
  });

  it.each<[string, (c: LoggerConfiguration) => LoggerConfiguration, string[]]>([
    [
      'HigherMinimumLevelOverridesArePropagated',
      (c) => c.minimumLevel.debug().minimumLevel.override('Microsoft', 'error'),
      ['root', 'Serilog.Tests'],
    ],
    [
      'LowerMinimumLevelOverridesArePropagated',
      (c) => c.minimumLevel.error().minimumLevel.override('Microsoft', 'debug'),
      ['Microsoft.AspNet.Something'],
    ],
  ])('%s', (_, configure, expected) => {
    const memory = new MemorySink();
    const log = configure(new LoggerConfiguration()).writeTo.sink(memory).createLogger();
    log.information('root');
    log.forContext('SourceContext', 'Microsoft.AspNet.Something').information('Microsoft.AspNet.Something');
    log.forContext('SourceContext', 'Serilog.Tests.Configuration.LoggerConfigurationTests').information('Serilog.Tests');
    expect(messages(memory)).toEqual(expected);
  });

  it('ExceptionsThrownBySinksAreNotPropagated', () => {
    const log = new LoggerConfiguration().writeTo
      .sink({
        emit: () => {
          throw new Error('Boom!');
        },
      })
      .createLogger();
    expect(() => log.information('x')).not.toThrow();
  });

  // Deliberate difference (docs/configuration.md and docs/errors-and-selflog.md): a filter that
  // throws keeps the event, where Serilog's FilteringSink drops it. Either way it is reported to
  // SelfLog, and the counts stay honest: the event is logged, not counted as filtered, and the
  // sink counts it received and delivered.
  it('ExceptionsThrownByFiltersAreNotPropagated: the event is kept, counted and reported', () => {
    const memory = new MemorySink();
    const self = collectSelfLog();
    const log = new LoggerConfiguration().filter
      .byExcluding(function isNoisy(): boolean {
        throw new Error('Boom!');
      })
      .writeTo.sink(memory)
      .createLogger();
    try {
      expect(() => log.information('x')).not.toThrow();
    } finally {
      self.stop();
    }
    expect(messages(memory)).toEqual(['x']);
    const metrics = log.metrics();
    expect([metrics.logged, metrics.filtered, metrics.sinks.memory.received, metrics.sinks.memory.delivered]).toEqual([
      1, 0, 1, 1,
    ]);
    // Named after the app's predicate, for byExcluding as for byIncludingOnly.
    expect(self.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/Filter isNoisy failed; event kept.*Boom!/s)]);
  });

  // Destructure.ByTransforming has no counterpart: the policies that run while rxlog captures are a
  // redaction censor function and a value's own toJSON(); neither may reach the caller.
  it.each<[string, () => LoggerConfiguration, unknown, unknown]>([
    [
      'a redaction censor function that throws (the default censor is used)',
      () =>
        new LoggerConfiguration().destructure.redact({
          keys: /secret/,
          censor: () => {
            throw new Error('Boom!');
          },
        }),
      { secret: 's', a: 1 },
      { secret: '[Redacted]', a: 1 },
    ],
    [
      'a toJSON() that throws (captured as its marker)',
      () => new LoggerConfiguration(),
      {
        toJSON: () => {
          throw new Error('Boom!');
        },
      },
      '[Throws: Boom!]',
    ],
  ])('ExceptionsThrownByDestructuringPoliciesAreNotPropagated: %s', (_, configure, value, expected) => {
    const memory = new MemorySink();
    const self = collectSelfLog();
    const log = configure().writeTo.sink(memory).createLogger();
    try {
      expect(() => log.information('{@Value}', value)).not.toThrow();
    } finally {
      self.stop();
    }
    expect(memory.events[0].properties.Value).toEqual(expected);
  });

  // WriteTo.Conditional(predicate, …): a sink lane whose pipe filters.
  it('ConditionalSinksReceiveEventsMatchingCondition', () => {
    const matching = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(matching, { pipe: [filterEvents((e) => e.level === 'warning')] })
      .createLogger();
    log.information('Information');
    log.warning('Warning');
    log.error('Error');
    expect(matching.events.map((e) => e.level)).toEqual(['warning']);
  });

  it('ConditionalSinksAreDisposedAsyncWithLogger', async () => {
    const sink = new DisposeTrackingSink('async');
    const log = new LoggerConfiguration().writeTo.sink(sink, { pipe: [filterEvents(() => true)] }).createLogger();
    await log.close();
    expect(sink.isDisposed).toBe(true);
  });

  // LevelAlias.Off has no counterpart: rxlog has the six levels, and any other name is a
  // configuration mistake (DESIGN.md). Serilog's EventsAreNotEmittedWhenMinimumLevelIsOff and
  // EventsAreNotEmittedWhenMinimumLevelOverrideIsOff therefore meet a ConfigurationError at build time.
  it.each<[string, () => unknown]>([
    ['EventsAreNotEmittedWhenMinimumLevelIsOff', () => new LoggerConfiguration().minimumLevel.is('off')],
    ['EventsAreNotEmittedWhenMinimumLevelOverrideIsOff', () => new LoggerConfiguration().minimumLevel.override('Test', 'off')],
  ])('%s: "off" is not a level in rxlog', (_, configure) => {
    expect(configure).toThrow(/unknown level "off"/);
  });

  it('EventsAreNotEmittedWhenMinimumLevelOverrideIsOff: with the filter docs/configuration.md gives for it, counted as filtered', () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().filter
      .byExcluding((e) => /^Test(\.|$)/i.test(String(e.properties.SourceContext)))
      .writeTo.sink(sink)
      .createLogger();
    log.fatal('Emitted');
    log.forContext('SourceContext', 'Test').fatal('Not emitted');
    log.forContext('SourceContext', 'test.inner').fatal('Not emitted');
    log.forContext('SourceContext', 'Another').fatal('Emitted');
    log.forContext('SourceContext', 'Testing').fatal('Emitted');
    expect(messages(sink)).toEqual(['Emitted', 'Emitted', 'Emitted']);
    expect(log.metrics().filtered).toBe(2);
  });

  /** The property X of the one event `{<symbol>X}` logged with `x`, as JSON text (LogAndGetAsString). */
  function logAndGetAsString(x: unknown, configure: (c: LoggerConfiguration) => LoggerConfiguration, symbol = ''): string {
    const memory = new MemorySink();
    const log = configure(new LoggerConfiguration().writeTo.sink(memory)).createLogger();
    log.information(`{${symbol}X}`, x);
    expect(memory.events).toHaveLength(1);
    return JSON.stringify(memory.events[0].properties.X);
  }

  class ToStringOfLength {
    constructor(readonly length: number) {}
    toString(): string {
      return '#'.repeat(this.length);
    }
  }

  it('MaximumDestructuringDepthIsEffective', () => {
    const xs = logAndGetAsString({ A: { B: { C: { D: 'F' } } } }, (c) => c.destructure.toMaximumDepth(3), '@');
    expect(xs).toContain('"C"');
    expect(xs).not.toContain('"D"');
    expect(xs).toBe('{"A":{"B":{"C":"[MaxDepth]"}}}');
  });

  it.each<[string, (c: LoggerConfiguration) => unknown, string]>([
    [
      'MaximumStringLengthThrowsForLimitLowerThan2',
      (c) => c.destructure.toMaximumStringLength(1),
      'a whole number ≥ 2, got number 1',
    ],
    [
      'MaximumStringCollectionThrowsForLimitLowerThan1',
      (c) => c.destructure.toMaximumCollectionCount(0),
      'a whole number ≥ 1, got number 0',
    ],
  ])('%s (a ConfigurationError naming the value, where Serilog throws ArgumentOutOfRangeException)', (_, configure, message) => {
    expect(() => configure(new LoggerConfiguration())).toThrow(ConfigurationError);
    expect(() => configure(new LoggerConfiguration())).toThrow(message);
  });

  // rxlog cuts every captured string, a plain {X} argument's too: Serilog leaves a scalar string
  // (and an object's ToString()) whole unless it is captured with @ or $. Its cut keeps limit - 1
  // characters and adds '…'; rxlog's keeps `limit` and says how much it cut.
  it.each<[string, unknown, string, string]>([
    ['MaximumStringLengthNOTEffectiveForString: in rxlog, effective', 'ABCD', '', '"ABC…[truncated 1 chars]"'],
    ['MaximumStringLengthEffectiveForCapturedString', 'ABCD', '@', '"ABC…[truncated 1 chars]"'],
    ['MaximumStringLengthEffectiveForStringifiedString', 'ABCD', '$', '"ABC…[truncated 1 chars]"'],
    ['MaximumStringLengthEffectiveForStringifiedObject', new ToStringOfLength(4), '$', '"###…[truncated 1 chars]"'],
    ['MaximumStringLengthNOTEffectiveForObject: in rxlog, effective', new ToStringOfLength(4), '', '"###…[truncated 1 chars]"'],
  ])('%s', (_, x, symbol, expected) => {
    expect(logAndGetAsString(x, (c) => c.destructure.toMaximumStringLength(3), symbol)).toBe(expected);
  });

  // rxlog cuts the names inside a captured value to the limit too (TooLongText here).
  it.each<[string, string, number]>([
    ['1234', ':"123…[truncated 1 chars]"', 3],
    ['123', ':"123"', 3],
  ])('MaximumStringLengthEffectiveForCapturedObject: %p', (text, after, limit) => {
    expect(logAndGetAsString({ TooLongText: text }, (c) => c.destructure.toMaximumStringLength(limit), '@')).toContain(after);
  });

  it.each<[string, unknown, number, string]>([
    ['MaximumCollectionCountNotEffectiveForArrayAsLongAsLimit', [1, 2, 3], 3, '[1,2,3]'],
    ['MaximumCollectionCountEffectiveForArrayThanLimit', [1, 2, 3, 4], 3, '[1,2,3,"…1 more"]'],
    [
      'MaximumCollectionCountEffectiveForDictionaryWithMoreKeysThanLimit',
      new Map([
        ['1', 1],
        ['2', 2],
        ['3', 3],
      ]),
      2,
      '{"1":1,"2":2,"…":"…1 more"}',
    ],
    [
      'MaximumCollectionCountNotEffectiveForDictionaryWithAsManyKeysAsLimit',
      new Map([
        ['1', 1],
        ['2', 2],
      ]),
      2,
      '{"1":1,"2":2}',
    ],
  ])('%s', (_, x, limit, expected) => {
    expect(logAndGetAsString(x, (c) => c.destructure.toMaximumCollectionCount(limit))).toBe(expected);
  });

  // Not ported, no counterpart in rxlog's API (docs/configuration.md, docs/templates-and-capture.md):
  // - DestructuringSystemTypeGivesScalarByDefault, DestructuringIsPossibleForSystemTypeDerivedProperties:
  //   Destructure.With(policy) and System.Type.
  // - LevelSwitchTakesPrecedenceOverMinimumLevel: a sink takes one minimumLevel, a name or a LevelSwitch, not both.
  // - ExceptionsThrownBySinksAreNotPropagatedEvenWhenAuditingIsPresent: no AuditTo.
  // - EnrichersCanBeWrapped, ConditionalEnrichersCheckConditions, LeveledEnrichersCheckLevels,
  //   LeveledEnrichersCheckLevelSwitch: no Enrich.When / Enrich.AtLevel / Wrap; an enricher reads the event itself.
});
