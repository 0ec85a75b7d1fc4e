import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { delay, lastValueFrom, map, mergeMap, of, take, toArray } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../lib/core/level-switch';
import type { LogEvent } from '../../lib/core/log-event';
import type { LoggerMetrics } from '../../lib/metrics/metrics-types';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createTestScheduler } from '../helpers/test-scheduler';
import { collectSelfLog } from '../helpers/self-log';
import { MAX_NESTED_WRITES } from '../../lib/pipeline/logger-pipeline';
import { childStdout } from '../helpers/child-stdout';
import { Clock } from '../helpers/virtual-clock';
import type { ShutdownReport } from '../../lib/pipeline/shutdown-report';
import type { Logger } from '../../lib/pipeline/logger';

describe('Logger', () => {
  it('writes one event per call with its level, template, properties and rendered message', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    log.information('User {UserId} logged in from {@Location}', 42, { city: 'Oslo' });
    const [event] = memory.events;
    expect(event.level).toBe('information');
    expect(event.messageTemplate.text).toBe('User {UserId} logged in from {@Location}');
    expect(event.properties).toEqual({ UserId: 42, Location: { city: 'Oslo' } });
    expect(event.renderMessage()).toBe('User 42 logged in from {"city":"Oslo"}');
    expect(event.timestamp).toBeInstanceOf(Date);
  });

  it('logs through a level method passed on as a function (promise.catch(log.error), destructuring), child loggers too', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    const { information, warn, write } = log.child({ RequestId: 'r-7' });
    information('Hello {Name}', 'world');
    warn('Careful');
    write('debug', 'By name');
    ['a', 'b'].forEach((item) => setTimeout(log.verbose, 0, 'Item {Item}', item));
    await Promise.reject(new Error('declined')).catch(log.error);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(memory.events.map((event) => [event.level, event.renderMessage(), event.properties.RequestId])).toEqual([
      ['information', 'Hello world', 'r-7'],
      ['warning', 'Careful', 'r-7'],
      ['debug', 'By name', 'r-7'],
      ['error', '', undefined],
      ['verbose', 'Item a', undefined],
      ['verbose', 'Item b', undefined],
    ]);
    expect(memory.events[3].exception?.message).toBe('declined');
  });

  it('delivers to a synchronous sink on the caller’s turn', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    log.information('now');
    expect(memory.events).toHaveLength(1);
  });

  it('takes an Error first as the event’s exception, at every level', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    const failure = new Error('card declined');
    log.error(failure, 'Payment {PaymentId} failed', 'p-1');
    log.warning(failure, 'Retrying');
    expect(memory.events[0].exception).toBe(failure);
    expect(memory.events[0].properties).toEqual({ PaymentId: 'p-1' });
    expect(memory.events[0].renderMessage()).toBe('Payment p-1 failed');
    expect(memory.events[1].exception).toBe(failure);
  });

  // Values are captured at the call; the exception is not (docs/templates-and-capture.md says so
  // now): a batched sink writes the Error as it is when the batch goes, after a catch rewrote it.
  it('keeps the Error itself as the exception, so a batched sink writes its message as it is at delivery', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory, { batch: { size: 10, maxDelayMs: 5 } }).createLogger();
    const failure = new Error('db down');
    log.error(failure, 'Payment {PaymentId} failed', 'p-1');
    failure.message = 'order o-1: db down';
    await log.flush();
    expect(memory.events[0].exception).toBe(failure);
    expect(memory.events[0].exception?.message).toBe('order o-1: db down');
    expect(memory.events[0].properties).toEqual({ PaymentId: 'p-1' });
    await log.close();
  });

  it('keeps the exception and any values when an Error comes without a template', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const failure = new Error('no template');
    log.error(failure);
    (log.error as (error: Error, ...rest: unknown[]) => void)(failure, { orderId: 'o-1' });
    expect(memory.events.map((e) => [e.exception, e.renderMessage(), e.properties])).toEqual([
      [failure, '', {}],
      [failure, '', { __0: { orderId: 'o-1' } }],
    ]);
  });

  it('writes trace, info and warn at the levels of verbose, information and warning', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    log.trace('t {N}', 1);
    log.info('i {N}', 2);
    log.warn('w {N}', 3);
    expect(memory.events.map((e) => [e.level, e.renderMessage()])).toEqual([
      ['verbose', 't 1'],
      ['information', 'i 2'],
      ['warning', 'w 3'],
    ]);
  });

  it('skips trace, info and warn below the minimum level, like their twins', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.error().writeTo.sink(memory).createLogger();
    log.trace('t');
    log.info('i');
    log.warn('w');
    expect(memory.events).toEqual([]);
    expect(log.metrics().logged).toBe(0);
  });

  it('turns any thrown value a catch gives into an exception carrying String(value), never losing the event', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const thrown: unknown[] = [42, { code: 'E_LIMIT', toString: () => 'limit reached' }, null, undefined, Object.create(null)];
    for (const value of thrown) {
      try {
        throw value;
      } catch (e) {
        log.error(e, 'Step {Step} failed', 'charge');
      }
    }
    expect(memory.events.map((e) => [e.exception?.name, e.exception?.message, e.renderMessage()])).toEqual([
      ['ThrownValueError', '42', 'Step charge failed'],
      ['ThrownValueError', 'limit reached', 'Step charge failed'],
      ['ThrownValueError', 'null', 'Step charge failed'],
      ['ThrownValueError', 'undefined', 'Step charge failed'],
      ['ThrownValueError', '[object Object]', 'Step charge failed'],
    ]);
    expect(memory.events[0].exception).toBeInstanceOf(Error);
    expect(memory.events[0].exception?.stack).toBe('ThrownValueError: 42');
  });

  it('keeps an error-like object from another realm as the exception itself', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const foreign = { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at f' };
    log.fatal(foreign, 'Crashed');
    log.warning(7);
    expect(memory.events[0].exception).toBe(foreign);
    expect(memory.events[1].exception?.message).toBe('7');
  });

  it('writes at a level given by name and ignores an unknown name without throwing', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    log.write('warning', 'by name {N}', 1);
    log.write('warn', 'alias');
    expect(() => log.write('loud' as 'warning', 'ignored')).not.toThrow();
    expect(memory.events.map((e) => [e.level, e.renderMessage()])).toEqual([
      ['warning', 'by name 1'],
      ['warning', 'alias'],
    ]);
  });

  it('counts a write at anything but a level in rejectedInvalidLevel, reports it to SelfLog and writes nothing', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const { diagnostics, stop } = collectSelfLog();
    const hostile = {
      toString(): string {
        throw new Error('no string');
      },
    };
    const levels: unknown[] = ['nope', '__proto__', 'toString', 123, null, undefined, Symbol('level'), hostile, ['error']];
    try {
      for (const level of levels) expect(() => log.write(level as 'warning', 'Dropped {N}', 1)).not.toThrow();
    } finally {
      stop();
    }
    expect(memory.events).toEqual([]);
    const metrics = log.metrics();
    expect(metrics.rejectedInvalidLevel).toBe(levels.length);
    expect(metrics.logged).toBe(0);
    expect(diagnostics.filter((d) => d.template.includes('unknown level')).map((d) => d.args[0])).toEqual(levels);
    // Counted the same once the logger is closed: the call was wrong, whatever the logger's state.
    await log.close();
    log.write('nope' as 'warning', 'late');
    expect(log.metrics()).toMatchObject({ rejectedInvalidLevel: levels.length + 1, rejectedAfterClose: 0 });
  });

  it('answers isEnabled false for anything but a level, without counting a rejected call', () => {
    const log = new LoggerConfiguration().minimumLevel.verbose().createLogger();
    for (const level of ['nope', '__proto__', 7, null]) expect(log.isEnabled(level as 'debug')).toBe(false);
    expect(log.metrics().rejectedInvalidLevel).toBe(0);
  });

  it('takes a tagged template (as LogTape users write) as its text with a positional hole per value', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const name = 'Ann';
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- a tagged template call is the log call
    log.info`Paid ${12.5} to ${name} {not a hole}`;
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- as above
    log.warn`no values`;
    // Before, the strings array was taken for a thrown value and 12.5 for the template.
    expect(memory.events.map((e) => [e.messageTemplate.text, e.renderMessage(), e.properties, e.exception])).toEqual([
      ['Paid {0} to {1} {{not a hole}}', 'Paid 12.5 to Ann {not a hole}', { 0: 12.5, 1: 'Ann' }, undefined],
      ['no values', 'no values', {}, undefined],
    ]);
  });

  it('takes a tagged template with an invalid escape (a Windows path) by its raw text, not as the exception', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- a tagged template call is the log call
    log.info`Wrote C:\users\ann to ${'disk'} {1}`;
    // Its cooked text is undefined; before, the strings were the exception and the message empty.
    expect(memory.events.map((e) => [e.messageTemplate.text, e.renderMessage(), e.properties, e.exception])).toEqual([
      ['Wrote C:\\users\\ann to {0} {{1}}', 'Wrote C:\\users\\ann to disk {1}', { 0: 'disk' }, undefined],
    ]);
  });

  it('takes an array with raw strings but a value that is no string for the exception, as any array', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const notStrings = Object.assign([1, 'b'], { raw: ['a', 'b'] });
    log.error(notStrings, 'Failed {Step}', 'pay');
    expect(memory.events.map((e) => [e.renderMessage(), e.exception?.name])).toEqual([['Failed pay', 'ThrownValueError']]);
  });

  it('answers isEnabled for the aliases pino and winston users type, in any case', () => {
    const log = new LoggerConfiguration().minimumLevel.information().createLogger();
    // Compiles without a cast (it did not: isEnabled took LogLevelName only).
    expect(log.isEnabled('trace')).toBe(false);
    expect(log.isEnabled('info')).toBe(true);
    expect(log.isEnabled('WARN')).toBe(true);
    const fromConfig: string = 'Information';
    expect(log.isEnabled(fromConfig)).toBe(true);
  });

  it('answers isEnabled from the minimum level', () => {
    const log = new LoggerConfiguration().minimumLevel.warning().createLogger();
    expect(log.isEnabled('information')).toBe(false);
    expect(log.isEnabled('warning')).toBe(true);
    expect(log.isEnabled('fatal')).toBe(true);
  });

  it('adds properties with forContext and child; the event’s own properties win', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const orders = log.forContext('SourceContext', 'Orders');
    orders.child({ RequestId: 'r-7', UserId: 'bound' }).information('User {UserId}', 42);
    orders.information('plain');
    expect(memory.events.map((e) => e.properties)).toEqual([
      { UserId: 42, SourceContext: 'Orders', RequestId: 'r-7' },
      { SourceContext: 'Orders' },
    ]);
  });

  it('captures context values at the time the child is made', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const user = { name: 'ada' };
    const child = log.child({ User: user });
    user.name = 'mutated';
    child.information('x');
    expect(memory.events[0].properties.User).toEqual({ name: 'ada' });
  });

  it('binds only the own keys of child properties, a "__proto__" key included, as plain properties', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const untrusted = JSON.parse('{"__proto__":{"Injected":"yes"},"RequestId":"r-1"}') as Record<string, unknown>;
    log.child(untrusted).information('x');
    const properties = memory.events[0].properties;
    expect(Object.keys(properties)).toEqual(['__proto__', 'RequestId']);
    expect(Object.getOwnPropertyDescriptor(properties, '__proto__')?.value).toEqual({ Injected: 'yes' });
    expect(Object.prototype.hasOwnProperty.call(properties, 'Injected')).toBe(false);
    expect((properties as { Injected?: unknown }).Injected).toBeUndefined();
  });

  it('keeps bound properties named like Object.prototype members (constructor, toString, valueOf)', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    log.child({ constructor: 'c', toString: 't', valueOf: 'v', hasOwnProperty: 'h' }).information('x');
    log.forContext('constructor', 'Orders').information('y');
    const expected: Record<string, unknown>[] = [
      { constructor: 'c', toString: 't', valueOf: 'v', hasOwnProperty: 'h' },
      { constructor: 'Orders' },
    ];
    expect(memory.events.map((e) => ({ ...e.properties }))).toEqual(expected);
  });

  it('never throws from forContext when the name cannot be turned into a string, and reports it', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const { diagnostics, stop } = collectSelfLog();
    const hostile = {
      toString(): string {
        throw new Error('no name');
      },
    } as unknown as string;
    let child: ReturnType<typeof log.forContext> | undefined;
    expect(() => {
      child = log.forContext(hostile, 1);
    }).not.toThrow();
    child?.information('still logs');
    stop();
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['still logs']);
    expect(diagnostics.some((d) => d.message.includes('forContext'))).toBe(true);
  });

  // Serilog's Logger.ForContext: a name that is empty or white space (LogEventProperty.IsValidName)
  // adds no property and is reported on SelfLog.
  it.each(['', '   ', '\t'])('adds no property for the empty or white-space name %p, and reports it', (name) => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const { diagnostics, stop } = collectSelfLog();
    log.forContext(name, 'lost').information('still logs');
    stop();
    expect(memory.events.map((e) => ({ ...e.properties }))).toEqual([{}]);
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('forContext')]);
  });

  // Serilog's ForContext(null, …) adds nothing (IsValidName); a JavaScript caller's missing name
  // would otherwise bind a property called "undefined" or "null".
  it.each([undefined, null])('adds no property for the name %p from JavaScript, and reports it', (name) => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const { diagnostics, stop } = collectSelfLog();
    log.forContext(name as unknown as string, 'lost').information('still logs');
    stop();
    expect(memory.events.map((e) => ({ ...e.properties }))).toEqual([{}]);
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('forContext')]);
  });

  it('publishes the shared stream on events$', () => {
    const log = new LoggerConfiguration().enrich.withProperty('App', 'shop').createLogger();
    const seen: LogEvent[] = [];
    log.events$.subscribe((e) => seen.push(e));
    log.information('hello');
    expect(seen.map((e) => e.properties)).toEqual([{ App: 'shop' }]);
  });

  it('enriches each event once, before filters, for every sink and events$ alike', () => {
    const first = new MemorySink();
    const second = new MemorySink();
    let calls = 0;
    const log = new LoggerConfiguration().enrich
      .with(() => ({ Call: ++calls }))
      .filter.byExcluding((e) => e.properties.Call === 2)
      .writeTo.sink(first)
      .writeTo.sink(second)
      .createLogger();
    const seen: LogEvent[] = [];
    log.events$.subscribe((e) => seen.push(e));
    log.information('one');
    log.information('two');
    log.information('three');
    expect(calls).toBe(3);
    expect(first.events.map((e) => e.properties.Call)).toEqual([1, 3]);
    expect(second.events).toEqual(first.events);
    expect(seen).toEqual(first.events);
  });

  it('delivers every event to sinks with and without operators, in order, honouring a sink level switched at run time', () => {
    const plain = new MemorySink();
    const leveled = new MemorySink();
    const piped = new MemorySink();
    const sinkLevel = new LevelSwitch('warning');
    const log = new LoggerConfiguration().writeTo
      .sink(plain)
      .writeTo.sink(leveled, { minimumLevel: sinkLevel })
      .writeTo.sink(piped, { pipe: [map((e) => e)] })
      .createLogger();
    const seen: string[] = [];
    log.events$.subscribe((e) => seen.push(e.renderMessage()));
    log.information('one');
    log.warning('two');
    sinkLevel.level = 'information';
    log.information('three');
    expect(plain.events.map((e) => e.renderMessage())).toEqual(['one', 'two', 'three']);
    expect(leveled.events.map((e) => e.renderMessage())).toEqual(['two', 'three']);
    expect(piped.events.map((e) => e.renderMessage())).toEqual(['one', 'two', 'three']);
    expect(seen).toEqual(['one', 'two', 'three']);
  });

  describe('isolation', () => {
    it('keeps other sinks and the caller safe from a throwing sink, and counts the failure', () => {
      const healthy = new MemorySink();
      const log = new LoggerConfiguration().writeTo
        .sink(
          {
            emit: () => {
              throw new Error('disk on fire');
            },
          },
          { name: 'broken', retry: false },
        )
        .writeTo.sink(healthy)
        .createLogger();
      const self = collectSelfLog();
      expect(() => log.information('one')).not.toThrow();
      log.information('two');
      self.stop();
      expect(healthy.events).toHaveLength(2);
      const broken = log.metrics().sinks.broken;
      expect(broken.failed).toBe(2);
      expect(broken.lastError).toContain('disk on fire');
    });

    it('passes events on when an enricher or filter throws', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(() => {
          throw new Error('enricher broke');
        })
        .filter.byExcluding(() => {
          throw new Error('filter broke');
        })
        .writeTo.sink(memory)
        .createLogger();
      const self = collectSelfLog();
      expect(() => log.information('still delivered')).not.toThrow();
      self.stop();
      expect(memory.events).toHaveLength(1);
      expect(self.diagnostics.map((d) => d.message).join('\n')).toMatch(/enricher broke[\s\S]*filter broke/);
    });

    it('keeps the pipeline running after an app operator errors', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration()
        .pipe(
          map((e) => {
            if (e.messageTemplate.text === 'poison') throw new Error('operator broke');
            return e;
          }),
        )
        .writeTo.sink(memory)
        .createLogger();
      const self = collectSelfLog();
      log.information('before');
      expect(() => log.information('poison')).not.toThrow();
      log.information('after');
      self.stop();
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['before', 'after']);
      expect(self.diagnostics.some((d) => d.message.includes('operator broke'))).toBe(true);
    });

    it('keeps a sink’s lane running after its own operator errors', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo
        .sink(memory, {
          pipe: [
            map((e: LogEvent) => {
              if (e.properties.N === 2) throw new Error('lane operator broke');
              return e;
            }),
          ],
        })
        .createLogger();
      for (let n = 1; n <= 3; n++) log.information('n {N}', n);
      expect(memory.events.map((e) => e.properties.N)).toEqual([1, 3]);
    });

    it('captures a throwing getter as a marker instead of throwing', () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      const hostile = {
        get secret(): string {
          throw new Error('getter broke');
        },
      };
      expect(() => log.information('Hostile {@Value}', hostile)).not.toThrow();
      expect(memory.events).toHaveLength(1);
      expect(JSON.stringify(memory.events[0].properties.Value)).toContain('getter broke');
    });
  });

  describe('close', () => {
    it('ignores and counts calls after close, and returns the same report twice', async () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      log.information('kept');
      const first = log.close();
      log.information('rejected');
      log.error('rejected too');
      const report = await first;
      expect(await log.close()).toBe(report);
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['kept']);
      expect(log.metrics().rejectedAfterClose).toBe(2);
      expect(report.strategy).toBe('graceful');
      expect(report.timedOut).toBe(false);
      expect(report.sinks.memory).toEqual({ delivered: 1, dropped: 0, failed: 0, undelivered: 0 });
    });

    it('closes and flushes with the defaults when the options are not an object or cannot be read, never throwing', async () => {
      const trap = new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
        },
      );
      const { diagnostics, stop } = collectSelfLog();
      try {
        for (const options of [null, 'fast', 42, trap]) {
          const memory = new MemorySink();
          const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
          log.information('kept');
          await expect(log.flush(options as { timeoutMs: number })).resolves.toEqual({ timedOut: false });
          let closing: Promise<unknown> | undefined;
          expect(() => {
            closing = log.close(options as { timeoutMs: number });
          }).not.toThrow();
          await expect(closing).resolves.toMatchObject({
            strategy: 'graceful',
            timedOut: false,
            sinks: { memory: { delivered: 1, dropped: 0, failed: 0, undelivered: 0 } },
          });
        }
      } finally {
        stop();
      }
      // One line per option read (flush reads timeoutMs, close strategy and timeoutMs), for each of the four.
      const lines = diagnostics.filter((d) => d.template.includes('unreadable {Option} option'));
      expect(lines.map((d) => d.args.join(' ')).slice(0, 3)).toEqual(['flush timeoutMs', 'close strategy', 'close timeoutMs']);
      expect(lines).toHaveLength(12);
    });

    it('settles with the defaults for a misspelt option or a bad value, telling SelfLog once per call, naming it', async () => {
      const { diagnostics, stop } = collectSelfLog();
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
      let report: unknown;
      try {
        log.information('kept');
        // JavaScript callers and spread objects reach these calls with keys the types do not have.
        const flushOptions = { timeout: 100, timeoutMs: Number.NaN } as unknown as { timeoutMs: number };
        await expect(log.flush(flushOptions)).resolves.toEqual({ timedOut: false });
        const closeOptions = { stratgy: 'immediate', timeoutMs: -1, extra: undefined } as unknown as { timeoutMs: number };
        report = await log.close(closeOptions);
      } finally {
        stop();
      }
      expect(report).toMatchObject({ strategy: 'graceful', sinks: { memory: { delivered: 1, undelivered: 0 } } });
      expect(diagnostics.map((d) => d.message.replace(/^\S+ rxlog: /, ''))).toEqual([
        'flush: unknown option "timeout" (expected one of timeoutMs); ignored',
        'flush: timeoutMs NaN is not a number of milliseconds ≥ 0; using 5000',
        'close: unknown option "stratgy" (expected one of strategy, timeoutMs); ignored',
        'close: timeoutMs -1 is not a number of milliseconds ≥ 0; using 5000',
      ]);
    });

    it('answers isEnabled false from the moment close() is called, for every level and every child logger', async () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
      const child = log.forContext('SourceContext', 'Orders');
      expect(log.isEnabled('fatal')).toBe(true);
      const closing = log.close();
      // Events are refused from now on (counted in rejectedAfterClose): isEnabled says so, so a
      // caller that guards an expensive message with it builds nothing for a closed logger.
      for (const level of ['verbose', 'information', 'fatal'] as const) {
        expect(log.isEnabled(level)).toBe(false);
        expect(child.isEnabled(level)).toBe(false);
      }
      await closing;
      expect(log.isEnabled('fatal')).toBe(false);
      expect(log.metrics().rejectedAfterClose).toBe(0);
    });

    /** A logger on a virtual clock whose one sink, `stalled`, never settles a write. */
    function stalledLogger(): { clock: Clock; log: Logger } {
      const clock = new Clock();
      const log = new LoggerConfiguration()
        .useScheduler(clock.scheduler)
        .writeTo.sink({ emit: () => new Promise<void>(() => undefined) }, { name: 'stalled' })
        .createLogger();
      return { clock, log };
    }

    it('bounds a later close by its own timeoutMs behind an unbounded flush close, which goes on', async () => {
      const { clock, log } = stalledLogger();
      log.information('Stuck');
      log.information('Stuck too');
      const { diagnostics, stop } = collectSelfLog();
      try {
        // The app's own shutdown: deliver everything, however long it takes.
        let flushed = false;
        void log.close({ strategy: 'flush' }).then(() => (flushed = true));
        // The exit hook's (a signal, Nest's shutdown): it used to get the flush close's report, never.
        let report: ShutdownReport | undefined;
        void log.close({ timeoutMs: 2_000 }).then((closed) => (report = closed));
        // A close with no bound of its own, or a looser one, waits for the running close as before.
        let unbounded = false;
        void log.close({ strategy: 'flush', timeoutMs: 10 }).then(() => (unbounded = true));
        await clock.advance(1_999);
        expect(report).toBeUndefined();
        await clock.advance(1);
        expect(report).toEqual({
          strategy: 'graceful',
          elapsedMs: 2_000,
          timedOut: true,
          sinks: { stalled: { delivered: 0, dropped: 0, failed: 0, undelivered: 2 } },
        });
        expect(diagnostics.map((d) => d.message)).toContainEqual(
          expect.stringContaining('close: gave up after 2000 ms waiting for the close under way'),
        );
        await clock.advance(60_000);
        expect([flushed, unbounded]).toEqual([false, false]);
      } finally {
        stop();
      }
    });

    // A close that gave up on events left them `pending` in metrics() while its report said
    // `undelivered`: a user reading the metrics after close took them for events still on their way.
    it('names in metrics() as undelivered what a close gave up on, as its report does, for sinks and .pipe() alike', async () => {
      const clock = new Clock();
      const log = new LoggerConfiguration()
        .useScheduler(clock.scheduler)
        // Holds the events marked Late for a minute, passes the others on.
        .pipe(mergeMap((event: LogEvent) => (event.properties.Late === true ? of(event).pipe(delay(60_000)) : of(event))))
        .writeTo.sink({ emit: () => new Promise<void>(() => undefined) }, { name: 'stalled' })
        .createLogger();
      log.information('Stuck');
      log.information('Stuck too');
      log.information('Held {Late}', true);
      await clock.advance(1);
      // Before a close, they are on their way: pending, none undelivered.
      const before = log.metrics();
      expect(before.sinks.stalled).toMatchObject({ received: 2, pending: 2 });
      expect(before.sinks.stalled).not.toHaveProperty('undelivered');
      expect(before.pipe).toMatchObject({ pending: 1 });
      expect(before.pipe).not.toHaveProperty('undelivered');
      const last = lastValueFrom(log.metrics$);
      const closing = log.close({ timeoutMs: 1_000 });
      await clock.advance(1_000);
      const report = await closing;
      expect(report).toMatchObject({
        timedOut: true,
        sinks: { stalled: { delivered: 0, dropped: 0, failed: 0, undelivered: 2 } },
        pipe: { dropped: 0, undelivered: 1 },
      });
      for (const metrics of [log.metrics(), await last]) {
        // Still counted in pending, so received = delivered + dropped + failed + pending holds.
        expect(metrics.sinks.stalled).toMatchObject({
          received: 2,
          delivered: 0,
          dropped: 0,
          failed: 0,
          pending: 2,
          undelivered: 2,
        });
        expect(metrics.pipe).toMatchObject({ pending: 1, undelivered: 1 });
      }
      await clock.advance(60_000);
      expect(log.metrics().sinks.stalled).toMatchObject({ pending: 2, undelivered: 2 });
      expect(log.metrics().pipe).toMatchObject({ pending: 1, undelivered: 1 });
    });

    it('names nothing undelivered in metrics() after a close that delivered everything', async () => {
      const log = new LoggerConfiguration()
        .pipe(map((event: LogEvent) => event))
        .writeTo.sink(new MemorySink(), { name: 'memory' })
        .createLogger();
      log.information('Delivered');
      await log.close();
      expect(log.metrics().sinks.memory).toMatchObject({ delivered: 1, pending: 0 });
      expect(log.metrics().sinks.memory).not.toHaveProperty('undelivered');
      expect(log.metrics().pipe).not.toHaveProperty('undelivered');
    });

    it('gives a later close with a looser bound than the running close the same report', async () => {
      const { clock, log } = stalledLogger();
      log.information('Stuck');
      const first = log.close({ timeoutMs: 1_000 });
      expect(log.close()).toBe(first);
      expect(log.close({ strategy: 'flush' })).toBe(first);
      const tighter = log.close({ strategy: 'immediate', timeoutMs: 500 });
      await clock.advance(1_000);
      await expect(tighter).resolves.toMatchObject({ strategy: 'immediate', elapsedMs: 500, timedOut: true });
      await expect(first).resolves.toMatchObject({ strategy: 'graceful', timedOut: true });
    });

    it('gives every close after the first settled that same promise, whatever its bound', async () => {
      const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
      log.information('Delivered');
      const first = log.close({ timeoutMs: 60_000 });
      const report = await first;
      expect(report.sinks.memory).toEqual({ delivered: 1, dropped: 0, failed: 0, undelivered: 0 });
      expect(log.close({ strategy: 'immediate', timeoutMs: 0 })).toBe(first);
      expect(log.close()).toBe(first);
    });

    it('calls the sink’s close', async () => {
      const close = jest.fn();
      const log = new LoggerConfiguration().writeTo.sink({ emit: () => undefined, close }).createLogger();
      await log.close({ strategy: 'flush' });
      expect(close).toHaveBeenCalledTimes(1);
    });
  });

  it('flush resolves once everything logged is delivered', async () => {
    const received: number[] = [];
    const log = new LoggerConfiguration().writeTo
      .sink({
        emit: async (events) => {
          await Promise.resolve();
          events.forEach((e) => received.push(e.properties.N as number));
        },
      })
      .createLogger();
    for (let n = 0; n < 5; n++) log.information('{N}', n);
    await log.flush();
    expect(received).toEqual([0, 1, 2, 3, 4]);
    await log.close();
  });

  it('emits metrics on metrics$ at its interval, on the configured scheduler', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ expectObservable }) => {
      const log = new LoggerConfiguration().useScheduler(scheduler).writeTo.sink(new MemorySink()).createLogger();
      log.information('one');
      const logged = log.metrics$.pipe(
        take(3),
        map((m: LoggerMetrics) => m.logged),
        toArray(),
      );
      expectObservable(logged).toBe('2000ms (x|)', { x: [1, 1, 1] });
    });
  });

  // Enqueue and delivery are both read on the scheduler's clock, not from the event's timestamp
  // (Date.now(), whatever the scheduler), so a virtual-time test reads the latencies it set up.
  it("measures delivery latency on the configured scheduler's clock, the batch's wait and the write included", async () => {
    const clock = new Clock();
    const log = new LoggerConfiguration()
      .useScheduler(clock.scheduler)
      .writeTo.sink({ emit: () => clock.after(250, () => undefined) }, { name: 'slow', batch: { size: 10, maxDelayMs: 100 } })
      .createLogger();
    log.information('At 0');
    await clock.advance(40);
    log.information('At 40');
    // Sent at 100 (the first event's age), written at 350.
    await clock.advance(400);
    const { delivered, latencyMs, latencyBuckets } = log.metrics().sinks.slow;
    expect(delivered).toBe(2);
    expect(latencyMs).toMatchObject({ max: 350, count: 2, sum: 350 + 310 });
    // 310 and 350 ms are both above 256 and at most 512.
    expect(latencyBuckets?.counts.slice(8, 10)).toEqual([0, 2]);
    await log.close();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '250'])(
    'rejects metricsEvery(%p) with a ConfigurationError (a timer could not keep that interval)',
    (intervalMs) => {
      const log = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
      const call = (): unknown => log.metricsEvery(intervalMs as number);
      expect(call).toThrow(ConfigurationError);
      expect(call).toThrow(/metricsEvery: expected milliseconds from 1 to 2147483647, got/);
    },
  );

  it('emits metricsEvery(intervalMs) at that interval', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ expectObservable }) => {
      const log = new LoggerConfiguration().useScheduler(scheduler).writeTo.sink(new MemorySink()).createLogger();
      const ticks = log.metricsEvery(250).pipe(
        take(3),
        map((m: LoggerMetrics) => m.logged),
      );
      expectObservable(ticks).toBe('a 249ms b 249ms (c|)', { a: 0, b: 0, c: 0 });
    });
  });
});

