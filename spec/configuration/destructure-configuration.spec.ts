import { firstValueFrom, take, toArray } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../lib/core/log-event';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import type { Logger } from '../../lib/pipeline/logger';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { DEFAULT_CENSOR, type RedactOptions } from '../../lib/templates/redaction-policy';
import { collectSelfLog } from '../helpers/self-log';

const SECRET = 'hunter2-SECRET';

function redactingLogger(): { log: Logger; memory: MemorySink } {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel
    .debug()
    .destructure.redact({
      paths: ['Password', 'User.password', '*.token', 'Headers.authorization'],
      keys: /pass(word)?|secret|token|api[-_]?key/i,
    })
    .enrich.fromLogContext()
    .enrich.with(() => ({ Deploy: { region: 'eu', apiKey: SECRET } }))
    .writeTo.sink(memory, { name: 'memory' })
    .createLogger();
  return { log, memory };
}

/** Everything an event holds, as JSON text: the secret must appear nowhere in it. */
function everything(event: LogEvent): string {
  const exception = event.exception === undefined ? {} : { ...event.exception };
  return JSON.stringify({ properties: event.properties, exception }) + new CompactJsonFormatter().format(event);
}

describe('LoggerConfiguration.destructure', () => {
  it('redacts call arguments: nested objects, arrays, Maps and class instances captured with @', () => {
    const { log, memory } = redactingLogger();
    class Login {
      constructor(
        readonly user: string,
        readonly password: string,
      ) {}
    }
    log.information(
      'Login {@Attempt} with {Password} for {@User}; {@Headers} {@Sessions}',
      new Login('ann', SECRET),
      SECRET,
      { name: 'ann', password: SECRET },
      new Map([
        ['authorization', `Bearer ${SECRET}`],
        ['accept', 'json'],
      ]),
      [{ id: 1, token: SECRET }],
    );
    const event = memory.events[0];
    expect(event.properties).toEqual({
      Attempt: { user: 'ann', password: '[Redacted]' },
      Password: '[Redacted]',
      User: { name: 'ann', password: '[Redacted]' },
      Headers: { authorization: '[Redacted]', accept: 'json' },
      Sessions: [{ id: 1, token: '[Redacted]' }],
      Deploy: { region: 'eu', apiKey: '[Redacted]' },
    });
    expect(event.renderMessage()).not.toContain(SECRET);
    expect(everything(event)).not.toContain(SECRET);
  });

  it('redacts child-logger properties, LogContext values and enricher values', () => {
    const { log, memory } = redactingLogger();
    const child = log.child({ Session: { id: 's-1', token: SECRET } });
    LogContext.run({ Request: { path: '/login', headers: { cookie: 'c', 'x-api-key': SECRET } }, Password: SECRET }, () =>
      child.information('inside'),
    );
    const event = memory.events[0];
    expect(event.properties).toEqual({
      Session: { id: 's-1', token: '[Redacted]' },
      Request: { path: '/login', headers: { cookie: 'c', 'x-api-key': '[Redacted]' } },
      Password: '[Redacted]',
      Deploy: { region: 'eu', apiKey: '[Redacted]' },
    });
    expect(everything(event)).not.toContain(SECRET);
  });

  it('gives the event a redacted copy of an exception whose own properties hold a secret, leaving the app’s Error alone', () => {
    const { log, memory } = redactingLogger();
    const failure = Object.assign(new Error('login failed'), { password: SECRET, status: 401 });
    log.error(failure, 'Login failed for {User}', 'ann');
    const exception = memory.events[0].exception as Error & { password: string; status: number };
    expect(exception).not.toBe(failure);
    expect(exception.message).toBe('login failed');
    expect(exception.stack).toBe(failure.stack);
    expect(exception.password).toBe('[Redacted]');
    expect(exception.status).toBe(401);
    expect(failure.password).toBe(SECRET);
    expect(everything(memory.events[0])).not.toContain(SECRET);
  });

  // `throw { code, token }` reaches the logger as a plain object, whose data becomes the message of
  // the event's ThrownValueError: the policy applies to that data as to an Error's own properties.
  it('redacts the data of a thrown object that is not an Error, which the exception carries as JSON', () => {
    const { log, memory } = redactingLogger();
    log.error({ code: 'E_AUTH', token: SECRET, user: { name: 'ann', password: SECRET } }, 'Login failed');
    const exception = memory.events[0].exception as Error;
    expect(exception.name).toBe('ThrownValueError');
    expect(exception.message).toBe('{"code":"E_AUTH","token":"[Redacted]","user":{"name":"ann","password":"[Redacted]"}}');
    expect(exception.stack).toBe(`ThrownValueError: ${exception.message}`);
    expect(everything(memory.events[0])).not.toContain(SECRET);
  });

  it('keeps a secret out of @x when an exception’s cause holds it deeper than capture goes', async () => {
    const { log, memory } = redactingLogger();
    let cause: unknown = { token: SECRET };
    for (let i = 0; i < 12; i++) cause = { next: cause };
    log.error(new Error('upstream failed', { cause }), 'Call failed');
    await log.close();
    expect(everything(memory.events[0])).not.toContain(SECRET);
    expect(new CompactJsonFormatter().format(memory.events[0])).toContain('caused by: {');
  });

  it('reads pino’s array paths written with dots: users.*.password and tokens.*', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['Users.*.password', 'Tokens.*'] })
      .writeTo.sink(memory)
      .createLogger();
    log.information('{@Users} {@Tokens}', [{ name: 'ann', password: SECRET }], [SECRET, SECRET]);
    await log.close();
    expect(memory.events[0].properties).toEqual({
      Users: [{ name: 'ann', password: '[Redacted]' }],
      Tokens: ['[Redacted]', '[Redacted]'],
    });
    expect(everything(memory.events[0])).not.toContain(SECRET);
  });

  it('tests key patterns on no name longer than 256 characters, even the names capture does not cut (child, forContext, an exception’s own)', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ keys: /secret/i })
      .writeTo.sink(memory)
      .createLogger();
    // A name from data (a parsed request body bound to a child, or assigned to an Error): 1 MB.
    const name = `${'k'.repeat(1_000_000)}secret`;
    // RegExp.prototype.test sees every name the policy's pattern (a plain RegExp, made when it is built) is given.
    const test = jest.spyOn(RegExp.prototype, 'test');
    let tested: number[];
    try {
      log.child({ [name]: SECRET }).information('Child');
      log.forContext(name, SECRET).information('For context');
      log.error(Object.assign(new Error('denied'), { [name]: SECRET }), 'Own property');
      log.information('Argument {@Body}', { [name]: SECRET });
      // Restoring the spy forgets its calls.
      tested = test.mock.calls.filter((_, i) => test.mock.contexts[i]?.source === 'secret').map(([text]) => text.length);
    } finally {
      test.mockRestore();
    }
    expect(memory.events).toHaveLength(4);
    for (const event of memory.events) expect(everything(event)).not.toContain(SECRET);
    // Tested on the short names of each event (SourceContext, the template's), never on the long one.
    expect(tested.length).toBeGreaterThan(0);
    expect(Math.max(...tested)).toBeLessThanOrEqual(256);
  });

  it('censors a value whose name capture cut, where a path or key pattern could have named it (a small maxStringLength, or a call whose strings spent the budget)', () => {
    const small = new MemorySink();
    new LoggerConfiguration().destructure
      .toMaximumStringLength(10)
      .destructure.redact({ keys: /password/i })
      .writeTo.sink(small)
      .createLogger()
      .information('Login {@User}', { name: 'ann', userPassword: SECRET });
    expect(small.events[0]?.properties.User).toEqual({ name: 'ann', 'userPasswo…[truncated 2 chars]': DEFAULT_CENSOR });

    // 17 strings of 64 K spend the call's 1 MiB: the names after them are cut to nothing, and a number is not cut.
    const payload = Array.from({ length: 17 }, () => 'x'.repeat(64 * 1024));
    const paid = (options: RedactOptions): LogEvent => {
      const spent = new MemorySink();
      new LoggerConfiguration().destructure
        .redact(options)
        .writeTo.sink(spent)
        .createLogger()
        .information('Paid {@Payload} with {@Card} for {@Order}', payload, { number: 4111111111111111, pin: 7319 }, { items: 3 });
      return spent.events[0];
    };
    const byPath = paid({ paths: ['Card.pin'] });
    expect(everything(byPath)).not.toContain('7319');
    // Where no path reaches (Order), a cut name keeps its value.
    expect(byPath.properties.Order).toEqual({ '…[truncated 5 chars]': 3 });
    const byKey = paid({ keys: /number/ });
    expect(everything(byKey)).not.toContain('4111111111111111');
    // A key pattern reaches every name.
    expect(byKey.properties.Order).toEqual({ '…[truncated 5 chars]': DEFAULT_CENSOR });
  });

  it('keeps the secret out of events$', async () => {
    const { log } = redactingLogger();
    const seen = firstValueFrom(log.events$.pipe(take(1), toArray()));
    log.information('{Password}', SECRET);
    const [event] = await seen;
    expect(event.properties.Password).toBe('[Redacted]');
  });

  it('handles property names that collide with the rules', () => {
    const { log, memory } = redactingLogger();
    // Key patterns are unanchored, as written: "Passport" matches /pass(word)?/i, "Username" matches nothing,
    // and a hole named "token" is redacted by the pattern although no path names it at the top.
    log.information('{Passport} {Username} {token}', 'P-1', 'ann', SECRET);
    expect(memory.events[0].properties).toMatchObject({ Passport: '[Redacted]', Username: 'ann', token: '[Redacted]' });
  });

  it('applies several policies in order, each with its own censor, or removal', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ paths: ['Card.number'], censor: (value) => `****${String(value).slice(-4)}` })
      .destructure.redact({ paths: ['Card.cvc'], remove: true })
      .writeTo.sink(memory)
      .createLogger();
    log.information('Paid with {@Card}', { number: '4111111111111111', cvc: '123', brand: 'visa' });
    expect(memory.events[0].properties.Card).toEqual({ number: '****1111', brand: 'visa' });
  });

  it('applies the censor function once per event, to the original value', () => {
    const seen: unknown[] = [];
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({
        paths: ['Token'],
        censor: (value) => {
          seen.push(value);
          return 'x';
        },
      })
      .writeTo.sink(memory)
      .createLogger();
    const child = log.child({ Token: SECRET });
    child.information('one');
    child.information('two');
    expect(seen).toEqual([SECRET, SECRET]);
  });

  // What an enricher adds is the same with a policy as without, but redacted: the values were
  // captured twice (a second capture of a cut string cut its marker again), and a string or a
  // Promise returned by an enricher went through as if it were properties.
  it('adds what an enricher returns as it does without a policy, captured once and redacted', () => {
    const enrichers = [
      () => ({ Big: 'x'.repeat(100_000), Deploy: { apiKey: SECRET } }),
      () => 'abc' as unknown as Record<string, unknown>,
      () => Promise.resolve({ Late: 1 }) as unknown as Record<string, unknown>,
    ];
    const logged = [false, true].map((redacting) => {
      const memory = new MemorySink();
      let configuration = new LoggerConfiguration().enrich.with(...enrichers);
      if (redacting) configuration = configuration.destructure.redact({ keys: /apiKey/ });
      const selfLog = collectSelfLog();
      configuration.writeTo.sink(memory).createLogger().information('hi');
      selfLog.stop();
      const { Big, ...rest } = memory.events[0].properties as { Big: string };
      // The cut string's end: 64 KiB of x are kept, then the marker.
      const properties = { Big: Big.slice(65_530), ...rest };
      return { properties, diagnostics: selfLog.diagnostics.map((d) => d.template) };
    });
    const [plain, redacted] = logged;
    expect(plain.properties).toEqual({ Big: 'xxxxxx…[truncated 34464 chars]', Deploy: { apiKey: SECRET } });
    expect(redacted.properties).toEqual({ Big: plain.properties.Big, Deploy: { apiKey: '[Redacted]' } });
    expect(redacted.diagnostics).toEqual(plain.diagnostics);
    expect(plain.diagnostics).toEqual([
      'Enricher {Name} returned not properties: {Value}',
      expect.stringContaining('returned a Promise'),
    ]);
  });

  // These were redactingEnricher's cases (lib/templates/redacting-enricher.ts, which the logger no
  // longer wraps enrichers in): the same, through the logger.
  it('redacts the rest of what an enricher returns when one of its getters throws, and reports an enricher that throws', () => {
    const memory = new MemorySink();
    const shared = { id: 2, secret: 's' };
    const log = new LoggerConfiguration().destructure
      .redact({ keys: /secret/i })
      .enrich.with(
        () => ({
          get Token(): string {
            throw new Error('unreadable');
          },
          Session: shared,
        }),
        () => undefined,
        function broken(): Record<string, unknown> {
          throw new Error('enricher broke');
        },
      )
      .writeTo.sink(memory)
      .createLogger();
    const selfLog = collectSelfLog();
    log.information('hi');
    selfLog.stop();
    expect(memory.events[0].properties).toEqual({ Token: '[Throws: unreadable]', Session: { id: 2, secret: '[Redacted]' } });
    expect(shared.secret).toBe('s');
    expect(selfLog.diagnostics.map((d) => [d.template, d.args[0]])).toEqual([
      ['Capturing {What} threw {Message}; captured as a marker', 'property Token'],
      ['Enricher {Name} failed; event passed on unenriched', 'broken'],
    ]);
  });

  it('gives a censor function only what an enricher adds, once per event', () => {
    const seen: string[] = [];
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .redact({ keys: /token/i, censor: (_value, path) => (seen.push(path), '***') })
      .enrich.with(() => ({ Token: 'from-enricher', OtherToken: 'o' }))
      .writeTo.sink(memory)
      .createLogger();
    log.information('{Token}', 'from-call');
    expect(memory.events[0].properties).toEqual({ Token: '***', OtherToken: '***' });
    // The call's Token is censored as an argument; the enricher's, which the event already has, is not added.
    expect(seen).toEqual(['Token', 'OtherToken']);
  });

  it('throws a ConfigurationError naming a bad rule at configuration time', () => {
    expect(() => new LoggerConfiguration().destructure.redact({ paths: ['a..b'] })).toThrow(ConfigurationError);
    expect(() => new LoggerConfiguration().destructure.redact({ paths: ['a..b'] })).toThrow(/destructure\.redact: paths\[0\]/);
  });
});

