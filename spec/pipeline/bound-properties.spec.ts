import { bindProperties } from '../../lib/pipeline/bound-properties';
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

  it('keeps a "__proto__" key as a plain name and what it read before a throwing getter', () => {
    const untrusted = JSON.parse('{"__proto__":{"Injected":"yes"},"RequestId":"r-1"}') as Record<string, unknown>;
    expect(bindProperties(undefined, untrusted, undefined).keys).toEqual(['__proto__', 'RequestId']);
    const hostile = {
      Good: 1,
      get Bad(): never {
        throw new Error('no');
      },
    };
    const bound = bindProperties(undefined, hostile, undefined);
    expect(bound.keys).toEqual(['Good']);
  });
});
