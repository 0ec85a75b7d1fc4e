import type { SinkOptions } from '../../lib/configuration/sink-options';
import { execFileSync, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { filter } from 'rxjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { MemorySink } from '../../lib/sinks/memory-sink';
import type { Sink } from '../../lib/core/sink';
import type { LogEvent } from '../../lib/core/log-event';
import { HttpSink } from '../../lib/sinks/http/http-sink';
import { LokiSink } from '../../lib/sinks/http/loki-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { startTestServer, type TestServer } from '../helpers/http-test-server';
import { createTestScheduler } from '../helpers/test-scheduler';
import { cpuMs } from '../helpers/cpu-time';

// Sink names in metrics() and the shutdown report come from each sink's declared kind, so a
// minified bundle (which renames every class) reports the same keys as the sources.
describe('writeTo sink names', () => {
  it('stay console, observable, memory, stream, file, http, seq, otlp, loki in a minified bundle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-names-'));
    try {
      const lib = path.join(__dirname, '..', '..', 'lib');
      const app = `
        import { LoggerConfiguration, ConsoleSink, ObservableSink, MemorySink, HttpSink, SeqSink, OtlpSink, LokiSink } from ${JSON.stringify(lib)};
        import { StreamSink, FileSink } from ${JSON.stringify(path.join(lib, 'node'))};
        import { PassThrough } from 'node:stream';
        const url = 'http://127.0.0.1:9';
        const log = new LoggerConfiguration()
          .writeTo.sink(new ConsoleSink({ stdout: { write: () => true } }))
          .writeTo.sink(new ObservableSink())
          .writeTo.sink(new MemorySink())
          .writeTo.sink(new StreamSink({ stream: new PassThrough() }))
          .writeTo.sink(new FileSink(${JSON.stringify(path.join(dir, 'app.log'))}))
          .writeTo.sink(new HttpSink({ url }))
          .writeTo.sink(new SeqSink({ serverUrl: url }))
          .writeTo.sink(new OtlpSink({ endpoint: url }))
          .writeTo.sink(new LokiSink({ url }))
          .createLogger();
        const names = Object.keys(log.metrics().sinks);
        log.close({ strategy: 'immediate' }).then((report) => {
          process.stdout.write(JSON.stringify({ names, report: Object.keys(report.sinks) }));
        });`;
      const outfile = path.join(dir, 'app.js');
      buildSync({
        stdin: { contents: app, resolveDir: dir, loader: 'ts' },
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'cjs',
        outfile,
        logLevel: 'silent',
      });
      expect(fs.readFileSync(outfile, 'utf8')).not.toContain('class ConsoleSink');
      const printed = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 20_000 })) as {
        names: string[];
        report: string[];
      };
      const expected = ['console', 'observable', 'memory', 'stream', 'file', 'http', 'seq', 'otlp', 'loki'];
      expect(printed).toEqual({ names: expected, report: expected });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('writeTo HTTP sinks without batch options', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const cases: [string, (url: string) => Sink, { size: number; maxDelayMs: number }][] = [
    ['HttpSink', (url) => new HttpSink({ url }), { size: 512, maxDelayMs: 1_000 }],
    ['SeqSink', (url) => new SeqSink({ serverUrl: url }), { size: 1_000, maxDelayMs: 2_000 }],
    ['OtlpSink', (url) => new OtlpSink({ endpoint: url }), { size: 512, maxDelayMs: 1_000 }],
    ['LokiSink', (url) => new LokiSink({ url }), { size: 1_000, maxDelayMs: 1_000 }],
  ];

  it.each(cases)('%s batches by default: 20 events go in one request', async (_name, make, defaults) => {
    server = await startTestServer(() => ({ status: 204 }));
    const sink = make(server.url);
    expect(sink.batchDefaults).toEqual(defaults);
    const log = new LoggerConfiguration().writeTo.sink(sink).createLogger();
    for (let i = 0; i < 20; i++) log.information('Event {N}', i);
    await log.close({ strategy: 'flush' });
    expect(server.requests).toHaveLength(1);
    expect(log.metrics().sinks[Object.keys(log.metrics().sinks)[0]]).toMatchObject({ delivered: 20, dropped: 0 });
  });

  it('OtlpSink queues at most 2 048 events by default, as the OpenTelemetry batch processor does', async () => {
    server = await startTestServer(() => 'hang');
    const log = new LoggerConfiguration().writeTo.sink(new OtlpSink({ endpoint: server.url, timeoutMs: 60_000 })).createLogger();
    for (let i = 0; i < 4_000; i++) log.information('Event {N}', i);
    const { otlp } = log.metrics().sinks;
    expect(otlp.queueDepth).toBeLessThanOrEqual(2_048);
    expect(otlp.dropped).toBeGreaterThan(0);
    await log.close({ strategy: 'immediate', timeoutMs: 50 });
  });
});

