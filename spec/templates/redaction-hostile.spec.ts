import { inspect } from 'node:util';
import { from, of } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { exceptionText } from '../../lib/core/exception-text';
import type { LogEvent } from '../../lib/core/log-event';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { redact } from '../../lib/operators/redact';
import { toOtlpLogRecord } from '../../lib/sinks/http/otlp-log-record';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { type RedactOptions, RedactionPolicy } from '../../lib/templates/redaction-policy';

/** An Error whose enumerable `details` getter answers `first` the first time it is read and `later` after. */
function errorWithShiftingGetter(name: string, enumerable: boolean, first: unknown, later: unknown): Error {
  const error = Object.assign(new Error('failed'), { token: 't-1' });
  let reads = 0;
  Object.defineProperty(error, name, { enumerable, configurable: true, get: () => (reads++ === 0 ? first : later) });
  return error;
}

describe('RedactionPolicy and hostile objects', () => {
  it('copies an exception with the values it read and redacted, not a getter read again (which may answer a secret the second time)', () => {
    const policy = RedactionPolicy.compile({ keys: /token/ });
    const withDetails = policy.redactError(errorWithShiftingGetter('details', true, { ok: 1 }, { token: 'secret-1' }));
    expect((withDetails as Error & { details: unknown }).details).toEqual({ ok: 1 });
    expect((withDetails as Error & { token: unknown }).token).toBe('[Redacted]');
    // A `cause` getter (a link, not enumerable): the copy's cause is what was read, and @x writes no secret.
    const withCause = policy.redactError(errorWithShiftingGetter('cause', false, { ok: 1 }, { token: 'secret-2' }));
    expect(withCause.cause).toEqual({ ok: 1 });
    expect(exceptionText(withCause)).not.toContain('secret-2');
  });
});

/** Every formatter's text of the events: CLEF with @m (and @r), the text output, NDJSON and an OTLP record. */
function everyOutput(events: readonly LogEvent[]): string {
  return events
    .map((event) =>
      [
        new CompactJsonFormatter({ renderMessage: true }).format(event),
        new TextFormatter('{Timestamp} {Level} {Message:lj} {Properties:j}{NewLine}{Exception}').format(event),
        new NdjsonFormatter().format(event),
        JSON.stringify(toOtlpLogRecord(event)),
      ].join('\n'),
    )
    .join('\n');
}

/** The values a caller might log, fresh for each use, each holding 'secret' under a `password` or `token`. */
function callerValues(): [string, unknown][] {
  class Account {
    #secret = 'secret';
    password = 'secret';
    nested = { token: 'secret' };
    peek(): string {
      return this.#secret;
    }
  }
  return [
    ['a plain object', { password: 'secret', nested: { token: 'secret', list: [{ token: 'secret' }] } }],
    ['a frozen object', Object.freeze({ password: 'secret', nested: Object.freeze({ token: 'secret' }) })],
    ['a sealed object', Object.seal({ password: 'secret', nested: Object.seal({ token: 'secret' }) })],
    ['an object that cannot be extended', Object.preventExtensions({ password: 'secret', nested: { token: 'secret' } })],
    ['a class instance with a private field', new Account()],
    [
      'a Map',
      new Map<string, unknown>([
        ['password', 'secret'],
        ['nested', { token: 'secret' }],
      ]),
    ],
    ['a Set', new Set([{ token: 'secret' }])],
    ['a Buffer', Buffer.from('not named')],
    [
      'an object of getters',
      {
        get password() {
          return 'secret';
        },
        get nested() {
          return { token: 'secret' };
        },
      },
    ],
    [
      'an object without a prototype',
      Object.assign(Object.create(null) as object, { password: 'secret', nested: { token: 'secret' } }),
    ],
    ['an array', [{ password: 'secret' }, { token: 'secret' }]],
    [
      'an Error with a cause',
      Object.assign(new Error('failed', { cause: Object.assign(new Error('inner'), { token: 'secret' }) }), {
        password: 'secret',
        nested: { token: 'secret' },
      }),
    ],
  ];
}

const CALLER_POLICIES: readonly RedactOptions[] = [
  {
    paths: [
      'U.password',
      'U.nested.token',
      'U.nested.list.token',
      'U.*.token',
      'U.0.password',
      'U.cause.token',
      'password',
      'nested.token',
      'cause.token',
    ],
  },
  { keys: /password|token/ },
  { keys: /password|token/, remove: true },
  { paths: ['U.password', 'U.nested', 'U.token', 'U.cause', 'password', 'nested', 'cause'], censor: () => 'censored' },
];

