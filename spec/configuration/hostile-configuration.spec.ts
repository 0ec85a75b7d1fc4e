import { PassThrough } from 'node:stream';
import { filter, map, of, type OperatorFunction } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../lib/core/level-switch';
import type { LogEvent } from '../../lib/core/log-event';
import type { Logger } from '../../lib/pipeline/logger';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { CircuitBreaker, circuitBreaker } from '../../lib/operators/circuit-breaker';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { tapLog } from '../../lib/operators/tap-log';
import { tapMetrics } from '../../lib/operators/tap-metrics';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { ConsoleSink } from '../../lib/sinks/console-sink';
import { HttpSink } from '../../lib/sinks/http/http-sink';
import { LokiSink } from '../../lib/sinks/http/loki-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { FileSink } from '../../lib/node/file/file-sink';
import { StreamSink } from '../../lib/node/stream-sink';
import { SyslogSink } from '../../lib/node/syslog/syslog-sink';
import { countedHoles } from '../helpers/counted-holes';
import { collectSelfLog } from '../helpers/self-log';
import { createTestScheduler } from '../helpers/test-scheduler';

function trap(): never {
  throw new Error('trap');
}
const TRAPS: ProxyHandler<object> = {
  get: trap,
  has: trap,
  ownKeys: trap,
  getPrototypeOf: trap,
  getOwnPropertyDescriptor: trap,
  apply: trap,
  construct: trap,
};
/** A Proxy every one of whose traps throws `Error: trap`. */
const trapping = (): object => new Proxy({}, TRAPS);
/** The same around a function: `typeof` says function, and reading anything of it throws. */
const trappingFunction = (): object => new Proxy(() => undefined, TRAPS);

/** An object whose `key` is a getter: it throws, or gives 5 and -5 by turns; `reads` counts the reads. */
function getterOptions(key: string, kind: 'throws' | 'flips'): { options: object; reads: () => number } {
  let reads = 0;
  const options = Object.defineProperty({}, key, {
    enumerable: true,
    get: () => {
      reads++;
      if (kind === 'throws') throw new Error('trap');
      return reads % 2 === 1 ? 5 : -5;
    },
  });
  return { options, reads: () => reads };
}

/** A first answer for each name configuration reads of an object given to it: a sink, scheduler, switch or options. */
const FIRST_ANSWERS: Record<string, unknown> = {
  emit: () => undefined,
  schedule: () => undefined,
  now: () => 0,
  value: 1,
  level: 'debug',
  ...Object.fromEntries(['limit', 'size', 'attempts', 'failureThreshold', 'resetTimeoutMs', 'maxDelayMs'].map((k) => [k, 5])),
  overflow: 'drop-oldest',
  name: 'given',
  pipe: [],
  paths: ['a.b'],
  prototype: {},
  kind: 'given',
};
/**
 * An object whose every property above is a getter: each throws `Error: getter`, or each gives its
 * first answer once and a Symbol on every later read, which no check takes.
 */
function getterObject(kind: 'throws' | 'changes'): object {
  const value = {};
  for (const [key, first] of Object.entries(FIRST_ANSWERS)) {
    let reads = 0;
    Object.defineProperty(value, key, {
      enumerable: true,
      get: () => {
        if (kind === 'throws') throw new Error('getter');
        return reads++ === 0 ? first : Symbol('later');
      },
    });
  }
  return value;
}
/** An instance of a class whose `name` is `name` (a Symbol, a megabyte of text), which a message would print. */
function instanceNamed(name: unknown): object {
  const Named = Object.defineProperty(class {}, 'name', { value: name });
  return new Named();
}
function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const hostileValues: [string, () => unknown][] = [
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-1', () => -1],
  ['2 ** 53', () => 2 ** 53],
  ['a string', () => 'str'],
  ['null', () => null],
  ['a Proxy that throws on every trap', trapping],
  ['a function Proxy that throws on every trap', trappingFunction],
  ['a frozen object', () => Object.freeze({})],
  ['an object with a "__proto__" key', () => JSON.parse('{"__proto__": {"limit": 5}}') as unknown],
  ['a revoked Proxy', revoked],
  ['a symbol', () => Symbol('given')],
  ['a bigint', () => 5n],
  ['an object whose getters throw', () => getterObject('throws')],
  ['an object whose getters answer differently on each read', () => getterObject('changes')],
  ['an instance of a class whose name is a Symbol', () => instanceNamed(Symbol('name'))],
  ['an instance of a class whose name is a megabyte long', () => instanceNamed('N'.repeat(1_000_000))],
];