describe('default queue bounds', () => {
  it('hold 10 000 events for a sink without queue options, as DESIGN.md says, and drop the oldest past them', async () => {
    const seen: number[] = [];
    // A sink whose first call never settles: the rest wait in the queue.
    const stalled: Sink = {
      emit: (events) => (seen.push(...events.map((e) => e.properties.N as number)), new Promise(() => undefined)),
    };
    const log = new LoggerConfiguration().writeTo.sink(stalled, { name: 'stalled' }).createLogger();
    for (let n = 0; n < 10_006; n++) log.information('Event {N}', n);
    expect(log.metrics().sinks.stalled).toMatchObject({ received: 10_006, dropped: 5, queueDepth: 10_000, pending: 10_001 });
    expect(seen).toEqual([0]);
    const report = await log.close({ strategy: 'immediate' });
    expect(report.sinks.stalled).toMatchObject({ dropped: 10_005 });
  });

  it("are the sink's own where it declares them: Serilog's 100 000 for SeqSink, and a given queue limit replaces them", async () => {
    expect(new SeqSink({ serverUrl: 'http://127.0.0.1:9' }).queueDefaults).toEqual({ limit: 100_000 });
    const server = await startTestServer(() => 'hang');
    try {
      const log = new LoggerConfiguration().writeTo
        .sink(new SeqSink({ serverUrl: server.url, timeoutMs: 60_000 }))
        .createLogger();
      for (let n = 0; n < 20_000; n++) log.information('Event {N}', n);
      expect(log.metrics().sinks.seq).toMatchObject({ dropped: 0, pending: 20_000 });
      await log.close({ strategy: 'immediate', timeoutMs: 50 });
      const limited = new LoggerConfiguration().writeTo
        .sink(new SeqSink({ serverUrl: server.url, timeoutMs: 60_000 }), { queue: { limit: 100 } })
        .createLogger();
      for (let n = 0; n < 2_000; n++) limited.information('Event {N}', n);
      expect(limited.metrics().sinks.seq.queueDepth).toBeLessThanOrEqual(100);
      await limited.close({ strategy: 'immediate', timeoutMs: 50 });
    } finally {
      await server.close();
    }
  });
});

