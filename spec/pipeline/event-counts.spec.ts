import { eventCounts } from '../../lib/pipeline/event-counts';

describe('eventCounts', () => {
  it('reads and writes a count per object, as a WeakMap keyed by the object would', () => {
    const counts = eventCounts();
    const a = { level: 'Information' };
    const b = { level: 'Information' };
    expect(counts.get(a)).toBeUndefined();
    counts.set(a, 1);
    expect(counts.get(a)).toBe(1);
    expect(counts.get(b)).toBeUndefined();
    counts.set(a, 0);
    expect(counts.get(a)).toBe(0);
    counts.set(b, 2);
    expect([counts.get(a), counts.get(b)]).toEqual([0, 2]);
  });

  it('keeps the counts of each call apart on the same object', () => {
    const first = eventCounts();
    const second = eventCounts();
    const event = {};
    first.set(event, 3);
    expect(second.get(event)).toBeUndefined();
    second.set(event, 1);
    expect([first.get(event), second.get(event)]).toEqual([3, 1]);
  });

  it('leaves no trace an app can see: names, symbols, descriptors, JSON and a spread copy are unchanged', () => {
    const counts = eventCounts();
    const symbol = Symbol('s');
    const event = { level: 'Information', properties: { N: 1 }, [symbol]: true };
    const before = {
      keys: Reflect.ownKeys(event),
      descriptors: Object.getOwnPropertyDescriptors(event),
      json: JSON.stringify(event),
    };
    counts.set(event, 1);
    expect(Reflect.ownKeys(event)).toEqual(before.keys);
    expect(Object.getOwnPropertyDescriptors(event)).toEqual(before.descriptors);
    expect(JSON.stringify(event)).toBe(before.json);
    // A copy is another object: it has no count.
    expect(counts.get({ ...event })).toBeUndefined();
  });

  it('counts frozen objects, Proxies and class instances too', () => {
    const counts = eventCounts();
    const frozen = Object.freeze({ level: 'Warning' });
    const proxy = new Proxy({}, {});
    class Record {
      readonly level = 'Error';
    }
    const instance = new Record();
    counts.set(frozen, 1);
    counts.set(proxy, 2);
    counts.set(instance, 3);
    expect([counts.get(frozen), counts.get(proxy), counts.get(instance)]).toEqual([1, 2, 3]);
    expect(Object.isFrozen(frozen)).toBe(true);
  });

  it('answers for what is not an object as a WeakMap does: get is undefined, set throws a TypeError', () => {
    const counts = eventCounts();
    const weak = new WeakMap<object, number>();
    for (const value of [undefined, null, 'event', 1, true]) {
      expect(counts.get(value)).toBeUndefined();
      expect(() => counts.set(value, 1)).toThrow(TypeError);
      expect(() => weak.set(value as unknown as object, 1)).toThrow(TypeError);
    }
  });
});
