import { map } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LevelSwitch } from '../../lib/core/level-switch';
import type { LogEvent } from '../../lib/core/log-event';
import { filterEvents } from '../../lib/operators/filter-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { DisposeTrackingSink } from '../helpers/dispose-tracking-sink';

/** A sub-logger's lane: the sink with operators of its own (a filter that keeps everything). */
const subLogger = { pipe: [filterEvents(() => true)] };

// The reference tests, case by case (serilog/serilog at 60935b4). A secondary logger,
// WriteTo.Logger(…), is a sink's own lane in rxlog (docs/configuration.md); rxlog cannot write
// one logger into another, so the cases about a logger the caller owns have no counterpart.
describe('Serilog test/Serilog.Tests/Core/SecondaryLoggerSinkTests.cs', () => {
  // Serilog copies each event into a sub-logger so its enrichers cannot change what the other
  // sinks see. rxlog's events are immutable: a lane's operator that adds a property makes a new
  // event (docs/configuration.md), and the shared event is left as it was.
  it('ModifyingCopiesPassedThroughTheSinkPreservesOriginal', () => {
    const secondary = new MemorySink();
    const primary = new MemorySink();
    const addProperty = map(
      (e: LogEvent) => new LogEventRecord(e.timestamp, e.level, e.messageTemplate, { ...e.properties, Added: 1 }, e.exception),
    );
    const shared: LogEvent[] = [];
    const log = new LoggerConfiguration().writeTo
      .sink(secondary, { pipe: [addProperty] })
      .writeTo.sink(primary)
      .createLogger();
    const subscription = log.events$.subscribe((e) => shared.push(e));
    log.information('x');
    subscription.unsubscribe();
    expect(secondary.events[0]).not.toBe(shared[0]);
    expect(secondary.events[0].properties).toEqual({ Added: 1 });
    expect(primary.events[0].properties).toEqual({});
    expect(shared[0].properties).toEqual({});
  });

  it.each<[string, boolean]>([
    ['WhenOwnedByPrimaryLoggerSecondaryIsDisposed', false],
    ['OwnedSecondaryLoggerIsDisposedAsyncWhenPrimaryIsDisposedAsync', true],
  ])('%s', async (_, async) => {
    const secondary = new DisposeTrackingSink(async ? 'async' : 'sync');
    await new LoggerConfiguration().writeTo.sink(secondary, subLogger).createLogger().close();
    expect(secondary.isDisposed).toBe(true);
  });

  it('SecondaryLoggerInheritsPrimaryLevelByDefault', () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.debug().writeTo.sink(sink, subLogger).createLogger();
    log.debug('x');
    expect(sink.events).toHaveLength(1);
  });

  it('SecondaryLoggerCanOverrideInheritedLevel', () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel
      .controlledBy(new LevelSwitch('debug'))
      .writeTo.sink(sink, { ...subLogger, minimumLevel: 'error' })
      .createLogger();
    log.debug('x');
    expect(sink.events).toHaveLength(0);
  });

  // Not ported: WhenOwnedByCallerSecondaryLoggerIsNotDisposed and
  // IndependentChildLoggerIsNotDisposedWhenPrimaryIsDisposedAsync (a logger written into another).
});
