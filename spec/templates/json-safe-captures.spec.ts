import { isJsonSafe, markJsonSafe } from '../../lib/templates/json-safe-captures';

describe('markJsonSafe and isJsonSafe', () => {
  it('marks the object it is given, and only that object', () => {
    const root = { a: 1, nested: { b: 2 } };
    expect(isJsonSafe(root)).toBe(false);
    markJsonSafe(root);
    expect(isJsonSafe(root)).toBe(true);
    expect(isJsonSafe(root.nested)).toBe(false);
    expect(isJsonSafe({ a: 1, nested: { b: 2 } })).toBe(false);
  });

  it('leaves no trace a program can see: keys, symbols, JSON and the prototype are unchanged', () => {
    const root: Record<string, unknown> = { a: 1, list: [1, 2] };
    markJsonSafe(root);
    expect(Reflect.ownKeys(root)).toEqual(['a', 'list']);
    expect(Object.getOwnPropertySymbols(root)).toEqual([]);
    expect(JSON.stringify(root)).toBe('{"a":1,"list":[1,2]}');
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(root).toEqual({ a: 1, list: [1, 2] });
  });

  it('is not carried by a copy of a marked object', () => {
    const root = { a: 1 };
    markJsonSafe(root);
    expect(isJsonSafe({ ...root })).toBe(false);
    expect(isJsonSafe(Object.assign({}, root))).toBe(false);
    expect(isJsonSafe(structuredClone(root))).toBe(false);
  });

  it('marks arrays too', () => {
    const list = [1, 'a'];
    markJsonSafe(list);
    expect(isJsonSafe(list)).toBe(true);
    expect(list).toEqual([1, 'a']);
  });

  it('tests a Proxy without running any of its traps', () => {
    const trap = jest.fn(() => {
      throw new Error('trap');
    });
    const proxy = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap });
    expect(isJsonSafe(proxy)).toBe(false);
    expect(trap).not.toHaveBeenCalled();
  });
});
