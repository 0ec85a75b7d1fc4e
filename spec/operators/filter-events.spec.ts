import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { type EventPredicate, FILTER_REASON, filterEvents } from '../../lib/operators/filter-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { from } from 'rxjs';
import { makeEvent } from '../helpers/events';
import { createTestScheduler } from '../helpers/test-scheduler';

describe('filterEvents', () => {
  const health = makeEvent({ properties: { Path: '/health' } });
  const orders = makeEvent({ properties: { Path: '/orders' } });

  it('keeps only the events the predicate accepts', () => {
    createTestScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-h-o-h-o-|', { h: health, o: orders });
      expectObservable(source.pipe(filterEvents((e) => e.properties.Path !== '/health'))).toBe('---o---o-|', { o: orders });
    });
  });

  it('keeps the event when the predicate throws (fail open) and reports it', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    createTestScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-h-o-|', { h: health, o: orders });
      const predicate = (e: typeof health): boolean => {
        if (e === health) throw new Error('predicate broke');
        return false;
      };
      expectObservable(source.pipe(filterEvents(predicate))).toBe('-h---|', { h: health });
    });
    subscription.unsubscribe();
    expect(diagnostics.map((d) => d.message).join('\n')).toContain('predicate broke');
  });

  it('reads what the predicate returns as RxJS filter and Array.prototype.filter do: a falsy value excludes', () => {
    // A JavaScript predicate may return the property itself (undefined, 0, '', null) rather than a boolean.
    const flagged = (value: unknown) => makeEvent({ properties: { Important: value } });
    const events = [flagged(undefined), flagged(0), flagged(''), flagged(null), flagged(1), flagged('yes')];
    const kept: unknown[] = [];
    from(events)
      .pipe(filterEvents((e) => e.properties.Important as boolean))
      .subscribe((e) => kept.push(e.properties.Important));
    expect(kept).toEqual([1, 'yes']);
  });

  it('keeps the same events in the configuration as byIncludingOnly, and excludes their complement with byExcluding', () => {
    const included = new MemorySink();
    const excluded = new MemorySink();
    const important = (e: { properties: Readonly<Record<string, unknown>> }): boolean => e.properties.Important as boolean;
    const a = new LoggerConfiguration().filter.byIncludingOnly(important).writeTo.sink(included).createLogger();
    const b = new LoggerConfiguration().filter
      .byExcluding((e) => !important(e))
      .writeTo.sink(excluded)
      .createLogger();
    for (const log of [a, b]) {
      log.information('no flag');
      log.information('{Important}', 0);
      log.information('{Important}', true);
    }
    expect(included.events.map((e) => e.renderMessage())).toEqual(['true']);
    expect(excluded.events.map((e) => e.renderMessage())).toEqual(['true']);
    expect(a.metrics().filtered).toBe(2);
  });

  it('passes errors and completion through', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-o-#', { o: orders }).pipe(filterEvents(() => true))).toBe('-o-#', { o: orders });
    });
  });
  it('rejects a predicate that is not a function when built, naming it', () => {
    expect(() => filterEvents(null as unknown as EventPredicate)).toThrow(ConfigurationError);
    expect(() => filterEvents('Path' as unknown as EventPredicate)).toThrow(
      /filterEvents: expected a predicate function, got "Path"/,
    );
  });

  it('counts what it excludes in a sink pipe as dropped under its reason, so the sink has nothing pending', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(memory, { name: 'audit', pipe: [filterEvents((e) => e.properties.Audit === true)] })
      .createLogger();
    log.information('{Audit}', true);
    log.information('{Audit}', false);
    log.information('plain');
    expect(memory.events).toHaveLength(1);
    expect(log.metrics().sinks.audit).toMatchObject({
      received: 3,
      delivered: 1,
      dropped: 2,
      pending: 0,
      droppedBy: { [FILTER_REASON]: 2 },
    });
  });
});