describe('LoggerConfiguration.destructure capture limits (Serilog’s Destructure.ToMaximum…)', () => {
  const limits: [string, (c: LoggerConfiguration, n: number) => LoggerConfiguration, number, string][] = [
    ['toMaximumDepth', (c, n) => c.destructure.toMaximumDepth(n), 0, 'a whole number from 0 to 63'],
    ['toMaximumStringLength', (c, n) => c.destructure.toMaximumStringLength(n), 2, 'a whole number ≥ 2'],
    ['toMaximumCollectionCount', (c, n) => c.destructure.toMaximumCollectionCount(n), 1, 'a whole number ≥ 1'],
  ];
  const bad: [string, unknown][] = [
    ['NaN (a limit read from an unset environment variable)', NaN],
    ['Infinity', Infinity],
    ['a negative number', -1],
    ['a fraction', 2.5],
    ['past 2^53 - 1', 2 ** 53],
    ['a numeric string', '10'],
    ['undefined', undefined],
    ['null', null],
  ];

  describe.each(limits)('%s', (name, set, min, expected) => {
    it.each(bad)('refuses %s with a ConfigurationError naming the value', (_, value) => {
      expect(() => set(new LoggerConfiguration(), value as number)).toThrow(ConfigurationError);
      expect(() => set(new LoggerConfiguration(), value as number)).toThrow(
        new RegExp(`^destructure\\.${name}: expected ${expected}, got `),
      );
    });

    it(`takes ${min} and refuses ${min - 1}`, () => {
      expect(() => set(new LoggerConfiguration(), min)).not.toThrow();
      expect(() => set(new LoggerConfiguration(), min - 1)).toThrow(`got number ${min - 1}`);
    });

    it('is refused after createLogger, as every builder call is', () => {
      const configuration = new LoggerConfiguration();
      configuration.createLogger();
      expect(() => set(configuration, 5)).toThrow(`destructure.${name}: this configuration already created its logger`);
    });
  });

  // Capture recurses: a limit of thousands ran out of stack some 1 000 levels down (fewer the deeper
  // the logging call) and kept '[Throws: Maximum call stack size exceeded]' there, at a depth set by
  // the caller's stack, and every JSON or text writer cuts at 63 levels whatever capture kept.
  it('refuses a depth past the 63 levels rxlog’s writers follow, and keeps 63 levels when given 63', () => {
    for (const depth of [64, 5_000, Number.MAX_SAFE_INTEGER])
      expect(() => new LoggerConfiguration().destructure.toMaximumDepth(depth)).toThrow(
        `destructure.toMaximumDepth: expected a whole number from 0 to 63, got number ${depth}`,
      );
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.toMaximumDepth(63).writeTo.sink(memory).createLogger();
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { n: deep };
    log.information('{@Deep}', deep);
    let kept: unknown = memory.events[0].properties.Deep;
    let levels = 0;
    for (; typeof kept === 'object' && kept !== null; levels++) kept = (kept as { n: unknown }).n;
    expect([levels, kept]).toEqual([63, '[MaxDepth]']);
    // The CLEF line holds what was captured, as parsed back.
    const line = JSON.parse(new CompactJsonFormatter().format(memory.events[0])) as { Deep: unknown };
    expect(line.Deep).toEqual(memory.events[0].properties.Deep);
  });

  it('bounds call arguments, child-logger properties, LogContext values and enricher values alike', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .toMaximumCollectionCount(2)
      .destructure.toMaximumStringLength(4)
      .destructure.toMaximumDepth(1)
      .enrich.fromLogContext()
      .enrich.with(() => ({ Enriched: [1, 2, 3] }))
      .writeTo.sink(memory)
      .createLogger();
    LogContext.run({ Ambient: 'abcdef' }, () =>
      log.child({ Bound: { a: { deep: 1 } } }).information('{Arg} {@Deep}', [1, 2, 3], { a: { deep: 1 } }),
    );
    expect(memory.events[0].properties).toEqual({
      Arg: [1, 2, '…1 more'],
      Deep: { a: '[MaxDepth]' },
      Bound: { a: '[MaxDepth]' },
      Ambient: 'abcd…[truncated 2 chars]',
      Enriched: [1, 2, '…1 more'],
    });
  });

  it('keeps each limit it was not given at its default, the last call for one winning, and leaves other loggers alone', () => {
    const long = 'x'.repeat(70_000);
    const items = Array.from({ length: 1_500 }, (_, i) => i);
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure
      .toMaximumStringLength(10)
      .destructure.toMaximumStringLength(5)
      .writeTo.sink(memory)
      .createLogger();
    const plainMemory = new MemorySink();
    const plain = new LoggerConfiguration().writeTo.sink(plainMemory).createLogger();
    log.information('{Text} {Items}', 'abcdefgh', items);
    plain.information('{Text} {Items}', long, items);
    expect(memory.events[0].properties.Text).toBe('abcde…[truncated 3 chars]');
    // The default 1000 items, then the marker.
    expect(memory.events[0].properties.Items).toHaveLength(1_001);
    expect(plainMemory.events[0].properties.Text).toBe(`${'x'.repeat(65_536)}…[truncated 4464 chars]`);
    expect(plainMemory.events[0].properties.Items).toHaveLength(1_001);
  });

  // Serilog applies each limit to each value separately ("sum of length of strings can exceed limit"):
  // a lower limit shortens what is too long, it does not make every event hold less in all.
  it('applies a lowered string length to each string, not to the call as a whole: an object of short fields is kept whole', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.toMaximumStringLength(10).writeTo.sink(memory).createLogger();
    const user = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`F${i}`, `value-${i}`]));
    log.information('Saved {@User} as {Note}', user, 'short');
    expect(memory.events[0].properties).toEqual({ User: user, Note: 'short' });
  });

  it('applies a lowered collection count to each collection, as Serilog’s JaggedArrayShouldRespectMaximumCollectionCount', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.toMaximumCollectionCount(2).writeTo.sink(memory).createLogger();
    // A binary tree 9 levels deep: 1 022 items, every collection within the limit of 2.
    const tree = (depth: number): unknown => (depth === 0 ? 'leaf' : [tree(depth - 1), tree(depth - 1)]);
    log.information('{@Tree} {@Rows}', tree(9), [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9, 10],
    ]);
    expect(memory.events[0].properties.Tree).toEqual(tree(9));
    expect(memory.events[0].properties.Rows).toEqual([[1, 2, '…1 more'], [4, 5, '…1 more'], '…1 more']);
  });

  it('lets more through than the defaults when asked', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().destructure.toMaximumCollectionCount(2_000).writeTo.sink(memory).createLogger();
    log.information(
      '{Items}',
      Array.from({ length: 1_500 }, (_, i) => i),
    );
    expect(memory.events[0].properties.Items).toHaveLength(1_500);
  });
});
