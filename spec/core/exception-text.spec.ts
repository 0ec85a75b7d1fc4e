import * as vm from 'node:vm';
import { exceptionText } from '../../lib/core/exception-text';
import { RedactionPolicy } from '../../lib/templates/redaction-policy';

describe('exceptionText', () => {
  it('gives the stack of an error', () => {
    const error = new Error('boom');
    expect(exceptionText(error)).toBe(error.stack);
  });

  it("puts the name and message before a stack that leaves them out, as Firefox's and Safari's do", () => {
    const firefox = Object.assign(new TypeError('boom'), { stack: 'handler@https://app.example/main.js:10:5\n' });
    expect(exceptionText(firefox)).toBe('TypeError: boom\nhandler@https://app.example/main.js:10:5');
    const cause = Object.assign(new RangeError('too far'), { stack: 'step@https://app.example/main.js:3:1\n' });
    const safari = Object.assign(new Error('failed', { cause }), { stack: 'global code@https://app.example/main.js:1:1' });
    expect(exceptionText(safari)).toBe(
      'Error: failed\nglobal code@https://app.example/main.js:1:1\ncaused by: RangeError: too far\nstep@https://app.example/main.js:3:1',
    );
    // A stack that holds the message (V8's, one read back from CLEF) is kept as it is.
    const v8 = new Error('kept');
    expect(exceptionText(v8)).toBe(v8.stack);
    expect(exceptionText(Object.assign(new Error('plain text'), { stack: 'plain text\n  at x' }))).toBe('plain text\n  at x');
    // Read back from a CLEF line of a Firefox stack: its message is the first line, so the text round-trips.
    const read = Object.assign(new Error('handler@https://app.example/main.js:10:5'), {
      stack: 'handler@https://app.example/main.js:10:5\nrun@https://app.example/main.js:2:1',
    });
    expect(exceptionText(read)).toBe(read.stack);
    // A stack an app put together, or one cut short, is kept too.
    expect(exceptionText(Object.assign(new Error('Payment failed'), { stack: 'Error: Not Found\n    at find' }))).toBe(
      'Error: Not Found\n    at find',
    );
  });

  it('gives String(error) when there is no stack', () => {
    const error = new Error('boom');
    error.stack = undefined;
    expect(exceptionText(error)).toBe('Error: boom');
    expect(exceptionText('plain')).toBe('plain');
  });

  it('never throws, whatever the error does', () => {
    const hostile = {
      get stack(): string {
        throw new Error('no');
      },
      toString(): string {
        throw new Error('no');
      },
    };
    expect(exceptionText(hostile)).toBe('[unprintable exception]');
  });

  it('writes an Error whose stack getter throws as its name and message', () => {
    const error = new TypeError('card declined');
    Object.defineProperty(error, 'stack', {
      get(): string {
        throw new Error('no');
      },
    });
    expect(exceptionText(new Error('payment failed', { cause: error }))).toMatch(/\ncaused by: TypeError: card declined$/);
  });
  // V8 makes the stack text on its first read, from the name and message: a name whose
  // conversion throws breaks the stack and String() alike, and leaves the message readable.
  it('writes an Error whose name cannot be made text as Error and its message', () => {
    const name = new Proxy(
      {},
      {
        get(): never {
          throw new Error('trap');
        },
      },
    );
    const error = Object.assign(new Error('card declined'), { name });
    expect(exceptionText(error)).toBe('Error: card declined');
    expect(exceptionText(new Error('payment failed', { cause: error }))).toMatch(/\ncaused by: Error: card declined$/);
  });

  it('writes an Error whose message getter throws as its name, its causes still followed', () => {
    const error = new TypeError('card declined', { cause: new Error('network down') });
    Object.defineProperty(error, 'message', {
      get(): string {
        throw new Error('no');
      },
    });
    expect(exceptionText(error)).toMatch(/^TypeError: \[unreadable message\]\ncaused by: Error: network down\n/);
    expect(exceptionText(new Error('payment failed', { cause: error }))).toMatch(
      /\ncaused by: TypeError: \[unreadable message\]\ncaused by: Error: network down\n/,
    );
  });
});

