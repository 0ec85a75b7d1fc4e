import fc from 'fast-check';
import { anyValue } from './arbitraries';

function thrower(): never {
  throw new Error('hostile');
}
/** Values no JSON.stringify call survives, as an app may hand them to a logger, an operator or a formatter directly: each made by a thunk inside the property, as fast-check itself reads a Proxy's properties, which throw. */
export type Make = () => unknown;
const leaf: fc.Arbitrary<Make> = fc.oneof(
  anyValue({ maxDepth: 2 }).map((value) => () => value),
  fc
    .constantFrom<unknown>(
      -0,
      NaN,
      Infinity,
      -Infinity,
      2n ** 70n,
      -(2n ** 64n),
      Symbol('s'),
      Symbol(),
      () => 1,
      new Date(NaN),
      new Date(8.64e15),
      new Map<unknown, unknown>([
        [{}, 1],
        [Symbol('k'), 2],
        [NaN, -0],
      ]),
      new Set([undefined, NaN, 1n]),
      new Uint8Array([1, 2]),
      new Float64Array([NaN, -0, Infinity]),
      new BigInt64Array([-1n]),
      new DataView(new ArrayBuffer(2)),
      new ArrayBuffer(3),
      new WeakMap(),
      Promise.resolve(1),
      /re/g,
      Object(1n),
      Object(Symbol('boxed')),
      new String('box'),
      'x'.repeat(300_000),
      '\ud800\u2028\u2029\u0000\n\r',
      Object.create(null),
    )
    .map((value) => () => value),
  fc.constant(() => ({ toJSON: thrower })),
  fc.constant(() => Object.defineProperty({ a: 1 }, 'b', { enumerable: true, get: thrower })),
  fc.constant(() => new Proxy({ a: 1 }, { ownKeys: thrower })),
  fc.constant(() => new Proxy({ a: 1 }, { get: thrower })),
  fc.constant(() => new Proxy([1, 2], { getOwnPropertyDescriptor: thrower })),
  fc.constant(() => new Proxy({}, { getPrototypeOf: thrower })),
  fc.constant(() => Object.assign(new Number(1), { valueOf: thrower, toString: thrower })),
  fc.constant(() => ({ toString: thrower, [Symbol.toPrimitive]: thrower, constructor: thrower })),
  fc.constant(() => {
    const error = new Error('e');
    // stack first: redefining it formats V8's lazy stack, which reads the message.
    Object.defineProperty(error, 'stack', { get: thrower });
    Object.defineProperty(error, 'message', { get: thrower });
    Object.defineProperty(error, 'name', { get: thrower });
    return error;
  }),
  fc.constant(() => {
    const cycle: Record<string, unknown> = { n: 1 };
    cycle.self = cycle;
    cycle.list = [cycle, new Map([[cycle, cycle]])];
    return cycle;
  }),
);
/** A hostile value, an array of them or an object of them. */
export const hostile: fc.Arbitrary<Make> = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 4 }).map((items) => () => items.map((make) => make())),
  fc
    .dictionary(fc.string({ maxLength: 4 }), leaf, { maxKeys: 4 })
    .map((entries) => () => Object.fromEntries(Object.entries(entries).map(([key, make]) => [key, make()]))),
);
