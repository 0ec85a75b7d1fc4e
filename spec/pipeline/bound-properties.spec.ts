import fc from 'fast-check';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { bindProperties, MAX_BOUND_PROPERTIES } from '../../lib/pipeline/bound-properties';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { captureProperties } from '../../lib/templates/capture';
import { setOwnProperty } from '../../lib/templates/own-property';
import { parseTemplate } from '../../lib/templates/parse-template';
import { RedactionPolicy } from '../../lib/templates/redaction-policy';

describe('bindProperties', () => {
  it('captures the values when bound, so later mutation cannot reach them', () => {
    const user = { name: 'ada', roles: ['admin'] };
    const bound = bindProperties(undefined, { User: user, Attempt: 1 }, undefined);
    user.name = 'mutated';
    user.roles.push('root');
    expect(bound.keys).toEqual(['User', 'Attempt']);
    expect(bound.values).toEqual([{ name: 'ada', roles: ['admin'] }, 1]);
    expect(bound.redacted).toBe(true);
  });

  it('layers a child over its parent: a name bound again takes the new value and keeps its first place', () => {
    const parent = bindProperties(undefined, { A: 1, B: 2 }, undefined);
    const child = bindProperties(parent, { B: 3, C: 4 }, undefined);
    expect(child.keys).toEqual(['A', 'B', 'C']);
    expect(child.values).toEqual([1, 3, 4]);
    expect(parent.values).toEqual([1, 2]);
  });

  it('redacts the new values once with a fixed censor, never the parent’s again', () => {
    const policy = RedactionPolicy.compile({ paths: ['Token', 'Session.token'] });
    const parent = bindProperties(undefined, { Token: 't-1' }, [policy]);
    const child = bindProperties(parent, { Session: { id: 's-1', token: 't-2' }, Route: '/' }, [policy]);
    expect(child.redacted).toBe(true);
    expect(child.keys).toEqual(['Token', 'Session', 'Route']);
    expect(child.values).toEqual(['[Redacted]', { id: 's-1', token: '[Redacted]' }, '/']);
  });

  it('leaves the values unredacted for a policy with a censor function, which runs once per event', () => {
    const policy = RedactionPolicy.compile({ paths: ['Token'], censor: () => 'x' });
    const bound = bindProperties(undefined, { Token: 't-1' }, [policy]);
    expect(bound.redacted).toBe(false);
    expect(bound.values).toEqual(['t-1']);
  });

  it('keeps a "__proto__" key as a plain name', () => {
    const untrusted = JSON.parse('{"__proto__":{"Injected":"yes"},"RequestId":"r-1"}') as Record<string, unknown>;
    expect(bindProperties(undefined, untrusted, undefined).keys).toEqual(['__proto__', 'RequestId']);
  });

  // As a call's argument is captured: the getter's value is a marker, the names after it are bound.
  it('binds a throwing getter as a marker, tells SelfLog, and binds the names after it', () => {
    const hostile = {
      Good: 1,
      get Bad(): never {
        throw new Error('no');
      },
      After: 2,
    };
    const { result: bound, diagnostics } = collectSelfLog(() => bindProperties(undefined, hostile, undefined));
    expect(bound.keys).toEqual(['Good', 'Bad', 'After']);
    expect(bound.values).toEqual([1, '[Throws: no]', 2]);
    expect(diagnostics).toHaveLength(1);
  });

  function collectSelfLog<T>(fn: () => T): { result: T; diagnostics: SelfLogEvent[] } {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    try {
      return { result: fn(), diagnostics };
    } finally {
      subscription.unsubscribe();
    }
  }

  it('binds nothing from what is not an object (a string, an array, null, a number), keeps the parent’s and tells SelfLog', () => {
    const parent = bindProperties(undefined, { A: 1 }, undefined);
    for (const [value, named] of [
      ['abc', '"abc"'],
      [['q'], 'Array'],
      [null, 'null'],
      [42, 'number 42'],
    ] as const) {
      const { result, diagnostics } = collectSelfLog(() =>
        bindProperties(parent, value as unknown as Record<string, unknown>, undefined),
      );
      expect(result.keys).toEqual(['A']);
      expect(result.values).toEqual([1]);
      expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining(`child: not properties: ${named}`)]);
    }
  });

  it('binds at most MAX_BOUND_PROPERTIES names in all, telling SelfLog how many it left out; a name bound again still takes its new value', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) wide[`k${i}`] = i;
    const { result: bound, diagnostics } = collectSelfLog(() => bindProperties(undefined, wide, undefined));
    expect(MAX_BOUND_PROPERTIES).toBe(1000);
    expect(bound.keys).toHaveLength(MAX_BOUND_PROPERTIES);
    expect(bound.keys.slice(0, 2)).toEqual(['k0', 'k1']);
    expect(diagnostics.map((d) => d.args)).toEqual([[19_000, 1000]]);
    const child = bindProperties(bound, { k0: 'again', Extra: true }, undefined);
    expect(child.keys).toHaveLength(MAX_BOUND_PROPERTIES);
    expect(child.values[0]).toBe('again');
    expect(child.keys).not.toContain('Extra');
  });

  // As LogContext.run and enrichers take properties: a Map's or a Date's entries are no names.
  it('binds nothing from a Map, a Set or a Date, keeps the parent’s and tells SelfLog', () => {
    const parent = bindProperties(undefined, { A: 1 }, undefined);
    for (const [value, named] of [
      [new Map([['B', 2]]), 'Map'],
      [new Set(['B']), 'Set'],
      [new Date(0), 'Date'],
    ] as const) {
      const { result, diagnostics } = collectSelfLog(() =>
        bindProperties(parent, value as unknown as Record<string, unknown>, undefined),
      );
      expect(result.keys).toEqual(['A']);
      expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining(`child: not properties: ${named}`)]);
    }
  });

  it('never throws on a revoked Proxy (Array.isArray throws on one): binds nothing, keeps the parent’s and tells SelfLog', () => {
    const parent = bindProperties(undefined, { A: 1 }, undefined);
    const revocable = Proxy.revocable({ B: 2 }, {});
    revocable.revoke();
    const { result, diagnostics } = collectSelfLog(() => bindProperties(parent, revocable.proxy, undefined));
    expect(result.keys).toEqual(['A']);
    expect(result.values).toEqual([1]);
    expect(diagnostics).toHaveLength(1);
  });
});

