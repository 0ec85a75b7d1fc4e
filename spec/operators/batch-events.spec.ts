import { Subject, take } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { batchEvents } from '../../lib/operators/batch-events';
import { countingSource, makeEvents } from '../helpers/events';
import { createTestScheduler } from '../helpers/test-scheduler';

const [a, b, c, d, e] = makeEvents(5);
const events = { a, b, c, d, e };

describe('batchEvents', () => {
  it('emits a partial batch when maxDelayMs elapses', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-----|', events);
      // STYLE.md's example expects the batch at frame 5; the age timer is armed by a's arrival at
      // frame 1 (DESIGN.md §4), so a is 5 ms old at frame 6.
      expectObservable(source.pipe(batchEvents({ size: 10, maxDelayMs: 5 }, testScheduler))).toBe('------x--|', { x: [a, b] });
    });
  });

  it('emits a full batch synchronously on the event that fills it', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d-e-|', events);
      expectObservable(source.pipe(batchEvents({ size: 2, maxDelayMs: 100 }, testScheduler))).toBe('---x---y---(z|)', {
        x: [a, b],
        y: [c, d],
        z: [e],
      });
    });
  });

  it('arms the age timer with each batch’s first event, not on a free-running interval', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a----------b-c------|', events);
      expectObservable(source.pipe(batchEvents({ size: 10, maxDelayMs: 4 }, testScheduler))).toBe('-----x----------y----|', {
        x: [a],
        y: [b, c],
      });
    });
  });

  it('never emits an empty batch while idle', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('----------------------|', events);
      expectObservable(source.pipe(batchEvents({ size: 10, maxDelayMs: 3 }, testScheduler))).toBe('----------------------|');
    });
  });

  it('cancels the age timer of a batch that fills', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-ab--c------|', events);
      expectObservable(source.pipe(batchEvents({ size: 2, maxDelayMs: 3 }, testScheduler))).toBe('--x-----y---|', {
        x: [a, b],
        y: [c],
      });
    });
  });

  it('emits the remainder when the source completes', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abc|', events);
      expectObservable(source.pipe(batchEvents({ size: 2, maxDelayMs: 100 }, testScheduler))).toBe('--x-(y|)', {
        x: [a, b],
        y: [c],
      });
    });
  });

  it('emits the partial batch and then passes the error through', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-#', events, new Error('upstream'));
      expectObservable(source.pipe(batchEvents({ size: 10, maxDelayMs: 100 }, testScheduler))).toBe(
        '---(x#)',
        { x: [a] },
        new Error('upstream'),
      );
    });
  });

  it('stops its timer when unsubscribed', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a--------', events);
      expectObservable(source.pipe(batchEvents({ size: 10, maxDelayMs: 5 }, testScheduler)), '^--!').toBe('----');
    });
  });

  it('uses 512 events and 100 ms by default', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a', events).pipe(batchEvents({}, testScheduler))).toBe('100ms x', { x: [a] });
    });
    const sizes: number[] = [];
    const source = new Subject<LogEvent>();
    source.pipe(batchEvents({}, createTestScheduler())).subscribe((batch) => sizes.push(batch.length));
    makeEvents(1_025).forEach((event) => source.next(event));
    expect(sizes).toEqual([512, 512]);
  });

  it('rejects a bad size or delay with a ConfigurationError naming it', () => {
    expect(() => batchEvents({ size: 0 })).toThrow(ConfigurationError);
    expect(() => batchEvents({ size: 2.5 })).toThrow(/^batchEvents\.size.*2\.5/);
    expect(() => batchEvents({ maxDelayMs: -1 })).toThrow(/^batchEvents\.maxDelayMs.*-1/);
  });

  it.each<[string, unknown]>([
    ['a string', '50'],
    ['a delay past 2^31 - 1 ms, which a timer cannot wait', 3e9],
    ['NaN', NaN],
  ])('rejects a maxDelayMs of %s with a ConfigurationError naming it', (_, maxDelayMs) => {
    expect(() => batchEvents({ maxDelayMs: maxDelayMs as number })).toThrow(ConfigurationError);
    expect(() => batchEvents({ maxDelayMs: maxDelayMs as number })).toThrow(/^batchEvents\.maxDelayMs: .*got /);
  });

  it('accepts a maxDelayMs of Infinity (only size and completion send) and of 2^31 - 1 ms', () => {
    expect(() => batchEvents({ maxDelayMs: Number.POSITIVE_INFINITY })).not.toThrow();
    expect(() => batchEvents({ maxDelayMs: 2_147_483_647 })).not.toThrow();
  });

  it('rejects options that are not an object, naming them', () => {
    expect(() => batchEvents(true as never)).toThrow(/^batchEvents: expected options .*got boolean true/);
  });
});