describe('exceptionText with causes', () => {
  it('follows the cause chain, one caused by line each', () => {
    const root = new Error('reset');
    const error = new Error('unavailable', { cause: root });
    expect(exceptionText(error)).toBe(`${error.stack}\ncaused by: ${root.stack}`);
  });

  it('prints a non-Error cause as a string', () => {
    expect(exceptionText(Object.assign(new Error('a'), { stack: 'Error: a', cause: 'disk full' }))).toBe(
      'Error: a\ncaused by: disk full',
    );
  });

  it("cuts a plain-object cause's JSON before a surrogate pair it would split, never writing half of it", () => {
    const cause = { data: `${'x'.repeat(990)}😀${'y'.repeat(100)}` };
    const text = exceptionText(Object.assign(new Error('a'), { stack: 'Error: a', cause }));
    expect(text).toBe(`Error: a\ncaused by: {"data":"${'x'.repeat(990)}…`);
  });

  it('prints a plain-object cause as its JSON, cut at 1 000 characters, and one without JSON as its tag', () => {
    const error = (cause: unknown): Error => Object.assign(new Error('a'), { stack: 'Error: a', cause });
    expect(exceptionText(error({ code: 'ETIMEDOUT', port: 443 }))).toBe('Error: a\ncaused by: {"code":"ETIMEDOUT","port":443}');
    const long = exceptionText(error({ data: 'x'.repeat(5_000) }));
    expect(long).toBe(`Error: a\ncaused by: {"data":"${'x'.repeat(991)}…`);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(exceptionText(error(cyclic))).toBe('Error: a\ncaused by: [object Object]');
    expect(exceptionText(error({ n: 1n }))).toBe('Error: a\ncaused by: [object Object]');
  });

  it('keeps the text made so far when a cause getter throws', () => {
    const inner = Object.defineProperty(new Error('inner'), 'cause', {
      get() {
        throw new Error('no cause for you');
      },
    });
    inner.stack = 'Error: inner';
    const outer = Object.assign(new Error('outer'), { stack: 'Error: outer', cause: inner });
    expect(exceptionText(outer)).toBe('Error: outer\ncaused by: Error: inner\ncaused by: [unreadable cause]');
  });

  it('lists the errors of an AggregateError from another realm', () => {
    const foreign = vm.runInNewContext('new AggregateError([new Error("inner one")], "agg")') as Error;
    expect(foreign instanceof AggregateError).toBe(false);
    expect(exceptionText(foreign)).toContain('\nerror 1 of 1: Error: inner one');
  });

  it('stops at a cycle and at eight causes', () => {
    const a = Object.assign(new Error('A'), { stack: 'A' });
    const b = Object.assign(new Error('B'), { stack: 'B', cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    expect(exceptionText(a)).toBe('A\ncaused by: B\ncaused by: [Circular]');
    let chain: Error = Object.assign(new Error('0'), { stack: 'E0' });
    for (let i = 1; i <= 10; i++) chain = Object.assign(new Error(String(i)), { stack: `E${i}`, cause: chain });
    const lines = exceptionText(chain).split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[9]).toBe('caused by: [more causes]');
    // Eight causes and no ninth: nothing is said to be missing.
    let eight: Error = Object.assign(new Error('0'), { stack: 'E0' });
    for (let i = 1; i <= 8; i++) eight = Object.assign(new Error(String(i)), { stack: `E${i}`, cause: eight });
    expect(exceptionText(eight).split('\n')).toEqual(['E8', ...Array.from({ length: 8 }, (_, i) => `caused by: E${7 - i}`)]);
  });

  it('lists the errors of an AggregateError, the first eight, then its causes', () => {
    const inner = (i: number): Error => Object.assign(new Error(String(i)), { stack: `E${i}` });
    const any = Object.assign(new AggregateError([inner(1), 'refused'], 'all failed'), { stack: 'AggregateError: all failed' });
    expect(exceptionText(any)).toBe('AggregateError: all failed\nerror 1 of 2: E1\nerror 2 of 2: refused');
    const many = Object.assign(
      new AggregateError(
        Array.from({ length: 10 }, (_, i) => inner(i)),
        'A',
        { cause: inner(99) },
      ),
      {
        stack: 'A',
      },
    );
    const lines = exceptionText(many).split('\n');
    expect(lines).toEqual([
      'A',
      ...Array.from({ length: 8 }, (_, i) => `error ${i + 1} of 10: E${i}`),
      '[2 more errors]',
      'caused by: E99',
    ]);
  });

  it("follows each error of an AggregateError into its own causes and errors, indented under it: Promise.any over fetch keeps each failure's reason", () => {
    // undici's fetch rejects with TypeError('fetch failed') and puts the reason in its cause.
    const refused = (port: number): Error =>
      Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), {
        stack: `Error: connect ECONNREFUSED 127.0.0.1:${port}\n    at connect`,
      });
    const failed = (port: number): Error =>
      Object.assign(new TypeError('fetch failed', { cause: refused(port) }), { stack: 'TypeError: fetch failed\n    at fetch' });
    const inner = Object.assign(new AggregateError([refused(3)], 'inner'), { stack: 'AggregateError: inner' });
    const any = Object.assign(new AggregateError([failed(1), failed(2), inner], 'All promises were rejected'), {
      stack: 'AggregateError: All promises were rejected',
    });
    expect(exceptionText(any).split('\n')).toEqual([
      'AggregateError: All promises were rejected',
      'error 1 of 3: TypeError: fetch failed',
      '    at fetch',
      '  caused by: Error: connect ECONNREFUSED 127.0.0.1:1',
      '      at connect',
      'error 2 of 3: TypeError: fetch failed',
      '    at fetch',
      '  caused by: Error: connect ECONNREFUSED 127.0.0.1:2',
      '      at connect',
      'error 3 of 3: AggregateError: inner',
      '  error 1 of 1: Error: connect ECONNREFUSED 127.0.0.1:3',
      '      at connect',
    ]);
  });

  it('bounds the text of errors nested in errors, shared or cyclic, however wide and deep', () => {
    // Eight errors, each an AggregateError of the same eight, ten levels down: 8^10 paths.
    let level: Error = Object.assign(new Error('leaf'), { stack: 'L' });
    for (let depth = 0; depth < 10; depth++) {
      const items = Array.from({ length: 8 }, () => level);
      level = Object.assign(new AggregateError(items, String(depth)), { stack: `A${depth}` });
    }
    const lines = exceptionText(level).split('\n');
    expect(lines.length).toBeLessThanOrEqual(200);
    expect(lines.some((line) => /\[\d+ more errors\]|\[more errors\]/.test(line))).toBe(true);
    const self: AggregateError = Object.assign(new AggregateError([], 'S'), { stack: 'S' });
    (self as { errors: unknown[] }).errors = [self];
    expect(exceptionText(self)).toBe('S\nerror 1 of 1: [Circular]');
  });

  // The top stack is the event's own, which a queued sink's maxEventBytes measures and cuts; the
  // errors and causes under it are not measured there.
  it('cuts the text of each nested error and cause at 64 KiB, and all of it at 1 MiB, keeping the top stack whole', () => {
    const huge = 'x'.repeat(10_000_000);
    const errors = Array.from({ length: 8 }, (_, i) => Object.assign(new Error(), { stack: `E${i} ${huge}` }));
    const cause = Object.assign(new Error(), { stack: `C ${huge}` });
    const top = Object.assign(new AggregateError(errors, 'many', { cause }), { stack: 'A' });
    const text = exceptionText(top);
    expect(text.length).toBeLessThan(9 * 65_536 + 1_000);
    expect(text).toMatch(/^A\nerror 1 of 8: E0 x+…\[truncated 9934467 chars\]\nerror 2 of 8: E1 x+…\[truncated/);
    expect(text).toMatch(/\ncaused by: C x+…\[truncated 9934466 chars\]$/);
    const deep = Array.from({ length: 64 }, (_, i) => Object.assign(new Error(), { stack: `D${i} ${huge}` }));
    for (let i = 0; i < 63; i++) (deep[i] as { cause?: unknown }).cause = deep[i + 1];
    // 64 texts of 64 KiB (eight errors, each with its chain of causes) would be 4 MiB.
    const spread = exceptionText(Object.assign(new AggregateError(deep.slice(0, 8), 'wide'), { stack: 'W' }));
    expect(spread.length).toBeLessThanOrEqual(16 * 65_536 + 64 * 100);
    const whole = Object.assign(new Error(), { stack: `T ${huge}` });
    expect(exceptionText(whole)).toBe(whole.stack);
  });
});