describe('redaction of what a caller logs', () => {
  it("never changes the caller's values, through the logger or the redact operator, frozen, sealed, private or not", async () => {
    for (const [index, options] of CALLER_POLICIES.entries()) {
      for (const [kind, value] of callerValues()) {
        const before = inspect(value, { depth: Infinity, showHidden: true, getters: false });
        const memory = new MemorySink();
        const log = new LoggerConfiguration().destructure.redact(options).writeTo.sink(memory).createLogger();
        log.information('{@U}', value);
        log.information('{U}', value);
        log.child({ U: value }).information('Bound');
        if (value instanceof Error) log.error(value, 'Failed');
        await log.close();
        const event = new LogEventRecord(
          Date.now(),
          'information',
          parseTemplate('{@U}'),
          { U: value },
          value instanceof Error ? value : undefined,
        );
        const piped: LogEvent[] = [];
        of<LogEvent>(event)
          .pipe(redact(options))
          .subscribe((e) => piped.push(e));
        expect([index, kind, inspect(value, { depth: Infinity, showHidden: true, getters: false })]).toEqual([
          index,
          kind,
          before,
        ]);
        // What the caller's value held under the names the policy gives is in no sink's output.
        expect([index, kind, everyOutput([...memory.events, ...piped]).includes('secret')]).toEqual([index, kind, false]);
      }
    }
  });

  it('writes no secret in any formatter (CLEF @m and @r, text, NDJSON, OTLP body) from hostile values, and never throws in the caller', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.redact(HOSTILE_POLICY).writeTo.sink(memory).createLogger();
    const calls: (() => void)[] = [
      ...hostileValues().map(
        ([kind, value]) =>
          () =>
            log.information(`${kind} {@U}`, value),
      ),
      () => log.information('Formats {Password:l} {Password,-20} {Password:000}', 'secret'),
      () => log.error(new Error('failed', { cause: { token: 'secret' } }), 'Cause'),
      () => log.error(new AggregateError([Object.assign(new Error('one'), { token: 'secret' })], 'all'), 'Aggregate'),
    ];
    for (const call of calls) expect(call).not.toThrow();
    await log.close();
    expect(memory.events).toHaveLength(calls.length);
    expect(everyOutput(memory.events)).not.toContain('secret');
    // The rendered message is made from the redacted values, in every formatter.
    expect(memory.events.at(-3)?.renderMessage()).toBe('Formats [Redacted] [Redacted]           [Redacted]');
  });

  it('writes no secret from hostile values in events an app builds, through the redact operator, which never errors the stream', () => {
    const events = hostileValues(10_000).map(
      ([kind, value]) => new LogEventRecord(Date.now(), 'information', parseTemplate(`${kind} {@U}`), { U: value }),
    );
    const piped: LogEvent[] = [];
    let failed: unknown;
    from(events)
      .pipe(redact(HOSTILE_POLICY))
      .subscribe({ next: (event) => piped.push(event), error: (error: unknown) => (failed = error) });
    expect(failed).toBeUndefined();
    expect(piped).toHaveLength(events.length);
    expect(everyOutput(piped)).not.toContain('secret');
  });
});

const HOSTILE_POLICY: RedactOptions = { paths: ['Password', 'U.password', 'U.self.password'], keys: /password|token/ };

/**
 * Hostile values, each holding 'secret' under a name HOSTILE_POLICY gives, fresh for each use; the
 * array holds `items` objects (the logger captures 1 000 of them; sinks write all of an app's event).
 */
function hostileValues(items = 1_000_000): [string, unknown][] {
  let deep: Record<string, unknown> = { password: 'secret' };
  for (let i = 0; i < 10_000; i++) deep = { next: deep };
  const cycle: Record<string, unknown> = { password: 'secret' };
  cycle.self = cycle;
  const trap = (): never => {
    throw new Error('trap');
  };
  return [
    ['Deep', deep],
    ['Cycle', cycle],
    ['Proxy', new Proxy({ password: 'secret' }, { get: trap, ownKeys: trap })],
    [
      'Getter',
      {
        get password(): string {
          throw new Error('secret in the getter’s message');
        },
      },
    ],
    ['Names', JSON.parse('{"__proto__":{"password":"secret"},"constructor":{"password":"secret"}}') as unknown],
    ['Symbols', { [Symbol('password')]: 'secret', password: 'secret' }],
    ['Many', Array.from({ length: items }, () => ({ password: 'secret' }))],
  ];
}