const configuration = (): LoggerConfiguration => new LoggerConfiguration();
const sink = (options: object): LoggerConfiguration => configuration().writeTo.sink(new MemorySink(), options);

/** [the call, what its message starts with when it refuses the value, the call given the value]. */
const builders: [string, string, (value: unknown) => LoggerConfiguration][] = [
  ['minimumLevel.is', 'minimumLevel.is', (v) => configuration().minimumLevel.is(v as never)],
  ['minimumLevel.controlledBy', 'minimumLevel.controlledBy', (v) => configuration().minimumLevel.controlledBy(v as never)],
  ['minimumLevel.override prefix', 'minimumLevel.override', (v) => configuration().minimumLevel.override(v as never, 'debug')],
  ['minimumLevel.override level', 'minimumLevel.override("A")', (v) => configuration().minimumLevel.override('A', v as never)],
  ['enrich.withProperty', 'enrich.withProperty', (v) => configuration().enrich.withProperty(v as never, 1)],
  ['enrich.with', 'enrich.with[0]', (v) => configuration().enrich.with(v as never)],
  ['filter.byExcluding', 'filter.byExcluding', (v) => configuration().filter.byExcluding(v as never)],
  ['filter.byIncludingOnly', 'filter.byIncludingOnly', (v) => configuration().filter.byIncludingOnly(v as never)],
  ['pipe', 'pipe[0]', (v) => configuration().pipe(v as never)],
  ['useScheduler', 'useScheduler', (v) => configuration().useScheduler(v as never)],
  ['destructure.redact', 'destructure.redact', (v) => configuration().destructure.redact(v as never)],
  ['destructure.toMaximumDepth', 'destructure.toMaximumDepth', (v) => configuration().destructure.toMaximumDepth(v as never)],
  [
    'destructure.toMaximumStringLength',
    'destructure.toMaximumStringLength',
    (v) => configuration().destructure.toMaximumStringLength(v as never),
  ],
  [
    'destructure.toMaximumCollectionCount',
    'destructure.toMaximumCollectionCount',
    (v) => configuration().destructure.toMaximumCollectionCount(v as never),
  ],
  [
    'destructure.byTransforming type',
    'destructure.byTransforming',
    (v) => configuration().destructure.byTransforming(v as never, String),
  ],
  [
    'destructure.byTransforming transform',
    'destructure.byTransforming',
    (v) => configuration().destructure.byTransforming(Date, v as never),
  ],
  [
    'destructure.byTransformingWhere predicate',
    'destructure.byTransformingWhere',
    (v) => configuration().destructure.byTransformingWhere(v as never, String),
  ],
  ['writeTo.sink sink', 'writeTo.sink', (v) => configuration().writeTo.sink(v as never)],
  ['writeTo.sink options', 'writeTo.sink', (v) => configuration().writeTo.sink(new MemorySink(), v as never)],
  ['writeTo.console options', 'writeTo.console', (v) => configuration().writeTo.console(v as never)],
  ...['name', 'minimumLevel', 'pipe', 'queue', 'batch', 'retry', 'circuitBreaker', 'fallback'].map(
    (key): [string, string, (value: unknown) => LoggerConfiguration] => [
      `writeTo.sink ${key}`,
      key === 'name' ? 'writeTo.sink' : `writeTo.sink(memory).${key}`,
      (v) => sink({ [key]: v }),
    ],
  ),
  ...['outputTemplate', 'formatter', 'theme', 'standardErrorFromLevel', 'mode', 'stdout', 'stderr', 'colors', 'console'].map(
    (key): [string, string, (value: unknown) => LoggerConfiguration] => [
      `writeTo.console ${key}`,
      `writeTo.console(console).${key}`,
      (v) => configuration().writeTo.console({ [key]: v }),
    ],
  ),
  ...Object.entries({
    queue: ['limit', 'limitBytes', 'overflow', 'warnAt', 'maxEventBytes'],
    batch: ['size', 'maxDelayMs'],
    retry: ['attempts', 'initialDelayMs', 'maxDelayMs', 'jitter'],
    circuitBreaker: ['failureThreshold', 'resetTimeoutMs', 'maxResetTimeoutMs'],
  }).flatMap(([part, keys]) =>
    keys.map((key): [string, string, (value: unknown) => LoggerConfiguration] => [
      `writeTo.sink ${part}.${key}`,
      `writeTo.sink(memory).${part}.${key}`,
      (v) => sink({ [part]: { [key]: v } }),
    ]),
  ),
];

