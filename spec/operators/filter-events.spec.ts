import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { type EventPredicate, filterEvents } from '../../lib/operators/filter-events';
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
});
