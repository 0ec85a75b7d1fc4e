import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { Subject } from 'rxjs';
import { LevelSwitch } from '../../lib/core/level-switch';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { minimumLevel } from '../../lib/operators/minimum-level';
import { secondCopy } from '../helpers/second-copy';
import { collectSelfLog } from '../helpers/self-log';

describe('LevelSwitch', () => {
  it('starts at information by default', () => {
    expect(new LevelSwitch().level).toBe('information');
  });

  it('keeps a level$ subscriber that throws subscribed, reports it to SelfLog and never rethrows it on a timer', () => {
    jest.useFakeTimers();
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    try {
      const sw = new LevelSwitch('warning');
      const seen: string[] = [];
      sw.level$.subscribe((level) => {
        seen.push(level);
        throw new Error('subscriber broke');
      });
      expect(() => (sw.level = 'debug')).not.toThrow();
      sw.level = 'error';
      // RxJS reports an unguarded subscriber's throw by rethrowing it from a timer, which kills a Node process.
      expect(() => jest.runOnlyPendingTimers()).not.toThrow();
      expect(seen).toEqual(['warning', 'debug', 'error']);
      expect(sw.value).toBe(4);
      expect(diagnostics.filter((d) => d.template === 'A level$ subscriber failed')).toHaveLength(3);
    } finally {
      subscription.unsubscribe();
      jest.useRealTimers();
    }
  });

  it('emits the current level and every change on level$', () => {
    const sw = new LevelSwitch('warning');
    const seen: string[] = [];
    sw.level$.subscribe((level) => seen.push(level));
    sw.level = 'debug';
    sw.level = 'debug';
    sw.level = 'info';
    expect(seen).toEqual(['warning', 'debug', 'information']);
    expect(sw.value).toBe(2);
  });

  it('takes the aliases trace, info and warn, in any case, when set from TypeScript, as its constructor does', () => {
    const sw = new LevelSwitch('info');
    sw.level = 'warn'; // pino's `logger.level = 'warn'`: this line is what `tsc --noEmit` checks
    expect(sw.level).toBe('warning');
    sw.level = 'TRACE';
    expect(sw.level).toBe('verbose');
    const configured: string = 'Info'; // a level read from configuration
    sw.level = configured;
    expect(sw.level).toBe('information');
  });

  it('tells every level$ subscriber the changes in the order they were made, when a subscriber sets the level itself', () => {
    const sw = new LevelSwitch('information');
    const first: string[] = [];
    const second: string[] = [];
    const levelSeen: string[] = [];
    sw.level$.subscribe((level) => {
      first.push(level);
      if (level === 'debug') {
        sw.level = 'warning'; // a policy: never debug here
        levelSeen.push(sw.level);
      }
    });
    sw.level$.subscribe((level) => second.push(level));
    sw.level = 'debug';
    expect(first).toEqual(['information', 'debug', 'warning']);
    expect(second).toEqual(['information', 'debug', 'warning']); // last seen is the level in force
    expect(levelSeen).toEqual(['warning']);
    expect(sw.level).toBe('warning');
    expect(sw.value).toBe(3);
  });

  it('stops level$ subscribers that keep undoing each other, reports it, and keeps level and level$ in step', () => {
    const { diagnostics, stop } = collectSelfLog();
    try {
      const sw = new LevelSwitch('information');
      const seen: string[] = [];
      let changes = 0;
      // Two policies that undo each other ("never debug here", "always debug here"). Without a
      // bound the setter never returns; this one gives up after 10 000 changes so the test ends.
      sw.level$.subscribe((level) => {
        if (level === 'debug' && ++changes < 10_000) sw.level = 'information';
      });
      sw.level$.subscribe((level) => {
        seen.push(level);
        if (level === 'information' && ++changes < 10_000) sw.level = 'debug';
      });
      expect(changes).toBeLessThanOrEqual(1_000);
      expect(diagnostics.map((d) => d.template)).toContain(
        'LevelSwitch: level$ subscribers kept changing the level; stopped at {Level}',
      );
      expect(sw.level).toBe(seen.at(-1)); // the level in force is the last one every subscriber heard
      sw.level = 'error'; // and the switch still works afterwards
      expect(sw.level).toBe('error');
      expect(seen.at(-1)).toBe('error');
    } finally {
      stop();
    }
  });

  it('throws on an unknown level and keeps the old one', () => {
    const sw = new LevelSwitch('error');
    expect(() => {
      sw.level = 'noisy';
    }).toThrow(ConfigurationError);
    expect(sw.level).toBe('error');
    expect(() => new LevelSwitch('nope')).toThrow(/LevelSwitch: unknown level "nope"/);
  });
});