describe('configuration given hostile values', () => {
  const cases = builders.flatMap(([call, where, build]) =>
    hostileValues.map(([name, make]): [string, string, string, () => LoggerConfiguration, () => unknown] => [
      call,
      name,
      where,
      build as () => LoggerConfiguration,
      make,
    ]),
  );
  it.each(cases)(
    '%s given %s: a ConfigurationError naming it at that call or at createLogger(), or a logger whose logging never throws',
    async (_call, _name, where, build, make) => {
      const memory = new MemorySink();
      let log: Logger;
      try {
        // A sink of its own, so that createLogger() applies every operator the value may be.
        log = (build as (value: unknown) => LoggerConfiguration)(make()).writeTo.sink(memory, { name: 'probe' }).createLogger();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        const { message } = error as Error;
        // `${where}.`: a part of the value (writeTo.console(console).theme.ansi).
        const named = [`${where}:`, `${where}(`, `${where}.`, `createLogger: operator ${where} failed`].some((start) =>
          message.startsWith(start),
        );
        expect([named, message]).toEqual([true, message]);
        // The value is named, not printed whole: a megabyte class name made a megabyte message.
        expect(message.length).toBeLessThan(1_000);
        return;
      }
      // writeTo.console's line goes nowhere.
      const quiet = [process.stdout, process.stderr].map((stream) => jest.spyOn(stream, 'write').mockReturnValue(true));
      try {
        expect(() => log.information('Hello {Name}', 'world')).not.toThrow();
        await log.close();
      } finally {
        for (const spy of quiet) spy.mockRestore();
      }
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Hello world']);
    },
  );
});

/** A fetch that is never called: the sinks below are built, never written to. */
const unusedFetch = (): Promise<Response> => Promise.reject(new Error('unused'));
/** [the sink, how its options are named in its messages, the sink built given `options` over working ones]. */
const sinkBuilders: [string, (option: string) => string[], (options: object) => unknown][] = [
  ['HttpSink', (o) => [`HttpSink.${o}`], (o) => new HttpSink({ url: 'http://127.0.0.1:9/', fetch: unusedFetch, ...o })],
  ['SeqSink', (o) => [`SeqSink.${o}`], (o) => new SeqSink({ serverUrl: 'http://127.0.0.1:9', fetch: unusedFetch, ...o })],
  ['LokiSink', (o) => [`LokiSink.${o}`], (o) => new LokiSink({ url: 'http://127.0.0.1:9', fetch: unusedFetch, ...o })],
  [
    'OtlpSink',
    (o) => [`OtlpSink.${o}`],
    (o) => new OtlpSink({ endpoint: 'http://127.0.0.1:9/v1/logs', environment: {}, fetch: unusedFetch, ...o }),
  ],
  ['StreamSink', (o) => [`StreamSink.${o}`], (o) => new StreamSink(o)],
  ['FileSink', (o) => [`FileSink ${o}`], (o) => new FileSink('/dev/null', o)],
  // SyslogSink's tls with transport 'tls', which takes it.
  ['SyslogSink', (o) => [`SyslogSink ${o}`, `SyslogSink: ${o} `], (o) => new SyslogSink({ transport: 'tls', ...o })],
];
/** The options of each sink that are objects its constructor reads to check them. */
const sinkObjectOptions: Record<string, string[]> = {
  HttpSink: ['formatter', 'headers'],
  SeqSink: ['formatter', 'headers', 'controlLevelSwitch'],
  LokiSink: ['formatter', 'headers', 'labels'],
  OtlpSink: ['headers', 'environment', 'resource'],
  StreamSink: ['stream', 'formatter'],
  FileSink: ['formatter', 'clock'],
  SyslogSink: ['formatter', 'tls'],
};

