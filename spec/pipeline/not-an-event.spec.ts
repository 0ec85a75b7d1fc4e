import {
  bufferCount,
  delay,
  filter,
  from,
  map,
  mergeMap,
  type MonoTypeOperatorFunction,
  of,
  type OperatorFunction,
  Subject,
} from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import type { Sink } from '../../lib/core/sink';
import { NOT_AN_EVENT_REASON, notAnEvent } from '../../lib/pipeline/not-an-event';
import { ConsoleSink } from '../../lib/sinks/console-sink';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { collectSelfLog } from '../helpers/self-log';

// TypeScript refuses these steps (`OperatorFunction<LogEvent, LogEvent>` each); JavaScript does not.
const step = (operator: OperatorFunction<never, unknown>): MonoTypeOperatorFunction<LogEvent> =>
  operator as unknown as MonoTypeOperatorFunction<LogEvent>;

/** A sink that records every batch it is given, whatever is in it. */
function recordingSink(): Sink & { batches: unknown[][] } {
  const batches: unknown[][] = [];
  return { kind: 'recording', batches, emit: (events) => void batches.push([...events]) };
}

describe('notAnEvent', () => {
  it.each<[string, number, unknown]>([
    ['a string', 1, 'text'],
    ['null', 1, null],
    ['undefined', 1, undefined],
    ['a number', 1, 42],
    ['a function', 1, () => undefined],
    ['an Observable (groupBy as the last step passes on its groups)', 1, of(1)],
    ['a Subject', 1, new Subject()],
    ['an array of 3 (bufferCount(3) as the last step)', 3, [1, 2, 3]],
    ['an empty array (bufferTime on a quiet lane)', 0, []],
  ])('reads %s as no event standing for %i events', (_, events, value) => {
    expect(notAnEvent(value)).toBe(events);
  });

  it('reads any other object as an event (-1), its shape being the formatter’s business', () => {
    expect(notAnEvent({})).toBe(-1);
  });

  it('reads a revoked Proxy (whose array check throws) as an event, without throwing', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(notAnEvent(proxy)).toBe(-1);
  });
});

