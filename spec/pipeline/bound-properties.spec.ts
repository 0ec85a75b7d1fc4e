import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { bindProperties, MAX_BOUND_PROPERTIES } from '../../lib/pipeline/bound-properties';
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