describe('sink constructors given hostile option values', () => {
  const cases = sinkBuilders.flatMap(([kind, names, build]) =>
    sinkObjectOptions[kind].flatMap((option) =>
      hostileValues.map(([name, make]): [string, string, string, string[], (options: object) => unknown, () => unknown] => [
        kind,
        option,
        name,
        names(option),
        build,
        make,
      ]),
    ),
  );
  it.each(cases)(
    'new %s given a %s that is %s: a ConfigurationError naming it, or a sink',
    async (_kind, _option, _name, starts, build, make) => {
      let built: unknown;
      try {
        built = build({ [_option]: make() });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        const { message } = error as Error;
        expect([starts.some((start) => message.startsWith(start)), message]).toEqual([true, message]);
        expect(message.length).toBeLessThan(1_000);
        return;
      }
      await (built as { close?: () => unknown }).close?.();
    },
  );

  const wholeBuilders: [string, (options: unknown) => unknown][] = [
    ['HttpSink', (o) => new HttpSink(o as never)],
    ['SeqSink', (o) => new SeqSink(o as never)],
    ['LokiSink', (o) => new LokiSink(o as never)],
    ['OtlpSink', (o) => new OtlpSink(o as never)],
    ['StreamSink', (o) => new StreamSink(o as never)],
    ['FileSink', (o) => new FileSink('/dev/null', o as never)],
    ['SyslogSink', (o) => new SyslogSink(o as never)],
  ];
  it.each(wholeBuilders.flatMap(([kind, build]) => hostileValues.map(([name, make]) => [kind, name, build, make] as const)))(
    'new %s given options that are %s: a ConfigurationError naming the sink, or a sink',
    async (kind, _name, build, make) => {
      let built: unknown;
      try {
        built = build(make());
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        const { message } = error as Error;
        expect([message.startsWith(kind), message]).toEqual([true, message]);
        expect(message.length).toBeLessThan(1_000);
        return;
      }
      await (built as { close?: () => unknown }).close?.();
    },
  );
});

// Found by a hostile review: each of these let a Proxy's (or a getter's) own error escape raw from
// the check meant to refuse the value, or named the wrong thing.
describe('a value that cannot be read, where configuration checks it', () => {
  it('refuses a class given to destructure.byTransforming that cannot be read, naming the call', () => {
    expectRefusal(
      () => configuration().destructure.byTransforming(trappingFunction() as never, String),
      'destructure.byTransforming: reading the type threw Error: trap',
    );
  });

  it('names what byTransformingWhere expects when given NaN: a predicate function, not a class', () => {
    expectRefusal(
      () => configuration().destructure.byTransformingWhere(NaN as never, String),
      'destructure.byTransformingWhere: expected a predicate function, got number NaN',
    );
  });

  it('names the fallback when a sink’s fallback cannot be read', () => {
    const error = expectRefusal(
      () => sink({ fallback: trapping() }),
      'writeTo.sink(memory).fallback: reading the sink threw Error: trap',
    );
    expect(error.cause).toEqual(new Error('trap'));
  });

  it('names the pipe when a sink’s pipe is a revoked Proxy', () => {
    expectRefusal(
      () => sink({ pipe: revoked() }),
      'writeTo.sink(memory).pipe: expected an array of operator functions, got an unreadable object',
    );
  });

  it.each(['formatter', 'stdout', 'stderr', 'console'])(
    'names writeTo.console’s %s, and ConsoleSink’s, when it cannot be read, the error as the cause',
    (option) => {
      const viaConfiguration = expectRefusal(
        () => configuration().writeTo.console({ [option]: trapping() }),
        `writeTo.console(console).${option}: reading the ${option} threw Error: trap`,
      );
      expect(viaConfiguration.cause).toEqual(new Error('trap'));
      const direct = expectRefusal(
        () => new ConsoleSink({ [option]: trapping() }),
        `ConsoleSink.${option}: reading the ${option} threw Error: trap`,
      );
      expect(direct.cause).toEqual(new Error('trap'));
    },
  );

  it.each<[string, string, string, (options: object) => unknown]>([
    ['HttpSink', 'formatter', 'HttpSink.formatter: reading the formatter', sinkBuilders[0][2]],
    ['HttpSink', 'headers', 'HttpSink.headers: reading the headers', sinkBuilders[0][2]],
    ['SeqSink', 'formatter', 'SeqSink.formatter: reading the formatter', sinkBuilders[1][2]],
    ['SeqSink', 'headers', 'SeqSink.headers: reading the headers', sinkBuilders[1][2]],
    ['LokiSink', 'formatter', 'LokiSink.formatter: reading the formatter', sinkBuilders[2][2]],
    ['LokiSink', 'headers', 'LokiSink.headers: reading the headers', sinkBuilders[2][2]],
    ['OtlpSink', 'headers', 'OtlpSink.headers: reading the headers', sinkBuilders[3][2]],
    ['OtlpSink', 'environment', 'OtlpSink.environment: reading the variables', sinkBuilders[3][2]],
    ['OtlpSink', 'resource', 'OtlpSink.resource: reading the attributes', sinkBuilders[3][2]],
    ['StreamSink', 'stream', 'StreamSink.stream: reading the stream', sinkBuilders[4][2]],
    ['StreamSink', 'formatter', 'StreamSink.formatter: reading the formatter', sinkBuilders[4][2]],
    ['FileSink', 'formatter', 'FileSink formatter: reading the formatter', sinkBuilders[5][2]],
    ['SyslogSink', 'formatter', 'SyslogSink formatter: reading the formatter', sinkBuilders[6][2]],
  ])(
    'names %s’s %s when it cannot be read (a Proxy whose traps throw, a revoked one), the error as the cause',
    (_kind, option, start, build) => {
      const error = expectRefusal(() => build({ [option]: trapping() }), `${start} threw Error: trap`);
      expect(error.cause).toEqual(new Error('trap'));
      const gone = captureError(() => build({ [option]: revoked() }));
      expect(gone).toBeInstanceOf(ConfigurationError);
      expect(gone.message).toMatch(
        new RegExp(`^${start} threw TypeError: Cannot perform '[\\w.]+' on a proxy that has been revoked$`),
      );
      expect(gone.cause).toBeInstanceOf(TypeError);
    },
  );

  it('names StreamSink’s options, and its stream’s end(), when they cannot be read', () => {
    expectRefusal(() => new StreamSink(trapping()), 'StreamSink: reading the options threw Error: trap');
    const noEnd = new Proxy(process.stdout, {
      get: (target, key) => (key === 'end' ? trap() : (Reflect.get(target, key) as unknown)),
    });
    expectRefusal(
      () => new StreamSink({ stream: noEnd, endOnClose: true }),
      'StreamSink.stream: reading the stream threw Error: trap',
    );
  });

  it('refuses SyslogSink’s tls given a function, without reading its text', () => {
    expectRefusal(
      () => new SyslogSink({ transport: 'tls', tls: trappingFunction() }),
      'SyslogSink: tls (a function) is not valid (expected an object of TLS options: ca, cert, key …, which hold the PEM text)',
    );
  });

  it('names queue.overflow when its value cannot be printed', () => {
    expectRefusal(
      () => sink({ queue: { overflow: trapping() } }),
      'writeTo.sink(memory).queue.overflow: unknown policy an unreadable object (expected drop-oldest or drop-newest)',
    );
  });
});