// What a step given from JavaScript passes on in place of an event reaches no sink: no formatter
// can write it (ConsoleSink printed "[unformattable event: …]", MemorySink held strings), yet it
// was counted delivered, and the events an array held stayed pending until close.
describe('what a sink pipe passes on that is no event', () => {
  it('counts the events of bufferCount(2) as the last step dropped (not-an-event) at once, hands the sink nothing, and tells SelfLog once', async () => {
    const self = collectSelfLog();
    try {
      const lines: unknown[] = [];
      const write = (line: unknown): void => void lines.push(line);
      const console = new ConsoleSink({ console: { debug: write, info: write, warn: write, error: write } });
      const log = new LoggerConfiguration().writeTo
        .sink(console, { name: 'console', pipe: [step(bufferCount(2))] })
        .createLogger();
      for (let n = 0; n < 4; n++) log.information('Event {N}', n);
      const m = log.metrics().sinks.console;
      expect(m).toMatchObject({ received: 4, delivered: 0, dropped: 4, pending: 0, droppedBy: { [NOT_AN_EVENT_REASON]: 4 } });
      expect(await log.flush()).toEqual({ timedOut: false });
      const report = await log.close();
      expect(report.sinks.console).toEqual({ delivered: 0, dropped: 4, failed: 0, undelivered: 0 });
      expect(lines).toEqual([]);
      const told = self.diagnostics.map((d) => d.message).filter((text) => text.includes(', no event;'));
      expect(told).toHaveLength(1);
      expect(told[0]).toContain('Sink console: its operators passed on Array, no event; counted dropped (told once)');
    } finally {
      self.stop();
    }
  });

  it.each([
    ['a string', 'text'],
    ['null', null],
    ['a number', 42],
    ['undefined', undefined],
  ])('counts %s passed on by the last step as one event dropped (not-an-event), never delivered', async (_, value) => {
    const sink = recordingSink();
    const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'out', pipe: [step(map(() => value))] }).createLogger();
    for (let n = 0; n < 4; n++) log.information('Event {N}', n);
    expect(log.metrics().sinks.out).toMatchObject({
      received: 4,
      delivered: 0,
      dropped: 4,
      pending: 0,
      droppedBy: { 'not-an-event': 4 },
    });
    expect((await log.close()).sinks.out).toEqual({ delivered: 0, dropped: 4, failed: 0, undelivered: 0 });
    expect(sink.batches).toEqual([]);
  });

  it('still delivers the events the same step passes on as events', async () => {
    const sink = recordingSink();
    const everyOther = step(map((event: LogEvent) => ((event.properties.N as number) % 2 === 0 ? event : [event])));
    const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'out', pipe: [everyOther] }).createLogger();
    for (let n = 0; n < 4; n++) log.information('Event {N}', n);
    expect((await log.close()).sinks.out).toEqual({ delivered: 2, dropped: 2, failed: 0, undelivered: 0 });
    expect(sink.batches.flat().map((e) => (e as LogEvent).properties.N)).toEqual([0, 2]);
    expect(log.metrics().sinks.out.droppedBy).toEqual({ 'not-an-event': 2 });
  });

  it('counts each event once when the last step fails after it passed on an array', async () => {
    // Its second array is never passed on: the step fails, and what it held is lost with it.
    const failsOnSecond = step((source) =>
      source.pipe(
        bufferCount(2),
        map((batch, index) => {
          if (index === 1) throw new Error('scripted operator failure');
          return batch;
        }),
      ),
    );
    const log = new LoggerConfiguration().writeTo.sink(recordingSink(), { name: 'out', pipe: [failsOnSecond] }).createLogger();
    for (let n = 0; n < 4; n++) log.information('Event {N}', n);
    const m = log.metrics().sinks.out;
    expect(m).toMatchObject({ received: 4, delivered: 0, dropped: 4, pending: 0 });
    expect(m.droppedBy).toEqual({ 'not-an-event': 2, 'operator-failed': 2 });
  });

  it('counts an array let out after an immediate close dropped what it held once, in virtual time', async () => {
    jest.useFakeTimers();
    const self = collectSelfLog();
    try {
      const sink = recordingSink();
      const late = step((source) =>
        source.pipe(
          delay(10),
          map((event) => [event]),
        ),
      );
      // Its close takes 20 ms: every lane stays subscribed until then, so the array leaves at 10.
      const slow: Sink = { emit: () => undefined, close: () => new Promise<void>((resolve) => setTimeout(resolve, 20)) };
      const log = new LoggerConfiguration().writeTo
        .sink(sink, { name: 'out', pipe: [late] })
        .writeTo.sink(slow, { name: 'slow' })
        .createLogger();
      log.information('held');
      const closing = log.close({ strategy: 'immediate', timeoutMs: 100 });
      await jest.advanceTimersByTimeAsync(20);
      const report = await closing;
      // It did leave (SelfLog says so), and is counted no second time.
      expect(self.diagnostics.filter((d) => d.message.includes(', no event;'))).toHaveLength(1);
      expect(report.sinks.out).toEqual({ delivered: 0, dropped: 1, failed: 0, undelivered: 0 });
      expect(log.metrics().sinks.out).toMatchObject({ received: 1, delivered: 0, dropped: 1, pending: 0 });
      expect(sink.batches).toEqual([]);
    } finally {
      self.stop();
      jest.useRealTimers();
    }
  });
});