describe('a path round a cycle', () => {
  it('censors what a path names past a [Circular], in the object it stands for, as pino censors it (with user.self === user, User.self.password is the password)', async () => {
    const user = (): Record<string, unknown> => {
      const value: Record<string, unknown> = { name: 'ann', password: 'secret' };
      value.self = value;
      return value;
    };
    const order: Record<string, unknown> = { id: 7, customer: { name: 'c', card: 'secret', orders: [] } };
    (order.customer as { orders: unknown[] }).orders.push(order);
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['User.self.password', 'Order.customer.orders.customer.card', 'Pair.*.self.password'] })
      .writeTo.sink(memory)
      .createLogger();
    log.information('{@User}', user());
    log.information('{@Order}', order);
    log.child({ Pair: { a: user(), b: user() } }).information('Bound');
    log.error(Object.assign(new Error('failed'), { User: user() }), 'Own property');
    await log.close();
    expect(memory.events.map((event) => event.properties)).toEqual([
      { User: { name: 'ann', password: '[Redacted]', self: '[Circular]' } },
      { Order: { id: 7, customer: { name: 'c', card: '[Redacted]', orders: ['[Circular]'] } } },
      {
        Pair: {
          a: { name: 'ann', password: '[Redacted]', self: '[Circular]' },
          b: { name: 'ann', password: '[Redacted]', self: '[Circular]' },
        },
      },
      {},
    ]);
    expect((memory.events[3]?.exception as Error & { User: unknown }).User).toEqual({
      name: 'ann',
      password: '[Redacted]',
      self: '[Circular]',
    });
    expect(everyOutput(memory.events)).not.toContain('secret');
    // Without a cycle, the path names what it says, and nothing else.
    const policy = RedactionPolicy.compile({ paths: ['User.self.password'] });
    expect(policy.redactProperties({ User: { password: 'kept', self: { password: 'x' } } })).toEqual({
      User: { password: 'kept', self: { password: '[Redacted]' } },
    });
  });

  it('runs a censor function once for a value that several paths past a [Circular] name, not again on what it returned', async () => {
    const user: Record<string, unknown> = { name: 'ann', password: 'hunter22', token: 'tok-1' };
    user.self = user;
    const censored: string[] = [];
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({
        // Two paths past the cycle name the password; the third goes round it twice to the token.
        paths: ['User.self.password', 'User.*.password', 'User.self.self.token'],
        censor: (value, path) => (censored.push(`${path}=${String(value)}`), `[${String(value).length} chars]`),
      })
      .writeTo.sink(memory)
      .createLogger();
    log.information('{@User}', user);
    await log.close();
    expect(memory.events[0]?.properties.User).toEqual({
      name: 'ann',
      password: '[8 chars]',
      token: '[5 chars]',
      self: '[Circular]',
    });
    expect(censored).toEqual(['User.password=hunter22', 'User.token=tok-1']);
  });

  it('captures an app event holding a cycle before the redact operator redacts it, so no path past or above the cycle reaches the original (user.self === user) and a key pattern does not go round it', () => {
    const user: Record<string, unknown> = { name: 'ann', password: 'secret' };
    user.self = user;
    const order: Record<string, unknown> = { id: 7, customer: { name: 'c', card: 'secret', orders: [] } };
    (order.customer as { orders: unknown[] }).orders.push(order);
    const event = new LogEventRecord(0, 'information', parseTemplate('{@User} {@Order}'), { User: user, Order: order });
    const censored: string[] = [];
    const seen: LogEvent[] = [];
    of(event, event)
      .pipe(
        redact({ paths: ['User.password', 'Order.customer.card'] }),
        redact({ paths: ['User.self.password'], censor: (_, path) => (censored.push(path), '[Redacted]') }),
      )
      .subscribe((e) => seen.push(e));
    // As the logger captures them: the object met again inside itself is '[Circular]', and the
    // copy holds no reference to the app's objects, whose secrets a formatter would write.
    const expected = {
      User: { name: 'ann', password: '[Redacted]', self: '[Circular]' },
      Order: { id: 7, customer: { name: 'c', card: '[Redacted]', orders: ['[Circular]'] } },
    };
    expect(seen.map((e) => e.properties)).toEqual([expected, expected]);
    expect(everyOutput(seen)).not.toContain('secret');
    expect(user.password).toBe('secret');
    // A path past the cycle names the one value, once per event, as at capture.
    const alone: LogEvent[] = [];
    censored.length = 0;
    of(event)
      .pipe(redact({ paths: ['User.self.password'], censor: (_, path) => (censored.push(path), '[Redacted]') }))
      .subscribe((e) => alone.push(e));
    expect(alone[0].properties.User).toEqual({ name: 'ann', password: '[Redacted]', self: '[Circular]' });
    expect(everyOutput(alone)).not.toContain('"password":"secret"');
    expect(censored).toEqual(['User.password']);
    // A key pattern walks every object: round the cycle as it is, until the stack overflowed,
    // running the censor function on each lap; captured first, it runs once for the one match.
    censored.length = 0;
    of(event)
      .pipe(redact({ keys: /password/, censor: (_, path) => (censored.push(path), '[Redacted]') }))
      .subscribe();
    expect(censored).toEqual(['User.password']);
    // A cycle back through a class instance's field, which every formatter writes, is one too.
    class Account {
      owner: unknown;
      constructor(owner: unknown) {
        this.owner = owner;
      }
    }
    const owner: Record<string, unknown> = { name: 'ann', password: 'secret' };
    owner.account = new Account(owner);
    const through: LogEvent[] = [];
    of(new LogEventRecord(0, 'information', parseTemplate('{@User}'), { User: owner }))
      .pipe(redact({ paths: ['User.password'] }))
      .subscribe((e) => through.push(e));
    expect(through[0].properties.User).toEqual({ name: 'ann', password: '[Redacted]', account: { owner: '[Circular]' } });
    expect(everyOutput(through)).not.toContain('secret');
  });
});