// A name the app gave, as it was, made each message that names it as long: a megabyte sink name,
// option name or override prefix (a value read from a file or an environment variable) gave a
// megabyte ConfigurationError, where a bad value is cut past 120 characters.
describe('a megabyte of text the app gave as a name, in a ConfigurationError', () => {
  const long = 'n'.repeat(1_000_000);
  const cut = `${'n'.repeat(100)}… (1000000 characters)`;
  const quoted = `"${'n'.repeat(100)}"… (1000000 characters)`;
  const memory = (kind?: string): MemorySink => Object.assign(new MemorySink(), kind === undefined ? {} : { kind });

  it.each<[string, () => unknown, string]>([
    [
      'an unknown option',
      () => sink({ [long]: 1 }),
      `writeTo.sink(memory): unknown option ${quoted} (expected one of name, minimumLevel, pipe, queue, batch, retry, circuitBreaker, fallback)`,
    ],
    [
      'an unknown option of a queue',
      () => sink({ queue: { [long]: 1 } }),
      `writeTo.sink(memory).queue: unknown option ${quoted} (expected one of limit, limitBytes, overflow, warnAt, maxEventBytes)`,
    ],
    [
      'the name of a sink whose option is out of range',
      () => sink({ name: long, batch: { size: 0 } }),
      `writeTo.sink(${cut}).batch.size: expected a whole number of events ≥ 1, got number 0`,
    ],
    [
      'the declared kind of a sink whose option is out of range',
      () => configuration().writeTo.sink(memory(long), { retry: { attempts: 0 } }),
      `writeTo.sink(${cut}).retry.attempts: expected a whole number of tries ≥ 1, got number 0`,
    ],
    [
      'the name of a console whose console option is wrong',
      () => configuration().writeTo.console({ name: long, mode: 'tty' as never }),
      `writeTo.console(${cut}).mode: expected "node" or "browser", got "tty"`,
    ],
    [
      'a sink name already taken',
      () => sink({ name: long }).writeTo.sink(new MemorySink(), { name: long }),
      `writeTo.sink: a sink named ${quoted} is already configured`,
    ],
    [
      'the prefix of an override whose level is wrong',
      () => configuration().minimumLevel.override(long, 'loud'),
      `minimumLevel.override(${quoted}): unknown level "loud" (expected one of verbose, debug, information, warning, error, fatal, or trace, info, warn)`,
    ],
  ])('cuts %s past 120 characters, as a bad value is cut', (_what, build, message) => {
    expectRefusal(build, message);
  });

  it('keeps a short name whole, quoted as before', () => {
    expectRefusal(
      () => sink({ name: 'audit', retires: 3 }),
      'writeTo.sink(audit): unknown option "retires" (expected one of name, minimumLevel, pipe, queue, batch, retry, circuitBreaker, fallback)',
    );
    expectRefusal(
      () => sink({ name: 'audit' }).writeTo.sink(new MemorySink(), { name: 'audit' }),
      'writeTo.sink: a sink named "audit" is already configured',
    );
  });
});