describe('exceptionText with hostile errors', () => {
  it('keeps the stack of an error whose name getter throws', () => {
    const error = new Error('disk full');
    const stack = error.stack;
    Object.defineProperty(error, 'name', {
      get(): string {
        throw new Error('no');
      },
    });
    expect(exceptionText(error)).toBe(stack);
  });

  it('keeps the stack of an AggregateError whose errors getter throws', () => {
    const error = Object.assign(new AggregateError([], 'all failed'), { stack: 'AggregateError: all failed' });
    Object.defineProperty(error, 'errors', {
      get(): unknown[] {
        throw new Error('no');
      },
    });
    expect(exceptionText(error)).toBe('AggregateError: all failed');
  });

  it('keeps the errors listed before one whose getter throws', () => {
    const errors: unknown[] = [Object.assign(new Error('E1'), { stack: 'E1' }), undefined];
    Object.defineProperty(errors, 1, {
      get(): unknown {
        throw new Error('no');
      },
    });
    const error = Object.assign(new AggregateError([], 'A'), { stack: 'A', errors });
    expect(exceptionText(error)).toBe('A\nerror 1 of 2: E1');
  });

  it('keeps the stack of a Proxy of an error whose getPrototypeOf trap throws', () => {
    const error = Object.assign(new Error('x'), { stack: 'Error: x' });
    const proxy = new Proxy(error, {
      getPrototypeOf(): object {
        throw new Error('no');
      },
    });
    expect(exceptionText(proxy)).toBe('Error: x');
  });

  it('writes a null-prototype object, thrown or as a cause, as its JSON', () => {
    const data = Object.assign(Object.create(null) as object, { code: 'ETIMEDOUT' });
    expect(exceptionText(data)).toBe('{"code":"ETIMEDOUT"}');
    const error = Object.assign(new Error('request failed', { cause: data }), { stack: 'Error: request failed' });
    expect(exceptionText(error)).toBe('Error: request failed\ncaused by: {"code":"ETIMEDOUT"}');
  });

  it('keeps the text made so far when a cause is a revoked Proxy, which nothing can be read from', () => {
    const revocable = Proxy.revocable(new Error('inner'), {});
    revocable.revoke();
    const error = Object.assign(new Error('outer', { cause: revocable.proxy }), { stack: 'Error: outer' });
    expect(exceptionText(error)).toBe('Error: outer\ncaused by: [unprintable exception]');
    expect(exceptionText(revocable.proxy)).toBe('[unprintable exception]');
  });
});