describe('a cause set by assignment', () => {
  // `error.cause = inner` (axios's AxiosError.from, code older than ES2022's `{ cause }`) makes an
  // enumerable own `cause`, which every formatter writes as a `caused by:` line, as it writes one given to the constructor.
  it('redacts an enumerable own cause as the linked error it is: a path from the top reaches its own properties, and it keeps its class', async () => {
    const failure = (): Error => {
      const inner = Object.assign(new TypeError('socket hang up'), { token: 'secret', code: 'ECONNRESET' });
      const outer = new Error('Request failed');
      (outer as Error & { cause: unknown }).cause = inner;
      return outer;
    };
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['token'] })
      .writeTo.sink(memory)
      .createLogger();
    log.error(failure(), 'Upstream failed');
    await log.close();
    const piped: LogEvent[] = [];
    of<LogEvent>(new LogEventRecord(Date.now(), 'error', parseTemplate('Upstream failed'), {}, failure()))
      .pipe(redact({ paths: ['token'] }))
      .subscribe((event) => piped.push(event));
    const events = [...memory.events, ...piped];
    expect(everyOutput(events)).not.toContain('secret');
    for (const event of events) {
      const cause = (event.exception as Error & { cause: unknown }).cause;
      expect(cause).toBeInstanceOf(TypeError);
      expect(cause).toMatchObject({ message: 'socket hang up', token: '[Redacted]', code: 'ECONNRESET' });
      // Still an own enumerable property of the copy, as it was of the error.
      expect(Object.keys(event.exception as Error)).toEqual(['cause']);
    }
    // A path through the link reaches it too, and the copy's cause is still the error's class.
    const byLink = RedactionPolicy.compile({ paths: ['cause.token'] }).redactError(failure());
    expect(byLink.cause).toBeInstanceOf(TypeError);
    expect(byLink.cause).toHaveProperty('token', '[Redacted]');
  });
});