describe('a Proxy of a LevelSwitch, whose get trap answers value itself', () => {
  /** A Proxy of a switch at `information` whose `value` reads as a level at configuration, then throws or gives no level. */
  function proxiedSwitch(later: 'throws' | 'gives 7.5'): LevelSwitch {
    let reads = 0;
    return new Proxy(new LevelSwitch(), {
      get: (target, key) => {
        if (key !== 'value' || ++reads === 1) return Reflect.get(target, key) as unknown;
        if (later === 'throws') throw new Error('trap');
        return 7.5;
      },
    });
  }
  it.each<[string, 'throws' | 'gives 7.5', (sw: LevelSwitch, memory: MemorySink) => LoggerConfiguration]>([
    ['minimumLevel.controlledBy', 'throws', (sw, memory) => configuration().minimumLevel.controlledBy(sw).writeTo.sink(memory)],
    [
      'minimumLevel.controlledBy',
      'gives 7.5',
      (sw, memory) => configuration().minimumLevel.controlledBy(sw).writeTo.sink(memory),
    ],
    ['minimumLevel.override', 'throws', (sw, memory) => configuration().minimumLevel.override('Shop', sw).writeTo.sink(memory)],
    ['a sink’s minimumLevel', 'throws', (sw, memory) => configuration().writeTo.sink(memory, { minimumLevel: sw })],
  ])('%s: when it %s after configuration, logging does not throw and stays at the level read', (_, later, build) => {
    const memory = new MemorySink();
    const self = collectSelfLog();
    try {
      const log = build(proxiedSwitch(later), memory).createLogger().forContext('SourceContext', 'Shop.Orders');
      expect(() => {
        log.debug('Below');
        log.information('At');
      }).not.toThrow();
    } finally {
      self.stop();
    }
    expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['At']);
    expect(self.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("reading the LevelSwitch's level")]);
  });
});

describe('a count past 2^53 - 1, which means no bound as Infinity does', () => {
  it.each<[string, object, string]>([
    ['queue.limit', { queue: { limit: 2 ** 53 } }, 'a whole number of events ≥ 1, got number 9007199254740992'],
    [
      'queue.limitBytes',
      { queue: { limitBytes: Number.MAX_VALUE } },
      'a whole number of bytes ≥ 1, got number 1.7976931348623157e+308',
    ],
    ['queue.maxEventBytes', { queue: { maxEventBytes: 2 ** 53 } }, 'a whole number of bytes ≥ 1, got number 9007199254740992'],
    ['batch.size', { batch: { size: 2 ** 53 } }, 'a whole number of events ≥ 1, got number 9007199254740992'],
    ['retry.attempts', { retry: { attempts: 2 ** 53 } }, 'a whole number of tries ≥ 1, got number 9007199254740992'],
    [
      'circuitBreaker.failureThreshold',
      { circuitBreaker: { failureThreshold: 2 ** 53 } },
      'a whole number of failures ≥ 1, got number 9007199254740992',
    ],
  ])('refuses %s, as destructure.toMaximum… refuse it', (option, options, expected) => {
    expectRefusal(() => sink(options), `writeTo.sink(memory).${option}: expected ${expected}`);
  });

  it('takes the largest safe count', () => {
    expect(() => sink({ queue: { limit: Number.MAX_SAFE_INTEGER }, retry: { attempts: Number.MAX_SAFE_INTEGER } })).not.toThrow();
  });
});