// A revoked Proxy's array check throws (`Array.isArray`), and so does its Observable check: read
// between two steps, the throw was taken for the first step's failure, which restarted it and
// counted what it held dropped (operator-failed). It is taken as an event there, as notAnEvent
// takes it: what the next step does with it is counted as for any event.
describe('a revoked Proxy a step passes on to the next', () => {
  it.each(['a sink pipe', '.pipe()'] as const)(
    'is taken as an event: the step is not failed and what it held is delivered (%s)',
    async (where) => {
      jest.useFakeTimers();
      const diagnostics = collectSelfLog();
      try {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        // Holds event 0 for 10 ms, and passes on a revoked Proxy in place of event 1 (of() would
        // read it as a scheduler); the next step removes the Proxy without a report.
        const steps = [
          mergeMap((event: LogEvent) => (event.properties.N === 0 ? of(event).pipe(delay(10)) : from([proxy as LogEvent]))),
          filter((event: LogEvent) => event !== proxy),
        ];
        const memory = new MemorySink();
        const log = (
          where === '.pipe()'
            ? new LoggerConfiguration().pipe(...steps).writeTo.sink(memory, { name: 'memory' })
            : new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: steps })
        ).createLogger();
        log.information('Event {N}', 0);
        expect(() => log.information('Event {N}', 1)).not.toThrow();
        const closing = log.close({ timeoutMs: 1_000 });
        await jest.advanceTimersByTimeAsync(1_000);
        const report = await closing;
        expect(memory.events.map((event) => event.properties.N)).toEqual([0]);
        expect(diagnostics.diagnostics).toEqual([]);
        if (where === '.pipe()') {
          expect(log.metrics().pipe).toMatchObject({ entered: 2, left: 1, dropped: 1, pending: 0, droppedBy: { unreported: 1 } });
          expect(report.sinks.memory).toEqual({ delivered: 1, dropped: 0, failed: 0, undelivered: 0 });
        } else {
          expect(log.metrics().sinks.memory).toMatchObject({
            received: 2,
            delivered: 1,
            dropped: 1,
            droppedBy: { unreported: 1 },
          });
          expect(report.sinks.memory).toEqual({ delivered: 1, dropped: 1, failed: 0, undelivered: 0 });
        }
      } finally {
        diagnostics.stop();
        jest.useRealTimers();
      }
    },
  );
});

describe('what .pipe() passes on that is no event', () => {
  it('counts it in each sink as received and dropped (not-an-event), sinks with no pipe of their own too', async () => {
    const plain = recordingSink();
    const piped = new MemorySink();
    const log = new LoggerConfiguration()
      .pipe(step(map((event: LogEvent) => event.level)))
      .writeTo.sink(plain, { name: 'plain' })
      .writeTo.sink(piped, { name: 'piped', pipe: [map((event) => event)] })
      .createLogger();
    for (let n = 0; n < 3; n++) log.information('Event {N}', n);
    const report = await log.close();
    for (const name of ['plain', 'piped'])
      expect(log.metrics().sinks[name]).toMatchObject({
        received: 3,
        delivered: 0,
        dropped: 3,
        pending: 0,
        droppedBy: { 'not-an-event': 3 },
      });
    expect(report.sinks.plain).toEqual({ delivered: 0, dropped: 3, failed: 0, undelivered: 0 });
    expect(plain.batches).toEqual([]);
    expect(piped.events).toEqual([]);
  });
});