// DESIGN.md §1: the level check is a field read, with no allocation when the level is off. Heap, not
// time: a child process with --expose-gc reads the heap left by 100 000 disabled calls of each kind.
describe('Logger at a disabled level', () => {
  it('allocates nothing: level methods, aliases, child loggers, write and the Log facade', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'fixtures', 'disabled-call-heap.ts')],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const bytes = JSON.parse(childStdout(child)) as Record<string, number>;
    // The control allocates 32 bytes or more a call: 3.2 MB for 100 000 calls.
    expect(bytes.control).toBeGreaterThan(3_000_000);
    // Less than 8 bytes a call: none of them allocates even a rest array.
    for (const name of ['debug', 'trace', 'child.verbose', 'write', 'Log.debug'])
      expect({ name, bytes: bytes[name] < 800_000 }).toEqual({ name, bytes: true });
  }, 120_000);
});

describe('Logger.events$ and metrics$ around close', () => {
  it('completes events$ when the logger closes, and at once for a subscriber that comes after', async () => {
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();
    const seen: string[] = [];
    log.events$.subscribe({ next: (e) => seen.push(e.renderMessage()), complete: () => seen.push('complete') });
    log.information('before');
    await log.close();
    log.information('after');
    log.events$.subscribe({ complete: () => seen.push('late complete') });
    expect(seen).toEqual(['before', 'complete', 'late complete']);
  });

  it('survives an events$ subscriber that logs for every event it sees: the recursion stops at MAX_NESTED_WRITES, nothing reaches the caller', () => {
    const sink = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'memory' }).createLogger();
    const feedback = log.events$.subscribe(() => log.information('Saw an event'));
    expect(() => log.information('first')).not.toThrow();
    expect(log.metrics().sinks.memory).toMatchObject({ received: MAX_NESTED_WRITES, delivered: MAX_NESTED_WRITES, pending: 0 });
    expect(log.metrics().rejectedReentrant).toBe(1);
    feedback.unsubscribe();
    sink.clear();
    log.information('The logger still works');
    expect(sink.events.map((e) => e.renderMessage())).toEqual(['The logger still works']);
  });

  it('ends metrics$ (and metricsEvery) with one last snapshot once close() has finished, clearing its timer; a later subscriber gets that snapshot and completion at once', async () => {
    const scheduler = createTestScheduler();
    const log = new LoggerConfiguration()
      .useScheduler(scheduler)
      .writeTo.sink(new MemorySink(), { name: 'memory' })
      .createLogger();
    const delivered: number[] = [];
    let completed = false;
    log.metricsEvery(100).subscribe({
      next: (m) => delivered.push(m.sinks.memory.delivered),
      complete: () => (completed = true),
    });
    log.information('one');
    scheduler.flush(); // the periodic timer runs to the test scheduler's frame limit (750): 8 snapshots
    expect(delivered).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    log.information('two');
    await log.close();
    expect(completed).toBe(true);
    expect(delivered.at(-1)).toBe(2);
    expect(delivered).toHaveLength(9);
    expect(scheduler.actions).toHaveLength(0);

    const late: number[] = [];
    let lateCompleted = false;
    log.metrics$.subscribe({ next: (m) => late.push(m.sinks.memory.delivered), complete: () => (lateCompleted = true) });
    expect(late).toEqual([2]);
    expect(lateCompleted).toBe(true);
    await expect(lastValueFrom(log.metricsEvery(50))).resolves.toMatchObject({ logged: 2 });
  });
});

describe('Logger with hostile sinks', () => {
  it('never lets a throwing thenable, a throwing close or a rejecting flush reach the caller', async () => {
    const hostile = {
      emit: () =>
        ({
          then(): never {
            throw new Error('then() broke');
          },
        }) as unknown as Promise<void>,
      flush: () => Promise.reject(new Error('flush broke')),
      close: () => {
        throw new Error('close broke');
      },
    };
    const healthy = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(hostile, { name: 'hostile', retry: false })
      .writeTo.sink(healthy)
      .createLogger();
    const self = collectSelfLog();
    expect(() => {
      log.information('one');
      log.information('two');
    }).not.toThrow();
    await expect(log.flush()).resolves.toEqual({ timedOut: false });
    const report = await log.close({ strategy: 'graceful', timeoutMs: 1_000 });
    self.stop();
    expect(healthy.events).toHaveLength(2);
    const summary = report.sinks.hostile;
    expect(summary.delivered + summary.dropped + summary.failed + summary.undelivered).toBe(2);
    expect(summary.failed).toBe(2);
  });
});