describe('LevelSwitch in use', () => {
  it('may be set from inside a sink while events flow: the next call already follows it', async () => {
    const sw = new LevelSwitch('information');
    const seen: string[] = [];
    // A sink that opens up debug output once it sees an error, and closes it again on fatal.
    const sink = {
      emit(events: readonly LogEvent[]): void {
        for (const event of events) {
          seen.push(event.renderMessage());
          if (event.level === 'error') sw.level = 'debug';
          if (event.level === 'fatal') sw.level = 'information';
        }
      },
    };
    const log = new LoggerConfiguration().minimumLevel.controlledBy(sw).writeTo.sink(sink).createLogger();
    log.debug('d1');
    log.error('e');
    log.debug('d2');
    log.fatal('f');
    log.debug('d3');
    expect(seen).toEqual(['e', 'd2', 'f']);
    await log.close();
  });

  it('drives several loggers of several configurations, root, override and sink alike, and keeps working after one closes', async () => {
    const sw = new LevelSwitch('warning');
    const first = new MemorySink();
    const second = new MemorySink();
    const one = new LoggerConfiguration().minimumLevel
      .controlledBy(sw)
      .minimumLevel.override('Orders', sw)
      .writeTo.sink(first, { minimumLevel: sw })
      .createLogger();
    const two = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(second, { minimumLevel: sw }).createLogger();
    one.forContext('SourceContext', 'Orders').information('hidden');
    two.information('hidden');
    await one.close();
    sw.level = 'debug';
    expect(() => one.debug('after close')).not.toThrow();
    two.debug('shown');
    two.verbose('hidden');
    expect(first.events).toHaveLength(0);
    expect(second.events.map((e) => e.renderMessage())).toEqual(['shown']);
    expect(one.metrics().rejectedAfterClose).toBe(1);
    await two.close();
  });
});