describe('a property name that is empty or only white space', () => {
  // Serilog's LogEventProperty refuses such a name (IsValidName) and its ForContext adds nothing for
  // it, reported to SelfLog. rxlog never throws in the caller: child, forContext and an enricher all
  // leave it out and tell SelfLog (withProperty, a configuration call, refuses it when built).
  it('is left out by child, forContext and an enricher alike, each telling SelfLog, and the other names kept', () => {
    const memory = new MemorySink();
    const blankEnricher = (): Record<string, unknown> => ({ '': 'e', ' \t': 'e', Host: 'web-1' });
    const log = new LoggerConfiguration().enrich.with(blankEnricher).writeTo.sink(memory).createLogger();
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    try {
      log.child({ '': 2, '\u00a0': 3, Order: 7 }).information('child');
      log.forContext('', 2).information('forContext');
      log.information('again');
    } finally {
      subscription.unsubscribe();
    }
    expect(memory.events.map((e) => [e.renderMessage(), e.properties])).toEqual([
      ['child', { Order: 7, Host: 'web-1' }],
      ['forContext', { Host: 'web-1' }],
      ['again', { Host: 'web-1' }],
    ]);
    // The enricher once, not once per event.
    expect(diagnostics.map((d) => [d.template, ...d.args])).toEqual([
      ['child: {Count} properties whose name is empty or white space left out', 2],
      ['Enricher {Name} returned a property whose name is empty or white space; left out', 'blankEnricher'],
      ['forContext: the property name {Name} is empty or white space; no property added', ''],
    ]);
  });
});