describe('a queue or batch given without some of its fields, to a sink that declares its own defaults', () => {
  it("takes the sink's batchDefaults for the fields it leaves out: batch: { size } keeps the sink's maxDelayMs, and the other way round", () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const sent: [string, number, number][] = [];
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(
          {
            batchDefaults: { size: 3, maxDelayMs: 2_000 },
            emit: (events) => void sent.push(['size given', scheduler.now(), events.length]),
          },
          { batch: { size: 2 } },
        )
        .writeTo.sink(
          {
            batchDefaults: { size: 3, maxDelayMs: 2_000 },
            emit: (events) => void sent.push(['delay given', scheduler.now(), events.length]),
          },
          { batch: { maxDelayMs: 50 } },
        )
        .createLogger();
      for (let i = 0; i < 5; i++) log.information('Event {N}', i);
      flush();
      // Before, a field left out took the general default (size 512, 100 ms): the last event
      // left at 100, not 2 000, and the other sink had its five in one batch at 50.
      expect(sent).toEqual([
        ['size given', 0, 2],
        ['delay given', 0, 3],
        ['size given', 0, 2],
        ['delay given', 50, 2],
        ['size given', 2_000, 1],
      ]);
      void log.close({ strategy: 'immediate' });
    });
  });

  it("takes the sink's queueDefaults limit when queue gives only limitBytes: raising the byte bound loses nothing", async () => {
    // A sink whose first call never settles: the rest wait in the queue, which it bounds at 12 000 events.
    const stalled: Sink = { queueDefaults: { limit: 12_000 }, emit: () => new Promise(() => undefined) };
    const log = new LoggerConfiguration().writeTo
      .sink(stalled, { name: 'stalled', queue: { limitBytes: 64 * 1024 * 1024 } })
      .createLogger();
    for (let n = 0; n < 11_001; n++) log.information('Event {N}', n);
    // Before, the given queue replaced the sink's whole: 10 000 events, and 1 000 of these dropped.
    expect(log.metrics().sinks.stalled).toMatchObject({ received: 11_001, dropped: 0, queueDepth: 11_000 });
    await log.close({ strategy: 'immediate' });
  });

  it('keeps SeqSink at 100 000 queued events and 1 000-event batches under queue: { limitBytes } and batch: { maxDelayMs }', async () => {
    const server = await startTestServer(() => 'hang');
    try {
      const log = new LoggerConfiguration().writeTo
        .sink(new SeqSink({ serverUrl: server.url, timeoutMs: 60_000 }), {
          queue: { limitBytes: 64 * 1024 * 1024 },
          batch: { maxDelayMs: 60_000 },
        })
        .createLogger();
      for (let n = 0; n < 20_000; n++) log.information('Event {N}', n);
      // Before: a queue of 10 000 dropped 9 488 of them, behind a first batch of 512.
      expect(log.metrics().sinks.seq).toMatchObject({ received: 20_000, dropped: 0, queueDepth: 19_000 });
      await log.close({ strategy: 'immediate', timeoutMs: 50 });
    } finally {
      await server.close();
    }
  });

  it("keeps a field given as undefined as left out, and a field the sink's defaults do not know out of the lane", () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const sent: number[] = [];
      const declared = { size: 3, maxDelayMs: 2_000, extra: 1 };
      const log = new LoggerConfiguration()
        .useScheduler(scheduler)
        .writeTo.sink(
          { batchDefaults: declared, emit: () => void sent.push(scheduler.now()) },
          { batch: { size: 5, maxDelayMs: undefined } },
        )
        .createLogger();
      log.information('Event');
      flush();
      expect(sent).toEqual([2_000]);
      void log.close({ strategy: 'immediate' });
    });
  });
});

// A sink built for a later rxlog may declare a field this one does not know: it was refused as the
// app's mistake (writeTo.sink(thing).batch: unknown option "maxBytes") when the app gave no batch,
// and ignored when it gave one.
describe('a sink whose batchDefaults or queueDefaults hold a field rxlog does not know', () => {
  it.each<[string, Record<string, unknown>]>([
    ['without batch or queue options', {}],
    ['with batch and queue options of the app’s own', { batch: { size: 3 }, queue: { limitBytes: 1_000_000 } }],
  ])('is taken %s, keeping the fields it declares that rxlog knows', (_, options) => {
    const scheduler = createTestScheduler();
    scheduler.run(({ flush }) => {
      const sent: number[] = [];
      const sink = {
        kind: 'later',
        batchDefaults: { size: 3, maxDelayMs: 2_000, maxBytes: 1_024 },
        queueDefaults: { limit: 5, priority: 'high' },
        emit: (events: readonly LogEvent[]) => void sent.push(events.length, scheduler.now()),
      };
      const log = new LoggerConfiguration().useScheduler(scheduler).writeTo.sink(sink, options).createLogger();
      log.information('Event');
      flush();
      expect(sent).toEqual([1, 2_000]);
      void log.close({ strategy: 'immediate' });
    });
  });

  it('is still refused, naming the field, when a field rxlog knows is out of range', () => {
    const sink = { kind: 'later', batchDefaults: { size: 0, maxDelayMs: 2_000, maxBytes: 1_024 }, emit: () => undefined };
    expect(() => new LoggerConfiguration().writeTo.sink(sink)).toThrow(
      'writeTo.sink(later).batch.size: expected a whole number of events ≥ 1, got number 0',
    );
  });
});

