import { ThrownValueError } from '../../lib/core/errors/thrown-value-error';
import { exceptionText } from '../../lib/core/exception-text';
import { exceptionFrom } from '../../lib/templates/exception-from';

describe('exceptionFrom', () => {
  it('returns an Error as it is', () => {
    const error = new RangeError('out of range');
    expect(exceptionFrom(error)).toBe(error);
  });

  it('keeps an object with a string name, message and stack (an Error from another realm)', () => {
    const foreign = { name: 'Error', message: 'from an iframe', stack: 'Error: from an iframe\n    at frame.js:1:1' };
    expect(exceptionFrom(foreign)).toBe(foreign);
  });

  it('returns an Error whose prototype was taken away as it is: an Error by brand, its message and stack kept', () => {
    const error = new Error('card declined');
    Object.setPrototypeOf(error, null);
    expect(exceptionFrom(error)).toBe(error);
    expect(exceptionText(exceptionFrom(error))).toMatch(/^Error: card declined\n {4}at /);
    const noStack = new TypeError('bad input');
    delete noStack.stack;
    Object.setPrototypeOf(noStack, null);
    expect(exceptionFrom(noStack)).toBe(noStack);
    expect(exceptionText(noStack)).toBe('Error: bad input');
  });

  // Formatters write an exception's stack, else String(exception): "[object Object]" for this one.
  it('carries an object with a name and message but no stack as its data, so formatters write its message', () => {
    const thrown = { name: 'AbortError', message: 'The user aborted a request.' };
    const exception = exceptionFrom(thrown);
    expect(exception).toBeInstanceOf(ThrownValueError);
    expect(exception.message).toBe('{"name":"AbortError","message":"The user aborted a request."}');
    expect(exceptionText(exception)).toContain('The user aborted a request.');
  });

  // A DOMException from another realm (an iframe's AbortError) is no Error of this one, may have no
  // stack, and has its name and message as getters on its prototype: none of it is own data.
  it('keeps the name and message an error-like object inherits, when it has no stack, before its own data', () => {
    const prototype = {
      get name(): string {
        return 'AbortError';
      },
      get message(): string {
        return 'The operation was aborted.';
      },
    };
    const thrown = Object.assign(Object.create(prototype) as object, { code: 20 });
    const exception = exceptionFrom(thrown);
    expect(exception).toBeInstanceOf(ThrownValueError);
    expect(exception.message).toBe('{"name":"AbortError","message":"The operation was aborted.","code":20}');
    expect(exceptionText(exception)).toContain('The operation was aborted.');
    const withProto = Object.defineProperty(Object.create(prototype) as object, '__proto__', {
      value: { polluted: true },
      enumerable: true,
    });
    expect(exceptionFrom(withProto).message).toBe(
      '{"name":"AbortError","message":"The operation was aborted.","__proto__":{"polluted":true}}',
    );
  });

  it('keeps the data of an object whose inherited message getter throws, never throwing', () => {
    const prototype = {
      get message(): string {
        throw new Error('no message');
      },
    };
    const thrown = Object.assign(Object.create(prototype) as object, { code: 20 });
    expect(exceptionFrom(thrown).message).toBe('{"code":20}');
  });

  it('cuts the text of a thrown value as a captured string is cut, at 64 KiB', () => {
    const body = 'x'.repeat(1024 * 1024);
    const text = exceptionFrom(body).message;
    expect(text.length).toBe(64 * 1024 + `…[truncated ${1024 * 1024 - 64 * 1024} chars]`.length);
    expect(text.endsWith(`x…[truncated ${1024 * 1024 - 64 * 1024} chars]`)).toBe(true);
    const data = exceptionFrom({ body }).message;
    expect(data.length).toBeLessThan(64 * 1024 + 100);
    expect(data.startsWith('{"body":"xxx')).toBe(true);
  });

  it('writes a thrown array holding the same array many times over within the capture budget', () => {
    let nested: unknown = 1;
    for (let level = 0; level < 4; level++) nested = Array.from({ length: 1000 }, () => nested);
    const message = exceptionFrom(nested).message;
    expect(message.startsWith('1,1,1,')).toBe(true);
    expect(message.length).toBeLessThanOrEqual(64 * 1024 + 100);
  });

  it('makes any other value a ThrownValueError carrying String(value)', () => {
    expect(exceptionFrom('text')).toEqual(new ThrownValueError('text'));
    expect(exceptionFrom(12n).message).toBe('12');
    expect(exceptionFrom(Symbol('s')).message).toBe('Symbol(s)');
    expect(exceptionFrom([1, 2]).message).toBe('1,2');
  });

  // pino's object-first call (log.info({ userId }, 'msg')) and `throw { code }` reach here: String()
  // would say only "[object Object]".
  it('carries a plain object or a class instance without its own toString as JSON, not [object Object]', () => {
    class Failure {
      readonly code = 'E_LIMIT';
      readonly limit = 5;
    }
    expect(exceptionFrom({ userId: 42, nested: { ok: true } }).message).toBe('{"userId":42,"nested":{"ok":true}}');
    expect(exceptionFrom(new Failure()).message).toBe('{"code":"E_LIMIT","limit":5}');
    const circular: Record<string, unknown> = { id: 1 };
    circular.self = circular;
    expect(exceptionFrom(circular).message).toBe('{"id":1,"self":"[Circular]"}');
    expect(exceptionFrom({ code: 'E1', toString: () => 'limit reached' }).message).toBe('limit reached');
  });

  it('never throws on values whose String() or getters throw', () => {
    const hostile = {
      toString(): string {
        throw new Error('no');
      },
    };
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(exceptionFrom(hostile).message).toBe('[object Object]');
    expect(exceptionFrom(Object.create(null)).message).toBe('[object Object]');
    expect(() => exceptionFrom(trap)).not.toThrow();
    expect(exceptionFrom(trap).message).toBe('[unprintable object]');
  });

  it('never throws on a Proxy whose getPrototypeOf trap throws, or a revoked Proxy (instanceof throws on both)', () => {
    const noPrototype = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    for (const value of [noPrototype, revocable.proxy]) {
      expect(() => exceptionFrom(value)).not.toThrow();
      expect(exceptionFrom(value)).toBeInstanceOf(ThrownValueError);
    }
  });
});
