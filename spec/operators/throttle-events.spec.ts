import { map, Subject, take, tap } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../lib/core/log-event';
import type { EventKey } from '../../lib/operators/event-key';
import {
  SUPPRESSED_TEMPLATE,
  THROTTLE_DISCARDED_REASON,
  THROTTLE_REASON,
  throttleEvents,
} from '../../lib/operators/throttle-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { countingSource, makeEvent } from '../helpers/events';
import { RecordingAccounting, subscribedWith } from '../helpers/recording-accounting';
import { createTestScheduler } from '../helpers/test-scheduler';
import { heapGrowthMiB } from '../helpers/operator-memory';
import { expectProcessEndsWhenIdle } from '../helpers/idle-operator';
import { runTimeline, seededTimeline, type TimelineEvent } from '../helpers/seeded-timeline';

const a = createLogEvent('information', 'Disk {Disk} full', ['C']);
const b = makeEvent({ text: 'Cache miss' });
const w = createLogEvent('warning', 'Disk {Disk} full', ['C']);

/** What a summary event says, for comparing without its timestamp. */
function describe_(event: LogEvent): string {
  return `${event.level} ${event.renderMessage()}`;
}

describe('throttleEvents', () => {
  it('lets max events per key through in a window and summarises the rest when the window ends', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-a-a-a-------|', { a });
      const out = subscribedWith(accounting, source.pipe(throttleEvents({ windowMs: 5, max: 1 }, testScheduler)));
      expectObservable(out).toBe('-a----sa-------|', {
        a,
        s: expect.objectContaining({
          level: 'information',
          properties: { Disk: 'C', Count: 2, Template: 'Disk {Disk} full' },
        }) as LogEvent,
      });
    });
    // The window opened at frame 1 closed at 6: the fourth repeat (frame 7) opened a new one.
    expect(accounting.droppedBy).toEqual({ [THROTTLE_REASON]: 2 });
    expect(accounting.made).toBe(1);
  });

  // The marble in throttleEvents' doc comment once showed one summary of 3 at the end, not the window's own end.
  it('behaves as the marble of its doc comment shows', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const out = hot('-a-a-a-a------|', { a }).pipe(throttleEvents({ windowMs: 5, max: 1 }, testScheduler));
      expectObservable(out).toBe('-a----sa------|', {
        a,
        s: expect.objectContaining({ properties: { Disk: 'C', Count: 2, Template: 'Disk {Disk} full' } }) as LogEvent,
      });
    });
  });

  it('renders the summary as Suppressed {Count} repeats of "{Template}"', () => {
    const testScheduler = createTestScheduler();
    const seen: LogEvent[] = [];
    testScheduler.run(({ hot }) => {
      hot('-a-a-a-|', { a })
        .pipe(throttleEvents({ windowMs: 10, max: 2 }, testScheduler))
        .subscribe((e) => seen.push(e));
    });
    expect(seen.map(describe_)).toEqual([
      'information Disk C full',
      'information Disk C full',
      'information Suppressed 1 repeats of "Disk {Disk} full"',
    ]);
    expect(seen[2].messageTemplate.text).toBe(SUPPRESSED_TEMPLATE);
  });

  it('keys by template and level by default, so other templates and levels pass', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-w-a-b-w---------|', { a, b, w });
      const out = source.pipe(throttleEvents({ windowMs: 20, max: 1 }, testScheduler));
      expectObservable(out).toBe('-a-b-w---------------(xyz|)', {
        a,
        b,
        w,
        x: expect.objectContaining({
          level: 'information',
          properties: { Disk: 'C', Count: 1, Template: 'Disk {Disk} full' },
        }) as LogEvent,
        y: expect.objectContaining({ level: 'information', properties: { Count: 1, Template: 'Cache miss' } }) as LogEvent,
        z: expect.objectContaining({
          level: 'warning',
          properties: { Disk: 'C', Count: 1, Template: 'Disk {Disk} full' },
        }) as LogEvent,
      });
    });
  });

  it('keys by a property or a selector; the summary takes the most severe suppressed level', () => {
    const testScheduler = createTestScheduler();
    const seen: string[] = [];
    const x1 = makeEvent({ text: 'one', properties: { User: 'x' } });
    const x2 = makeEvent({ level: 'error', text: 'two', properties: { User: 'x' } });
    const x3 = makeEvent({ text: 'three', properties: { User: 'x' } });
    testScheduler.run(({ hot }) => {
      const source = hot('-a-b-c-|', { a: x1, b: x2, c: x3 });
      source.pipe(throttleEvents({ key: 'User', windowMs: 3 }, testScheduler)).subscribe((e) => seen.push(describe_(e)));
      source
        .pipe(throttleEvents({ key: (e) => e.properties.User, windowMs: 3 }, testScheduler))
        .subscribe((e) => seen.push(describe_(e)));
    });
    expect(seen).toEqual([
      'information one',
      'information one',
      'error Suppressed 1 repeats of "two"',
      'error Suppressed 1 repeats of "two"',
      'information three',
      'information three',
    ]);
  });

  // A level that is not one of the six names (an app operator's `'Error'`) counts as fatal, as in sampleEvents,
  // fingersCrossed and minimumLevel. Before, the summary of such a repeat kept the first suppressed event's level.
  it('gives the summary an unknown suppressed level, which ranks above every level', () => {
    const testScheduler = createTestScheduler();
    const seen: string[] = [];
    const x1 = makeEvent({ text: 'one', properties: { User: 'x' } });
    const x2 = makeEvent({ level: 'warning', text: 'two', properties: { User: 'x' } });
    const x3 = makeEvent({ level: 'Error' as LogEvent['level'], text: 'three', properties: { User: 'x' } });
    testScheduler.run(({ hot }) => {
      hot('-a-b-c---|', { a: x1, b: x2, c: x3 })
        .pipe(throttleEvents({ key: 'User', windowMs: 9 }, testScheduler))
        .subscribe((e) => seen.push(describe_(e)));
    });
    expect(seen).toEqual(['information one', 'Error Suppressed 2 repeats of "two"']);
  });

  it('keys an event without a key (no such property, a selector that gives undefined or throws) by its template and level', () => {
    const keyed = makeEvent({ text: 'Cache miss', properties: { User: 'x' } });
    const keys: EventKey[] = [
      'User',
      (e) => e.properties.User,
      (e) => {
        if (e.properties.User === undefined) throw new Error('no user');
        return e.properties.User;
      },
    ];
    for (const key of keys) {
      const testScheduler = createTestScheduler();
      testScheduler.run(({ hot, expectObservable }) => {
        // a and w (no User) differ by level, b (no User) by template, k (User x) has a key of its own:
        // none of them is a repeat of another; the second a is.
        const source = hot('-awbka------|', { a, w, b, k: keyed });
        expectObservable(source.pipe(throttleEvents({ key, windowMs: 5 }, testScheduler))).toBe('-awbk-s-----|', {
          a,
          w,
          b,
          k: keyed,
          s: expect.objectContaining({
            level: 'information',
            properties: { Disk: 'C', Count: 1, Template: 'Disk {Disk} full' },
          }) as LogEvent,
        });
      });
    }
  });

  it('sends open summaries before completing, and before an error', () => {
    const source = new Subject<LogEvent>();
    const seen: string[] = [];
    source.pipe(throttleEvents({ windowMs: 60_000 })).subscribe({
      next: (e) => seen.push(describe_(e)),
      error: () => seen.push('error'),
    });
    source.next(b);
    source.next(b);
    source.error(new Error('boom'));
    expect(seen).toEqual(['information Cache miss', 'information Suppressed 1 repeats of "Cache miss"', 'error']);
  });

  it('closes the oldest window early beyond maxKeys', () => {
    const source = new Subject<LogEvent>();
    const seen: string[] = [];
    source.pipe(throttleEvents({ windowMs: 60_000, maxKeys: 1 })).subscribe((e) => seen.push(describe_(e)));
    source.next(b);
    source.next(b);
    source.next(a);
    expect(seen).toEqual([
      'information Cache miss',
      'information Suppressed 1 repeats of "Cache miss"',
      'information Disk C full',
    ]);
    source.complete();
  });

  it('keeps one window per key when a summary it sends makes the subscriber push that key again (reentrancy)', () => {
    const testScheduler = createTestScheduler();
    const source = new Subject<LogEvent>();
    const seen: string[] = [];
    let pushed = false;
    source.pipe(throttleEvents({ windowMs: 10, max: 1, maxKeys: 1 }, testScheduler)).subscribe((event) => {
      seen.push(describe_(event));
      if (event.messageTemplate.text === SUPPRESSED_TEMPLATE && !pushed) {
        pushed = true;
        source.next(b); // on the summary's turn: b opens its window here
      }
    });
    source.next(a);
    source.next(a);
    source.next(b); // evicts a's window (maxKeys 1), whose summary pushes another b first
    testScheduler.flush();
    expect(seen).toEqual([
      'information Disk C full',
      'information Suppressed 1 repeats of "Disk {Disk} full"',
      'information Cache miss',
      'information Suppressed 1 repeats of "Cache miss"',
    ]);
  });

  it('rejects bad options with a ConfigurationError naming them', () => {
    expect(() => throttleEvents({ windowMs: 0 })).toThrow(ConfigurationError);
    expect(() => throttleEvents({ max: 0 })).toThrow(/max/);
    expect(() => throttleEvents({ max: 2.5 })).toThrow(/max/);
    // A count: Infinity would throttle nothing while every key still holds a window and a timer.
    expect(() => throttleEvents({ max: Number.POSITIVE_INFINITY })).toThrow(/throttleEvents: max: .*Infinity/);
    expect(() => throttleEvents({ maxKeys: -1 })).toThrow(/maxKeys/);
    expect(() => throttleEvents({ key: '' })).toThrow(/key/);
    // A window a timer cannot wait (past 2^31 - 1 ms, or Infinity) would close at once; a key bound must be finite.
    expect(() => throttleEvents({ windowMs: 2 ** 31 })).toThrow(/windowMs.*2147483648/);
    expect(() => throttleEvents({ windowMs: Number.POSITIVE_INFINITY })).toThrow(/windowMs.*Infinity/);
    expect(() => throttleEvents({ windowMs: '1000' as unknown as number })).toThrow(/windowMs.*"1000"/);
    expect(() => throttleEvents({ maxKeys: Number.POSITIVE_INFINITY })).toThrow(/maxKeys.*Infinity/);
    expect(() => throttleEvents(null as unknown as object)).toThrow(ConfigurationError);
  });

  // Found by review round 36 (a leftover of earlier rounds): the summary carried Count and Template
  // only, so a dashboard or sink filtered on an enriched App or a SourceContext never showed it.
  it('gives the summary the properties every suppressed event had with the same value, and its own Count and Template', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .withProperty('App', 'shop')
      .pipe(throttleEvents({ windowMs: 60_000 }))
      .writeTo.sink(memory, { name: 'memory' })
      .createLogger();
    const orders = log.forContext('SourceContext', 'Orders');
    // Count is the event's own property too: the summary's Count is the number it suppressed.
    for (const user of [1, 2, 3]) orders.warning('Checkout failed for {UserId} ({Count} items)', user, 5);
    await log.close();
    const summary = memory.events[1];
    expect(summary.renderMessage()).toBe('Suppressed 2 repeats of "Checkout failed for {UserId} ({Count} items)"');
    // UserId differed between the suppressed events (2 and 3): left out, not the first one's value.
    expect(summary.properties).toEqual({
      SourceContext: 'Orders',
      App: 'shop',
      Count: 2,
      Template: 'Checkout failed for {UserId} ({Count} items)',
    });
  });

  it('gives the summary the structured properties every suppressed event had with equal values, though each event holds its own copy', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich
      .with(() => ({ Service: { Name: 'checkout', Version: '1.2' } }))
      .enrich.fromLogContext()
      .pipe(throttleEvents({ windowMs: 60_000 }))
      .writeTo.sink(memory, { name: 'memory' })
      .createLogger();
    LogContext.run({ Request: { Path: '/cart' }, Tags: ['eu', 'web'] }, () => {
      for (const zone of ['a', 'b', 'b', 'b']) log.forContext('Where', { Zone: zone }).warning('Disk {Disk} is full', 'C:');
    });
    await log.close();
    const summary = memory.events[1];
    expect(summary.renderMessage()).toBe('Suppressed 3 repeats of "Disk {Disk} is full"');
    expect(summary.properties).toEqual({
      Disk: 'C:',
      Where: { Zone: 'b' },
      Service: { Name: 'checkout', Version: '1.2' },
      Request: { Path: '/cart' },
      Tags: ['eu', 'web'],
      Count: 3,
      Template: 'Disk {Disk} is full',
    });
  });

  it('leaves a structured property out of the summary when its value differed between the suppressed events', () => {
    const testScheduler = createTestScheduler();
    const at = (zone: string): LogEvent => makeEvent({ text: 'full', properties: { Where: { Zone: zone }, Tags: ['eu'] } });
    testScheduler.run(({ hot, expectObservable }) => {
      const first = at('x');
      const source = hot('-abc---|', { a: first, b: at('y'), c: at('z') });
      expectObservable(source.pipe(throttleEvents({ windowMs: 5 }, testScheduler))).toBe('-a----s|', {
        a: first,
        s: expect.objectContaining({ properties: { Tags: ['eu'], Count: 2, Template: 'full' } }) as LogEvent,
      });
    });
  });

  it('gives the summary only Count and Template when an event’s properties cannot be read', () => {
    const testScheduler = createTestScheduler();
    const unreadable = new Proxy(a, {
      get: (target, name) => {
        if (name === 'properties') throw new Error('unreadable');
        return Reflect.get(target, name) as unknown;
      },
    });
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abc---|', { a, b: unreadable, c: a });
      expectObservable(source.pipe(throttleEvents({ windowMs: 5 }, testScheduler))).toBe('-a----s|', {
        a,
        s: expect.objectContaining({ properties: { Count: 2, Template: 'Disk {Disk} full' } }) as LogEvent,
      });
    });
  });

  describe('in a sink pipe', () => {
    it('counts suppressed events as dropped and the summary as received', async () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo
        .sink(memory, { name: 'memory', pipe: [throttleEvents({ windowMs: 60_000, max: 2 })] })
        .createLogger();
      for (let n = 0; n < 5; n++) log.warning('Disk {Disk} full', 'C');
      let m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 5, delivered: 2, dropped: 3, pending: 0, droppedBy: { [THROTTLE_REASON]: 3 } });
      const report = await log.close();
      expect(memory.events.map((e) => e.renderMessage())).toEqual([
        'Disk C full',
        'Disk C full',
        'Suppressed 3 repeats of "Disk {Disk} full"',
      ]);
      m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 6, delivered: 3, dropped: 3, pending: 0 });
      expect(report.sinks.memory).toEqual({ delivered: 3, dropped: 3, failed: 0, undelivered: 0 });
    });

    // A value that is not an event (an app operator's map branch that returns undefined, which the
    // pipeline passes on as it is) made throttleEvents fail reading its template: its lane restarted
    // it, so its open windows summed up early and the repeats after passed again, and the value
    // itself was dropped ('operator-failed').
    it('passes a value that is not an event on unthrottled, keeping its windows', async () => {
      const memory = new MemorySink();
      const skipOdd = map((e: LogEvent) => (e.properties.Odd === true ? (undefined as unknown as LogEvent) : e));
      const log = new LoggerConfiguration().writeTo
        .sink(memory, { name: 'memory', pipe: [skipOdd, throttleEvents({ windowMs: 60_000 })] })
        .createLogger();
      for (let n = 0; n < 3; n++) log.warning('Disk {Disk} full', 'C');
      log.forContext('Odd', true).information('odd one');
      log.forContext('Odd', true).information('odd one');
      for (let n = 0; n < 2; n++) log.warning('Disk {Disk} full', 'C');
      await log.close();
      // Passed on unthrottled; the sink's lane then counts each dropped as no event.
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Disk C full', 'Suppressed 4 repeats of "Disk {Disk} full"']);
      const m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 8, delivered: 2, dropped: 6, pending: 0 });
      expect(m.droppedBy).toMatchObject({ 'not-an-event': 2 });
      expect(m.droppedBy).not.toHaveProperty('operator-failed');
    });

    it('throttles by a structured property ({@User}): equal values captured per event are one key', async () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo
        .sink(memory, { name: 'memory', pipe: [throttleEvents({ key: 'User', windowMs: 60_000 })] })
        .createLogger();
      for (let n = 0; n < 3; n++) log.warning('Login failed for {@User}', { Name: 'ada' });
      log.warning('Login failed for {@User}', { Name: 'bob' });
      await log.close();
      expect(memory.events.map((e) => e.renderMessage())).toEqual([
        'Login failed for {"Name":"ada"}',
        'Login failed for {"Name":"bob"}',
        'Suppressed 2 repeats of "Login failed for {@User}"',
      ]);
    });

    it('passes its later summaries to an operator after it that failed on the first and restarted', async () => {
      const failOnSummary = map((event: LogEvent) => {
        if (event.messageTemplate.text === SUPPRESSED_TEMPLATE) throw new Error('app operator bug');
        return event;
      });
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo
        .sink(memory, { name: 'memory', pipe: [throttleEvents({ windowMs: 60_000 }), failOnSummary] })
        .createLogger();
      for (let n = 0; n < 3; n++) log.warning('Disk {Disk} full', 'C');
      for (let n = 0; n < 3; n++) log.warning('Cache {Name} cold', 'users');
      const report = await log.close();
      const m = log.metrics().sinks.memory;
      // Each summary fails the operator behind, which restarts on the throttle's stream: the
      // throttle keeps its windows, and the second summary reaches (and fails) it too.
      expect(m).toMatchObject({ received: 8, delivered: 2, dropped: 6, pending: 0 });
      expect(m.droppedBy).toEqual({ [THROTTLE_REASON]: 4, 'operator-failed': 2 });
      expect(report.sinks.memory).toEqual({ delivered: 2, dropped: 6, failed: 0, undelivered: 0 });
    });
  });
});

