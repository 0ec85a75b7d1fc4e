import fc from 'fast-check';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { exceptionText } from '../../lib/core/exception-text';
import { captureValue } from '../../lib/templates/capture';
import { DEFAULT_CENSOR, MAX_KEY_PATTERN_NAME, type RedactOptions, RedactionPolicy } from '../../lib/templates/redaction-policy';

const ISSUE_POLICY = {
  paths: ['Password', 'User.password', '*.token', 'Headers.authorization'],
  keys: /pass(word)?|secret|token|api[-_]?key/i,
};

describe('RedactionPolicy', () => {
  it('censors exact paths, wildcard paths and key patterns, leaving everything else alone', () => {
    const policy = RedactionPolicy.compile({ paths: ['Password', 'User.password', '*.token', 'Headers.authorization'] });
    const properties = {
      Password: 'p0',
      User: { name: 'ann', password: 'p1', profile: { password: 'deeper, not named' } },
      Session: { token: 't1', id: 's1' },
      Headers: { authorization: 'Bearer x', accept: 'json' },
      Other: 'kept',
    };
    expect(policy.redactProperties(properties)).toEqual({
      Password: DEFAULT_CENSOR,
      User: { name: 'ann', password: DEFAULT_CENSOR, profile: { password: 'deeper, not named' } },
      Session: { token: DEFAULT_CENSOR, id: 's1' },
      Headers: { authorization: DEFAULT_CENSOR, accept: 'json' },
      Other: 'kept',
    });
  });

  it('matches key patterns at any depth, inside arrays too', () => {
    const policy = RedactionPolicy.compile({ keys: ISSUE_POLICY.keys });
    const properties = {
      Users: [
        { name: 'a', apiKey: 'k' },
        { name: 'b', nested: [{ secret: 's' }] },
      ],
      Count: 2,
    };
    expect(policy.redactProperties(properties)).toEqual({
      Users: [
        { name: 'a', apiKey: DEFAULT_CENSOR },
        { name: 'b', nested: [{ secret: DEFAULT_CENSOR }] },
      ],
      Count: 2,
    });
  });

  it('treats arrays as transparent in paths', () => {
    const policy = RedactionPolicy.compile({ paths: ['Users.password'] });
    expect(policy.redactProperties({ Users: [{ password: 'a' }, { password: 'b', name: 'n' }] })).toEqual({
      Users: [{ password: DEFAULT_CENSOR }, { password: DEFAULT_CENSOR, name: 'n' }],
    });
  });

  it('lets * stand for an array index, as pino does for tokens.* and users.*.password (its tokens[*], users[*].password)', () => {
    const properties = { Tokens: ['t-1', 't-2'], Nested: { list: [['t-3'], { k: 't-4' }, 't-5', null] }, Other: ['kept'] };
    expect(RedactionPolicy.compile({ paths: ['Tokens.*', 'Nested.list.*'] }).redactProperties(properties)).toEqual({
      Tokens: [DEFAULT_CENSOR, DEFAULT_CENSOR],
      Nested: { list: [DEFAULT_CENSOR, DEFAULT_CENSOR, DEFAULT_CENSOR, DEFAULT_CENSOR] },
      Other: ['kept'],
    });
    // A path that goes on past the wildcard names something inside the items, not the items.
    expect(RedactionPolicy.compile({ paths: ['Tokens.*.x'] }).redactProperties(properties)).toBe(properties);
    const users = {
      Users: [{ name: 'ann', password: 'p-1' }, [{ name: 'bob', password: 'p-2' }]],
      Team: { lead: { password: 'p-3' } },
    };
    expect(RedactionPolicy.compile({ paths: ['Users.*.password', 'Team.*.password'] }).redactProperties(users)).toEqual({
      Users: [{ name: 'ann', password: DEFAULT_CENSOR }, [{ name: 'bob', password: DEFAULT_CENSOR }]],
      Team: { lead: { password: DEFAULT_CENSOR } },
    });
    // Arrays stay transparent too: the name after * may be an item's own name, as before.
    expect(RedactionPolicy.compile({ paths: ['Users.*'] }).redactProperties({ Users: { a: [{ b: 1 }] } })).toEqual({
      Users: { a: DEFAULT_CENSOR },
    });
    // Removed, an item leaves its place empty (undefined, null in JSON), as pino's does.
    expect(RedactionPolicy.compile({ paths: ['Tokens.*'], remove: true }).redactProperties(properties).Tokens).toEqual([
      undefined,
      undefined,
    ]);
    const paths: string[] = [];
    RedactionPolicy.compile({ paths: ['Tokens.*'], censor: (_value, path) => paths.push(path) }).redactProperties(properties);
    expect(paths).toEqual(['Tokens', 'Tokens']);
    expect(properties.Tokens).toEqual(['t-1', 't-2']);
  });

  it('lets a number name that item of an array, as pino does for users.0.password and tokens.1 (its users[0].password, tokens[1])', () => {
    const properties = {
      Users: [{ password: 'p-0' }, { password: 'p-1' }],
      Tokens: ['t-0', 't-1'],
      Grid: [[{ pin: 1 }, { pin: 2 }]],
    };
    expect(
      RedactionPolicy.compile({ paths: ['Users.0.password', 'Tokens.1', 'Grid.0.1.pin'] }).redactProperties(properties),
    ).toEqual({
      Users: [{ password: DEFAULT_CENSOR }, { password: 'p-1' }],
      Tokens: ['t-0', DEFAULT_CENSOR],
      Grid: [[{ pin: 1 }, { pin: DEFAULT_CENSOR }]],
    });
    // Arrays stay transparent: a number is also an item's own name ('0' of a record in the array).
    expect(RedactionPolicy.compile({ paths: ['A.1'] }).redactProperties({ A: [{ 0: 'x', 1: 'y' }] })).toEqual({
      A: [{ 0: 'x', 1: DEFAULT_CENSOR }],
    });
    // An AggregateError's errors too.
    const failure = new AggregateError([
      Object.assign(new Error('a'), { token: 't-a' }),
      Object.assign(new Error('b'), { token: 't-b' }),
    ]);
    const errors = (RedactionPolicy.compile({ paths: ['errors.1.token'] }).redactError(failure) as AggregateError).errors;
    expect(errors.map((error: Error & { token: string }) => error.token)).toEqual(['t-a', DEFAULT_CENSOR]);
    expect(RedactionPolicy.compile({ paths: ['Tokens.1'], remove: true }).redactProperties(properties).Tokens).toEqual([
      't-0',
      undefined,
    ]);
  });

  it('never mutates its input, copying only the changed branch, and returns the input when nothing matched', () => {
    const policy = RedactionPolicy.compile({ paths: ['User.password'] });
    const untouched = { items: [1, 2] };
    const input = { User: { password: 'x' }, Cart: untouched };
    const output = policy.redactProperties(input);
    expect(input.User.password).toBe('x');
    expect(output.Cart).toBe(untouched);
    const clean = { User: { name: 'ann' } };
    expect(policy.redactProperties(clean)).toBe(clean);
  });

  it('calls a censor function with the value and its dotted path', () => {
    const calls: [unknown, string][] = [];
    const policy = RedactionPolicy.compile({
      paths: ['User.password', 'Card'],
      censor: (value, path) => {
        calls.push([value, path]);
        return typeof value === 'string' ? `${value.slice(0, 1)}***` : '[hidden]';
      },
    });
    expect(policy.redactProperties({ User: { password: 'hunter2' }, Card: { number: '4111' } })).toEqual({
      User: { password: 'h***' },
      Card: '[hidden]',
    });
    expect(calls).toEqual([
      ['hunter2', 'User.password'],
      [{ number: '4111' }, 'Card'],
    ]);
  });

  it('falls back to the default censor when the censor function throws, and tells SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const policy = RedactionPolicy.compile({
      paths: ['Password'],
      censor: () => {
        throw new Error('censor broke');
      },
    });
    expect(policy.redactProperties({ Password: 'x' })).toEqual({ Password: DEFAULT_CENSOR });
    subscription.unsubscribe();
    expect(diagnostics).toHaveLength(1);
  });

  it('never lets a censor function that throws write the value it was given into SelfLog (JSON.parse and BigInt quote it in their messages)', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const policy = RedactionPolicy.compile({
      paths: ['Settings', 'Amount', 'Card'],
      censor: (value, path) =>
        path === 'Settings' ? JSON.parse(String(value)) : path === 'Amount' ? BigInt(String(value)) : cardMask(value),
    });
    function cardMask(value: unknown): never {
      throw new Error(`not a card number: ${String(value)}`, { cause: value });
    }
    try {
      expect(policy.redactProperties({ Settings: 'pw=hunter2', Amount: 'hunter3', Card: 'hunter4' })).toEqual({
        Settings: DEFAULT_CENSOR,
        Amount: DEFAULT_CENSOR,
        Card: DEFAULT_CENSOR,
      });
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('threw SyntaxError at Settings'),
      expect.stringContaining('threw SyntaxError at Amount'),
      expect.stringContaining('threw Error at Card'),
    ]);
    // Neither the text nor the arguments (which an events$ subscriber may write out) hold the values.
    for (const secret of ['hunter2', 'hunter3', 'hunter4']) {
      expect(diagnostics.map((d) => d.message).join('\n')).not.toContain(secret);
      expect(JSON.stringify(diagnostics.map((d) => d.args))).not.toContain(secret);
      expect(diagnostics.flatMap((d) => d.args).some((arg) => typeof arg === 'object')).toBe(false);
    }
  });

  it('never lets an exception it cannot read travel as it is: a Proxy whose traps throw becomes its name, message and stack only', () => {
    const policy = RedactionPolicy.compile({ paths: ['password'] });
    const target = Object.assign(new Error('boom'), { password: 'hunter2' });
    const trap = (name: string) => () => {
      throw new Error(`${name} trap`);
    };
    const hostile = [
      new Proxy(target, { ownKeys: trap('ownKeys') }),
      new Proxy(target, { getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor') }),
      new Proxy(target, { getPrototypeOf: trap('getPrototypeOf') }),
    ];
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    try {
      for (const error of hostile) {
        let redacted: Error | undefined;
        expect(() => (redacted = policy.redactError(error))).not.toThrow();
        // Compared as booleans and strings: printing the Proxy itself in a failure would run its traps.
        expect(redacted === error).toBe(false);
        expect((redacted as unknown as { password?: string }).password).toBeUndefined();
        expect([redacted?.name, redacted?.message, redacted?.stack]).toEqual(['Error', 'boom', target.stack]);
      }
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics.filter((d) => d.template.includes('unreadable exception'))).toHaveLength(3);
  });

  it('removes matches instead when remove is true', () => {
    const policy = RedactionPolicy.compile({ ...ISSUE_POLICY, remove: true });
    expect(policy.redactProperties({ Password: 'x', User: { name: 'n', password: 'y' }, Keep: 1 })).toEqual({
      User: { name: 'n' },
      Keep: 1,
    });
  });

  it('handles property names that collide with the rules', () => {
    const policy = RedactionPolicy.compile({ paths: ['User.password', '*.token'] });
    const properties = {
      // A key that is itself the dotted path is the same place, and is redacted.
      'User.password': 'flat',
      // A key named "*" is a name like any other: the wildcard matches it, it does not widen anything.
      '*': { token: 't', other: 'o' },
      // "password" at the top is not User.password; "User" as a string has nothing below it.
      password: 'top-level, not named',
      User: 'just a name',
      token: 'top-level token, not *.token',
      __proto__: { token: 'own key named __proto__' },
    };
    const output = policy.redactProperties(JSON.parse(JSON.stringify(properties)) as Record<string, unknown>);
    expect(output['User.password']).toBe(DEFAULT_CENSOR);
    expect(output['*']).toEqual({ token: DEFAULT_CENSOR, other: 'o' });
    expect(output.password).toBe('top-level, not named');
    expect(output.User).toBe('just a name');
    expect(output.token).toBe('top-level token, not *.token');
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
  });

  // Flattened names (OpenTelemetry's 'http.request.header.authorization' style) are below what a shorter path names.
  it('redacts a dotted name that goes on past where a path ends, as it redacts what is nested there', () => {
    const policy = RedactionPolicy.compile({ paths: ['Headers', 'User.password'] });
    expect(
      policy.redactProperties({
        'Headers.authorization': 'Bearer t-1',
        'User.password.hash': 'h-1',
        User: { 'password.salt': 's-1', name: 'ann' },
        'User.name': 'ann',
      }),
    ).toEqual({
      'Headers.authorization': DEFAULT_CENSOR,
      'User.password.hash': DEFAULT_CENSOR,
      User: { 'password.salt': DEFAULT_CENSOR, name: 'ann' },
      'User.name': 'ann',
    });
  });

  it('redacts values that were never captured (a Map, a class instance, an Error), as the redact operator meets them in events an app builds', () => {
    class Session {
      id = 's-1';
      token = 't-1';
    }
    const date = new Date(0);
    const untouched = new Map([['accept', 'json']]);
    const properties = {
      Headers: new Map([['authorization', 'Bearer t-2']]),
      Session: new Session(),
      Failure: Object.assign(new Error('denied'), { token: 't-3' }),
      Nested: { list: [new Session()] },
      At: date,
      Accept: untouched,
    };
    const redacted = RedactionPolicy.compile({ paths: ['Headers.authorization'], keys: /token/ }).redactProperties(properties);
    expect(redacted.Headers).toEqual({ authorization: DEFAULT_CENSOR });
    expect(redacted.Session).toEqual({ id: 's-1', token: DEFAULT_CENSOR });
    expect(redacted.Failure).toMatchObject({ name: 'Error', message: 'denied', token: DEFAULT_CENSOR });
    expect(redacted.Nested).toEqual({ list: [{ id: 's-1', token: DEFAULT_CENSOR }] });
    // What holds nothing the policy names is left as it is.
    expect(redacted.At).toBe(date);
    expect(redacted.Accept).toBe(untouched);
    expect(properties.Headers.get('authorization')).toBe('Bearer t-2');
    expect(properties.Session.token).toBe('t-1');
  });

  it('tests an anchored key pattern against each name of a dotted property name too', () => {
    const policy = RedactionPolicy.compile({ keys: /^pass(word)?$/i });
    expect(
      policy.redactProperties({ 'user.password': 'p-1', Nested: { 'db.Password.old': 'p-2' }, 'user.passport': 'P-1' }),
    ).toEqual({ 'user.password': DEFAULT_CENSOR, Nested: { 'db.Password.old': DEFAULT_CENSOR }, 'user.passport': 'P-1' });
  });

  it('tests key patterns on names of up to 256 characters, and censors a longer name untested (/.*token.*/i takes seconds on one of 64 K)', () => {
    // RegExp.prototype.test sees every name the policy tests (its pattern is a plain RegExp, made
    // when it is built): how long they are is what a slow pattern costs.
    const long = 'k'.repeat(MAX_KEY_PATTERN_NAME + 1);
    const longest = 'k'.repeat(MAX_KEY_PATTERN_NAME);
    const properties = { [long]: 'v-1', Nested: { [`${long}.x`]: 'v-2', [longest]: 'v-3' }, short: 'v-4', token: 'v-5' };
    const policy = RedactionPolicy.compile({ keys: /token/i });
    const test = jest.spyOn(RegExp.prototype, 'test');
    let redacted: unknown;
    let tested: number[];
    try {
      redacted = policy.redactProperties(properties);
      // The lengths of the names the policy's pattern was given (restoring the spy forgets its calls).
      tested = test.mock.calls.filter((_, i) => test.mock.contexts[i]?.source === 'token').map(([text]) => text.length);
    } finally {
      test.mockRestore();
    }
    expect(redacted).toEqual({
      [long]: DEFAULT_CENSOR,
      Nested: { [`${long}.x`]: DEFAULT_CENSOR, [longest]: 'v-3' },
      short: 'v-4',
      token: DEFAULT_CENSOR,
    });
    expect(Math.max(...tested)).toBe(MAX_KEY_PATTERN_NAME);
    // Removed as any match is; a policy of paths alone has no pattern to run, and leaves the name alone.
    expect(RedactionPolicy.compile({ keys: /token/, remove: true }).redactProperties({ [long]: 'v-1', a: 1 })).toEqual({ a: 1 });
    expect(RedactionPolicy.compile({ paths: ['token'] }).redactProperties({ [long]: 'v-1' })).toEqual({ [long]: 'v-1' });
  });

  it('censors a value under a name capture cut, where a path or key pattern could have named it, since the whole name is gone', () => {
    const cut = { 'userPasswo…[truncated 2 chars]': 'p-1', '…[truncated 3 chars]#1': 'p-2', 'ends in …[truncated]': 'v-1' };
    expect(RedactionPolicy.compile({ keys: /password/i }).redactProperties({ User: cut })).toEqual({
      User: {
        'userPasswo…[truncated 2 chars]': DEFAULT_CENSOR,
        '…[truncated 3 chars]#1': DEFAULT_CENSOR,
        'ends in …[truncated]': 'v-1',
      },
    });
    // A policy of paths censors them only where a path goes on.
    expect(RedactionPolicy.compile({ paths: ['User.password'] }).redactProperties({ User: cut, Other: cut })).toEqual({
      User: {
        'userPasswo…[truncated 2 chars]': DEFAULT_CENSOR,
        '…[truncated 3 chars]#1': DEFAULT_CENSOR,
        'ends in …[truncated]': 'v-1',
      },
      Other: cut,
    });
  });

  it('answers the same for every key with a global RegExp', () => {
    const policy = RedactionPolicy.compile({ keys: /secret/g });
    expect(policy.redactProperties({ a: { secret: 1 }, b: { secret: 2 }, c: { secret: 3 } })).toEqual({
      a: { secret: DEFAULT_CENSOR },
      b: { secret: DEFAULT_CENSOR },
      c: { secret: DEFAULT_CENSOR },
    });
  });

  it('redacts captured Maps, class instances captured with @, and Errors with properties', () => {
    class Account {
      constructor(
        readonly owner: string,
        readonly apiKey: string,
      ) {}
    }
    const failure = Object.assign(new Error('denied'), { token: 't', status: 401 });
    const policy = RedactionPolicy.compile(ISSUE_POLICY);
    const properties = {
      Headers: captureValue(
        new Map([
          ['authorization', 'Bearer x'],
          ['accept', 'json'],
        ]),
      ),
      Account: captureValue(new Account('ann', 'k-1'), 'structure'),
      Failure: captureValue(failure),
    };
    const output = policy.redactProperties(properties);
    expect(output.Headers).toEqual({ authorization: DEFAULT_CENSOR, accept: 'json' });
    expect(output.Account).toEqual({ owner: 'ann', apiKey: DEFAULT_CENSOR });
    expect(output.Failure).toMatchObject({ name: 'Error', message: 'denied', token: DEFAULT_CENSOR, status: 401 });
  });

  it('never lets a value under a named key through, whatever the shape, in properties or in an exception (property-based)', () => {
    const { tree } = fc.letrec<{ tree: unknown; node: Record<string, unknown> }>((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string(), fc.array(tie('tree'), { maxLength: 4 }), tie('node')),
      node: fc.record({ token: fc.constant('S3CR3T'), a: tie('tree'), b: tie('tree') }, { requiredKeys: [] }),
    }));
    // Wrapped in up to 14 levels, so some of it lies below where capture stops.
    const deepTree = fc.tuple(fc.nat(14), tree).map(([levels, value]) => {
      let wrapped: unknown = value;
      for (let i = 0; i < levels; i++) wrapped = { a: wrapped };
      return wrapped;
    });
    const policy = RedactionPolicy.compile({ keys: /^token$/ });
    fc.assert(
      fc.property(deepTree, (value) => {
        expect(JSON.stringify(policy.redactProperties({ P: value }))).not.toContain('S3CR3T');
        for (const error of [
          new Error('x', { cause: value }),
          Object.assign(new Error('x'), { value }),
          new AggregateError([value]),
        ]) {
          const redacted = policy.redactError(error);
          expect(exceptionText(redacted)).not.toContain('S3CR3T');
          const own = Object.getOwnPropertyNames(redacted).map((name) => (redacted as unknown as Record<string, unknown>)[name]);
          expect(JSON.stringify(own)).not.toContain('S3CR3T');
        }
      }),
      { numRuns: 300 },
    );
  });

  describe('redactError', () => {
    it('redacts an own enumerable __proto__ property of an Error, which a plain object of changes would not hold', () => {
      const error = new Error('boom');
      Object.defineProperty(error, '__proto__', { value: 'secret', enumerable: true, writable: true, configurable: true });
      const copy = RedactionPolicy.compile({ keys: /proto/ }).redactError(error);
      expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toBe(DEFAULT_CENSOR);
      expect(Object.getOwnPropertyDescriptor(error, '__proto__')?.value).toBe('secret');
    });

    it('never lets a secret travel in an exception below where capture stops (deeper than 10 levels, past 1000 items)', () => {
      const deep = (levels: number, leaf: unknown): unknown => (levels === 0 ? leaf : { next: deep(levels - 1, leaf) });
      const policy = RedactionPolicy.compile({ keys: /token/i });
      const cause = deep(12, { token: 'deep-secret' });
      const withCause = new Error('failed', { cause });
      const withProperty = Object.assign(new Error('failed'), { data: deep(12, { token: 'deep-secret' }) });
      const many = Array.from({ length: 1500 }, (_, i) => (i === 1200 ? { token: 'deep-secret' } : {}));
      const withItems = Object.assign(new Error('failed'), { items: many });
      const aggregate = new AggregateError([deep(12, { token: 'deep-secret' })], 'all failed');
      for (const error of [withCause, withProperty, withItems, aggregate]) {
        const redacted = policy.redactError(error);
        // What a formatter writes (the stack and each cause, a plain-object cause as JSON) and what a sink holds.
        expect(exceptionText(redacted)).not.toContain('deep-secret');
        const own = Object.getOwnPropertyNames(redacted).map((name) => (redacted as unknown as Record<string, unknown>)[name]);
        expect(JSON.stringify(own)).not.toContain('deep-secret');
        expect(redacted).toBeInstanceOf(error.constructor);
        expect(redacted.message).toBe(error.message);
      }
      // The app's objects are left as they were.
      expect(JSON.stringify(withCause.cause)).toContain('deep-secret');
      expect(withItems.items[1200]).toEqual({ token: 'deep-secret' });
    });

    it('copies an Error with a getter that throws, keeping its class, message and cause, and leaving that getter out', () => {
      class ApiError extends Error {
        override name = 'ApiError';
      }
      const error = Object.assign(new ApiError('denied', { cause: new Error('socket closed') }), { token: 't-1' });
      Object.defineProperty(error, 'body', {
        enumerable: true,
        get(): never {
          throw new Error('body already read');
        },
      });
      const copy = RedactionPolicy.compile({ keys: /token/ }).redactError(error) as ApiError & { token: string };
      expect(copy).toBeInstanceOf(ApiError);
      expect(copy.message).toBe('denied');
      expect(copy.stack).toBe(error.stack);
      expect((copy.cause as Error).message).toBe('socket closed');
      expect(copy.token).toBe(DEFAULT_CENSOR);
      expect(Object.keys(copy)).toEqual(['name', 'token']);
    });

    it('keeps the name and message of an error whose class reads them from a slot or a private field (a DOMException)', () => {
      const abort = Object.assign(new DOMException('The operation was aborted', 'AbortError'), { token: 't-1' });
      class ApiError extends Error {
        readonly #status: number;
        token = 't-2';
        constructor(status: number) {
          super('ignored');
          this.#status = status;
        }
        override get name(): string {
          return 'ApiError';
        }
        override get message(): string {
          return `status ${this.#status}`;
        }
      }
      const policy = RedactionPolicy.compile({ keys: /token/ });
      for (const error of [abort, new ApiError(503)]) {
        const copy = policy.redactError(error) as Error & { token: string };
        expect(copy).not.toBe(error);
        expect(copy.token).toBe(DEFAULT_CENSOR);
        // What an OTLP sink sends as exception.type and exception.message, and String(error).
        expect([copy.name, copy.message, String(copy)]).toEqual([error.name, error.message, String(error)]);
        expect(Object.keys(copy)).toEqual(['token']);
      }
    });

    it('keeps the stack of an error whose stack is an accessor on its prototype, as in Firefox', () => {
      // Shaped as SpiderMonkey's Error.prototype.stack (which cannot run here): it reads the
      // error's slot, and on an object without one (a copy) gives ''.
      const slots = new WeakMap<object, string>();
      class FirefoxError extends Error {
        constructor(message: string) {
          super(message);
          delete (this as { stack?: string }).stack;
          slots.set(this, 'handler@https://app.example/main.js:10:5\n');
        }
      }
      Object.defineProperty(FirefoxError.prototype, 'stack', {
        configurable: true,
        get(this: object): string {
          return slots.get(this) ?? '';
        },
      });
      const error = Object.assign(new FirefoxError('denied'), { token: 't-1' });
      const copy = RedactionPolicy.compile({ keys: /token/ }).redactError(error);
      expect(copy).not.toBe(error);
      expect(copy.stack).toBe('handler@https://app.example/main.js:10:5\n');
      expect(exceptionText(copy)).toContain('handler@https://app.example/main.js:10:5');
    });

    it('redacts the entries of a fetch Headers an exception holds, which travelled as they were', () => {
      const error = Object.assign(new Error('401 Unauthorized'), {
        headers: new Headers({ authorization: 'Bearer abc', accept: 'application/json' }),
      });
      const copy = RedactionPolicy.compile({ keys: /authorization/i }).redactError(error) as Error & { headers: unknown };
      expect(copy).not.toBe(error);
      expect(copy.headers).toEqual({ accept: 'application/json', authorization: DEFAULT_CENSOR });
      expect(error.headers.get('authorization')).toBe('Bearer abc');
    });

    it('leaves out an enumerable message the policy removes, never putting it back from the original', () => {
      const error = new Error('token t-1 refused');
      Object.defineProperty(error, 'message', { enumerable: true });
      const copy = RedactionPolicy.compile({ keys: /message/, remove: true }).redactError(error);
      expect(Object.hasOwn(copy, 'message')).toBe(false);
      expect(copy.message).toBe('');
    });

    it('returns the same Error when nothing of it is named', () => {
      const policy = RedactionPolicy.compile(ISSUE_POLICY);
      const plain = new Error('plain');
      const withCode = Object.assign(new Error('coded'), { code: 'E1' });
      expect(policy.redactError(plain)).toBe(plain);
      expect(policy.redactError(withCode)).toBe(withCode);
    });

    it('copies an Error whose own properties hold a secret, keeping its class, message, stack and cause; the original is untouched', () => {
      class HttpError extends Error {
        override name = 'HttpError';
        constructor(
          message: string,
          readonly config: { headers: { authorization: string; accept: string } },
          readonly password: string,
        ) {
          super(message, { cause: 'upstream' });
        }
      }
      const original = new HttpError('401', { headers: { authorization: 'Bearer x', accept: 'json' } }, 'p');
      const policy = RedactionPolicy.compile(ISSUE_POLICY);
      const copy = policy.redactError(original) as HttpError;
      expect(copy).not.toBe(original);
      expect(copy).toBeInstanceOf(HttpError);
      expect(copy.message).toBe('401');
      expect(copy.stack).toBe(original.stack);
      expect(copy.cause).toBe('upstream');
      expect(copy.name).toBe('HttpError');
      expect(copy.password).toBe(DEFAULT_CENSOR);
      // Nested own properties are captured, then redacted by key pattern (authorization is not one;
      // the config path is not named), so here only the top-level password changes.
      expect(copy.config).toBe(original.config);
      expect(original.password).toBe('p');

      const byPath = RedactionPolicy.compile({ paths: ['config.headers.authorization'] }).redactError(original) as HttpError;
      expect(byPath.config).toEqual({ headers: { authorization: DEFAULT_CENSOR, accept: 'json' } });
      expect(original.config.headers.authorization).toBe('Bearer x');
    });

    it('redacts the cause chain and an AggregateError’s errors (own, not enumerable), keeping their classes', () => {
      const policy = RedactionPolicy.compile({ keys: [/secret|apiKey/] });
      const root = Object.assign(new TypeError('root'), { apiKey: 'k-root' });
      const middle = new Error('middle', { cause: root });
      const withObjectCause = new Error('object cause', { cause: { secret: 's-1', code: 7 } });
      const aggregate = new AggregateError([middle, { secret: 's-2' }, new Error('clean')], 'any failed');
      const top = new Error('top', { cause: aggregate });

      const copy = policy.redactError(top);
      const copiedAggregate = copy.cause as AggregateError;
      expect(copiedAggregate).toBeInstanceOf(AggregateError);
      expect(copiedAggregate.message).toBe('any failed');
      const [copiedMiddle, copiedObject, clean] = copiedAggregate.errors as [Error, unknown, Error];
      expect(copiedMiddle.message).toBe('middle');
      expect(copiedMiddle.cause).toBeInstanceOf(TypeError);
      expect((copiedMiddle.cause as TypeError & { apiKey: string }).apiKey).toBe(DEFAULT_CENSOR);
      expect(copiedObject).toEqual({ secret: DEFAULT_CENSOR });
      expect(clean).toBe(aggregate.errors[2]);
      expect(JSON.stringify(copy, ['cause', 'errors', 'apiKey', 'secret'])).not.toMatch(/k-root|s-2/);
      expect(policy.redactError(withObjectCause).cause).toEqual({ secret: DEFAULT_CENSOR, code: 7 });
      // The app's errors are untouched, and a chain with nothing to redact travels as it is.
      expect(root.apiKey).toBe('k-root');
      expect((aggregate.errors[1] as { secret: string }).secret).toBe('s-2');
      const cleanChain = new Error('a', { cause: new Error('b', { cause: 'c' }) });
      expect(policy.redactError(cleanChain)).toBe(cleanChain);
    });

    it('follows a path through an Error cause and an AggregateError’s errors as through a plain-object cause', () => {
      const inner = Object.assign(new Error('inner'), { token: 't-inner' });
      const top = new Error('top', { cause: inner });
      // As a plain-object cause is reached: 'cause.token' names the cause's own token.
      const byPath = RedactionPolicy.compile({ paths: ['cause.token'] }).redactError(top);
      expect(byPath.cause).toBeInstanceOf(Error);
      expect((byPath.cause as Error & { token: string }).token).toBe(DEFAULT_CENSOR);
      expect((byPath.cause as Error).message).toBe('inner');
      expect(
        RedactionPolicy.compile({ paths: ['cause.cause.token'] }).redactError(new Error('outer', { cause: top })).cause,
      ).toMatchObject({
        cause: { token: DEFAULT_CENSOR },
      });
      // 'cause' names the linked error whole, message and stack included.
      const secretMessage = new Error('top', { cause: new Error('password is hunter2') });
      expect(RedactionPolicy.compile({ paths: ['cause'] }).redactError(secretMessage).cause).toBe(DEFAULT_CENSOR);
      expect(Object.hasOwn(RedactionPolicy.compile({ paths: ['cause'], remove: true }).redactError(secretMessage), 'cause')).toBe(
        false,
      );
      expect(exceptionText(RedactionPolicy.compile({ paths: ['cause'] }).redactError(secretMessage))).not.toContain('hunter2');
      // An AggregateError's errors: transparent as an array is, or named item by item with `*`.
      const aggregate = new AggregateError([inner, new Error('clean')], 'any failed');
      const items = (RedactionPolicy.compile({ paths: ['errors.token'] }).redactError(aggregate) as AggregateError).errors;
      expect((items[0] as Error & { token: string }).token).toBe(DEFAULT_CENSOR);
      expect(items[1]).toBe(aggregate.errors[1]);
      expect(
        (RedactionPolicy.compile({ paths: ['errors.*.token'] }).redactError(aggregate) as AggregateError).errors[0],
      ).toHaveProperty('token', DEFAULT_CENSOR);
      expect((RedactionPolicy.compile({ paths: ['errors.*'] }).redactError(aggregate) as AggregateError).errors).toEqual([
        DEFAULT_CENSOR,
        DEFAULT_CENSOR,
      ]);
      // A censor function is given the path it matched at.
      const seen: string[] = [];
      RedactionPolicy.compile({ paths: ['cause.token'], censor: (_v, path) => seen.push(path) }).redactError(top);
      expect(seen).toEqual(['cause.token']);
      // A path from the top still reaches every linked error's own properties, as before.
      expect(RedactionPolicy.compile({ paths: ['token'] }).redactError(top).cause).toHaveProperty('token', DEFAULT_CENSOR);
      expect(inner.token).toBe('t-inner');
    });

    /** An Error whose enumerable `token` getter counts how often it is read. */
    function countedToken(message: string): { error: Error; reads: () => number } {
      let reads = 0;
      const error = new Error(message);
      Object.defineProperty(error, 'token', {
        enumerable: true,
        get: () => {
          reads++;
          return 't-1';
        },
      });
      return { error, reads: () => reads };
    }

    // Promise.any over 1000 requests that all fail with one shared error lists that error 1000 times.
    it('redacts an error listed many times over once, and shares its copy', () => {
      const { error: shared, reads } = countedToken('network down');
      const inner = new AggregateError(
        Array.from({ length: 1000 }, () => shared),
        'inner',
      );
      const outer = new AggregateError(
        Array.from({ length: 1000 }, () => inner),
        'outer',
      );
      const copy = RedactionPolicy.compile(ISSUE_POLICY).redactError(outer) as AggregateError;
      const innerCopy = copy.errors[0] as AggregateError;
      expect(copy.errors[999]).toBe(innerCopy);
      expect(innerCopy.errors[999]).toBe(innerCopy.errors[0]);
      expect((innerCopy.errors[999] as Error & { token: string }).token).toBe('[Redacted]');
      expect(shared).toHaveProperty('token', 't-1');
      expect(reads()).toBeLessThanOrEqual(3);
    });

    // Each of 30 errors shares one cause, three levels deep: 27 000 paths to one error. A path that
    // goes on through the links ('*.token') must not make each visit redact it again.
    it('redacts an error reached by many links once, when a path goes on through them', () => {
      const { error: bottom, reads } = countedToken('bottom');
      let level: Error = bottom;
      for (let depth = 0; depth < 3; depth++)
        level = new AggregateError(
          Array.from({ length: 30 }, (_, i) => new Error(`e${i}`, { cause: level })),
          `level ${depth}`,
        );
      for (const paths of [['password'], ['*.token'], ['errors.cause.errors.cause.token']]) {
        const before = reads();
        let link: unknown = RedactionPolicy.compile({ paths, keys: /token/ }).redactError(level);
        for (let depth = 0; depth < 3; depth++) link = ((link as AggregateError).errors[29] as Error).cause;
        expect(link).toHaveProperty('token', DEFAULT_CENSOR);
        expect(reads() - before).toBeLessThanOrEqual(3);
      }
    });

    it('ends a cycle of causes with [Circular] and a chain deeper than 8 with [Truncated], so no secret travels behind them', () => {
      const policy = RedactionPolicy.compile({ keys: [/apiKey/] });
      const looped = Object.assign(new Error('looped'), { apiKey: 'k' });
      (looped as Error & { cause: unknown }).cause = undefined;
      Object.defineProperty(looped, 'cause', { value: looped, enumerable: false, configurable: true, writable: true });
      const copy = policy.redactError(looped);
      expect((copy as Error & { apiKey: string }).apiKey).toBe(DEFAULT_CENSOR);
      expect(copy.cause).toBe('[Circular]');
      const cleanLoop = new Error('clean loop');
      Object.defineProperty(cleanLoop, 'cause', { value: cleanLoop, enumerable: false });
      expect(policy.redactError(cleanLoop)).toBe(cleanLoop);

      let deep: Error = Object.assign(new Error('level 12'), { apiKey: 'deep-key' });
      for (let level = 11; level >= 0; level--) deep = new Error(`level ${level}`, { cause: deep });
      let link: unknown = policy.redactError(deep);
      const messages: string[] = [];
      while (link instanceof Error) {
        messages.push(link.message);
        link = link.cause;
      }
      expect(messages).toHaveLength(9);
      expect(link).toBe('[Truncated]');
    });
  });

  it('names the bad value itself in each message, and throws a ConfigurationError for a value String() cannot print', () => {
    const message = (options: unknown): string => {
      try {
        RedactionPolicy.compile(options as RedactOptions, 'destructure.redact');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(message({ paths: 'User.password' })).toBe(
      'destructure.redact: paths: expected an array of dotted paths, got "User.password"',
    );
    expect(message({ keys: 'token' })).toBe('destructure.redact: keys[0]: expected a RegExp, got "token"');
    expect(message({ paths: ['a'], censor: 42 })).toBe(
      'destructure.redact: censor: expected a string or a function, got number 42',
    );
    expect(message({ paths: ['a'], remove: 'yes' })).toBe('destructure.redact: remove: expected a boolean, got "yes"');
    expect(message('Password')).toBe('destructure.redact: expected options, got "Password"');
    expect(message({ paths: [1n] })).toBe(
      'destructure.redact: paths[0]: expected a dotted path like "User.password", got bigint 1',
    );
    expect(message({ keys: [Object.create(null)] })).toBe('destructure.redact: keys[0]: expected a RegExp, got object');
    expect(message({ paths: ['a'], remove: Object.create(null) })).toBe(
      'destructure.redact: remove: expected a boolean, got object',
    );
  });

  it('rejects bad options with a ConfigurationError naming them', () => {
    expect(() => RedactionPolicy.compile({})).toThrow(ConfigurationError);
    expect(() => RedactionPolicy.compile({ paths: ['User..password'] })).toThrow(/paths\[0\].*User\.\.password/);
    expect(() => RedactionPolicy.compile({ paths: [''] })).toThrow(/paths\[0\]/);
    expect(() => RedactionPolicy.compile({ paths: 'Password' as unknown as string[] })).toThrow(/paths: expected an array/);
    expect(() => RedactionPolicy.compile({ keys: 'token' as unknown as RegExp })).toThrow(/keys\[0\]/);
    expect(() => RedactionPolicy.compile({ paths: ['a'], censor: 42 as unknown as string })).toThrow(/censor/);
    expect(() => RedactionPolicy.compile({ paths: ['a'], remove: 'yes' as unknown as boolean })).toThrow(/remove/);
    expect(() => RedactionPolicy.compile(null as unknown as object)).toThrow(/expected options/);
  });

  it('rejects a key pattern with nested quantifiers, which backtracks exponentially on a name made to be slow, naming it', () => {
    // /(\w+\s?)*$/ takes a second on a name of 26 characters and hours on one of 40, inside the logging call.
    for (const pattern of [/(\w+\s?)*$/, /^(a+)+$/i, /(?:x\d*){2,}/, /((ab)*c)+/, /(?<name>.+){1,30}/, /([a-z]+-?)*key/])
      expect(() => RedactionPolicy.compile({ keys: [/token/i, pattern] }, 'destructure.redact')).toThrow(
        new ConfigurationError(
          `destructure.redact: keys[1]: ${String(pattern)} repeats a group that holds a repeat (nested quantifiers), ` +
            'which backtracks exponentially on some names; write it as an alternation of words, such as /pass(word)?|secret|token/i',
        ),
      );
    // Repeats of what holds no repeat, a repeat at most once, and brackets or escapes that are not groups pass.
    for (const pattern of [
      /pass(word)?|secret|token|api[-_]?key/i,
      /^(x-)?api[-_]?key$/i,
      /(\w+)?token/,
      /(?:ab)+|(a|b)*/,
      /[(a+)]+/,
      /\(a+\)+/,
      /(\d+\.){1}x/,
      /[\]()+]+/,
    ])
      expect(() => RedactionPolicy.compile({ keys: pattern })).not.toThrow();
  });

  it('rejects a path with spaces around a name, which would match nothing and let the secret through (paths split from "Password, Card.number")', () => {
    for (const path of [' Card.number', 'Password ', 'Card. number', 'Card .number', '\tToken'])
      expect(() => RedactionPolicy.compile({ paths: ['User.password', path] }, 'destructure.redact')).toThrow(
        new ConfigurationError(
          `destructure.redact: paths[1]: expected a dotted path like "User.password", got ${JSON.stringify(path)}`,
        ),
      );
    // A space inside a name is a name like any other.
    expect(
      RedactionPolicy.compile({ paths: ['Credit card.number'] }).redactProperties({ 'Credit card': { number: '4111' } }),
    ).toEqual({
      'Credit card': { number: '[Redacted]' },
    });
  });

  it('reads each option once: a getter that answers differently each time cannot pass the checks with one value and compile another', () => {
    const reads: Record<string, number> = {};
    const answers: Record<string, unknown[]> = {
      // Checked as paths, then read again (before) as nothing: the password was logged.
      paths: [['Password'], undefined],
      keys: [/token/i, undefined],
      remove: [false, true],
    };
    const options = {};
    for (const [name, values] of Object.entries(answers))
      Object.defineProperty(options, name, {
        enumerable: true,
        get: () => values[Math.min((reads[name] = (reads[name] ?? 0) + 1) - 1, values.length - 1)],
      });
    const policy = RedactionPolicy.compile(options, 'destructure.redact');
    expect(policy.redactProperties({ Password: 'p', Token: 't' })).toEqual({ Password: DEFAULT_CENSOR, Token: DEFAULT_CENSOR });
    expect(reads).toEqual({ paths: 1, keys: 1, remove: 1 });
  });

  it('throws a ConfigurationError naming an option whose getter throws, keeping the error', () => {
    const boom = new Error('vault sealed');
    const options = Object.defineProperty({ keys: /token/i }, 'paths', {
      enumerable: true,
      get: () => {
        throw boom;
      },
    }) as RedactOptions;
    const compile = (): unknown => RedactionPolicy.compile(options, 'destructure.redact');
    expect(compile).toThrow(ConfigurationError);
    expect(compile).toThrow('destructure.redact: reading option "paths" threw Error: vault sealed');
    try {
      compile();
    } catch (error) {
      expect((error as Error).cause).toBe(boom);
    }
  });

  it('rejects pino-style bracket paths, which would match nothing and let the secret through', () => {
    expect(() => RedactionPolicy.compile({ paths: ['Headers["x-api-key"]'] })).toThrow(ConfigurationError);
    expect(() => RedactionPolicy.compile({ paths: ['Users[*].password'] })).toThrow(
      /paths\[0\]: "Users\[\*\]\.password" uses brackets.*a\[\*\]\.b is a\.b/,
    );
    // The dotted spellings it suggests do redact.
    const policy = RedactionPolicy.compile({ paths: ['Headers.x-api-key', 'Users.password'] });
    expect(policy.redactProperties({ Headers: { 'x-api-key': 'k' }, Users: [{ password: 'p' }] })).toEqual({
      Headers: { 'x-api-key': '[Redacted]' },
      Users: [{ password: '[Redacted]' }],
    });
  });

  it('rejects a * inside a name (a glob such as "**.password" or "User.pass*"), which would match nothing and let the secret through, as fast-redact refuses it', () => {
    for (const path of ['**.password', 'User.pass*', '*token', 'Headers.*-key', 'a.*.b*'])
      expect(() => RedactionPolicy.compile({ paths: ['Password', path] }, 'destructure.redact')).toThrow(
        new ConfigurationError(
          `destructure.redact: paths[1]: ${JSON.stringify(path)} has a * inside a name; * stands for one whole name ` +
            '("*.token", "Users.*.password"); for names by pattern use a key pattern (keys: /pass/i)',
        ),
      );
    // A * that is a whole name is the wildcard.
    const policy = RedactionPolicy.compile({ paths: ['*.token', 'Users.*.password', '*'] });
    expect(policy.redactProperties({ A: 1 })).toEqual({ A: '[Redacted]' });
  });

  it('rejects a path with a comma (several paths joined into one, "Password,Card.number"), which would match nothing, as pino refuses "req,headers.cookie"', () => {
    for (const path of ['Password,Card.number', 'req,headers.cookie', 'User.password,'])
      expect(() => RedactionPolicy.compile({ paths: [path] }, 'destructure.redact')).toThrow(
        new ConfigurationError(
          `destructure.redact: paths[0]: ${JSON.stringify(path)} has a comma; give each path as its own item ` +
            '(paths: ["Password", "Card.number"]); for a name with a comma in it use a key pattern',
        ),
      );
  });

  it('rejects an option it does not know, naming it (a misspelt path would otherwise redact nothing)', () => {
    expect(() => RedactionPolicy.compile({ path: ['Password'] } as unknown as RedactOptions, 'destructure.redact')).toThrow(
      'destructure.redact: unknown option "path" (expected one of paths, keys, censor, remove)',
    );
    expect(() => RedactionPolicy.compile({ paths: ['A'], censer: 'x' } as unknown as RedactOptions)).toThrow(/"censer"/);
  });

  it('is fixed unless its censor is a function', () => {
    expect(RedactionPolicy.compile({ paths: ['A'] }).fixed).toBe(true);
    expect(RedactionPolicy.compile({ paths: ['A'], remove: true }).fixed).toBe(true);
    expect(RedactionPolicy.compile({ paths: ['A'], censor: () => 'x' }).fixed).toBe(false);
  });
});