describe('a child logger’s events', () => {
  // The names a template, an extra argument and a child may share, integer-like ones (which
  // objects list first) and __proto__ (an own property, never the prototype) among them.
  const names = ['A', 'B', '0', '__proto__', 'Z'] as const;

  /** What the event's properties are by definition: its own captured ones, then each bound one it does not have, in bound order. */
  function expected(template: string, args: readonly unknown[], bound: Readonly<Record<string, unknown>>): [string, unknown][] {
    const own = captureProperties(parseTemplate(template), args);
    const entries: [string, unknown][] = Object.keys(own).map((key) => [key, own[key]]);
    const result: Record<string, unknown> = {};
    for (const [key, value] of entries) setOwnProperty(result, key, value);
    for (const key of Object.keys(bound)) if (!Object.hasOwn(result, key)) setOwnProperty(result, key, bound[key]);
    return Object.keys(result).map((key) => [key, result[key]]);
  }

  it('carry exactly the template’s properties then the bound ones it lacks, in order, however often a template repeats', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.integer(), fc.string(), fc.constant({ n: 1 }))),
        fc.array(
          fc.tuple(
            fc.array(fc.constantFrom(...names), { maxLength: 3 }),
            fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }),
          ),
          { maxLength: 12 },
        ),
        (boundProperties, calls) => {
          const memory = new MemorySink();
          const log = new LoggerConfiguration().enrich
            .with((event) => ({ Seen: Object.keys(event.properties).join(',') }))
            .writeTo.sink(memory)
            .createLogger();
          const child = log.child(boundProperties);
          // Each call twice: the second meets what the first left behind.
          const all = calls.flatMap((call) => [call, call]);
          for (const [holes, args] of all) child.information(holes.map((name) => `{${name}}`).join(' '), ...args);
          expect(memory.events).toHaveLength(all.length);
          memory.events.forEach((event, i) => {
            const [holes, args] = all[i];
            const want = expected(holes.map((name) => `{${name}}`).join(' '), args, boundProperties);
            const got = Object.keys(event.properties).map((key): [string, unknown] => [key, event.properties[key]]);
            expect(got).toEqual([...want, ['Seen', want.map(([key]) => key).join(',')]]);
            expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('carry the template’s, the bound, the context’s and each enricher’s properties in that order, whatever names an enricher returns per event', () => {
    // Each enricher adds its own enumerable names, in Object.keys order, that the event lacks; one
    // here returns other names on each event, one an object whose prototype holds an enumerable
    // name (never added) and integer-like names (listed first, ascending).
    function Extra(this: Record<string, unknown>, i: number): void {
      this.Z = i;
      this['7'] = 'seven';
      this[String(i % 3)] = 'int';
    }
    Extra.prototype.Inherited = 'never added';
    const value = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean());
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names, 'Service'), value),
        fc.dictionary(fc.constantFrom(...names, 'C', 'Service'), value),
        fc.array(fc.array(fc.tuple(fc.constantFrom(...names, 'C', 'Service', 'V'), value), { maxLength: 4 }), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
        (boundProperties, context, perEvent, args) => {
          const memory = new MemorySink();
          let call = 0;
          const extras: Record<string, unknown>[] = [];
          const log = new LoggerConfiguration().enrich
            .fromLogContext()
            .enrich.withProperty('Service', 'orders')
            .enrich.with(() => {
              const extra: Record<string, unknown> = {};
              for (const [key, v] of perEvent[call % perEvent.length]) setOwnProperty(extra, key, v);
              extras.push(extra);
              return extra;
            })
            .enrich.with(() => new (Extra as unknown as new (i: number) => Record<string, unknown>)(call++))
            .writeTo.sink(memory)
            .createLogger();
          const child = log.child(boundProperties);
          const template = '{A} {0}';
          const count = perEvent.length * 2;
          LogContext.run(context, () => {
            for (let i = 0; i < count; i++) child.information(template, ...args);
          });
          expect(memory.events).toHaveLength(count);
          memory.events.forEach((event, i) => {
            const want: Record<string, unknown> = {};
            for (const [key, v] of expected(template, args, boundProperties)) setOwnProperty(want, key, v);
            const extra = new (Extra as unknown as new (i: number) => Record<string, unknown>)(i);
            for (const source of [context, { Service: 'orders' }, extras[i], extra])
              for (const key of Object.keys(source)) if (!Object.hasOwn(want, key)) setOwnProperty(want, key, source[key]);
            const got = Object.keys(event.properties).map((key): [string, unknown] => [key, event.properties[key]]);
            expect(got).toEqual(Object.keys(want).map((key): [string, unknown] => [key, want[key]]));
            expect(Object.hasOwn(event.properties, 'Inherited')).toBe(false);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('are separate objects: an operator that changes one event’s properties changes no other event', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const child = log.child({ RequestId: 'r-1' });
    child.information('Order {OrderId}', 1);
    (memory.events[0].properties as Record<string, unknown>).RequestId = 'changed';
    child.information('Order {OrderId}', 2);
    expect(memory.events[1].properties).toEqual({ OrderId: 2, RequestId: 'r-1' });
    expect(memory.events[0].properties).not.toBe(memory.events[1].properties);
  });
});