describe('throttleEvents with its default scheduler', () => {
  it('never keeps a Node process alive: a process that logged and has nothing left to do ends at once', () => {
    expectProcessEndsWhenIdle('throttleEvents');
  });
});

describe('throttleEvents under a downstream that unsubscribes', () => {
  it('stops a synchronous source at once (take(1)): no window is opened after it, no timer left', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    const events = Array.from({ length: 1_000 }, (_, n) => makeEvent({ properties: { N: n } }));
    const { source, emitted } = countingSource(events);
    const out: unknown[] = [];
    subscribedWith(accounting, source.pipe(throttleEvents({ key: 'N' }, testScheduler)))
      .pipe(take(1))
      .subscribe((event) => out.push(event));
    expect(out).toHaveLength(1);
    expect(emitted()).toBe(1);
    expect(testScheduler.actions).toHaveLength(0);
  });
});

describe('throttleEvents in hostile use', () => {
  // The event that evicted a window was taken on after the summary, even when the subscriber had
  // unsubscribed while taking that summary: it opened a window and armed its timer after the
  // teardown, a timer that (on a scheduler that keeps the process alive) held Node for windowMs.
  it('opens no window once its subscriber unsubscribed while taking an eviction summary: no timer left', () => {
    const testScheduler = createTestScheduler();
    const source = new Subject<LogEvent>();
    const seen: string[] = [];
    const subscription = source.pipe(throttleEvents({ windowMs: 50, maxKeys: 1 }, testScheduler)).subscribe((event) => {
      seen.push(describe_(event));
      if (event.messageTemplate.text === SUPPRESSED_TEMPLATE) subscription.unsubscribe();
    });
    source.next(a);
    source.next(a);
    source.next(b); // evicts a's window; its summary's subscriber unsubscribes
    expect(seen).toEqual(['information Disk C full', 'information Suppressed 1 repeats of "Disk {Disk} full"']);
    expect(testScheduler.actions).toHaveLength(0);
  });

  it('counts the event that evicted a window as discarded when its subscriber unsubscribed while taking the summary', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    const source = new Subject<LogEvent>();
    let entered = 0;
    const out: LogEvent[] = [];
    // take(2): the first event, then the eviction summary, then the unsubscribe.
    subscribedWith(
      accounting,
      source.pipe(
        tap(() => entered++),
        throttleEvents({ windowMs: 50, maxKeys: 1 }, testScheduler),
        tap((event) => out.push(event)),
        take(2),
      ),
    ).subscribe();
    source.next(a);
    source.next(a); // suppressed
    source.next(b); // evicts a's window; b is neither passed on nor suppressed
    expect(out.map(describe_)).toEqual(['information Disk C full', 'information Suppressed 1 repeats of "Disk {Disk} full"']);
    // Every event that entered is passed on or counted: entered + made = out + dropped.
    expect(accounting.droppedBy).toEqual({ [THROTTLE_REASON]: 1, [THROTTLE_DISCARDED_REASON]: 1 });
    expect(entered + accounting.made).toBe(out.length + 2);
  });

  // Found by review: the event went on into a new window (with a timer) after the teardown, passed
  // to the closed subscriber, counted nowhere.
  it('counts as discarded an event whose key selector logs what makes the subscriber unsubscribe', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    const source = new Subject<LogEvent>();
    const out: LogEvent[] = [];
    let logged = false;
    const key = (event: LogEvent): unknown => {
      if (!logged) {
        logged = true;
        source.next(b);
      }
      return event.messageTemplate.text;
    };
    subscribedWith(accounting, source.pipe(throttleEvents({ windowMs: 50, key }, testScheduler), take(1))).subscribe((event) =>
      out.push(event),
    );
    source.next(a);
    expect(out).toEqual([b]);
    expect(accounting.droppedBy).toEqual({ [THROTTLE_DISCARDED_REASON]: 1 });
    expect(testScheduler.actions).toHaveLength(0);
  });

  it('clears its window timers when unsubscribed: no summary is emitted later', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    const source = new Subject<LogEvent>();
    const out: LogEvent[] = [];
    const subscription = subscribedWith(accounting, source.pipe(throttleEvents({ windowMs: 5 }, testScheduler))).subscribe(
      (event) => out.push(event),
    );
    source.next(a);
    source.next(a);
    source.next(b);
    expect(testScheduler.actions).toHaveLength(2);
    subscription.unsubscribe();
    expect(testScheduler.actions).toHaveLength(0);
    testScheduler.flush();
    expect(out).toEqual([a, b]);
    expect(accounting.made).toBe(0);
    expect(accounting.droppedBy).toEqual({ [THROTTLE_REASON]: 1 });
  });

  it('passes an upstream error on unchanged, after the summaries of its open windows', () => {
    const testScheduler = createTestScheduler();
    const failure = new Error('upstream broke');
    testScheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-a-#', { a }, failure).pipe(throttleEvents({ windowMs: 50 }, testScheduler))).toBe(
        '-a---(s#)',
        { a, s: expect.objectContaining({ properties: { Disk: 'C', Count: 1, Template: 'Disk {Disk} full' } }) as LogEvent },
        failure,
      );
    });
  });

  it('gives every subscription of one operator its own windows', () => {
    const testScheduler = createTestScheduler();
    const throttle = throttleEvents({ windowMs: 50 }, testScheduler);
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a }).pipe(throttle)).toBe('-a|', { a });
      expectObservable(cold('--a|', { a }).pipe(throttle)).toBe('--a|', { a });
    });
  });
});