describe('batchEvents under a downstream that unsubscribes', () => {
  it('stops a synchronous source at once (take(1))', () => {
    const { source, emitted } = countingSource(makeEvents(1_000));
    const out: unknown[] = [];
    source.pipe(batchEvents({ size: 2 }), take(1)).subscribe((batch) => out.push(batch));
    expect(out).toHaveLength(1);
    expect(emitted()).toBe(2);
  });
});

describe('batchEvents in hostile use', () => {
  it('passes an upstream error on unchanged, after the partial batch it held', () => {
    const testScheduler = createTestScheduler();
    const failure = new Error('upstream broke');
    testScheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-b-#', events, failure).pipe(batchEvents({ size: 10, maxDelayMs: 50 }, testScheduler))).toBe(
        '-----(x#)',
        { x: [a, b] },
        failure,
      );
    });
  });

  it('clears its age timer when unsubscribed mid-batch: nothing is emitted later', () => {
    const testScheduler = createTestScheduler();
    const source = new Subject<LogEvent>();
    const out: LogEvent[][] = [];
    const subscription = source
      .pipe(batchEvents({ size: 10, maxDelayMs: 5 }, testScheduler))
      .subscribe((batch) => out.push(batch));
    source.next(a);
    expect(testScheduler.actions).toHaveLength(1);
    subscription.unsubscribe();
    expect(testScheduler.actions).toHaveLength(0);
    expect(source.observed).toBe(false);
    testScheduler.flush();
    expect(out).toEqual([]);
  });

  it('starts every subscription with an empty batch: nothing is shared between subscriptions of one operator', () => {
    const testScheduler = createTestScheduler();
    const batch = batchEvents({ size: 2, maxDelayMs: 5 }, testScheduler);
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a--|', events).pipe(batch)).toBe('----(x|)', { x: [a] });
      expectObservable(cold('--b-|', events).pipe(batch)).toBe('----(y|)', { y: [b] });
    });
  });

  it('puts an event the subscriber pushes while receiving a batch into the next batch, with its own age timer (reentrancy)', () => {
    const testScheduler = createTestScheduler();
    const source = new Subject<LogEvent>();
    const out: LogEvent[][] = [];
    source.pipe(batchEvents({ size: 2, maxDelayMs: 5 }, testScheduler)).subscribe((batch) => {
      out.push(batch);
      if (out.length === 1) source.next(c);
    });
    source.next(a);
    source.next(b);
    expect(out).toEqual([[a, b]]);
    testScheduler.flush();
    expect(out).toEqual([[a, b], [c]]);
  });

  it('with maxDelayMs 0 sends a partial batch on the scheduler turn after its first event; with size 1 sends each event at once and arms no timer', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-(bc)-', events).pipe(batchEvents({ size: 10, maxDelayMs: 0 }, testScheduler))).toBe('-x-y-', {
        x: [a],
        y: [b, c],
      });
    });
    const source = new Subject<LogEvent>();
    const out: LogEvent[][] = [];
    source.pipe(batchEvents({ size: 1, maxDelayMs: 5 }, testScheduler)).subscribe((batch) => out.push(batch));
    source.next(a);
    expect(out).toEqual([[a]]);
    expect(testScheduler.actions).toHaveLength(0);
  });
});
