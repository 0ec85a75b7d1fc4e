import { runInNewContext } from 'node:vm';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { markLoggedRequestError } from '../../lib/nest/logged-request-errors';
import { RxlogLoggerService } from '../../lib/nest/rxlog-logger-service';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { plainEnv } from '../helpers/plain-env';
import { fixtureOutcomes } from './fixtures/run-nest-app';

function setup(): { service: RxlogLoggerService; sink: MemorySink } {
  const sink = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(sink).createLogger();
  return { service: new RxlogLoggerService(log), sink };
}

describe('RxlogLoggerService', () => {
  it('maps Nest levels to rxlog levels with the context as SourceContext', () => {
    const { service, sink } = setup();
    service.log('l', 'A');
    service.warn('w', 'B');
    service.debug('d');
    service.verbose('v', 'C');
    service.error('e', undefined, 'D');
    service.fatal('f', 'E');
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.properties.SourceContext])).toEqual([
      ['information', 'l', 'A'],
      ['warning', 'w', 'B'],
      ['debug', 'd', undefined],
      ['verbose', 'v', 'C'],
      ['error', 'e', 'D'],
      ['fatal', 'f', 'E'],
    ]);
  });

  it('refuses a closed logger with a ConfigurationError, as every call would be rejected', async () => {
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
    await log.close();

    expect(() => new RxlogLoggerService(log)).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        message:
          'RxlogLoggerService: the logger is closed (its close() was called), and would reject everything Nest logs through this service; give it an open logger',
      }),
    );
  });

  it('takes a logger whose close has not been called, whatever it holds', () => {
    const log = new LoggerConfiguration().pipe((events) => events).createLogger();

    expect(new RxlogLoggerService(log)).toBeInstanceOf(RxlogLoggerService);
  });

  it('writes messages as text: braces are not template holes', () => {
    const { service, sink } = setup();
    service.log('Mapped {/orders, GET} route', 'RouterExplorer');
    expect(sink.events[0]?.renderMessage()).toBe('Mapped {/orders, GET} route');
    expect(sink.events[0]?.properties).toEqual({ SourceContext: 'RouterExplorer' });
  });

  it('reads nothing of the extra arguments of a call whose level is off, by the logger’s minimum level or by setLogLevels', () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel
      .information()
      .minimumLevel.override('Quiet', 'error')
      .writeTo.sink(sink)
      .createLogger();
    const service = new RxlogLoggerService(log);
    let reads = 0;
    // A DTO whose getter counts its reads: capturing it for Params, or copying a plain object's fields, reads it.
    class Order {
      constructor() {
        Object.defineProperty(this, 'total', { enumerable: true, get: () => (reads++, 42) });
      }
    }
    const fields = {
      get orderId(): string {
        reads++;
        return 'o-1';
      },
    };
    service.debug('Loaded', new Order(), fields, 'Orders');
    service.verbose('Loaded', new Order(), 'Orders');
    service.log('Loaded', new Order(), fields, 'Quiet');
    service.warn('Loaded', new Order(), 'Quiet');
    service.setLogLevels(['error']);
    service.log('Loaded', new Order(), fields, 'Orders');
    expect([reads, sink.events]).toEqual([0, []]);
    // An enabled one still reads them.
    service.error('Failed', new Order(), fields, 'Orders');
    expect([reads, sink.events.map((e) => [e.properties.orderId, e.properties.Params])]).toEqual([2, [['o-1', [{ total: 42 }]]]]);
  });

  it('turns a stack passed as text, or an Error message, into the exception', () => {
    const { service, sink } = setup();
    const stack = 'TypeError: bad input\n    at parse (/app/parse.js:3:9)';
    service.error('Parsing failed', stack, 'Parser');
    const error = new RangeError('too far');
    service.error(error, undefined, 'Walker');
    const [fromText, fromError] = sink.events;
    expect([fromText?.exception?.name, fromText?.exception?.message, fromText?.exception?.stack]).toEqual([
      'TypeError',
      'Parsing failed',
      stack,
    ]);
    expect(fromError?.exception).toBe(error);
    expect(fromError?.renderMessage()).toBe('too far');
  });

  it('makes an Error passed after the message the exception, as logger.error(message, error) means it (Nest prints its stack)', () => {
    const { service, sink } = setup();
    const error = new TypeError('Connection refused');
    service.error('Failed to load order', error, 'Orders');
    service.warn('Retrying', error, { attempt: 2 }, 'Orders');
    service.error('Two errors', error, new RangeError('second'), 'Orders');
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.exception, e.properties])).toEqual([
      ['error', 'Failed to load order', error, { SourceContext: 'Orders' }],
      ['warning', 'Retrying', error, { SourceContext: 'Orders', attempt: 2 }],
      [
        'error',
        'Two errors',
        error,
        { SourceContext: 'Orders', Params: [{ name: 'RangeError', message: 'second', stack: expect.any(String) }] },
      ],
    ]);
  });

  it('reads an Error from another realm (a vm context, Jest’s sandbox) as an Error: its message and its stack, not {}', () => {
    const { service, sink } = setup();
    // Node's own errors (fs, net) in a Jest e2e spec come from outside the sandbox: no instance of its Error.
    const foreign = runInNewContext('new TypeError("ENOENT: no such file")') as Error;
    expect(foreign instanceof Error).toBe(false);
    service.error(foreign, undefined, 'ExceptionsHandler');
    service.error('Failed to load order', foreign, 'Orders');
    service.warn(foreign);
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.exception, e.properties])).toEqual([
      ['error', 'ENOENT: no such file', foreign, { SourceContext: 'ExceptionsHandler' }],
      ['error', 'Failed to load order', foreign, { SourceContext: 'Orders' }],
      ['warning', 'ENOENT: no such file', foreign, {}],
    ]);
  });

  it('writes an Error whose message is no string (a library set an object or undefined there) with its exception, not dropping it', () => {
    const { service, sink } = setup();
    const withObject = Object.assign(new Error('x'), { message: { code: 'E_LOCKED' } });
    const withNothing = Object.assign(new Error('x'), { message: undefined });
    service.error(withObject, undefined, 'Orders');
    service.warn(withNothing);
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.exception])).toEqual([
      ['error', '{"code":"E_LOCKED"}', withObject],
      ['warning', '', withNothing],
    ]);
  });

  it('writes an Error whose message getter throws (a hostile library error, a Proxy) with a marker and its exception, not dropping it', () => {
    const { service, sink } = setup();
    const error = new Error('x');
    Object.defineProperty(error, 'message', {
      get(): never {
        throw new Error('message getter');
      },
    });
    const object = {
      get message(): never {
        throw new Error('object getter');
      },
    };
    service.error(error, undefined, 'Orders');
    service.fatal(object, 'Error: Not Found\n    at find (/app/orders.js:3:9)', 'Orders');
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.exception === error, e.properties.SourceContext])).toEqual([
      ['error', '[Throws: message getter]', true, 'Orders'],
      ['fatal', '{"message":"[Throws: object getter]"}', false, 'Orders'],
    ]);
    expect(sink.events[1]?.exception?.message).toBe('[Throws: object getter]');
  });

  it('reads a stack passed as text beside a plain object; an Error last among the params is the exception instead', () => {
    const { service, sink } = setup();
    const stack = 'Error: Not Found\n    at find (/app/orders.js:3:9)';
    service.error('Failed', stack, { orderId: 7 }, 'Orders');
    const error = new Error('also');
    service.error('Failed again', stack, error, 'Orders');
    // ConsoleLogger takes the last of the other arguments as the stack only when it is text.
    expect(sink.events.map((e) => [e.exception?.stack, e.properties])).toEqual([
      [stack, { SourceContext: 'Orders', orderId: 7 }],
      [error.stack, { SourceContext: 'Orders', Params: [stack] }],
    ]);
  });

  it('keeps a stack given beside an Error that is not its own in Params, as ConsoleLogger prints both; its own once', () => {
    const { service, sink } = setup();
    const cause = 'Error: ECONNRESET\n    at connect (/app/db.js:9:3)';
    const error = new Error('Order 7 not saved');
    service.error(error, cause, 'Orders');
    service.error(error, cause, { orderId: 7 }, 'Orders');
    // The Error's own stack (logger.error(error, error.stack)) is its exception's already.
    service.error(error, error.stack, 'Orders');
    expect(sink.events.map((e) => [e.renderMessage(), e.exception === error, e.properties])).toEqual([
      ['Order 7 not saved', true, { SourceContext: 'Orders', Params: [cause] }],
      ['Order 7 not saved', true, { SourceContext: 'Orders', orderId: 7, Params: [cause] }],
      ['Order 7 not saved', true, { SourceContext: 'Orders' }],
    ]);
  });

  it('writes undefined and null as the message as ConsoleLogger prints them, the text undefined and null', () => {
    const { service, sink } = setup();
    service.log(undefined);
    service.warn(undefined, 'Orders');
    service.error(null, 'Orders');
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.exception, e.properties])).toEqual([
      ['information', 'undefined', undefined, {}],
      ['warning', 'undefined', undefined, { SourceContext: 'Orders' }],
      ['error', 'null', undefined, { SourceContext: 'Orders' }],
    ]);
  });

  it('names the exception after an object message passed with a stack, not [object Object]', () => {
    const { service, sink } = setup();
    const stack = 'Error: Not Found\n    at find (/app/orders.js:3:9)';
    service.error({ statusCode: 404, message: 'Order 7 not found' }, stack, 'Orders');
    service.error({ statusCode: 409 }, stack, 'Orders');
    expect(sink.events.map((e) => e.exception?.message)).toEqual(['Order 7 not found', '{"statusCode":409}']);
    expect(sink.events[0]?.properties.Message).toEqual({ statusCode: 404, message: 'Order 7 not found' });
  });

  it('keeps the call’s context as SourceContext: a field of that name goes to Params, with a context or without', () => {
    const { service, sink } = setup();
    service.log('Imported', { orderId: 7, SourceContext: 'Legacy' }, 'Orders');
    service.warn('Imported', { SourceContext: 'Legacy' });
    expect(sink.events.map((e) => e.properties)).toEqual([
      { SourceContext: 'Orders', orderId: 7, Params: [{ SourceContext: 'Legacy' }] },
      { Params: [{ SourceContext: 'Legacy' }] },
    ]);
  });

  it('adds plain-object params as properties and keeps other params', () => {
    const { service, sink } = setup();
    service.log('Created', { OrderId: 7 }, 42, 'Orders');
    service.log({ event: 'cache-miss', key: 'k' });
    expect(sink.events[0]?.properties).toEqual({ SourceContext: 'Orders', OrderId: 7, Params: [42] });
    expect(sink.events[1]?.properties).toEqual({ Message: { event: 'cache-miss', key: 'k' } });
  });

  it('adds every field of a plain-object param, one parsed from JSON named __proto__ too, without changing the properties prototype', () => {
    const { service, sink } = setup();
    service.log('Payload', JSON.parse('{"__proto__":{"Polluted":true},"OrderId":7}') as object, 'Orders');
    const properties = sink.events[0].properties;
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(properties, '__proto__')?.value).toEqual({ Polluted: true });
    expect(properties.OrderId).toBe(7);
  });

  it('resolves a lazy message as Nest does: a function is called only when its level is on, a class gives its name', () => {
    const sink = new MemorySink();
    const service = new RxlogLoggerService(new LoggerConfiguration().writeTo.sink(sink).createLogger());
    let calls = 0;
    service.debug(() => {
      calls++;
      return 'expensive';
    }, 'Orders');
    service.log(() => `Loaded ${2} orders`, 'Orders');
    class OrdersService {}
    service.log(OrdersService, 'NestFactory');
    service.warn(() => ({ cache: 'miss' }));
    const itself = (): unknown => itself;
    expect(() => service.log(itself)).not.toThrow();
    expect(() =>
      service.error(() => {
        throw new Error('lazy message failed');
      }),
    ).not.toThrow();
    expect(calls).toBe(0);
    expect(sink.events.slice(0, 3).map((e) => [e.level, e.renderMessage(), e.properties])).toEqual([
      ['information', 'Loaded 2 orders', { SourceContext: 'Orders' }],
      ['information', 'OrdersService', { SourceContext: 'NestFactory' }],
      ['warning', '{"cache":"miss"}', { Message: { cache: 'miss' } }],
    ]);
    expect(sink.events.every((e) => !e.renderMessage().includes('=>'))).toBe(true);
  });

  it('writes a lazy message that throws as a [Throws: …] marker at its level, and reports it to SelfLog, instead of dropping the event', () => {
    const { service, sink } = setup();
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const order: { items?: string[] } = {};
    try {
      service.warn(() => `Order has ${order.items!.length} items`, { orderId: 7 }, 'Orders');
    } finally {
      subscription.unsubscribe();
    }
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.properties])).toEqual([
      ['warning', expect.stringMatching(/^\[Throws: .*length.*\]$/), { SourceContext: 'Orders', orderId: 7 }],
    ]);
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('lazy message')]);
  });

  it('keeps the fields of class instances among the params (DTOs, entities), not their [object Object]', () => {
    const { service, sink } = setup();
    class OrderDto {
      constructor(
        readonly id: number,
        readonly status: string,
      ) {}
    }
    service.log('Created', new OrderDto(7, 'paid'), 'Orders');
    service.warn('Rejected', [new OrderDto(8, 'void')], 'Orders');
    expect(sink.events.map((e) => e.properties.Params)).toEqual([[{ id: 7, status: 'paid' }], [[{ id: 8, status: 'void' }]]]);
  });

  it('writes only the levels setLogLevels enables, and every level above the highest one, and ignores unknown ones', () => {
    const { service, sink } = setup();
    service.setLogLevels(['error', 'bogus' as never]);
    service.log('hidden');
    service.warn('hidden too');
    service.error('shown');
    service.fatal('shown: fatal is above error');
    service.setLogLevels(['debug', 'error']);
    service.verbose('hidden');
    service.debug('debug shown');
    service.log('hidden again');
    service.fatal('fatal shown');
    expect(sink.events.map((e) => e.renderMessage())).toEqual([
      'shown',
      'shown: fatal is above error',
      'debug shown',
      'fatal shown',
    ]);
  });

  it('does not write again an error the request interceptor already wrote', () => {
    const { service, sink } = setup();
    const error = new Error('once');
    markLoggedRequestError(error);
    service.error(error, undefined, 'ExceptionsHandler');
    service.error(error.message, error.stack, 'ExceptionsHandler');
    service.error(new Error('other'), undefined, 'ExceptionsHandler');
    expect(sink.events.map((e) => e.renderMessage())).toEqual(['other']);
  });

  it('writes a thrown value that is not an Error, reported by Nest outside any request, as Nest reports it', () => {
    const { service, sink } = setup();
    service.error('Out of stock', undefined, 'ExceptionsHandler');
    service.error({ code: 'E_STOCK' }, undefined, 'ExceptionsHandler');
    service.error(null, undefined, 'ExceptionsHandler');
    expect(sink.events.map((e) => [e.level, e.properties.SourceContext])).toEqual([
      ['error', 'ExceptionsHandler'],
      ['error', 'ExceptionsHandler'],
      ['error', 'ExceptionsHandler'],
    ]);
    expect(sink.events[0]?.renderMessage()).toBe('Out of stock');
  });

  it('never throws, whatever it is given', () => {
    const { service } = setup();
    const hostile = {
      toString(): string {
        throw new Error('no');
      },
    };
    expect(() => service.log(hostile, hostile)).not.toThrow();
    expect(() => service.error(Symbol('s'))).not.toThrow();
  });

  it('never throws when an argument is a Proxy whose traps throw: writes the call with what it can read, and reports it to SelfLog', () => {
    const { service, sink } = setup();
    const refuse = (): never => {
      throw new Error('trap');
    };
    const proxy = new Proxy({}, { getPrototypeOf: refuse, ownKeys: refuse, get: refuse, getOwnPropertyDescriptor: refuse });
    const reports: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => reports.push(event));
    try {
      // error and fatal look among three or more arguments for plain objects before they take the stack.
      expect(() => service.error('Failed', proxy, 'OrdersService')).not.toThrow();
      expect(() => service.fatal('Failed', 'stack', proxy, 'OrdersService')).not.toThrow();
      expect(() => service.log(proxy, proxy, 'OrdersService')).not.toThrow();
    } finally {
      subscription.unsubscribe();
    }
    expect(reports.map((report) => report.template)).toEqual(
      Array(3).fill('RxlogLoggerService: a Nest log call could not be written; written with its message text or a marker'),
    );
    // The event is not lost (a fatal one least of all): its level, its text message and its context, else a marker.
    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.properties])).toEqual([
      ['error', 'Failed', { SourceContext: 'OrdersService' }],
      ['fatal', 'Failed', { SourceContext: 'OrdersService' }],
      ['information', '[Unreadable: trap]', { SourceContext: 'OrdersService' }],
    ]);
  });
});