describe('writeTo.sink options of the wrong kind', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'pipe as one function instead of an array',
      { pipe: () => undefined },
      /writeTo\.sink\(memory\)\.pipe: expected an array .*got function/,
    ],
    ['queue as a number', { queue: 5 }, /writeTo\.sink\(memory\)\.queue: expected options, got number 5/],
    ['queue as false', { queue: false }, /writeTo\.sink\(memory\)\.queue: expected options, got boolean false/],
    // null read as "not given": `batch: null`, meant as "no batching" (as `standardErrorFromLevel: null` means "none"),
    // gave FileSink its 512-event batches, where `retry: null` and `fallback: null` were refused.
    ['queue as null', { queue: null }, /writeTo\.sink\(memory\)\.queue: expected options, got null/],
    ['batch as null', { batch: null }, /writeTo\.sink\(memory\)\.batch: expected options, got null/],
    ['pipe as null', { pipe: null }, /writeTo\.sink\(memory\)\.pipe: expected an array of operator functions, got null/],
    ['retry as null', { retry: null }, /writeTo\.sink\(memory\)\.retry: expected options or false, got null/],
    ['retry as true', { retry: true }, /writeTo\.sink\(memory\)\.retry: expected options or false, got boolean true/],
    [
      'circuitBreaker as a string',
      { circuitBreaker: 'on' },
      /writeTo\.sink\(memory\)\.circuitBreaker: expected options or false, got "on"/,
    ],
  ])('throw a ConfigurationError naming the value: %s', (_, options, message) => {
    const configure = (): unknown => new LoggerConfiguration().writeTo.sink(new MemorySink(), options);
    expect(configure).toThrow(ConfigurationError);
    expect(configure).toThrow(message);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a misspelt option',
      { retires: 3 },
      /writeTo\.sink\(memory\): unknown option "retires" \(expected one of name, .*fallback\)/,
    ],
    ['a misspelt queue option', { queue: { limt: 10 } }, /writeTo\.sink\(memory\)\.queue: unknown option "limt"/],
    ['a misspelt batch option', { batch: { maxDelay: 50 } }, /writeTo\.sink\(memory\)\.batch: unknown option "maxDelay"/],
    ['a misspelt retry option', { retry: { maxAttempts: 5 } }, /writeTo\.sink\(memory\)\.retry: unknown option "maxAttempts"/],
    [
      'a misspelt breaker option',
      { circuitBreaker: { threshold: 2 } },
      /writeTo\.sink\(memory\)\.circuitBreaker: unknown option "threshold"/,
    ],
    ['null options', null, /writeTo\.sink: expected options, got null/],
  ])('throw a ConfigurationError naming %s', (_, options, message) => {
    const configure = (): unknown => new LoggerConfiguration().writeTo.sink(new MemorySink(), options as SinkOptions);
    expect(configure).toThrow(ConfigurationError);
    expect(configure).toThrow(message);
  });

  it('take the console options and the sink options together in writeTo.console, and no other', () => {
    const lines: string[] = [];
    const stdout = { write: (text: string) => lines.push(text) };
    expect(() =>
      new LoggerConfiguration().writeTo.console({
        outputTemplate: '{Message}',
        stdout,
        mode: 'node',
        name: 'out',
        batch: { size: 2 },
      }),
    ).not.toThrow();
    expect(() => new LoggerConfiguration().writeTo.console({ outputTemplte: '{Message}' } as SinkOptions)).toThrow(
      /writeTo\.console\(console\): unknown option "outputTemplte"/,
    );
  });

  // Found by review: writeTo.console's mistakes were reported as writeTo.sink's, a call the app never made.
  it.each<[string, () => unknown, string]>([
    [
      'options that are not an object',
      () => new LoggerConfiguration().writeTo.console(null as never),
      'writeTo.console: expected options, got null',
    ],
    [
      'an empty name',
      () => new LoggerConfiguration().writeTo.console({ name: '' }),
      'writeTo.console: expected a non-blank name',
    ],
    [
      'a name taken',
      () => new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'out' }).writeTo.console({ name: 'out' }),
      'writeTo.console: a sink named "out" is already configured',
    ],
    [
      'a lane option of the wrong kind',
      () => new LoggerConfiguration().writeTo.console({ queue: 5 } as never),
      'writeTo.console(console).queue: expected options, got number 5',
    ],
    [
      'an unknown level',
      () => new LoggerConfiguration().writeTo.console({ name: 'out', minimumLevel: 'loud' }),
      'writeTo.console(out).minimumLevel: unknown level "loud"',
    ],
    // The console options as the lane's, not after ConsoleSink, a class the app never named.
    [
      'a console option of the wrong kind',
      () => new LoggerConfiguration().writeTo.console({ mode: 'tty' as never }),
      'writeTo.console(console).mode: expected "node" or "browser", got "tty"',
    ],
    [
      'a theme part of the wrong kind, on a second console sink',
      () => new LoggerConfiguration().writeTo.console().writeTo.console({ theme: { ansi: 'red' } as never }),
      'writeTo.console(console-2).theme.ansi: expected an object with ANSI SGR codes',
    ],
    [
      'an unknown level of a named console sink',
      () => new LoggerConfiguration().writeTo.console({ name: 'out', standardErrorFromLevel: 'loud' as never }),
      'writeTo.console(out).standardErrorFromLevel: unknown level "loud"',
    ],
    [
      'a console option of a sink whose name holds a replacement pattern',
      () => new LoggerConfiguration().writeTo.console({ name: "a$&b$'", colors: 'yes' as never }),
      "writeTo.console(a$&b$').colors: expected true or false",
    ],
  ])('name writeTo.console in the error for %s given to it', (_, configure, message) => {
    expect(configure).toThrow(ConfigurationError);
    expect(configure).toThrow(message);
  });

  it('still accept false for retry and circuitBreaker, and omitted parts', () => {
    expect(() =>
      new LoggerConfiguration().writeTo.sink(new MemorySink(), { retry: false, circuitBreaker: false }).createLogger(),
    ).not.toThrow();
  });
});