describe('new CircuitBreaker(options, scheduler, name) given hostile values', () => {
  it.each(['failureThreshold', 'resetTimeoutMs', 'maxResetTimeoutMs'])(
    'refuses options whose %s getter throws, naming it, the error as its cause',
    (key) => {
      const error = expectRefusal(
        () => new CircuitBreaker(getterOptions(key, 'throws').options),
        `circuitBreaker: reading option "${key}" threw Error: trap`,
      );
      expect(error.cause).toEqual(new Error('trap'));
    },
  );

  it('refuses options that are a Proxy throwing on every trap', () => {
    expectRefusal(() => new CircuitBreaker(trapping()), 'circuitBreaker: reading the options threw Error: trap');
  });

  it('reads each option once: a getter that answers differently each time is configured with its first answer', () => {
    const { options, reads } = getterOptions('failureThreshold', 'flips');
    const breaker = new CircuitBreaker(options);
    expect(breaker.options.failureThreshold).toBe(5);
    expect(reads()).toBe(1);
  });

  it('refuses a scheduler that is a Proxy throwing on every trap, naming it', () => {
    expectRefusal(() => new CircuitBreaker({}, trapping() as never), 'CircuitBreaker: reading the scheduler threw Error: trap');
  });

  it('refuses a name that is not a string: every BrokenCircuitError’s message would print it', () => {
    expectRefusal(
      () => new CircuitBreaker({}, createTestScheduler(), trapping() as never),
      'CircuitBreaker: name: expected a string, got an unreadable object',
    );
    expectRefusal(
      () => new CircuitBreaker({}, createTestScheduler(), 7 as never),
      'CircuitBreaker: name: expected a string, got number 7',
    );
  });
});

describe('operators given an argument that is a Proxy throwing on every trap', () => {
  const logger = { write: (): void => undefined };
  it.each<[string, (value: object) => unknown, string]>([
    ['boundedQueue demand$', (v) => boundedQueue({}, v as never), 'boundedQueue: reading demand$ threw Error: trap'],
    ['tapLog logger', (v) => tapLog(v as never, 'orders'), 'tapLog: reading the logger threw Error: trap'],
    ['tapMetrics recorder', (v) => tapMetrics(v as never, 'received'), 'tapMetrics: reading the recorder threw Error: trap'],
    [
      'boundedQueue scheduler',
      (v) => boundedQueue({}, of(1), v as never),
      'boundedQueue: reading the scheduler threw Error: trap',
    ],
    ['tapLog scheduler', (v) => tapLog(logger as never, 'orders', v as never), 'tapLog: reading the scheduler threw Error: trap'],
    [
      'tapMetrics scheduler',
      (v) => tapMetrics(new SinkMetricsRecorder('audit'), 'received', {}, v as never),
      'tapMetrics: reading the scheduler threw Error: trap',
    ],
    [
      'circuitBreaker scheduler',
      (v) => circuitBreaker({}, v as never),
      'circuitBreaker: reading the scheduler threw Error: trap',
    ],
    ['batchEvents scheduler', (v) => batchEvents({}, v as never), 'batchEvents: reading the scheduler threw Error: trap'],
    [
      'throttleEvents scheduler',
      (v) => throttleEvents({ windowMs: 10, max: 1 }, v as never),
      'throttleEvents: reading the scheduler threw Error: trap',
    ],
    [
      'retryWithBackoff scheduler',
      (v) => retryWithBackoff({}, v as never),
      'retryWithBackoff: reading the scheduler threw Error: trap',
    ],
    [
      'fingersCrossed scheduler',
      (v) => fingersCrossed({ trigger: 'error' }, v as never),
      'fingersCrossed: reading the scheduler threw Error: trap',
    ],
    ['circuitBreaker options', (v) => circuitBreaker(v), 'circuitBreaker: reading the options threw Error: trap'],
  ])('%s: a ConfigurationError saying so, the error as its cause', (_, build, message) => {
    const error = expectRefusal(() => build(trapping()), message);
    expect(error.cause).toEqual(new Error('trap'));
  });
});