/** A CLEF object, as the fixture prints the rxlog events. */
type Clef = Record<string, unknown>;
/** One record of ConsoleLogger's JSON mode. */
interface NestRecord {
  level: string;
  message: unknown;
  context?: string;
  stack?: string;
  error?: { name: string; message: string; stack: string };
  params?: Record<string, unknown>;
}

// Nest's level names as CLEF writes rxlog's (`@l` is left out for Information).
const CLEF_LEVELS: Record<string, string | undefined> = {
  log: undefined,
  warn: 'Warning',
  debug: 'Debug',
  verbose: 'Verbose',
  error: 'Error',
  fatal: 'Fatal',
};

describe('RxlogLoggerService in real Nest 12 application contexts, beside Nest’s ConsoleLogger', () => {
  let calls: Record<string, { nest: NestRecord[]; rxlog: Clef[] }>;
  let setups: Record<string, Clef[]>;
  let levels: Record<string, { nest: string[]; rxlog: string[] }>;

  beforeAll(async () => {
    ({ calls, setups, levels } = await fixtureOutcomes<{ calls: typeof calls; setups: typeof setups; levels: typeof levels }>(
      'nest-logger-calls.ts',
      [],
      { env: plainEnv() },
    ));
  }, 120_000);

  it('writes one event per call with everything ConsoleLogger shows: level, context, message, stack, error, fields and other arguments', () => {
    expect(Object.keys(calls)).toHaveLength(29);
    for (const [name, { nest, rxlog }] of Object.entries(calls)) {
      const [first, ...others] = nest;
      expect([name, rxlog.length]).toEqual([name, 1]);
      const event = rxlog[0];
      expect([name, event['@l']]).toEqual([name, CLEF_LEVELS[first.level]]);
      // The call's context, as ConsoleLogger's: a field named SourceContext does not replace it.
      expect([name, event.SourceContext]).toEqual([name, first.context]);
      if (typeof first.message === 'string') expect([name, event['@m']]).toEqual([name, first.message]);
      else expect([name, event.Message]).toEqual([name, first.message]);
      expect([name, event['@x']]).toEqual([name, first.stack ?? first.error?.stack]);
      const { SourceContext: field, ...fields } = first.params ?? {};
      expect([name, event]).toEqual([name, expect.objectContaining(fields)]);
      // ConsoleLogger prints each further argument as a record of its own; rxlog keeps them in Params,
      // and with them a field named SourceContext (ConsoleLogger keeps it under params).
      const params = [...others.map((r) => r.message), ...(field === undefined ? [] : [{ SourceContext: field }])];
      expect([name, event.Params]).toEqual([name, params.length === 0 ? undefined : params]);
    }
  });

  it('receives the messages Nest buffered during boot, and those logged before useLogger, when bufferLogs is on', () => {
    expect(setups['bufferLogs, then useLogger'].map((e) => [e.SourceContext, e['@m']])).toEqual([
      ['NestFactory', 'Starting Nest application...'],
      ['InstanceLoader', 'AppModule dependencies initialized'],
      ['Early', 'Logged before useLogger'],
      ['Late', 'Logged after useLogger'],
    ]);
  });

  it('receives the buffered messages only at flushLogs when autoFlushLogs is off', () => {
    expect(setups['autoFlushLogs false, then flushLogs'].map((e) => e['@m'])).toEqual([
      '--- flushLogs ---',
      'Starting Nest application...',
      'AppModule dependencies initialized',
      'Logged before flushLogs',
    ]);
  });

  it('receives only what is logged after useLogger when the app was created with logger: false', () => {
    expect(setups['logger false, then useLogger'].map((e) => e['@m'])).toEqual(['Logged after useLogger']);
  });

  it('is not limited by NEST_LOG_LEVEL, which sets ConsoleLogger’s default levels', () => {
    expect(setups['NEST_LOG_LEVEL=error, then useLogger'].map((e) => e['@m'])).toEqual([
      'Starting Nest application...',
      'AppModule dependencies initialized',
      'Written: NEST_LOG_LEVEL is ConsoleLogger’s',
    ]);
  });

  it('is not limited by the logger levels given to NestFactory (they were ConsoleLogger’s), and is by app.useLogger(levels) afterwards', () => {
    expect(setups['logger levels, then useLogger, then useLogger(levels)'].map((e) => [e['@l'], e['@m']])).toEqual([
      [undefined, 'Starting Nest application...'],
      [undefined, 'AppModule dependencies initialized'],
      [undefined, 'Written: the levels were ConsoleLogger’s'],
      ['Warning', 'Written'],
      ['Fatal', 'Written too: fatal is above error'],
    ]);
  });

  it('writes the Nest levels ConsoleLogger writes for every setLogLevels list: those listed, and every level above the highest listed', () => {
    expect(Object.keys(levels)).toHaveLength(11);
    for (const [list, { nest, rxlog }] of Object.entries(levels)) expect([list, rxlog]).toEqual([list, nest]);
    expect(levels['["error","warn"]'].nest).toEqual(['warn', 'error', 'fatal']);
    // No level Nest knows: ConsoleLogger (and Nest's Logger.isLevelEnabled) then write every level.
    expect(levels['["info"]'].nest).toEqual(['verbose', 'debug', 'log', 'warn', 'error', 'fatal']);
    // No list (undefined), or a string: ConsoleLogger's default levels, every one.
    expect([levels.undefined.nest, levels['"warn"'].nest]).toEqual([
      ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
      ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
    ]);
  });
});