describe('writeTo.sink with a sink or options whose getters throw', () => {
  const boom = (): never => {
    throw new Error('resource closed');
  };
  it.each<[string, () => unknown]>([
    ["the sink's emit", () => new LoggerConfiguration().writeTo.sink(Object.defineProperty({}, 'emit', { get: boom }) as Sink)],
    [
      "the sink's kind",
      () => new LoggerConfiguration().writeTo.sink(Object.defineProperty({ emit: () => undefined }, 'kind', { get: boom })),
    ],
    [
      "the sink's queueDefaults",
      () =>
        new LoggerConfiguration().writeTo.sink(Object.defineProperty({ emit: () => undefined }, 'queueDefaults', { get: boom })),
    ],
  ])('throws a ConfigurationError that keeps the error: %s', (_, configure) => {
    // Before, the getter's own Error came out of writeTo.sink as it was.
    expect(configure).toThrow(ConfigurationError);
    expect(configure).toThrow('writeTo.sink: reading the sink or its options threw Error: resource closed');
    try {
      configure();
    } catch (error) {
      expect((error as Error).cause).toEqual(new Error('resource closed'));
    }
  });
});

describe('writeTo.sink and writeTo.console options', () => {
  const boom = (): never => {
    throw new Error('resource closed');
  };
  const throwing = (key: string, base: object = {}): SinkOptions =>
    Object.defineProperty({ ...base }, key, { get: boom, enumerable: true });

  it.each<[string, string, () => unknown]>([
    ['a sink option', 'batch', () => new LoggerConfiguration().writeTo.sink(new MemorySink(), throwing('batch'))],
    ['a console option', 'outputTemplate', () => new LoggerConfiguration().writeTo.console(throwing('outputTemplate'))],
    ['a console lane option', 'name', () => new LoggerConfiguration().writeTo.console(throwing('name'))],
    [
      'a queue option',
      'limit',
      () => new LoggerConfiguration().writeTo.sink(new MemorySink(), { queue: throwing('limit') as never }),
    ],
  ])('throw a ConfigurationError naming %s whose getter throws, keeping the error', (_, option, configure) => {
    // Before, the console's own options' getter threw its Error out of writeTo.console as it was,
    // and a sink option's was reported as "reading the sink or its options threw".
    expect(configure).toThrow(ConfigurationError);
    expect(configure).toThrow(`reading option "${option}" threw Error: resource closed`);
    try {
      configure();
    } catch (error) {
      expect((error as Error).cause).toEqual(new Error('resource closed'));
    }
  });

  it('are read once, when the sink is configured: a getter is called once, and later changes do nothing', () => {
    const memory = new MemorySink();
    const reads: Record<string, number> = {};
    const options: Record<string, unknown> = {};
    const counted = (key: string, value: unknown): void => {
      Object.defineProperty(options, key, {
        enumerable: true,
        get: () => {
          reads[key] = (reads[key] ?? 0) + 1;
          return value;
        },
      });
    };
    const batch = { size: 2, maxDelayMs: Infinity };
    const pipe: unknown[] = [];
    counted('name', 'memory');
    counted('batch', batch);
    counted('pipe', pipe);
    counted('retry', false);
    const configuration = new LoggerConfiguration().writeTo.sink(memory, options);
    // Changed after configuration: a bigger batch, an operator that drops every event.
    batch.size = 1000;
    pipe.push(filter(() => false));
    const log = configuration.createLogger();
    log.information('one');
    log.information('two');
    expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['one', 'two']);
    expect(reads).toEqual({ name: 1, batch: 1, pipe: 1, retry: 1 });
  });

  it('are read once by writeTo.console too', () => {
    const lines: string[] = [];
    let reads = 0;
    const options = {
      mode: 'node' as const,
      stdout: { write: (text: string) => lines.push(text) },
      get outputTemplate(): string {
        reads++;
        return reads === 1 ? '{Message}{NewLine}' : '[changed] {Message}{NewLine}';
      },
    };
    const log = new LoggerConfiguration().writeTo.console(options).createLogger();
    log.information('hello');
    expect(lines).toEqual(['hello\n']);
    expect(reads).toBe(1);
  });
});