// Node's util.inspect(err) and pino's err serializer show an error's own fields; the text showed
// only name, message, stack and cause, so `code: 'ECONNREFUSED'` never reached the log.
describe('exceptionText of an error with own fields', () => {
  const connectError = (): Error =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: '127.0.0.1',
      port: 5432,
    });

  it('writes its own fields of scalar values on a line after its stack, before its causes, as Node and pino show them', () => {
    const error = connectError();
    error.stack = 'Error: connect ECONNREFUSED 127.0.0.1:5432\n    at connect (net.js:1:1)';
    error.cause = Object.assign(new Error('inner'), { code: 'EINNER' });
    (error.cause as Error).stack = 'Error: inner';
    expect(exceptionText(error)).toBe(
      'Error: connect ECONNREFUSED 127.0.0.1:5432\n    at connect (net.js:1:1)\n' +
        '{ code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "127.0.0.1", port: 5432 }\n' +
        'caused by: Error: inner\n{ code: "EINNER" }',
    );
  });

  it('leaves out objects, arrays, functions and the names written otherwise, and writes none for an error without fields', () => {
    const error = Object.assign(new Error('Request failed with status code 401'), {
      status: 401,
      retryable: false,
      big: 10n,
      config: { headers: { Authorization: 'Bearer secret' } },
      response: [1],
      toJSON: () => ({}),
      missing: undefined,
      none: null,
    });
    error.stack = 'AxiosError: Request failed with status code 401';
    expect(exceptionText(error)).toBe(
      'AxiosError: Request failed with status code 401\n{ status: 401, retryable: false, big: 10 }',
    );
    const plain = new Error('plain');
    plain.stack = 'Error: plain';
    expect(exceptionText(plain)).toBe('Error: plain');
    // A thrown plain object's text is its JSON already.
    expect(exceptionText({ code: 'ETIMEDOUT' })).toBe('{"code":"ETIMEDOUT"}');
  });

  it('bounds the fields in count and length, quotes odd names and strings as JSON, and survives throwing getters, Proxies and cycles', () => {
    const error = new Error('many');
    error.stack = 'Error: many';
    for (let i = 0; i < 40; i++) (error as unknown as Record<string, unknown>)[`f${i}`] = i;
    expect(exceptionText(error)).toBe(`Error: many\n{ ${Array.from({ length: 16 }, (_, i) => `f${i}: ${i}`).join(', ')}, … }`);

    const odd = Object.assign(new Error('odd'), { 'x-line': 'a\nb\u001b[2J', long: 'y'.repeat(10_000) });
    odd.stack = 'Error: odd';
    const text = exceptionText(odd);
    expect(text).toBe(`Error: odd\n{ "x-line": "a\\nb\\u001b[2J", long: "${'y'.repeat(200)}…" }`);

    const hostile = new Error('hostile');
    hostile.stack = 'Error: hostile';
    Object.defineProperty(hostile, 'token', {
      enumerable: true,
      get() {
        throw new Error('vault sealed');
      },
    });
    Object.assign(hostile, { self: hostile, code: 'E1' });
    expect(exceptionText(hostile)).toBe('Error: hostile\n{ code: "E1" }');

    const proxy = new Proxy(connectError(), {
      ownKeys() {
        throw new Error('no keys');
      },
    });
    expect(exceptionText(proxy)).toMatch(/^Error: connect ECONNREFUSED 127\.0\.0\.1:5432\n/);
    expect(exceptionText(proxy)).not.toContain('{ code');
  });

  it("writes each cause's and each listed error's own fields after its text, as Node's util.inspect shows a cause's", () => {
    const cause = connectError();
    cause.stack = 'Error: connect ECONNREFUSED 127.0.0.1:5432';
    const item = Object.assign(new Error('item'), { status: 503 });
    item.stack = 'Error: item';
    const aggregate = Object.assign(new AggregateError([item], 'all failed'), { attempts: 2 });
    aggregate.stack = 'AggregateError: all failed';
    const error = new Error('outer', { cause: aggregate });
    error.stack = 'Error: outer';
    (aggregate as Error).cause = cause;
    expect(exceptionText(error)).toBe(
      'Error: outer\n' +
        'caused by: AggregateError: all failed\n{ attempts: 2 }\n' +
        'error 1 of 1: Error: item\n{ status: 503 }\n' +
        'caused by: Error: connect ECONNREFUSED 127.0.0.1:5432\n' +
        '{ code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "127.0.0.1", port: 5432 }',
    );
  });

  it("bounds a cause's fields as the top error's, within the nested caps, however deep, wide or hostile the chain", () => {
    // Twenty causes, each with 40 fields of a megabyte: eight are written, each with 16 fields of 200 characters.
    const huge = 'v'.repeat(1_000_000);
    let chain: Error = new Error('bottom');
    for (let depth = 0; depth < 20; depth++) {
      const next = new Error(`e${depth}`, { cause: chain });
      next.stack = `Error: e${depth}`;
      for (let i = 0; i < 40; i++) (next as unknown as Record<string, unknown>)[`f${i}`] = huge;
      chain = next;
    }
    // 100 000 causes deep, each with a field: eight are written, then a marker.
    const deep = { stack: 'Error: top' } as Error;
    let link: Error = deep;
    for (let depth = 0; depth < 100_000; depth++) {
      const next = Object.assign(new Error('d'), { code: depth });
      next.stack = 'Error: d';
      link.cause = next;
      link = next;
    }
    const deepText = exceptionText(Object.assign(new Error('top', { cause: deep.cause }), { stack: 'Error: top' }));
    expect(deepText.split('caused by: ')).toHaveLength(10);
    expect(deepText.endsWith('{ code: 7 }\ncaused by: [more causes]')).toBe(true);
    const wide = exceptionText(chain);
    const lines = wide.split('\n').filter((line) => line.startsWith('{ '));
    expect(lines).toHaveLength(9);
    for (const line of lines) expect(line.length).toBeLessThan(16 * 210 + 10);

    const hostileCause = new Proxy(connectError(), {
      ownKeys() {
        throw new Error('no keys');
      },
    });
    const selfCause = Object.assign(new Error('self'), { code: 'ESELF' });
    selfCause.stack = 'Error: self';
    selfCause.cause = selfCause;
    const throwing = new Error('throwing');
    throwing.stack = 'Error: throwing';
    Object.defineProperty(throwing, 'token', {
      enumerable: true,
      get() {
        throw new Error('vault sealed');
      },
    });
    Object.assign(throwing, { code: 'ET' });
    for (const cause of [hostileCause, selfCause, throwing]) {
      const top = new Error('top', { cause });
      top.stack = 'Error: top';
      expect(() => exceptionText(top)).not.toThrow();
    }
    expect(exceptionText(Object.assign(new Error('top', { cause: selfCause }), { stack: 'Error: top' }))).toBe(
      'Error: top\ncaused by: Error: self\n{ code: "ESELF" }\ncaused by: [Circular]',
    );
    expect(exceptionText(Object.assign(new Error('top', { cause: throwing }), { stack: 'Error: top' }))).toBe(
      'Error: top\ncaused by: Error: throwing\n{ code: "ET" }',
    );
    expect(exceptionText(Object.assign(new Error('top', { cause: hostileCause }), { stack: 'Error: top' }))).not.toContain(
      '{ code',
    );
  });

  it("shows a redacted copy's own fields as the policy left them", () => {
    const error = Object.assign(connectError(), { token: 'abc123', password: 'hunter2' });
    error.stack = 'Error: connect ECONNREFUSED 127.0.0.1:5432';
    const censored = RedactionPolicy.compile({ paths: ['token'] }).redactError(error);
    const removed = RedactionPolicy.compile({ keys: /pass/, remove: true }).redactError(censored);
    expect(exceptionText(removed)).toBe(
      'Error: connect ECONNREFUSED 127.0.0.1:5432\n' +
        '{ code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "127.0.0.1", port: 5432, token: "[Redacted]" }',
    );
    const cause = Object.assign(new Error('inner'), { code: 'EAUTH', apiToken: 'abc123' });
    cause.stack = 'Error: inner';
    const outer = new Error('outer', { cause });
    outer.stack = 'Error: outer';
    const text = exceptionText(RedactionPolicy.compile({ keys: /token/i }).redactError(outer));
    expect(text).toBe('Error: outer\ncaused by: Error: inner\n{ code: "EAUTH", apiToken: "[Redacted]" }');
  });
});