// A revoked Proxy cannot be read at all (`instanceof` throws on it): passed on by the last step of
// a sink's pipe, or of .pipe(), it ended the sink's lane ("stream failed"), so what the lane held
// was counted dropped and every later event was lost to the sink; with a sink level, the level
// filter reading it failed the same way.
describe('a revoked Proxy the last step passes on', () => {
  it.each([
    ['a sink pipe', undefined],
    ['a sink pipe, with a sink level', 'information'],
    ['.pipe()', undefined],
    ['.pipe(), with a sink level', 'information'],
  ] as const)('is counted dropped (not-an-event) and the lane lives on (%s)', async (where, minimumLevel) => {
    const self = collectSelfLog();
    try {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const last = map((event: LogEvent) => (event.properties.N === 1 ? (proxy as LogEvent) : event));
      const memory = new MemorySink();
      const log = (
        where.startsWith('.pipe()')
          ? new LoggerConfiguration().pipe(last).writeTo.sink(memory, { name: 'memory', minimumLevel })
          : new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', minimumLevel, pipe: [last] })
      ).createLogger();
      for (let n = 0; n < 3; n++) expect(() => log.information('Event {N}', n)).not.toThrow();
      expect(log.metrics().sinks.memory).toMatchObject({
        received: 3,
        delivered: 2,
        dropped: 1,
        pending: 0,
        droppedBy: { [NOT_AN_EVENT_REASON]: 1 },
      });
      const report = await log.close();
      expect(report.sinks.memory).toEqual({ delivered: 2, dropped: 1, failed: 0, undelivered: 0 });
      expect(memory.events.map((event) => event.properties.N)).toEqual([0, 2]);
      const messages = self.diagnostics.map((d) => d.message);
      expect(messages.filter((text) => text.includes('stream failed'))).toEqual([]);
      expect(messages.filter((text) => text.includes(', no event;'))).toHaveLength(1);
    } finally {
      self.stop();
    }
  });
});

// A Proxy whose traps throw but whose prototype can be read passed the check above and was taken
// as an event: MemorySink counted it delivered (every read of it throws), ConsoleSink failed on its
// level after the formatter's placeholder, retried it three times (a write that can never work)
// and held the next event behind those retries.
describe('a Proxy whose traps throw, passed on by the last step', () => {
  const hostile = new Proxy(
    {},
    {
      get: () => {
        throw new Error('trap');
      },
      has: () => {
        throw new Error('trap');
      },
      ownKeys: () => {
        throw new Error('trap');
      },
    },
  );

  it.each([
    ['MemorySink, a sink pipe', 'memory', false],
    ['MemorySink, .pipe(), with a sink level', 'memory', true],
    ['ConsoleSink, a sink pipe', 'console', false],
    ['ConsoleSink, .pipe(), with a sink level', 'console', true],
  ] as const)('is counted dropped (not-an-event) and the next event written at once (%s)', async (_, kind, shared) => {
    const self = collectSelfLog();
    try {
      const last = map((event: LogEvent) => (event.properties.N === 1 ? (hostile as LogEvent) : event));
      const lines: string[] = [];
      const write = (format: string, ...args: string[]): void => void lines.push(args.at(-1) ?? format);
      const sink =
        kind === 'memory'
          ? new MemorySink()
          : new ConsoleSink({
              mode: 'browser',
              theme: false,
              outputTemplate: '{Message}',
              console: { debug: write, info: write, warn: write, error: write },
            });
      const minimumLevel = shared ? 'information' : undefined;
      const log = (
        shared
          ? new LoggerConfiguration().pipe(last).writeTo.sink(sink, { name: 'sink', minimumLevel })
          : new LoggerConfiguration().writeTo.sink(sink, { name: 'sink', pipe: [last] })
      ).createLogger();
      for (let n = 0; n < 3; n++) expect(() => log.information('Event {N}', n)).not.toThrow();
      expect(log.metrics().sinks.sink).toMatchObject({
        received: 3,
        delivered: 2,
        dropped: 1,
        failed: 0,
        pending: 0,
        droppedBy: { [NOT_AN_EVENT_REASON]: 1 },
      });
      if (sink instanceof MemorySink) expect(sink.events.map((event) => event.properties.N)).toEqual([0, 2]);
      else expect(lines).toEqual(['Event 0', 'Event 2']);
      const report = await log.close();
      expect(report.sinks.sink).toEqual({ delivered: 2, dropped: 1, failed: 0, undelivered: 0 });
      expect(self.diagnostics.map((d) => d.message).filter((text) => text.includes(', no event;'))).toHaveLength(1);
    } finally {
      self.stop();
    }
  });
});