describe('writeTo sink names with a lone UTF-16 surrogate', () => {
  // Such a name has no UTF-8 form: an exporter writes U+FFFD in its place, so 'a\uD800' and
  // 'a\uDC00' would report as one sink ('a�') in Prometheus, OpenTelemetry or a JSON log.
  it.each([
    ['a high surrogate at the end', 'file\uD800', '"file\\ud800"'],
    ['a low surrogate alone', '\uDC00x', '"\\udc00x"'],
    ['a pair the wrong way round', 'a\uDC00\uD800', '"a\\udc00\\ud800"'],
  ])('refuses a name with %s, naming it escaped', (_, name, shown) => {
    const add = (): unknown => new LoggerConfiguration().writeTo.sink(new MemorySink(), { name });
    expect(add).toThrow(ConfigurationError);
    expect(add).toThrow(`writeTo.sink: expected a name without a lone UTF-16 surrogate, got ${shown}`);
    expect(() => new LoggerConfiguration().writeTo.console({ name })).toThrow(ConfigurationError);
  });

  it('takes a name with surrogate pairs, and names a sink whose kind has a lone surrogate "sink"', () => {
    const log = new LoggerConfiguration().writeTo
      .sink(new MemorySink(), { name: 'logs 📜' })
      .writeTo.sink({ kind: 'odd\uD800', emit: () => undefined })
      .createLogger();
    expect(Object.keys(log.metrics().sinks)).toEqual(['logs 📜', 'sink']);
  });
});

// A name of white space only (a blank environment variable, `name: process.env.SINK_NAME ?? 'file'`
// given "  ") would be a label value and a shutdown-report line with nothing to read: refused
// at build time like an empty one, as property names of white space only are dropped.
describe('writeTo sink names of white space only', () => {
  it.each([
    ['spaces', '   ', '"   "'],
    ['a tab and a newline', '\t\n', '"\\t\\n"'],
    ['a no-break space', '\u00A0', '"\u00A0"'],
  ])('refuses a name of %s, naming it', (_, name, shown) => {
    const sink = (): unknown => new LoggerConfiguration().writeTo.sink(new MemorySink(), { name });
    expect(sink).toThrow(ConfigurationError);
    expect(sink).toThrow(`writeTo.sink: expected a non-blank name other than "__proto__", got ${shown}`);
    expect(() => new LoggerConfiguration().writeTo.console({ name })).toThrow(/^writeTo\.console: expected a non-blank name/);
  });

  it('takes a name with white space around other characters as given', () => {
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: ' audit log ' }).createLogger();
    expect(Object.keys(log.metrics().sinks)).toEqual([' audit log ']);
  });

  it('names a sink whose kind is white space only "sink", in metrics and the shutdown report', async () => {
    const log = new LoggerConfiguration().writeTo.sink({ kind: ' \t ', emit: () => undefined }).createLogger();
    log.information('x');
    expect(Object.keys(log.metrics().sinks)).toEqual(['sink']);
    expect(Object.keys((await log.close()).sinks)).toEqual(['sink']);
  });
});

