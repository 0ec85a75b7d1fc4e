import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../lib/core/log-event';
import type { Logger } from '../../lib/pipeline/logger';
import { Log } from '../../lib/pipeline/log';
import type { ShutdownReport } from '../../lib/pipeline/shutdown-report';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { Clock } from '../helpers/virtual-clock';
import { nextMacrotask, selfResolvingThenable } from '../helpers/self-resolving-thenable';

describe('Log', () => {
  afterEach(() => {
    Log.logger = undefined;
  });

  it('is a silent no-op before a logger is set', async () => {
    expect(Log.logger).toBeUndefined();
    expect(() => Log.information('nobody listens {N}', 1)).not.toThrow();
    await expect(Log.closeAndFlush()).resolves.toBeUndefined();
  });

  it('refuses what is not a logger when set, naming it, so no later facade call can throw', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    Log.logger = log;
    for (const [value, named] of [
      [{}, 'Object'],
      ['console', '"console"'],
      [null, 'null'],
      [{ information: () => undefined }, 'Object'],
    ] as const) {
      expect(() => (Log.logger = value as unknown as Logger)).toThrow(ConfigurationError);
      expect(() => (Log.logger = value as unknown as Logger)).toThrow(`Log.logger: expected a Logger or undefined, got ${named}`);
    }
    // The logger set before is kept.
    expect(Log.logger).toBe(log);
    expect(() => Log.information('still {Ok}', true)).not.toThrow();
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['still true']);
  });

  it('refuses a Proxy whose reads throw with a ConfigurationError that keeps the error, keeping the logger set before', () => {
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
    Log.logger = log;
    const boom = new Error('boom');
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    for (const [value, thrown] of [
      [
        new Proxy(
          {},
          {
            get: () => {
              throw boom;
            },
          },
        ),
        'Error: boom',
      ],
      [revocable.proxy, "TypeError: Cannot perform 'get' on a proxy that has been revoked"],
    ] as const) {
      expect(() => (Log.logger = value as unknown as Logger)).toThrow(ConfigurationError);
      expect(() => (Log.logger = value as unknown as Logger)).toThrow(`Log.logger: reading the logger threw ${thrown}`);
    }
    let caught: unknown;
    try {
      Log.logger = new Proxy(
        {},
        {
          get: () => {
            throw boom;
          },
        },
      ) as unknown as Logger;
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).cause).toBe(boom);
    expect(Log.logger).toBe(log);
  });

  it('writes trace, info and warn, and takes a thrown value first as the exception', () => {
    const memory = new MemorySink();
    Log.logger = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    Log.trace('t');
    Log.info('i {N}', 1);
    Log.warn('w');
    const thrown: unknown = JSON.parse('503');
    Log.error(thrown, 'Failed {Step}', 'save');
    expect(memory.events.map((e) => [e.level, e.renderMessage()])).toEqual([
      ['verbose', 't'],
      ['information', 'i 1'],
      ['warning', 'w'],
      ['error', 'Failed save'],
    ]);
    expect(memory.events[3].exception?.message).toBe('503');
  });

  it('takes a tagged template as the logger does, through a method taken off the facade too', () => {
    const memory = new MemorySink();
    Log.logger = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const name = 'Ann';
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- a tagged template call is the log call
    Log.info`Hello ${name} {literal}`;
    const { warn } = Log;
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- as above
    warn`Slow ${812} ms`;
    expect(memory.events.map((e) => [e.level, e.messageTemplate.text, e.renderMessage(), { ...e.properties }])).toEqual([
      ['information', 'Hello {0} {{literal}}', 'Hello Ann {literal}', { 0: 'Ann' }],
      ['warning', 'Slow {0} ms', 'Slow 812 ms', { 0: 812 }],
    ]);
  });

  it('writes to the logger it was given, at every level', () => {
    const memory = new MemorySink();
    Log.logger = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    const failure = new Error('x');
    Log.verbose('v');
    Log.debug('d');
    Log.information('i {N}', 1);
    Log.warning('w');
    Log.error(failure, 'e');
    Log.fatal('f');
    expect(memory.events.map((e) => e.level)).toEqual(['verbose', 'debug', 'information', 'warning', 'error', 'fatal']);
    expect(memory.events[2].renderMessage()).toBe('i 1');
    expect(memory.events[4].exception).toBe(failure);
  });

  it('closes and flushes the logger, then goes back to a no-op', async () => {
    const memory = new MemorySink();
    Log.logger = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    Log.information('one');
    const report = await Log.closeAndFlush();
    expect(report?.sinks.memory.delivered).toBe(1);
    expect(Log.logger).toBeUndefined();
    Log.information('after');
    expect(memory.events).toHaveLength(1);
  });

  // The app's shutdown flushes with no bound; an exit hook's bounded call must keep its bound.
  it('bounds a second closeAndFlush by its own timeoutMs behind a first one under the flush strategy', async () => {
    const clock = new Clock();
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    Log.logger = new LoggerConfiguration()
      .useScheduler(clock.scheduler)
      .writeTo.sink({ emit: () => gate }, { name: 'stalled' })
      .createLogger();
    Log.information('one');
    let first: ShutdownReport | undefined;
    void Log.closeAndFlush({ strategy: 'flush' }).then((report) => (first = report));
    let second: ShutdownReport | undefined;
    void Log.closeAndFlush({ timeoutMs: 1_000 }).then((report) => (second = report));
    await clock.advance(1_000);
    expect(second).toMatchObject({ timedOut: true, sinks: { stalled: { undelivered: 1 } } });
    await clock.advance(60_000);
    expect(first).toBeUndefined();
    // The first call keeps its meaning: it reports once everything is delivered.
    release();
    await clock.advance(0);
    expect(first).toMatchObject({ strategy: 'flush', timedOut: false, sinks: { stalled: { delivered: 1 } } });
    await expect(Log.closeAndFlush()).resolves.toBeUndefined();
  });

  // A signal handler and the app's own shutdown both calling it: the second must not resolve (and
  // let the process exit) before the first has delivered what was logged.
  it('makes a second closeAndFlush made while the first is closing wait for the same report', async () => {
    const delivered: string[] = [];
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = {
      emit: async (events: readonly LogEvent[]): Promise<void> => {
        await gate;
        for (const event of events) delivered.push(event.renderMessage());
      },
    };
    Log.logger = new LoggerConfiguration().writeTo.sink(sink, { name: 'slow' }).createLogger();
    Log.information('one');
    const first = Log.closeAndFlush();
    let secondSettled = false;
    const second = Log.closeAndFlush().then((report) => {
      secondSettled = true;
      return report;
    });
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    expect(secondSettled).toBe(false);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(delivered).toEqual(['one']);
    expect(b).toBe(a);
    expect(b?.sinks.slow.delivered).toBe(1);
    await expect(Log.closeAndFlush()).resolves.toBeUndefined();
  });

  // A look-alike logger whose close() returns a thenable that fulfils with itself: the async
  // closeAndFlush adopted it for ever, on microtasks alone, so the app's shutdown timer never fired.
  it('rejects closeAndFlush on a logger’s close returning a thenable that fulfils with itself, and the event loop goes on', async () => {
    const real = new LoggerConfiguration().createLogger();
    const { thenable, thens } = selfResolvingThenable();
    Log.logger = Object.assign(Object.create(real) as Logger, { close: () => thenable });
    let timerFired = false;
    setImmediate(() => (timerFired = true));
    await expect(Log.closeAndFlush()).rejects.toThrow(/more than 32 deep/);
    await nextMacrotask();
    expect(timerFired).toBe(true);
    expect(thens()).toBe(32);
    expect(Log.logger).toBeUndefined();
    await real.close();
  });
});