describe('a link its class reads with a getter', () => {
  /** As the aggregate-error package (v4, v5: p-map 5 and 6, p-any, p-some) builds one: `errors` a getter over a private field. */
  class PackageAggregateError extends Error {
    readonly #errors: Error[];
    override name = 'AggregateError';
    constructor(errors: Error[]) {
      super(errors.map((error) => error.message).join('\n'));
      this.#errors = errors;
    }
    get errors(): Error[] {
      return this.#errors.slice();
    }
  }
  /** A `cause` its class keeps in a private field. */
  class WrappedError extends Error {
    readonly #inner: unknown;
    constructor(message: string, inner: unknown) {
      super(message);
      this.#inner = inner;
    }
    override get cause(): unknown {
      return this.#inner;
    }
  }

  it("redacts the errors and cause a class's getter gives, as formatters write them, and gives the copy them as read", async () => {
    const failures = (): Error[] => [
      new PackageAggregateError([Object.assign(new Error('one'), { token: 'secret' }), new Error('two')]),
      new WrappedError('outer', Object.assign(new TypeError('inner'), { token: 'secret', code: 'E_INNER' })),
      // Something named on the error itself too: the copy (whose getter cannot read the private field) holds the link as read.
      Object.assign(new PackageAggregateError([Object.assign(new Error('one'), { token: 'secret' })]), { token: 'secret' }),
    ];
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['token'] })
      .writeTo.sink(memory)
      .createLogger();
    for (const failure of failures()) log.error(failure, 'Failed');
    await log.close();
    const piped: LogEvent[] = [];
    from(failures().map((failure) => new LogEventRecord(Date.now(), 'error', parseTemplate('Failed'), {}, failure)))
      .pipe(redact({ paths: ['token'] }))
      .subscribe((event) => piped.push(event));
    const events = [...memory.events, ...piped];
    expect(everyOutput(events)).not.toContain('secret');
    for (const event of [events[0], events[2], events[3], events[5]]) {
      const text = exceptionText(event?.exception);
      expect(text).toContain('error 1 of ');
      expect(text).toContain('{ token: "[Redacted]" }');
    }
    for (const event of [events[1], events[4]]) {
      expect(event?.exception?.cause).toBeInstanceOf(TypeError);
      expect(event?.exception?.cause).toMatchObject({ token: '[Redacted]', code: 'E_INNER' });
      expect(event?.exception).toBeInstanceOf(WrappedError);
    }
  });

  it('removes a link its class reads with a getter: the getter, run on the copy, cannot bring it back', () => {
    /** A `cause` its class reads from a field of its own. */
    class FieldCauseError extends Error {
      inner: unknown;
      constructor(message: string, inner: unknown) {
        super(message);
        this.inner = inner;
      }
      override get cause(): unknown {
        return this.inner;
      }
    }
    const error = new FieldCauseError('outer', new Error('password is secret'));
    const copy = RedactionPolicy.compile({ paths: ['cause'], remove: true }).redactError(error);
    expect(copy).toBeInstanceOf(FieldCauseError);
    expect(copy.cause).toBeUndefined();
    expect(exceptionText(copy)).not.toContain('secret');
    expect(RedactionPolicy.compile({ paths: ['cause'] }).redactError(error).cause).toBe('[Redacted]');
  });
});

describe('an error linked through a plain-object cause', () => {
  it('reaches an Error that a plain-object cause links to with the paths from the top, as formatters write it as a cause', async () => {
    const failure = (): Error =>
      new Error('Checkout failed', {
        cause: { code: 'E_UPSTREAM', cause: Object.assign(new Error('charge refused'), { token: 'secret' }) },
      });
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['token'] })
      .writeTo.sink(memory)
      .createLogger();
    log.error(failure(), 'Failed');
    await log.close();
    const piped: LogEvent[] = [];
    of<LogEvent>(new LogEventRecord(Date.now(), 'error', parseTemplate('Failed'), {}, failure()))
      .pipe(redact({ paths: ['token'] }))
      .subscribe((event) => piped.push(event));
    const events = [...memory.events, ...piped];
    expect(everyOutput(events)).not.toContain('secret');
    for (const event of events) {
      const cause = event.exception?.cause as { code: string; cause: unknown };
      expect(cause.code).toBe('E_UPSTREAM');
      expect(cause.cause).toBeInstanceOf(Error);
      expect(cause.cause).toMatchObject({ message: 'charge refused', token: '[Redacted]' });
    }
    // The plain object's own data is reached through the link, as before: not by a path from the top.
    const plain = new Error('x', { cause: { token: 'kept', cause: new Error('y') } });
    expect(RedactionPolicy.compile({ paths: ['token'] }).redactError(plain)).toBe(plain);
  });
});
