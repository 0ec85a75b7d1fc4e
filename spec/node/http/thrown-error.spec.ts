import { runInNewContext } from 'node:vm';
import { thrownError } from '../../../lib/node/http/thrown-error';

describe('thrownError', () => {
  it('keeps an Error as it is, one from another realm too', () => {
    const error = new RangeError('bad');
    const foreign = runInNewContext('new TypeError("foreign")') as Error;
    expect(thrownError(error)).toBe(error);
    expect(thrownError(foreign)).toBe(foreign);
  });

  it('makes a NonErrorThrown Error of anything else: a string as it is, an object as JSON, whose stack is its first line only', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const hostile = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    const made = [
      thrownError('Out of stock'),
      thrownError({ code: 'E_STOCK' }),
      thrownError(42n),
      thrownError(null),
      thrownError(cyclic),
      thrownError(hostile),
    ];
    for (const error of made) expect([error.name, error.stack]).toEqual(['NonErrorThrown', `NonErrorThrown: ${error.message}`]);
    expect(made.slice(0, 4).map((error) => error.message)).toEqual(['Out of stock', '{"code":"E_STOCK"}', '42', 'null']);
    expect(made[4]?.message).toContain('"a":1');
  });
});
