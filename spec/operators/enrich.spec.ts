import { from, of } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { Enricher, EnricherProperties } from '../../lib/core/enricher';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { enrich, enrichOwnEvent } from '../../lib/operators/enrich';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { createTestScheduler } from '../helpers/test-scheduler';

describe('enrich', () => {
  it('adds the enrichers’ properties to every event, in time with the source', () => {
    const a = makeEvent({ text: 'a', properties: { N: 1 } });
    const b = makeEvent({ text: 'b', properties: { N: 2 } });
    createTestScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a--b-|', { a, b });
      const enriched = source.pipe(enrich(() => ({ Host: 'web-1' })));
      expectObservable(enriched.pipe()).toBe('-x--y-|', {
        x: expect.objectContaining({ properties: { N: 1, Host: 'web-1' } }),
        y: expect.objectContaining({ properties: { N: 2, Host: 'web-1' } }),
      });
    });
  });

  it('never overwrites a property the event already has; the first enricher to name a property wins', () => {
    const event = makeEvent({ properties: { Host: 'mine' } });
    const seen: unknown[] = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      const out = cold('a|', { a: event }).pipe(
        enrich(
          () => ({ Host: 'theirs', Zone: 'eu' }),
          () => ({ Zone: 'us' }),
        ),
      );
      out.subscribe((e) => seen.push(e.properties));
      expectObservable(out).toBe('a|', { a: expect.anything() });
    });
    expect(seen).toEqual([{ Host: 'mine', Zone: 'eu' }]);
  });

  it('lets a later enricher see what earlier ones added, as enrich.with in the configuration does', () => {
    const seen: unknown[] = [];
    of(makeEvent({ properties: { N: 1 } }))
      .pipe(
        enrich(
          () => ({ A: 1 }),
          (e) => ({ SawA: e.properties.A, SawN: e.properties.N }),
        ),
      )
      .subscribe((e) => seen.push(e.properties));
    expect(seen).toEqual([{ N: 1, A: 1, SawA: 1, SawN: 1 }]);
  });

  it('passes the event on unenriched when an enricher throws, and reports it to SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const event = makeEvent({ properties: { N: 1 } });
    const seen: unknown[] = [];
    function brokenEnricher(): Record<string, unknown> {
      throw new Error('enricher broke');
    }
    createTestScheduler().run(({ cold, expectObservable }) => {
      const out = cold('a|', { a: event }).pipe(enrich(brokenEnricher, () => ({ Ok: true })));
      out.subscribe((e) => seen.push(e.properties));
      expectObservable(out).toBe('a|', { a: expect.anything() });
    });
    subscription.unsubscribe();
    expect(seen).toEqual([{ N: 1, Ok: true }]);
    expect(diagnostics.some((d) => d.message.includes('brokenEnricher') && d.message.includes('enricher broke'))).toBe(true);
  });

  it('returns the same event when nothing is added, and never mutates its input', () => {
    const event = makeEvent({ properties: { N: 1 } });
    const seen: unknown[] = [];
    createTestScheduler().run(({ cold }) => {
      cold('ab|', { a: event, b: event })
        .pipe(
          enrich(
            () => undefined,
            () => ({ N: 99 }),
          ),
        )
        .subscribe((e) => seen.push(e));
    });
    expect(seen).toEqual([event, event]);
    expect(event.properties).toEqual({ N: 1 });
  });
  it('adds enriched properties named like Object.prototype members (constructor, toString, valueOf)', () => {
    const seen: Record<string, unknown>[] = [];
    of(makeEvent())
      .pipe(enrich(() => ({ constructor: 'c', toString: 't', valueOf: 'v' })))
      .subscribe((e) => seen.push({ ...e.properties }));
    expect(seen).toEqual([{ constructor: 'c', toString: 't', valueOf: 'v' }]);
  });

  it('captures enriched values when the event is enriched, so later mutation cannot change it', () => {
    const shared = { user: 'ada', roles: ['admin'] };
    const seen: LogEvent[] = [];
    of(makeEvent())
      .pipe(enrich(() => ({ Session: shared })))
      .subscribe((e) => seen.push(e));
    shared.user = 'mallory';
    shared.roles.push('root');
    expect(seen[0].properties.Session).toEqual({ user: 'ada', roles: ['admin'] });
  });

  it('adds a "__proto__" key an enricher returns as a plain property, never as a prototype', () => {
    const seen: LogEvent[] = [];
    of(makeEvent())
      .pipe(enrich(() => JSON.parse('{"__proto__":{"Injected":"yes"}}') as Record<string, unknown>))
      .subscribe((e) => seen.push(e));
    const properties = seen[0].properties;
    expect(Object.keys(properties)).toEqual(['__proto__']);
    expect((properties as { Injected?: unknown }).Injected).toBeUndefined();
  });

  it('keeps an event’s own "__proto__" property (a CLEF line’s) as a property, in its place, when it adds others', () => {
    const properties = JSON.parse('{"Before":1,"__proto__":{"Injected":"yes"},"After":2}') as Record<string, unknown>;
    const seen: LogEvent[] = [];
    of(makeEvent({ properties }))
      .pipe(enrich(() => ({ Host: 'web-1' })))
      .subscribe((e) => seen.push(e));
    const enriched = seen[0].properties;
    expect(Object.keys(enriched)).toEqual(['Before', '__proto__', 'After', 'Host']);
    expect(Object.getOwnPropertyDescriptor(enriched, '__proto__')?.value).toEqual({ Injected: 'yes' });
    expect(Object.getPrototypeOf(enriched)).toBe(Object.prototype);
    expect((enriched as { Injected?: unknown }).Injected).toBeUndefined();
  });
});