describe('writeTo with one sink object given twice', () => {
  it('refuses a sink already configured, since both lanes would deliver every event to it and the first to close would close it under the other', () => {
    const memory = new MemorySink();
    const configuration = new LoggerConfiguration().writeTo.sink(memory, { name: 'audit' });
    const again = (): unknown => configuration.writeTo.sink(memory, { minimumLevel: 'error' });
    expect(again).toThrow(ConfigurationError);
    expect(again).toThrow('writeTo.sink(memory): expected a sink not given before, got MemorySink');
    // The configuration is as it was: one lane.
    expect(Object.keys(configuration.createLogger().metrics().sinks)).toEqual(['audit']);
  });

  it('refuses a sink as its own fallback', () => {
    const memory = new MemorySink();
    expect(() => new LoggerConfiguration().writeTo.sink(memory, { fallback: memory })).toThrow(
      'writeTo.sink(memory): expected a sink not given before, got MemorySink',
    );
  });

  it('still takes one fallback for several sinks', () => {
    const spill = new MemorySink();
    const failing: Sink = { emit: () => Promise.reject(new Error('down')) };
    expect(() =>
      new LoggerConfiguration().writeTo
        .sink(failing, { name: 'a', fallback: spill })
        .writeTo.sink({ ...failing }, { name: 'b', fallback: spill })
        .createLogger(),
    ).not.toThrow();
  });

  it('takes a sink with a lane of its own as another’s fallback, which then gets a failed event twice', async () => {
    const screen = new MemorySink();
    const failing: Sink = { emit: () => Promise.reject(new Error('down')) };
    const log = new LoggerConfiguration().writeTo
      .sink(failing, { name: 'file', retry: false, fallback: screen })
      .writeTo.sink(screen, { name: 'console' })
      .createLogger();
    log.information('Saved');
    await log.close();
    expect(screen.events.map((e) => e.messageTemplate.text)).toEqual(['Saved', 'Saved']);
    expect([log.metrics().sinks.file?.fallback, log.metrics().sinks.console?.delivered]).toEqual([1, 1]);
  });
});

// A Node stream has an emit method, EventEmitter's: emit(eventName, …) takes the batch as the name
// of an event nobody listens to, so every event would count as delivered and be written nowhere.
describe('writeTo with an EventEmitter given as a sink', () => {
  const refusal =
    'expected a sink, not an EventEmitter (its emit(eventName, …) writes nothing; for a Node stream, StreamSink from rxlog/node), got';

  it('refuses a Node stream, as pino users pass one, naming it', () => {
    const stream = new PassThrough();
    expect(() => new LoggerConfiguration().writeTo.sink(stream as unknown as Sink)).toThrow(ConfigurationError);
    expect(() => new LoggerConfiguration().writeTo.sink(stream as unknown as Sink)).toThrow(
      `writeTo.sink: ${refusal} PassThrough`,
    );
    expect(() => new LoggerConfiguration().writeTo.sink(process.stdout as unknown as Sink)).toThrow(
      `writeTo.sink: ${refusal} ${process.stdout.constructor.name}`,
    );
    expect(() => new LoggerConfiguration().writeTo.sink(new EventEmitter() as unknown as Sink)).toThrow(
      `writeTo.sink: ${refusal} EventEmitter`,
    );
  });

  it('refuses one as a fallback', () => {
    expect(() =>
      new LoggerConfiguration().writeTo.sink(new MemorySink(), { fallback: new PassThrough() as unknown as Sink }),
    ).toThrow(`writeTo.sink(memory).fallback: ${refusal} PassThrough`);
  });

  it('takes a sink class that extends EventEmitter with an emit(events) of its own', async () => {
    class EmittingSink extends EventEmitter implements Sink {
      readonly received: string[] = [];
      // @ts-expect-error -- a sink's emit(events), in place of EventEmitter's emit(eventName, …)
      override emit(events: readonly LogEvent[]): void {
        for (const event of events) this.received.push(event.renderMessage());
      }
    }
    const sink = new EmittingSink();
    const log = new LoggerConfiguration().writeTo.sink(sink).createLogger();
    log.information('Hello {Name}', 'Ann');
    await log.close();
    expect(sink.received).toEqual(['Hello Ann']);
  });
});