// A subclass may read its level from somewhere that fails later (a remote setting, a store that
// closes): checked at configuration, its getter is then read at every call, which must not throw.
describe('a LevelSwitch subclass whose value stops reading as a level after configuration', () => {
  class RemoteLevel extends LevelSwitch {
    failure: (() => number) | undefined;
    override get value(): number {
      return this.failure === undefined ? super.value : this.failure();
    }
  }
  const storeGone = (): number => {
    throw new Error('store gone');
  };

  it('never throws into the logging call: the logger stays at the last level it read, and SelfLog says so once', () => {
    const { diagnostics, stop } = collectSelfLog();
    try {
      const remote = new RemoteLevel('warning');
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel.controlledBy(remote).writeTo.sink(memory).createLogger();
      remote.failure = storeGone;
      expect(() => {
        log.information('below the last level');
        log.warning('at the last level');
        log.forContext('Orders', 'Api').error('from a context logger');
        log.write('fatal', 'by name');
      }).not.toThrow();
      expect(log.isEnabled('information')).toBe(false);
      expect(log.isEnabled('error')).toBe(true);
      expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['at the last level', 'from a context logger', 'by name']);
      const reports = diagnostics.filter((d) => d.template.includes("reading the LevelSwitch's level"));
      expect(reports.map((d) => d.message)).toEqual([
        expect.stringContaining(
          "minimumLevel.controlledBy: reading the LevelSwitch's level threw Error: store gone; staying at warning until it reads as a level again",
        ),
      ]);
      // It reads again: the logger follows it, and a later failure is reported again.
      remote.failure = undefined;
      remote.level = 'debug';
      log.debug('followed again');
      remote.failure = () => NaN;
      log.debug('still at debug');
      expect(memory.events.map((e) => e.messageTemplate.text).slice(3)).toEqual(['followed again', 'still at debug']);
      expect(diagnostics.filter((d) => d.template.includes("reading the LevelSwitch's level")).at(-1)?.message).toContain(
        "reading the LevelSwitch's level gave number NaN; staying at debug",
      );
    } finally {
      stop();
    }
  });

  it("holds a sink's minimumLevel, an override and the minimumLevel operator at their last level too", () => {
    const { diagnostics, stop } = collectSelfLog();
    try {
      const forSink = new RemoteLevel('error');
      const forOverride = new RemoteLevel('warning');
      const memory = new MemorySink();
      const log = new LoggerConfiguration().minimumLevel
        .verbose()
        .minimumLevel.override('Orders', forOverride)
        .writeTo.sink(memory, { minimumLevel: forSink })
        .createLogger();
      const orders = log.forContext('SourceContext', 'Orders.Api');
      forSink.failure = storeGone;
      forOverride.failure = () => 99;
      expect(() => {
        orders.information('below the override');
        orders.warning('below the sink');
        orders.error('above both');
      }).not.toThrow();
      expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['above both']);
      expect(diagnostics.map((d) => d.message).filter((text) => text.includes("reading the LevelSwitch's level"))).toEqual([
        expect.stringContaining(
          'minimumLevel.override("Orders"): reading the LevelSwitch\'s level gave number 99; staying at warning',
        ),
        expect.stringContaining(
          "writeTo.sink(memory).minimumLevel: reading the LevelSwitch's level threw Error: store gone; staying at error",
        ),
      ]);

      const threshold = new RemoteLevel('warning');
      const kept: string[] = [];
      const events$ = new Subject<LogEvent>();
      events$.pipe(minimumLevel(threshold)).subscribe((e) => kept.push(e.messageTemplate.text));
      threshold.failure = storeGone;
      const sample = new MemorySink();
      const source = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(sample).createLogger();
      source.information('info');
      source.error('error');
      for (const event of sample.events) events$.next(event);
      expect(kept).toEqual(['error']);
    } finally {
      stop();
    }
  });
});

// A Node app that both requires and imports rxlog loads two copies of it (the CommonJS and the
// ES module builds); jest.isolateModulesAsync loads a second copy of the module the same way.
describe('LevelSwitch across copies of rxlog', () => {
  async function foreignLevelSwitch(): Promise<typeof LevelSwitch> {
    return (await secondCopy(() => import('../../lib/core/level-switch'))).LevelSwitch;
  }

  it("is a LevelSwitch to the other copy's checks, and a logger of this copy follows it", async () => {
    const Foreign = await foreignLevelSwitch();
    expect(Foreign).not.toBe(LevelSwitch);
    const levels = new Foreign('warning');
    expect(levels instanceof LevelSwitch).toBe(true);
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.controlledBy(levels).writeTo.sink(memory).createLogger();
    log.information('below the switch');
    log.warning('at the switch');
    levels.level = 'debug';
    log.debug('after the switch moved');
    expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['at the switch', 'after the switch moved']);
  });

  it('keeps instanceof of a subclass as it is, and refuses a look-alike', () => {
    class Mine extends LevelSwitch {}
    expect(new Mine() instanceof LevelSwitch).toBe(true);
    expect(new Mine() instanceof Mine).toBe(true);
    expect(new LevelSwitch() instanceof Mine).toBe(false);
    expect({ level: 'debug', value: 1 } instanceof LevelSwitch).toBe(false);
    expect((null as unknown) instanceof LevelSwitch).toBe(false);
  });
});

// The reference test (serilog/serilog at 60935b4). Serilog's MinimumLevelChanged event is level$
// here: it also gives the level at subscription, and, as Serilog, says nothing when the level is
// set to the one in force.
describe('Serilog test/Serilog.Tests/Core/LoggingLevekSwitchTests.cs', () => {
  it('MinimumLevelChanged_Should_Work', () => {
    const sw = new LevelSwitch();
    const seen: string[] = [];
    const subscription = sw.level$.subscribe((level) => seen.push(level));
    expect(sw.level).toBe('information');
    sw.level = 'fatal';
    sw.level = 'fatal';
    expect(sw.level).toBe('fatal');
    expect(seen).toEqual(['information', 'fatal']);
    subscription.unsubscribe();
  });
});