describe('enrichOwnEvent', () => {
  it('adds the enrichers’ captured properties to the event’s own properties, never overwriting one', () => {
    const properties: Record<string, unknown> = { Host: 'mine' };
    const event = makeEvent({ properties });
    const cart = { items: ['book'] };
    enrichOwnEvent(event, properties, [() => ({ Host: 'theirs', Cart: cart }), () => ({ Cart: 'ignored', Zone: 'eu' })]);
    cart.items.push('lamp');
    expect(properties).toEqual({ Host: 'mine', Cart: { items: ['book'] }, Zone: 'eu' });
  });

  it('adds a marker for a getter that throws, as a call argument gets, and keeps the names after it', () => {
    const properties: Record<string, unknown> = {};
    const event = makeEvent({ properties });
    const returned = {
      RequestId: 'r-1',
      get User(): string {
        throw new Error('session expired');
      },
      Route: '/cart',
    };
    enrichOwnEvent(event, properties, [() => returned]);
    expect(properties).toEqual({ RequestId: 'r-1', User: '[Throws: session expired]', Route: '/cart' });
  });

  it('lets a later enricher see what earlier ones added, as Serilog’s enrichers do', () => {
    const properties: Record<string, unknown> = {};
    const event = makeEvent({ properties });
    enrichOwnEvent(event, properties, [() => ({ A: 1 }), (e) => ({ SawA: 'A' in e.properties })]);
    expect(properties).toEqual({ A: 1, SawA: true });
  });

  it('skips an enricher that throws or returns null, reporting the throw to SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const properties: Record<string, unknown> = {};
    function brokenEnricher(): Record<string, unknown> {
      throw new Error('enricher broke');
    }
    const returnsNull = (() => null) as unknown as () => undefined;
    enrichOwnEvent(makeEvent({ properties }), properties, [brokenEnricher, returnsNull, () => ({ Ok: true })]);
    subscription.unsubscribe();
    expect(properties).toEqual({ Ok: true });
    expect(diagnostics.some((d) => d.message.includes('brokenEnricher'))).toBe(true);
  });
  it('adds nothing from an enricher that returns a string, an array or a number, and tells SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const returns: unknown[] = ['abc', ['x', 'y'], 5, true];
    const enrichers = returns.map((value) => {
      const returning = (): Record<string, unknown> => value as Record<string, unknown>;
      return returning;
    });
    let enriched: LogEvent | undefined;
    const own: Record<string, unknown> = { N: 1 };
    try {
      of(makeEvent({ properties: { N: 1 } }))
        .pipe(enrich(...enrichers, () => ({ Host: 'web-1' })))
        .subscribe((e) => (enriched = e));
      enrichOwnEvent(makeEvent({ properties: own }), own, enrichers);
    } finally {
      subscription.unsubscribe();
    }
    expect(enriched?.properties).toEqual({ N: 1, Host: 'web-1' });
    expect(own).toEqual({ N: 1 });
    const lines = diagnostics.filter((d) => d.template.includes('not properties'));
    expect(lines.map((d) => d.args[1])).toEqual(['"abc"', 'an array', '5', 'true', '"abc"', 'an array', '5', 'true']);
  });

  // Before, a Map or a Date added its own enumerable keys (none) and nothing reached SelfLog: the
  // enricher's properties were lost unseen. A class instance adds its own fields, as pino's mixin.
  it('refuses a Map, a Date or a Set from an enricher, telling SelfLog once per enricher; takes a class instance’s fields', () => {
    const returns: unknown[] = [new Map([['Host', 'web-1']]), new Date(0), new Set(['Host'])];
    const enrichers = returns.map((value) => {
      const returning = (): Record<string, unknown> => value as Record<string, unknown>;
      return returning;
    });
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const seen: LogEvent[] = [];
    const own: Record<string, unknown> = { N: 1 };
    try {
      of(makeEvent({ properties: { N: 1 } }), makeEvent({ properties: { N: 2 } }))
        .pipe(enrich(...enrichers, () => ({ App: 'shop' })))
        .subscribe((e) => seen.push(e));
      enrichOwnEvent(makeEvent({ properties: own }), own, enrichers);
    } finally {
      subscription.unsubscribe();
    }
    expect(seen.map((e) => e.properties)).toEqual([
      { N: 1, App: 'shop' },
      { N: 2, App: 'shop' },
    ]);
    expect(own).toEqual({ N: 1 });
    const lines = diagnostics.filter((d) => d.template.includes('not properties'));
    // One line per enricher in each list that runs it (the operator's, then enrichOwnEvent's), not one per event.
    const refused = ['[object Map]', '[object Date]', '[object Set]'];
    expect(lines.map((d) => d.args[1])).toEqual([...refused, ...refused]);
  });

  // Before, the event (or a spread copy of it) was taken as properties: every event logged gained
  // level, messageTemplate, properties (a copy of its own) and timeMs, and SelfLog said nothing.
  it('adds nothing from an enricher that returns the event or a copy of it, telling SelfLog once per enricher', () => {
    // @ts-expect-error -- the event is not properties: an enricher returns the properties to add
    const returnsEvent: Enricher<EnricherProperties> = (event: LogEvent) => event;
    const returnsCopy = (event: LogEvent): Record<string, unknown> => ({ ...event, Host: 'web-1' });
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .with(returnsEvent, returnsCopy, () => ({ App: 'shop' }))
      .writeTo.sink(memory)
      .createLogger();
    const { diagnostics, stop } = collectSelfLog();
    const seen: LogEvent[] = [];
    try {
      log.information('Hello {Name}', 'ada');
      log.information('Hello {Name}', 'bob');
      of(makeEvent({ properties: { N: 1 } }))
        .pipe(enrich(returnsEvent, returnsCopy, () => ({ App: 'shop' })))
        .subscribe((e) => seen.push(e));
    } finally {
      stop();
    }
    expect(memory.events.map((e) => e.properties)).toEqual([
      { Name: 'ada', App: 'shop' },
      { Name: 'bob', App: 'shop' },
    ]);
    expect(seen.map((e) => e.properties)).toEqual([{ N: 1, App: 'shop' }]);
    const lines = diagnostics.filter((d) => d.template.includes('returned the event')).map((d) => d.args[0]);
    // One line per enricher in each list that runs it (the logger's, then the operator's), not one per event.
    expect(lines).toEqual(['returnsEvent', 'returnsCopy', 'returnsEvent', 'returnsCopy']);
  });

  it('adds the own fields of a class instance an enricher returns', () => {
    class Props {
      Host = 'web-1';
      get Hidden(): string {
        return 'on the prototype';
      }
    }
    const own: Record<string, unknown> = {};
    enrichOwnEvent(makeEvent({ properties: own }), own, [() => new Props()]);
    expect(own).toEqual({ Host: 'web-1' });
  });

  it('adds the properties of an Object.create(null) record', () => {
    const record = Object.assign(Object.create(null) as Record<string, unknown>, { Host: 'web-1' });
    const own: Record<string, unknown> = {};
    enrichOwnEvent(makeEvent({ properties: own }), own, [() => record]);
    expect(own).toEqual({ Host: 'web-1' });
  });

  it('adds at most 1000 properties from one enricher, telling SelfLog how many it left out', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 5_000; i++) wide[`k${i}`] = i;
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const own: Record<string, unknown> = {};
    try {
      enrichOwnEvent(makeEvent({ properties: own }), own, [() => wide]);
    } finally {
      subscription.unsubscribe();
    }
    expect(Object.keys(own)).toHaveLength(1000);
    expect(own.k999).toBe(999);
    expect(diagnostics.filter((d) => d.template.includes('left out')).map((d) => d.args.slice(1))).toEqual([[4_000, 1000]]);
  });

  it('enriches an app operator’s spread copy of an event, which has no timestamp getter, instead of erroring', () => {
    const record = createLogEvent('information', 'Order {Id} placed', [7], { timestamp: new Date(Date.UTC(2026, 0, 2)) });
    const copy = { ...record, properties: { ...record.properties, Region: 'eu' } } as unknown as LogEvent;
    const seen: LogEvent[] = [];
    let failure: unknown;
    of(copy)
      .pipe(enrich(() => ({ Host: 'web-1' })))
      .subscribe({ next: (e) => seen.push(e), error: (e: unknown) => (failure = e) });
    expect(failure).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0].properties).toEqual({ Id: 7, Region: 'eu', Host: 'web-1' });
    expect(seen[0].timestamp).toEqual(new Date(Date.UTC(2026, 0, 2)));
    expect(seen[0].renderMessage()).toBe('Order 7 placed');
  });

  it('passes on a value that is not an event (a map branch’s undefined) as it is, without calling the enrichers', () => {
    const enricher = jest.fn(() => ({ Host: 'web-1' }));
    const seen: unknown[] = [];
    let failure: unknown;
    const values = [undefined, makeEvent()] as unknown as LogEvent[];
    from(values)
      .pipe(enrich(enricher))
      .subscribe({ next: (e) => seen.push(e), error: (e: unknown) => (failure = e) });
    expect(failure).toBeUndefined();
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toEqual(expect.objectContaining({ properties: { Host: 'web-1' } }));
    expect(enricher).toHaveBeenCalledTimes(1);
  });

  it('passes an event it cannot enrich (properties that cannot be read) on unenriched, told to SelfLog', () => {
    const { diagnostics, stop } = collectSelfLog();
    const broken = Object.defineProperty<LogEvent>({ ...makeEvent() }, 'properties', {
      get: () => {
        throw new Error('unreadable');
      },
    });
    const seen: unknown[] = [];
    let failure: unknown;
    try {
      of(broken)
        .pipe(enrich(() => ({ Host: 'web-1' })))
        .subscribe({ next: (e) => seen.push(e), error: (e: unknown) => (failure = e) });
    } finally {
      stop();
    }
    expect(failure).toBeUndefined();
    expect(seen).toEqual([broken]);
    expect(diagnostics.map((d) => d.template)).toContainEqual(expect.stringContaining('enrich: the event could not be enriched'));
  });

  it('rejects an enricher that is not a function when built, naming it', () => {
    expect(() => enrich(null as unknown as Enricher)).toThrow(ConfigurationError);
    expect(() => enrich(() => ({}), { Host: 'web-1' } as unknown as Enricher)).toThrow(
      /enrich: enricher 2: expected a function returning properties, got an object/,
    );
  });
});