describe('each option read once, from configuration to the first event', () => {
  it.each<[string, (options: object) => object]>([
    ['writeTo.sink', (options) => options],
    ['writeTo.sink queue', (options) => ({ queue: options })],
    ['writeTo.sink batch', (options) => ({ batch: options })],
    ['writeTo.sink retry', (options) => ({ retry: options })],
    ['writeTo.sink circuitBreaker', (options) => ({ circuitBreaker: options })],
  ])('%s: a getter is read once, however often it is asked', async (_, place) => {
    const keys: Record<string, string> = {
      'writeTo.sink': 'name',
      'writeTo.sink queue': 'limit',
      'writeTo.sink batch': 'size',
      'writeTo.sink retry': 'attempts',
      'writeTo.sink circuitBreaker': 'failureThreshold',
    };
    let reads = 0;
    const key = keys[_];
    const options = Object.defineProperty({}, key, {
      enumerable: true,
      get: () => {
        reads++;
        return key === 'name' ? `sink-${reads}` : reads === 1 ? 5 : -5;
      },
    });
    const memory = new MemorySink();
    const log = configuration().writeTo.sink(memory, place(options)).createLogger();
    log.information('Hello');
    await log.close();
    expect(memory.events).toHaveLength(1);
    expect(reads).toBe(1);
  });
});

// StreamSink and FileSink checked one read of an option and used another: a getter giving a
// formatter, then a Symbol, built a sink that skipped every event, and a stream, then a Symbol,
// threw a TypeError from the constructor.
describe('StreamSink and FileSink read each option once: what they check is what they use', () => {
  it.each<[string, string, () => unknown, (options: object) => unknown]>([
    ['StreamSink', 'formatter', () => ({ format: () => 'line' }), (o) => new StreamSink(o)],
    ['StreamSink', 'stream', () => new PassThrough(), (o) => new StreamSink(o)],
    ['FileSink', 'formatter', () => ({ format: () => 'line' }), (o) => new FileSink('/dev/null', o)],
  ])('%s’s %s', async (_kind, key, good, build) => {
    let reads = 0;
    const options = Object.defineProperty({}, key, {
      enumerable: true,
      get: () => (++reads === 1 ? good() : Symbol('later')),
    });
    const sink = build(options) as { close?: () => unknown };
    await sink.close?.();
    expect(reads).toBe(1);
  });
});

/** What `build` throws, checked to be a ConfigurationError with exactly `message`. */
function expectRefusal(build: () => unknown, message: string): Error {
  const error = captureError(build);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(error.message).toBe(message);
  return error;
}

function captureError(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

// Found by review: a sink's pipe of holes was walked past every hole (checked as fine), then copied
// hole by hole, and destructure.redact copied its paths and keys whole before checking the first:
// `pipe: new Array(1e8)` held the caller 68 s and took 1.7 GB, and was taken.
describe('an array option of many holes', () => {
  it.each<[string, (array: unknown[]) => unknown, string]>([
    [
      'a sink’s pipe',
      (array) => configuration().writeTo.sink(new MemorySink(), { pipe: array as never }),
      'writeTo.sink(memory).pipe[0]: expected an operator function, got undefined',
    ],
    [
      'destructure.redact’s short form',
      (array) => configuration().destructure.redact(array as never),
      'destructure.redact: paths[0]: expected a dotted path like "User.password", got undefined',
    ],
    [
      'destructure.redact’s paths',
      (array) => configuration().destructure.redact({ paths: array as never }),
      'destructure.redact: paths[0]: expected a dotted path like "User.password", got undefined',
    ],
    [
      'destructure.redact’s keys',
      (array) => configuration().destructure.redact({ keys: array as never }),
      'destructure.redact: keys[0]: expected a RegExp, got undefined',
    ],
  ])('%s is refused at its first item, the rest unread', (_, build, message) => {
    const { array, reads } = countedHoles(100_000);
    expectRefusal(() => build(array), message);
    expect(reads()).toBe(1);
  });

  it('reads a sink’s pipe once: the operator checked is the one that runs', async () => {
    let reads = 0;
    const pipe = Object.defineProperty([], 0, {
      enumerable: true,
      get: () => (++reads === 1 ? map((event: LogEvent) => event) : filter(() => false)),
    }) as OperatorFunction<LogEvent, LogEvent>[];
    const memory = new MemorySink();
    const log = configuration().writeTo.sink(memory, { pipe }).createLogger();
    log.information('Hello');
    await log.close();
    expect([reads, memory.events.length]).toEqual([1, 1]);
  });
});
