/** An amount whose `toJSON(key)` returns an object holding another `toJSON`: JSON.stringify calls both. */
class Money {
  constructor(readonly cents: number) {}
  toJSON(key: string): unknown {
    return { amount: this.cents / 100, key, inner: { toJSON: () => 'inner JSON' } };
  }
}

/**
 * Values never captured that JSON.stringify writes otherwise than their own members: objects with a
 * `toJSON` (a URL, a class's, one nested in an array, one that throws) and boxed primitives.
 */
export function toJsonValues(): Record<string, unknown> {
  return {
    Url: new URL('http://shop.example/cart?id=7'),
    Price: new Money(1999),
    Count: new Number(3),
    Name: new String('ab'),
    Flag: new Boolean(false),
    List: [new Money(5)],
    Throws: {
      toJSON: () => {
        throw new Error('no JSON');
      },
    },
  };
}