describe('throttleEvents over a long-running stream', () => {
  it('stays bounded: 300 000 events, each of a new key, keep no more than 1 000 windows open (heap flat within 1 MiB)', () => {
    expect(heapGrowthMiB('throttleEvents')).toBeLessThan(1);
  }, 120_000);
});

describe('throttleEvents against a reference model (leading events, then one summary per window)', () => {
  interface Bounds {
    windowMs: number;
    max: number;
    maxKeys: number;
  }

  /**
   * The semantics written plainly: a key's window opens with its first event and closes windowMs
   * later (its timer runs after an event of the same frame); the first max events of a window
   * pass, the rest are suppressed and summed up in one summary when it closes; beyond maxKeys
   * the window opened first closes early; at completion every open window closes, oldest first.
   */
  function model(events: readonly TimelineEvent[], end: number, bounds: Bounds) {
    const out: string[] = [];
    let suppressed = 0;
    const windows = new Map<string, { closesAt: number; passed: number; suppressed: number }>();
    const close = (key: string, frame: number): void => {
      const window = windows.get(key);
      windows.delete(key);
      if (window !== undefined && window.suppressed > 0) out.push(`${frame}:S${window.suppressed}`);
    };
    const closeDueBefore = (frame: number): void => {
      const due = [...windows].filter(([, window]) => window.closesAt < frame).sort((a, b) => a[1].closesAt - b[1].closesAt);
      for (const [key, window] of due) close(key, window.closesAt);
    };
    for (const event of events) {
      closeDueBefore(event.at);
      if (!windows.has(event.key) && windows.size >= bounds.maxKeys) close(windows.keys().next().value as string, event.at);
      let window = windows.get(event.key);
      if (window === undefined)
        windows.set(event.key, (window = { closesAt: event.at + bounds.windowMs, passed: 0, suppressed: 0 }));
      if (window.passed < bounds.max) {
        window.passed++;
        out.push(`${event.at}:${event.id}`);
      } else {
        window.suppressed++;
        suppressed++;
      }
    }
    closeDueBefore(end);
    for (const key of [...windows.keys()]) close(key, end);
    return { out, suppressed };
  }

  it('passes, suppresses and summarises as the model does, over 300 seeded timelines, counting each', () => {
    const mismatches: unknown[] = [];
    for (let seed = 1; seed <= 300 && mismatches.length < 3; seed++) {
      const { events, end, random } = seededTimeline(seed, ['information']);
      const bounds: Bounds = {
        windowMs: 1 + Math.floor(random() * 6),
        max: 1 + Math.floor(random() * 2),
        maxKeys: 1 + Math.floor(random() * 3),
      };
      const accounting = new RecordingAccounting();
      const out = runTimeline(events, end, accounting, (scheduler) => throttleEvents({ ...bounds, key: 'K' }, scheduler));
      const expected = model(events, end, bounds);
      const summaries = expected.out.filter((item) => item.includes(':S')).length;
      if (
        JSON.stringify(out) !== JSON.stringify(expected.out) ||
        (accounting.droppedBy[THROTTLE_REASON] ?? 0) !== expected.suppressed ||
        accounting.made !== summaries
      )
        mismatches.push({ seed, bounds, out, expected, accounting });
    }
    expect(mismatches).toEqual([]);
  });
});
