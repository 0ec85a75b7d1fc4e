import { Subject } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../lib/core/level-switch';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MINIMUM_LEVEL_REASON, minimumLevel } from '../../lib/operators/minimum-level';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { makeEvent } from '../helpers/events';
import { createTestScheduler } from '../helpers/test-scheduler';

describe('minimumLevel', () => {
  const events = {
    d: makeEvent({ level: 'debug' }),
    i: makeEvent({ level: 'information' }),
    w: makeEvent({ level: 'warning' }),
    f: makeEvent({ level: 'fatal' }),
  };

  it('keeps events at the level or above', () => {
    createTestScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-d-i-w-f-|', events).pipe(minimumLevel('information'))).toBe('---i-w-f-|', events);
    });
  });

  it('keeps an event whose level is not a level name, telling SelfLog once', () => {
    const odd = {
      c: { ...makeEvent(), level: 'Warning' } as unknown as LogEvent,
      p: { ...makeEvent(), level: 'toString' } as unknown as LogEvent,
      u: { ...makeEvent(), level: undefined } as unknown as LogEvent,
    };
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    try {
      createTestScheduler().run(({ hot, expectObservable }) => {
        const all = { ...events, ...odd };
        expectObservable(hot('-d-c-p-u-f-|', all).pipe(minimumLevel('information'))).toBe('---c-p-u-f-|', all);
      });
    } finally {
      subscription.unsubscribe();
    }
    expect(diagnostics.filter((d) => d.template.startsWith('minimumLevel:')).map((d) => d.args[0])).toEqual(['Warning']);
  });

  // An app operator's map branch that returns undefined or null (the pipeline passes such a value on
  // to the sinks as it is) made minimumLevel throw reading its level: the lane restarted it and
  // counted the value dropped ('operator-failed') instead of keeping it, as it keeps an event whose
  // level is missing.
  it('keeps a value that is not an event (undefined, null), as an event without a level, and never errors', () => {
    const values = { ...events, n: null as unknown as LogEvent, v: undefined as unknown as LogEvent };
    createTestScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-d-n-v-f-|', values).pipe(minimumLevel('information'))).toBe('---n-v-f-|', values);
    });
  });

  it('accepts the aliases in any case', () => {
    createTestScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-d-i-w-|', events).pipe(minimumLevel('WARN'))).toBe('-----w-|', events);
    });
  });

  it('follows a LevelSwitch as it changes', () => {
    const sw = new LevelSwitch('warning');
    const source = new Subject<LogEvent>();
    const seen: string[] = [];
    source.pipe(minimumLevel(sw)).subscribe((e) => seen.push(e.level));
    source.next(events.i);
    sw.level = 'debug';
    source.next(events.d);
    sw.level = 'fatal';
    source.next(events.w);
    expect(seen).toEqual(['debug']);
  });

  it('throws a ConfigurationError for an unknown level, naming the operator and the value', () => {
    expect(() => minimumLevel('chatty')).toThrow(ConfigurationError);
    expect(() => minimumLevel('chatty')).toThrow(/^minimumLevel: unknown level "chatty"/);
  });

  it('refuses a missing level rather than meaning information (a JavaScript caller’s undefined config value)', () => {
    expect(() => minimumLevel(undefined as unknown as string)).toThrow(/^minimumLevel: unknown level undefined \(/);
    expect(() => minimumLevel(Number.NaN as unknown as string)).toThrow(/^minimumLevel: unknown level number NaN \(/);
  });

  it('counts what it excludes in a sink pipe as dropped under its reason, while the sink option keeps events out', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel
      .verbose()
      .writeTo.sink(memory, { name: 'alerts', minimumLevel: 'information', pipe: [minimumLevel('warning')] })
      .createLogger();
    log.debug('below the sink option: never received');
    log.information('below the operator: received, then dropped');
    log.error('kept');
    expect(memory.events.map((e) => e.level)).toEqual(['error']);
    expect(log.metrics().sinks.alerts).toMatchObject({
      received: 2,
      delivered: 1,
      dropped: 1,
      pending: 0,
      droppedBy: { [MINIMUM_LEVEL_REASON]: 1 },
    });
  });
});