// Before, each of these failed only when called: close() at shutdown (the file left open), flush()
// at each flush, flushSync() at process exit, and emitSync was skipped without a word.
describe('writeTo with a sink whose optional methods are not functions', () => {
  it.each([
    ['close', 5, 'number 5'],
    ['flush', true, 'boolean true'],
    ['flushSync', 'now', '"now"'],
    ['emitSync', {}, 'Object'],
  ])('refuses a sink whose %s is %p, naming it', (method, value, named) => {
    const sink = { emit: (): void => undefined, [method]: value } as unknown as Sink;
    expect(() => new LoggerConfiguration().writeTo.sink(sink)).toThrow(ConfigurationError);
    expect(() => new LoggerConfiguration().writeTo.sink(sink)).toThrow(
      `writeTo.sink: expected a sink whose ${method} is a method or absent, got ${named}`,
    );
    expect(() => new LoggerConfiguration().writeTo.sink(new MemorySink(), { fallback: sink })).toThrow(
      `writeTo.sink(memory).fallback: expected a sink whose ${method} is a method or absent, got ${named}`,
    );
  });

  it('takes one whose optional methods are undefined or null', () => {
    const sink = { emit: (): void => undefined, emitSync: undefined, flush: null, flushSync: undefined, close: null };
    expect(() => new LoggerConfiguration().writeTo.sink(sink as unknown as Sink).createLogger()).not.toThrow();
  });
});

describe('writeTo with a sink whose prototype chain never ends', () => {
  it('configures it without walking the chain for ever (a Proxy whose getPrototypeOf gives itself)', () => {
    const fixture = path.join(__dirname, 'fixtures', 'prototype-loop.ts');
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, 'sink'], { encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull();
    expect(child.stdout).toBe('sink taken: 1 event\n');
  });
});

describe('writeTo sink names for many sinks', () => {
  /** CPU milliseconds to configure `count` unnamed sinks of one kind. */
  const configure = async (count: number): Promise<number> =>
    cpuMs(() => {
      const configuration = new LoggerConfiguration();
      for (let i = 0; i < count; i++) configuration.writeTo.sink({ emit: () => undefined });
    });

  it('picks kind, kind-2, kind-3 … around names taken, and the name a refused sink was to take for the next', () => {
    const configuration = new LoggerConfiguration();
    configuration.writeTo.sink({ emit: () => undefined }, { name: 'sink-3' });
    configuration.writeTo.sink({ emit: () => undefined });
    configuration.writeTo.sink({ emit: () => undefined });
    expect(() => configuration.writeTo.sink({ emit: () => undefined }, { queue: { limit: -1 } })).toThrow(
      /writeTo\.sink\(sink-4\)/,
    );
    configuration.writeTo.sink({ emit: () => undefined });
    expect(() => configuration.writeTo.sink({ emit: () => undefined }, { name: 'sink-4' })).toThrow(
      'a sink named "sink-4" is already configured',
    );
    configuration.writeTo.sink({ emit: () => undefined }, { name: 'sink-6' });
    configuration.writeTo.sink({ emit: () => undefined });
    configuration.writeTo.sink({ emit: () => undefined });
    expect(Object.keys(configuration.createLogger().metrics().sinks)).toEqual([
      'sink-3',
      'sink',
      'sink-2',
      'sink-4',
      'sink-6',
      'sink-5',
      'sink-7',
    ]);
  });

  // Each sink rebuilt the set of names taken and searched from `-2`: 8 000 unnamed sinks of one
  // kind cost 32 million lookups. Four times the sinks now costs about four times the CPU (it was
  // sixteen); measured against the same run's smaller configuration, which a loaded machine
  // stretches alike.
  it('names thousands of unnamed sinks of one kind in linear time', async () => {
    await configure(2_000); // warm-up: the JIT compiles the path before either is measured
    const small = await configure(2_000);
    const large = await configure(8_000);
    expect(large).toBeLessThan(8 * Math.max(small, 5));
  });
});
