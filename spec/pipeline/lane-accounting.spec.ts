import {
  buffer,
  bufferCount,
  concat,
  concatMap,
  config,
  defer,
  delay,
  delayWhen,
  distinct,
  filter,
  finalize,
  from,
  groupBy,
  map,
  merge,
  mergeMap,
  NEVER,
  type MonoTypeOperatorFunction,
  Observable,
  type OperatorFunction,
  of,
  Subject,
  switchMap,
  take,
  takeUntil,
  throwError,
  timeout,
  timer,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Logger } from '../../lib/pipeline/logger';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import type { SinkMetrics } from '../../lib/metrics/metrics-types';
import { injectEventAccounting } from '../../lib/operators/event-accounting';
import { filterEvents } from '../../lib/operators/filter-events';
import { SAMPLE_REASON, sampleEvents } from '../../lib/operators/sample-events';
import { THROTTLE_REASON, throttleEvents } from '../../lib/operators/throttle-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { collectSelfLog } from '../helpers/self-log';
import { createTestScheduler } from '../helpers/test-scheduler';

function balanced(m: SinkMetrics): boolean {
  return m.received === m.delivered + m.dropped + m.failed + m.pending;
}

describe('LaneAccounting (a sink pipe’s operators, seen from the sink’s counters)', () => {
  it('counts what an operator holds as pending until it lets it go, in virtual time', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(testScheduler)
        .writeTo.sink(memory, { name: 'memory', pipe: [delay(10, testScheduler)] })
        .createLogger();
      log.information('one');
      log.information('two');
      let m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 2, delivered: 0, pending: 2 });
      expect(balanced(m)).toBe(true);
      flush();
      m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 2, delivered: 2, pending: 0 });
    });
  });

  it('keeps the sum when an operator makes events it did not report', () => {
    const memory = new MemorySink();
    const twice: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) => of(event, event));
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: [twice] }).createLogger();
    log.information('one');
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 2, delivered: 2, pending: 0 });
    expect(balanced(m)).toBe(true);
  });

  it('ignores a report that is not a positive integer, and says so in SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const confused: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        const accounting = injectEventAccounting();
        accounting.dropped(-1, 'negative');
        accounting.created(Number.NaN);
        return source;
      });
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory', pipe: [confused] }).createLogger();
    log.information('one');
    subscription.unsubscribe();
    expect(log.metrics().sinks.memory).toMatchObject({ received: 1, delivered: 1, dropped: 0 });
    expect(log.metrics().sinks.memory.droppedBy).toBeUndefined();
    expect(diagnostics).toHaveLength(2);
  });

  it('still provides the channel to an operator restarted after it failed', () => {
    let subscriptions = 0;
    const fragile: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        subscriptions++;
        const accounting = injectEventAccounting();
        return source.pipe(
          filter((event) => {
            if (event.messageTemplate.text === 'boom') throw new Error('operator broke');
            if (event.messageTemplate.text === 'skip') {
              accounting.dropped(1, 'skipped');
              return false;
            }
            return true;
          }),
        );
      });
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory', pipe: [fragile] }).createLogger();
    log.information('boom');
    log.information('skip');
    log.information('kept');
    expect(subscriptions).toBe(2);
    // The event the fault cost counts as dropped at once, under its own reason.
    expect(log.metrics().sinks.memory).toMatchObject({
      received: 3,
      delivered: 1,
      dropped: 2,
      pending: 0,
      droppedBy: { skipped: 1, 'operator-failed': 1 },
    });
  });

  it('counts the event an operator failed on as dropped (operator-failed) at once, not pending until close', () => {
    const memory = new MemorySink();
    const failOnThree: MonoTypeOperatorFunction<LogEvent> = map((event) => {
      if (event.properties.N === 3) throw new Error('boom');
      return event;
    });
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: [failOnThree] }).createLogger();
    for (let n = 0; n < 8; n++) log.information('Event {N}', n);
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 8, delivered: 7, dropped: 1, pending: 0, droppedBy: { 'operator-failed': 1 } });
    expect(balanced(m)).toBe(true);
    expect(memory.events.map((event) => event.properties.N)).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });

  it('counts what a failing operator buffered as dropped, and leaves what the operator before it holds pending', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ flush }) => {
      const memory = new MemorySink();
      // Holds pairs; the third pair fails, tearing down nothing but itself.
      const pairs: MonoTypeOperatorFunction<LogEvent> = (source) =>
        source.pipe(
          bufferCount(2),
          mergeMap((pair) => {
            if (pair[0].properties.N === 4) throw new Error('bad pair');
            return pair;
          }),
        );
      const log = new LoggerConfiguration()
        .useScheduler(testScheduler)
        .writeTo.sink(memory, { name: 'memory', pipe: [delay(10, testScheduler), pairs] })
        .createLogger();
      for (let n = 0; n < 7; n++) log.information('Event {N}', n);
      let m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 7, delivered: 0, dropped: 0, pending: 7 });
      flush();
      m = log.metrics().sinks.memory;
      // 0–3 delivered in pairs, the pair 4–5 lost with its operator, 6 waits in the restarted buffer.
      expect(m).toMatchObject({ received: 7, delivered: 4, dropped: 2, pending: 1, droppedBy: { 'operator-failed': 2 } });
      expect(balanced(m)).toBe(true);
    });
  });

  it('reports what an operator still holds at a close that gives up as undelivered', async () => {
    const holdForever: MonoTypeOperatorFunction<LogEvent> = (source) =>
      new Observable<LogEvent>((subscriber) => source.subscribe({ error: (e: unknown) => subscriber.error(e) }));
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory', pipe: [holdForever] }).createLogger();
    log.information('one');
    log.information('two');
    const report = await log.close({ timeoutMs: 0 });
    expect(report.sinks.memory).toEqual({ delivered: 0, dropped: 0, failed: 0, undelivered: 2 });
    expect(log.metrics().sinks.memory).toMatchObject({ received: 2, pending: 2 });
  });

  it('counts what a plain filter removed as pending while it runs, and as dropped (unreported) when its stream ends', async () => {
    const onlyErrors: MonoTypeOperatorFunction<LogEvent> = filter((event) => event.level === 'error');
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory', pipe: [onlyErrors] }).createLogger();
    log.information('removed');
    log.error('kept');
    expect(log.metrics().sinks.memory).toMatchObject({ received: 2, delivered: 1, dropped: 0, pending: 1 });
    const report = await log.close();
    expect(report.sinks.memory).toEqual({ delivered: 1, dropped: 1, failed: 0, undelivered: 0 });
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 2, delivered: 1, dropped: 1, pending: 0, droppedBy: { unreported: 1 } });
    expect(balanced(m)).toBe(true);
  });

  it('costs nothing for a sink without operators: its counters are the delivery stage’s', () => {
    const log = new LoggerConfiguration().writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    log.information('one');
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 1, delivered: 1, pending: 0 });
    expect('droppedBy' in m).toBe(false);
  });

  it('keeps at most 64 distinct reasons (the rest count under other), and counts a reason named __proto__', () => {
    const memory = new MemorySink();
    const dropsAll: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        const accounting = injectEventAccounting();
        return source.pipe(
          filter((event) => {
            accounting.dropped(1, String(event.properties.Reason));
            return false;
          }),
        );
      });
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: [dropsAll] }).createLogger();
    log.information('{Reason}', '__proto__');
    for (let n = 0; n < 100; n++) log.information('{Reason}', `reason-${n}`);
    const m = log.metrics().sinks.memory;
    const droppedBy = m.droppedBy ?? {};
    expect(m).toMatchObject({ received: 101, dropped: 101, pending: 0 });
    expect(Object.keys(droppedBy)).toHaveLength(65);
    expect(Object.getOwnPropertyDescriptor(droppedBy, '__proto__')?.value).toBe(1);
    expect(droppedBy['reason-62']).toBe(1);
    expect(droppedBy['reason-63']).toBeUndefined();
    expect(droppedBy.other).toBe(37);
    expect(Object.values(droppedBy).reduce((sum, count) => sum + count, 0)).toBe(101);
    expect(JSON.parse(JSON.stringify(droppedBy)).__proto__).toBe(1);
  });

  it("keeps the 64-reason bound when the sink's own reasons and its operators' are added together", () => {
    const dropsAll: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        const accounting = injectEventAccounting();
        return source.pipe(
          filter((event) => {
            if (event.properties.Via !== 'operator') return true;
            accounting.dropped(1, `operator-${String(event.properties.N)}`);
            return false;
          }),
        );
      });
    // Leaves every event out of its write under a reason of its own, as SeqSink does below Seq's level.
    const sink = {
      emitSync: (events: readonly LogEvent[]) => ({
        rejected: 0,
        dropped: { count: events.length, reason: `sink-${String(events[0]?.properties.N)}` },
      }),
      emit: () => undefined,
    };
    const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'leaves-out', pipe: [dropsAll] }).createLogger();
    for (let n = 0; n < 100; n++) log.information('{Via} {N}', 'sink', n);
    for (let n = 0; n < 100; n++) log.information('{Via} {N}', 'operator', n);
    const m = log.metrics().sinks['leaves-out'];
    const droppedBy = m.droppedBy ?? {};
    expect(m).toMatchObject({ received: 200, dropped: 200, pending: 0 });
    expect(Object.keys(droppedBy)).toHaveLength(65);
    expect(droppedBy.other).toBe(136);
    expect(Object.values(droppedBy).reduce((sum, count) => sum + count, 0)).toBe(200);
  });

  it("keeps an operator's reason under its own key once the sink's own reasons fill the bound, so no count by reason falls", () => {
    let write = 0;
    // Leaves each batch out under a new reason of its own, as a sink with a reason per request might.
    const sink = {
      emit: (events: readonly LogEvent[]) => ({ rejected: 0, dropped: { count: events.length, reason: `sink-${write++}` } }),
    };
    const log = new LoggerConfiguration().writeTo
      .sink(sink, { name: 'leaves-out', pipe: [filterEvents((event) => event.properties.Keep === true)] })
      .createLogger();
    log.information('{Keep}', false);
    for (let n = 0; n < 63; n++) log.information('{Keep}', true);
    expect(log.metrics().sinks['leaves-out'].droppedBy).toMatchObject({ 'filterEvents.excluded': 1, 'sink-62': 1 });
    // The sink's 64th reason: past the bound, it counts under other; the operator's reason stays.
    log.information('{Keep}', true);
    const m = log.metrics().sinks['leaves-out'];
    // Was undefined, its 1 moved under other: a count by reason (an OpenTelemetry series) fell.
    expect(m.droppedBy?.['filterEvents.excluded']).toBe(1);
    expect(m.droppedBy?.other).toBe(1);
    expect(Object.keys(m.droppedBy ?? {})).toHaveLength(65);
    expect(m).toMatchObject({ received: 65, dropped: 65, pending: 0 });
  });

  /**
   * An operator that starts, fails on its first event, and then fails on every restart before it
   * takes one (a resource it needs is gone). One that fails on its first start is a configuration
   * mistake that createLogger() throws (spec/configuration/logger-configuration.spec.ts).
   */
  function brokenOnRestart(): MonoTypeOperatorFunction<LogEvent> {
    let starts = 0;
    return (source) =>
      starts++ === 0
        ? source.pipe(
            map(() => {
              throw new Error('broken on the first event');
            }),
          )
        : throwError(() => new Error('broken on restart'));
  }

  it.each<[string, (c: LoggerConfiguration, memory: MemorySink) => LoggerConfiguration, string]>([
    ['.pipe()', (c, memory) => c.pipe(brokenOnRestart()).writeTo.sink(memory, { name: 'memory' }), 'pipe[0]'],
    ['a sink pipe', (c, memory) => c.writeTo.sink(memory, { name: 'memory', pipe: [brokenOnRestart()] }), 'memory.pipe[0]'],
  ])(
    'gives up on an operator of %s that fails on restart before it takes an event: one diagnostic, its events counted dropped, close not held up',
    async (_, configure, where) => {
      const diagnostics: SelfLogEvent[] = [];
      const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
      const scheduler = new TestScheduler(() => undefined);
      const memory = new MemorySink();
      const log = configure(new LoggerConfiguration().useScheduler(scheduler), memory).createLogger();
      log.information('one');
      log.information('two');
      log.information('three');
      subscription.unsubscribe();
      expect(diagnostics.map((d) => [d.template, d.args[0]])).toEqual([
        ['Operator {Where} failed; the events it held are lost and it restarted', where],
        ['Operator {Where} failed to start; events dropped', where],
      ]);
      const counts = where === 'pipe[0]' ? log.metrics().pipe : log.metrics().sinks.memory;
      expect(counts).toMatchObject({ dropped: 3, pending: 0, droppedBy: { 'operator-failed': 3 } });
      expect(memory.events).toHaveLength(0);
      expect(balanced(log.metrics().sinks.memory)).toBe(true);
      const closing = log.close({ timeoutMs: 1_000 });
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.flush(); // runs the close timeout, if close still waits for it
      const report = await closing;
      expect(report).toMatchObject({ elapsedMs: 0, timedOut: false });
      if (where === 'pipe[0]') expect(report.pipe).toMatchObject({ dropped: 3, undelivered: 0 });
      else expect(report.sinks.memory).toEqual({ delivered: 0, dropped: 3, failed: 0, undelivered: 0 });
    },
  );

  it('counts the events after an operator completed early (take) as dropped, with one diagnostic, in a sink pipe and in .pipe()', async () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: [take(2)] }).createLogger();
    const shared = new MemorySink();
    const sharedLog = new LoggerConfiguration().pipe(take(1)).writeTo.sink(shared, { name: 'shared' }).createLogger();
    for (let n = 0; n < 5; n++) {
      log.information('Event {N}', n);
      sharedLog.information('Event {N}', n);
    }
    subscription.unsubscribe();
    expect(diagnostics.map((d) => [d.template, d.args[0]])).toEqual([
      ['Operator {Where} completed early; events dropped', 'pipe[0]'],
      ['Operator {Where} completed early; events dropped', 'memory.pipe[0]'],
    ]);
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 5, delivered: 2, dropped: 3, pending: 0, droppedBy: { 'operator-completed': 3 } });
    expect(balanced(m)).toBe(true);
    expect(sharedLog.metrics().pipe).toMatchObject({
      entered: 5,
      left: 1,
      dropped: 4,
      pending: 0,
      droppedBy: { 'operator-completed': 4 },
    });
    expect((await log.close()).sinks.memory).toEqual({ delivered: 2, dropped: 3, failed: 0, undelivered: 0 });
    expect((await sharedLog.close()).pipe).toEqual({ dropped: 4, undelivered: 0 });
  });

  it('counts what an operator held when it completed early as dropped at once, in virtual time', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ flush }) => {
      const until: MonoTypeOperatorFunction<LogEvent> = (source) =>
        source.pipe(delay(10, testScheduler), takeUntil(timer(5, testScheduler)));
      const log = new LoggerConfiguration()
        .useScheduler(testScheduler)
        .writeTo.sink(new MemorySink(), { name: 'memory', pipe: [until] })
        .createLogger();
      log.information('held when the operator ends');
      expect(log.metrics().sinks.memory).toMatchObject({ received: 1, pending: 1 });
      flush();
      const m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 1, delivered: 0, dropped: 1, pending: 0, droppedBy: { 'operator-completed': 1 } });
    });
  });
});

/** Throws on the first event whose N is `n`, and only on that one. */
function failOnceOn(n: number): MonoTypeOperatorFunction<LogEvent> {
  let failed = false;
  return map((event) => {
    if (event.properties.N === n && !failed) {
      failed = true;
      throw new Error(`operator broke on ${n}`);
    }
    return event;
  });
}

/** A logger writing to `memory` (named `memory`) through `steps`, given as `.pipe()` or as the sink's `pipe`. */
function laneLogger(where: '.pipe()' | "a sink's pipe", steps: MonoTypeOperatorFunction<LogEvent>[], memory: MemorySink): Logger {
  return (
    where === '.pipe()'
      ? new LoggerConfiguration().pipe(...steps).writeTo.sink(memory, { name: 'memory' })
      : new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: steps })
  ).createLogger();
}

const numbers = (memory: MemorySink): unknown[] => memory.events.map((event) => event.properties.N);

describe('a failing operator in a sink pipe (the operators before it keep their state)', () => {
  it('keeps a distinct set of the operator before it: no duplicate after the restart', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(memory, { name: 'memory', pipe: [distinct((event) => event.properties.N), failOnceOn(2)] })
      .createLogger();
    for (const n of [1, 2, 1, 3, 2]) log.information('Event {N}', n);
    // 2 was lost with the failing operator; the distinct set still knows 1 and 2.
    expect(numbers(memory)).toEqual([1, 3]);
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 5, delivered: 2, dropped: 1, droppedBy: { 'operator-failed': 1 } });
    expect(balanced(m)).toBe(true);
  });

  it('delivers the rest of a batch the operator before it released when the failure came', () => {
    const memory = new MemorySink();
    const triples: MonoTypeOperatorFunction<LogEvent> = (source) =>
      source.pipe(
        bufferCount(3),
        mergeMap((events) => events),
      );
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: [triples, failOnceOn(1)] }).createLogger();
    for (let n = 0; n < 4; n++) log.information('Event {N}', n);
    expect(numbers(memory)).toEqual([0, 2]);
    const m = log.metrics().sinks.memory;
    // 1 lost with the failing operator, 3 held by the triples buffer.
    expect(m).toMatchObject({ received: 4, delivered: 2, dropped: 1, pending: 1 });
    expect(balanced(m)).toBe(true);
  });

  it('delivers what a delay before it still held, in virtual time, and the close report adds up', async () => {
    const testScheduler = createTestScheduler();
    const memory = new MemorySink();
    let log!: ReturnType<LoggerConfiguration['createLogger']>;
    testScheduler.run(({ flush }) => {
      // Event N waits N × 10 ms.
      const byN = delayWhen((event: LogEvent) => timer(Number(event.properties.N) * 10, testScheduler));
      log = new LoggerConfiguration()
        .useScheduler(testScheduler)
        .writeTo.sink(memory, { name: 'memory', pipe: [byN, failOnceOn(1)] })
        .createLogger();
      for (let n = 0; n < 4; n++) log.information('Event {N}', n);
      flush();
    });
    expect(numbers(memory)).toEqual([0, 2, 3]);
    const m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 4, delivered: 3, dropped: 1, pending: 0 });
    const report = await log.close();
    expect(report.sinks.memory).toEqual({ delivered: 3, dropped: 1, failed: 0, undelivered: 0 });
  });

  it('keeps the state of the operators before a failing one in .pipe() too', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration()
      .pipe(distinct((event) => event.properties.N))
      .pipe(failOnceOn(2))
      .writeTo.sink(memory, { name: 'memory' })
      .createLogger();
    for (const n of [1, 2, 1, 3, 2]) log.information('Event {N}', n);
    expect(numbers(memory)).toEqual([1, 3]);
    expect(log.metrics().pipe).toEqual({
      entered: 5,
      left: 2,
      created: 0,
      dropped: 1,
      pending: 2,
      droppedBy: { 'operator-failed': 1 },
    });
  });
});

describe('the accounting channel of operators subscribed on an event’s turn (groupBy, mergeMap, switchMap)', () => {
  // A rate per tenant: the RxJS way is one sampleEvents per group, subscribed when the group's first event arrives.
  const sampledPerTenant: MonoTypeOperatorFunction<LogEvent> = (source) =>
    source.pipe(
      groupBy((event) => event.properties.Tenant),
      mergeMap((tenant) => tenant.pipe(sampleEvents({ rate: tenant.key === 'gold' ? 1 : 0 }))),
    );

  it('counts what a sampleEvents inside groupBy removes as sampledOut at once, not pending until close and then unreported', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: [sampledPerTenant] }).createLogger();
    for (let n = 0; n < 3; n++) {
      log.forContext('Tenant', 'gold').information('Order {N}', n);
      log.forContext('Tenant', 'free').information('Order {N}', n);
    }
    expect(log.metrics().sinks.memory).toMatchObject({
      received: 6,
      delivered: 3,
      dropped: 3,
      pending: 0,
      droppedBy: { [SAMPLE_REASON]: 3 },
    });
    const report = await log.close();
    expect(report.sinks.memory).toEqual({ delivered: 3, dropped: 3, failed: 0, undelivered: 0 });
    expect(log.metrics().sinks.memory?.droppedBy).toEqual({ [SAMPLE_REASON]: 3 });
  });

  it('counts what a throttleEvents inside switchMap suppresses as dropped and its summary as received, in virtual time', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ flush }) => {
      const memory = new MemorySink();
      // A fresh throttle whenever the deployment changes: switchMap subscribes it on the event's turn.
      const throttledPerDeployment: MonoTypeOperatorFunction<LogEvent> = (source) =>
        source.pipe(
          groupBy((event) => event.properties.Deployment),
          switchMap((deployment) => deployment.pipe(throttleEvents({ windowMs: 10, max: 1 }, testScheduler))),
        );
      const log = new LoggerConfiguration()
        .useScheduler(testScheduler)
        .writeTo.sink(memory, { name: 'memory', pipe: [throttledPerDeployment] })
        .createLogger();
      for (let n = 0; n < 4; n++) log.forContext('Deployment', 'd-1').warning('Disk full');
      expect(log.metrics().sinks.memory).toMatchObject({
        received: 4,
        delivered: 1,
        dropped: 3,
        pending: 0,
        droppedBy: { [THROTTLE_REASON]: 3 },
      });
      flush();
      expect(memory.events.map((e) => e.renderMessage())).toEqual(['Disk full', 'Suppressed 3 repeats of "Disk full"']);
      // The summary is an event the operator made: received, and delivered; the three repeats dropped.
      const m = log.metrics().sinks.memory;
      expect(m).toMatchObject({ received: 5, delivered: 2, dropped: 3, pending: 0 });
      expect(balanced(m)).toBe(true);
    });
  });

  it('provides the channel to .pipe()’s operators on an event’s turn, and no channel to what a subscriber of log.events$ subscribes then', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ flush }) => {
      const log = new LoggerConfiguration().useScheduler(testScheduler).pipe(sampledPerTenant).createLogger();
      const panel: string[] = [];
      // An app panel subscribed on the first event's turn, with a throttle of its own: not .pipe()'s operator.
      const subscription = log.events$
        .pipe(take(1))
        .subscribe(() =>
          log.events$
            .pipe(throttleEvents({ windowMs: 10, max: 1 }, testScheduler))
            .subscribe((event) => panel.push(event.renderMessage())),
        );
      log.forContext('Tenant', 'gold').warning('Slow');
      for (let n = 0; n < 3; n++) log.forContext('Tenant', 'gold').warning('Slow');
      log.forContext('Tenant', 'free').information('Hidden');
      flush();
      expect(panel).toEqual(['Slow', 'Suppressed 2 repeats of "Slow"']);
      // The panel's suppressed repeats and summary are not .pipe()'s: only the sampled-out event is.
      expect(log.metrics().pipe).toMatchObject({ entered: 5, left: 4, created: 0, dropped: 1, pending: 0 });
      subscription.unsubscribe();
    });
  });
});

describe('an app operator that fails on a timer of its own (timeout on an idle logger)', () => {
  // Found by review round 36: SelfLog said it had failed to start, which sent one looking for a
  // fault at subscription; it failed after its restart, on its own timer, before any event.
  it('is restarted after an event, then given up with a diagnostic that says it failed before taking an event, in virtual time', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const testScheduler = createTestScheduler();
    testScheduler.run(({ flush }) => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration()
        .useScheduler(testScheduler)
        .writeTo.sink(memory, { name: 'memory', pipe: [timeout({ each: 10, scheduler: testScheduler })] })
        .createLogger();
      log.information('one');
      flush(); // fails at 10 (one event since it was subscribed: restarted), and again at 20 (none since)
      log.information('two');
      expect(memory.events.map((e) => e.messageTemplate.text)).toEqual(['one']);
      expect(diagnostics.map((d) => d.template)).toEqual([
        'Operator {Where} failed; the events it held are lost and it restarted',
        'Operator {Where} failed again before it took an event; events dropped',
      ]);
      expect(log.metrics().sinks.memory).toMatchObject({
        received: 2,
        delivered: 1,
        dropped: 1,
        droppedBy: { 'operator-failed': 1 },
      });
    });
    subscription.unsubscribe();
  });
});

describe('an app operator that fails as its stream ends (at close)', () => {
  // Found by review round 36: it was restarted on the ended stream, failed again at once, and
  // SelfLog said it had restarted and then that it had failed to start.
  it.each(['sink', 'shared'])(
    'is reported once and not restarted, in a %s pipe; close() resolves with its report',
    async (where) => {
      const diagnostics: SelfLogEvent[] = [];
      const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
      const failsAtEnd: MonoTypeOperatorFunction<LogEvent> = (source) =>
        concat(
          source.pipe(delay(0)),
          throwError(() => new Error('no more')),
        );
      jest.useFakeTimers();
      try {
        const memory = new MemorySink();
        const configuration = where === 'shared' ? new LoggerConfiguration().pipe(failsAtEnd) : new LoggerConfiguration();
        const log = configuration.writeTo
          .sink(memory, { name: 'memory', pipe: where === 'sink' ? [failsAtEnd] : [] })
          .createLogger();
        log.information('one');
        log.information('two');
        const closing = log.close({ timeoutMs: 1_000 });
        await jest.advanceTimersByTimeAsync(1_000);
        const report = await closing;
        expect(memory.events).toHaveLength(2);
        expect(diagnostics.map((d) => [d.template, d.args[0]])).toEqual([
          [
            'Operator {Where} failed as its stream ended; the events it held are lost',
            where === 'sink' ? 'memory.pipe[0]' : 'pipe[0]',
          ],
        ]);
        expect(report).toMatchObject({
          timedOut: false,
          sinks: { memory: { delivered: 2, dropped: 0, failed: 0, undelivered: 0 } },
        });
        expect(balanced(log.metrics().sinks.memory)).toBe(true);
      } finally {
        jest.useRealTimers();
        subscription.unsubscribe();
      }
    },
  );
});

describe('app operators whose teardown throws (a finalize callback that throws)', () => {
  const throwsOnTeardown = (): MonoTypeOperatorFunction<LogEvent> =>
    finalize(() => {
      throw new Error('teardown broke');
    });
  // Does not complete with its source: the lane unsubscribes it at close.
  const heldOpenAndThrowsOnTeardown = (): MonoTypeOperatorFunction<LogEvent> => (source) =>
    merge(source, NEVER).pipe(throwsOnTeardown());
  let unhandled: unknown[];
  let diagnostics: SelfLogEvent[];
  let subscription: { unsubscribe(): void };
  beforeEach(() => {
    unhandled = [];
    diagnostics = [];
    // Where RxJS sends what it cannot hand to anyone; by default it throws it on a timer, which
    // ends a Node process (an uncaught exception).
    config.onUnhandledError = (error) => unhandled.push(error);
    subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
  });
  afterEach(() => {
    jest.useRealTimers();
    config.onUnhandledError = null;
    subscription.unsubscribe();
  });

  // Found by review round 36: the teardown's UnsubscriptionError reached RxJS's unhandled-error
  // path as the operator completed (thrown on a timer, ending a Node process), and rejected
  // close() when the lane unsubscribed an operator still open.
  it.each([
    ['completes with its source', 'sink', throwsOnTeardown],
    ['completes with its source', 'shared', throwsOnTeardown],
    ['is unsubscribed at close', 'sink', heldOpenAndThrowsOnTeardown],
    ['is unsubscribed at close', 'shared', heldOpenAndThrowsOnTeardown],
  ])('one that %s in a %s pipe is reported to SelfLog; close() resolves with its report', async (_when, where, make) => {
    const memory = new MemorySink();
    const configuration = where === 'shared' ? new LoggerConfiguration().pipe(make()) : new LoggerConfiguration();
    const log = configuration.writeTo.sink(memory, { name: 'memory', pipe: where === 'sink' ? [make()] : [] }).createLogger();
    jest.useFakeTimers();
    log.information('one');
    log.information('two');
    const closing = log.close({ timeoutMs: 1_000 });
    await jest.advanceTimersByTimeAsync(1_000); // runs the timer RxJS reports an unhandled error on, too
    const report = await closing;
    expect(unhandled).toEqual([]);
    expect(report.sinks.memory).toEqual({ delivered: 2, dropped: 0, failed: 0, undelivered: 0 });
    expect(diagnostics.map((d) => [d.template, d.args[0]])).toEqual([
      ['Operator {Where} failed while tearing down; ignored', where === 'sink' ? 'memory.pipe[0]' : 'pipe[0]'],
    ]);
    expect(balanced(log.metrics().sinks.memory)).toBe(true);
  });
});

describe('events an operator of .pipe() makes without a report (metrics().pipe)', () => {
  // Found by review round 36 (a leftover of earlier rounds): left 6 of 3 entered, created 0.
  it('counts a duplicate as created, so entered + created = left + dropped + pending', () => {
    const twice: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) => of(event, event));
    const memory = new MemorySink();
    const log = new LoggerConfiguration().pipe(twice).writeTo.sink(memory, { name: 'memory' }).createLogger();
    for (let n = 0; n < 3; n++) log.information('Event {N}', n);
    expect(memory.events).toHaveLength(6);
    expect(log.metrics().pipe).toEqual({ entered: 3, left: 6, created: 3, dropped: 0, pending: 0, droppedBy: {} });
  });

  it('counts per stage: a frozen event copied by .pipe() enters a sink operator twice as no copy of its own; sinks get it unchanged', () => {
    const freezeThenTwice: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) => of(Object.freeze(event), event));
    const passOn: MonoTypeOperatorFunction<LogEvent> = map((event) => event);
    const passed = new MemorySink();
    const plain = new MemorySink();
    const log = new LoggerConfiguration()
      .pipe(freezeThenTwice)
      .writeTo.sink(passed, { name: 'passed', pipe: [passOn] })
      .writeTo.sink(plain, { name: 'plain' })
      .createLogger();
    for (let n = 0; n < 3; n++) log.information('Event {N}', n);
    const metrics = log.metrics();
    expect(metrics.pipe).toMatchObject({ entered: 3, left: 6, created: 3, dropped: 0, pending: 0 });
    // Each object entered the sink's operator twice and left twice: nothing made there, nothing held.
    expect(metrics.sinks.passed).toMatchObject({ received: 6, delivered: 6, dropped: 0, pending: 0 });
    // The same objects as a sink without operators gets, with nothing an app can see added by the counting.
    expect(passed.events.map((event) => event.properties.N)).toEqual([0, 0, 1, 1, 2, 2]);
    passed.events.forEach((event, i) => {
      expect(event).toBe(plain.events[i]);
      expect(Object.isFrozen(event)).toBe(true);
      expect(Reflect.ownKeys(event)).toEqual(['level', 'messageTemplate', 'properties', 'exception', 'timeMs']);
    });
  });

  it('counts an event made once when the operator sends it before it reports it', () => {
    // Sends a copy, then says it made one: the report names the copy already counted.
    const copyThenReport: MonoTypeOperatorFunction<LogEvent> = (source) =>
      defer(() => {
        const accounting = injectEventAccounting();
        return source.pipe(
          mergeMap(
            (event) =>
              new Observable<LogEvent>((subscriber) => {
                subscriber.next(event);
                subscriber.next(event);
                accounting.created(1);
                subscriber.complete();
              }),
          ),
        );
      });
    const log = new LoggerConfiguration().pipe(copyThenReport).writeTo.sink(new MemorySink(), { name: 'memory' }).createLogger();
    log.information('one');
    log.information('two');
    expect(log.metrics().pipe).toMatchObject({ entered: 2, left: 4, created: 2, dropped: 0, pending: 0 });
  });

  // Found by review round 37's logger-accounting property: entered 7 + created 2 ≠ left 7 + dropped 3.
  it('counts a duplicate that a later operator drops (take completing) as created', () => {
    const twice: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) => of(event, event));
    const memory = new MemorySink();
    const log = new LoggerConfiguration().pipe(twice, take(3)).writeTo.sink(memory, { name: 'memory' }).createLogger();
    for (let n = 0; n < 3; n++) log.information('Event {N}', n);
    expect(memory.events.map((e) => e.properties.N)).toEqual([0, 0, 1]);
    expect(log.metrics().pipe).toEqual({
      entered: 3,
      left: 3,
      created: 3,
      dropped: 3,
      pending: 0,
      droppedBy: { 'operator-completed': 3 },
    });
  });

  // The same object sent twice by an operator, then held by a delay, then sent twice again: the
  // first copy was found by the counts only, so the second step's copy took its place as it left,
  // and the held copy, leaving later, was taken for one the delay made. One event logged, four
  // written, but five received (.pipe(): four created), one pending for ever and counted dropped
  // (unreported) at close, though the sink got every event.
  it.each(['.pipe()', "a sink's pipe"] as const)(
    'counts the same object sent twice on both sides of a delay as made once each time, in virtual time (%s)',
    async (where) => {
      jest.useFakeTimers();
      try {
        const twice: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) => of(event, event));
        const steps: MonoTypeOperatorFunction<LogEvent>[] = [twice, delay(1), twice];
        const memory = new MemorySink();
        const log = laneLogger(where, steps, memory);
        log.information('Event {N}', 0);
        await jest.advanceTimersByTimeAsync(1);
        expect(memory.events).toHaveLength(4);
        const sink = log.metrics().sinks.memory;
        expect(sink).toMatchObject({ received: 4, delivered: 4, dropped: 0, pending: 0 });
        if (where === '.pipe()') expect(log.metrics().pipe).toMatchObject({ entered: 1, left: 4, created: 3, pending: 0 });
        const report = await log.close();
        expect(report.sinks.memory).toEqual({ delivered: 4, dropped: 0, failed: 0, undelivered: 0 });
        if (where === '.pipe()') expect(report.pipe).toEqual({ dropped: 0, undelivered: 0 });
      } finally {
        jest.useRealTimers();
      }
    },
  );

  // A throttle summary was taken for a copy the operator before it sent without a report (the same
  // object twice), as an operator's own event sent before its report is: counted made by neither,
  // the summary leaving took the place of the event the filter removed without a report, which was
  // then counted nowhere (3 logged, 4 written, 2 dropped, none pending).
  it.each(['.pipe()', "a sink's pipe"] as const)(
    "counts a throttle summary as made by the throttle, not as another operator's copy, in virtual time (%s)",
    async (where) => {
      jest.useFakeTimers();
      try {
        const steps: MonoTypeOperatorFunction<LogEvent>[] = [
          filter((event) => event.properties.N !== 1),
          mergeMap((event) => of(event, event)),
          throttleEvents({ windowMs: 10, max: 1 }),
        ];
        const memory = new MemorySink();
        const log = laneLogger(where, steps, memory);
        log.information('Event {N}', 0);
        await jest.advanceTimersByTimeAsync(10);
        log.information('Event {N}', 1);
        log.information('Event {N}', 2);
        const closing = log.close();
        await jest.advanceTimersByTimeAsync(20);
        const report = await closing;
        // Event 0, its summary, event 2, its summary; the copies suppressed, event 1 filtered out.
        expect(memory.events).toHaveLength(4);
        const droppedBy = { [THROTTLE_REASON]: 2, unreported: 1 };
        if (where === '.pipe()') {
          expect(log.metrics().pipe).toEqual({ entered: 3, left: 4, created: 4, dropped: 3, pending: 0, droppedBy });
          expect(report.pipe).toEqual({ dropped: 3, undelivered: 0 });
        } else {
          expect(log.metrics().sinks.memory).toMatchObject({ received: 7, delivered: 4, dropped: 3, pending: 0, droppedBy });
          expect(report.sinks.memory).toEqual({ delivered: 4, dropped: 3, failed: 0, undelivered: 0 });
        }
      } finally {
        jest.useRealTimers();
      }
    },
  );

  // Found by review round 37's logger-accounting property: the copy of event 0 made the count of
  // what .pipe() held read 0 while event 1 was still in the delay, so the close stopped waiting, and
  // event 1 reached no sink (delivered 2: event 0 twice), counted nowhere, timedOut false.
  it('waits at close for an event .pipe() still holds after a copy of another left, in virtual time', async () => {
    jest.useFakeTimers();
    try {
      const copyFirst: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
        event.properties.N === 0 ? of(event, event) : of(event),
      );
      const memory = new MemorySink();
      // delay(1) puts each event on a timer of its own, so the close runs between them.
      const log = new LoggerConfiguration().pipe(delay(1), copyFirst).writeTo.sink(memory, { name: 'memory' }).createLogger();
      log.information('Event {N}', 0);
      log.information('Event {N}', 1);
      const closing = log.close({ timeoutMs: 150 });
      await jest.advanceTimersByTimeAsync(200);
      const report = await closing;
      expect(memory.events.map((event) => event.properties.N)).toEqual([0, 0, 1]);
      expect(report.sinks.memory).toEqual({ delivered: 3, dropped: 0, failed: 0, undelivered: 0 });
      expect(log.metrics().pipe).toMatchObject({ entered: 2, left: 3, created: 1, dropped: 0, pending: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  // Found by the operator-mix property: the copy event 1's duplicate made, found by the counts,
  // was taken for one of event 2's copies by the operator after it, which holds event 1 while it
  // copies event 2: what was held read one low, so a 'flush' close stopped waiting as event 1's
  // first copy left, and its second reached no sink, counted nowhere (3 written of 4 received).
  it.each(['.pipe()', "a sink's pipe"] as const)(
    'counts each copy of an operator that holds one event while it copies another, so a flush close waits for both held (%s)',
    async (where) => {
      jest.useFakeTimers();
      try {
        const holdOddCopyEven: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
          (event.properties.N as number) % 2 === 1 ? of(event).pipe(delay(10)) : of(event, event),
        );
        const memory = new MemorySink();
        const log = laneLogger(where, [concatMap((event) => of(event, event)), holdOddCopyEven], memory);
        log.information('Event {N}', 1);
        log.information('Event {N}', 2);
        const running = log.metrics();
        if (where === '.pipe()') expect(running.pipe).toMatchObject({ entered: 2, left: 4, created: 4, pending: 2 });
        else expect(running.sinks.memory).toMatchObject({ received: 6, delivered: 4, pending: 2 });
        const closing = log.close({ strategy: 'flush', timeoutMs: 1_000 });
        await jest.advanceTimersByTimeAsync(1_000);
        const report = await closing;
        expect(numbers(memory)).toEqual([2, 2, 2, 2, 1, 1]);
        expect(report.timedOut).toBe(false);
        expect(report.sinks.memory).toEqual({ delivered: 6, dropped: 0, failed: 0, undelivered: 0 });
        if (where === '.pipe()')
          expect(log.metrics().pipe).toMatchObject({ entered: 2, left: 6, created: 4, dropped: 0, pending: 0 });
      } finally {
        jest.useRealTimers();
      }
    },
  );

  // A copy made as a new object (a changed event sent with the original) left while an operator
  // before held another event: the counts netted out, so what was held read 0, and an immediate
  // close let the held event go counted nowhere (a report of 2 delivered for 2 log calls, one of
  // them never written). Now the operator that made the copy is found by its own counts.
  it.each(['.pipe()', "a sink's pipe"] as const)(
    'counts a new-object copy where it is made, so an event held before it is dropped by an immediate close, not lost (%s)',
    async (where) => {
      jest.useFakeTimers();
      try {
        const holdFirst: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
          event.properties.N === 1 ? of(event).pipe(delay(10)) : of(event),
        );
        const changed = (event: LogEvent): LogEvent =>
          Object.assign(Object.create(Object.getPrototypeOf(event) as object) as LogEvent, event, { level: 'warning' });
        const withChanged: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
          event.properties.N === 0 ? of(event, changed(event)) : of(event),
        );
        const memory = new MemorySink();
        const log = laneLogger(where, [holdFirst, withChanged], memory);
        log.information('Event {N}', 1);
        log.information('Event {N}', 0);
        const running = log.metrics();
        if (where === '.pipe()') expect(running.pipe).toMatchObject({ entered: 2, left: 2, created: 1, pending: 1 });
        else expect(running.sinks.memory).toMatchObject({ received: 3, delivered: 2, pending: 1 });
        const closing = log.close({ strategy: 'immediate' });
        await jest.advanceTimersByTimeAsync(20);
        const report = await closing;
        expect(memory.events.map((event) => event.properties.N)).toEqual([0, 0]);
        if (where === '.pipe()') {
          expect(report.pipe).toEqual({ dropped: 1, undelivered: 0 });
          expect(log.metrics().pipe).toMatchObject({ entered: 2, left: 2, created: 1, dropped: 1, pending: 0 });
        } else expect(report.sinks.memory).toEqual({ delivered: 2, dropped: 1, failed: 0, undelivered: 0 });
      } finally {
        jest.useRealTimers();
      }
    },
  );

  // Found by review round 38's logger-accounting property (more seeds): after the copies of event 0
  // that left first made what .pipe() held read 0, the sink with nothing to wait for closed and left
  // the shared stream, so the two copies still in the delay reached the other sink alone: `memory`
  // received 3 of the 5 events .pipe() let out, the 2 others counted nowhere.
  it('counts a copy that leaves .pipe() after a sink closed in that sink (dropped at close), in virtual time', async () => {
    jest.useFakeTimers();
    try {
      // Event 0 is copied after 1 ms, and each copy again after 1 ms more: four copies, on two timers at 2 ms.
      const copyLater: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
        event.properties.N === 0
          ? of(event).pipe(
              delay(1),
              mergeMap((e) => of(e, e)),
            )
          : of(event),
      );
      const memory = new MemorySink();
      // A sink whose pipe removed an event without a report waits for its lane's stream to end.
      const filtered = new MemorySink();
      const log = new LoggerConfiguration()
        .pipe(copyLater, copyLater)
        .writeTo.sink(memory, { name: 'memory' })
        .writeTo.sink(filtered, { name: 'filtered', pipe: [filter((event) => event.properties.N !== 1)] })
        .createLogger();
      log.information('Event {N}', 0);
      log.information('Event {N}', 1);
      const closing = log.close({ strategy: 'flush' });
      await jest.advanceTimersByTimeAsync(10);
      const report = await closing;
      const pipe = log.metrics().pipe;
      expect(pipe).toMatchObject({ entered: 2, left: 5, dropped: 0, pending: 0 });
      expect(filtered.events.map((event) => event.properties.N)).toEqual([0, 0, 0, 0]);
      const sink = log.metrics().sinks.memory;
      // Every event that left .pipe() reached the sink's counters: delivered, or dropped because it came after the sink closed.
      expect(sink.received).toBe(5);
      expect(sink.received).toBe(sink.delivered + sink.dropped + sink.failed + sink.pending);
      expect(sink.delivered).toBe(memory.events.length);
      expect(sink.dropped).toBe(sink.droppedAtClose ?? 0);
      expect(report.sinks.memory).toEqual({ delivered: sink.delivered, dropped: sink.dropped, failed: 0, undelivered: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  // Found by review round 37's logger-accounting property: left 3 of 2 entered, created 0, after close.
  it('counts a duplicate that leaves after the close took what .pipe() held as created, in virtual time', async () => {
    jest.useFakeTimers();
    try {
      const copyFirst: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
        event.properties.N === 0 ? of(event, event) : of(event),
      );
      // Each event on a timer of its own, so the close runs between them; a sink that never settles keeps its lane open.
      const hanging = { emit: (): Promise<void> => new Promise<void>(() => undefined) };
      const log = new LoggerConfiguration()
        .pipe(delay(1), copyFirst)
        .writeTo.sink(new MemorySink(), { name: 'memory' })
        .writeTo.sink(hanging, { name: 'hanging', retry: false })
        .createLogger();
      log.information('Event {N}', 0);
      log.information('Event {N}', 1);
      const closing = log.close({ timeoutMs: 150 });
      await jest.advanceTimersByTimeAsync(200);
      await closing;
      const pipe = log.metrics().pipe;
      expect(pipe).toMatchObject({ entered: 2, left: 3, created: 1 });
      expect(pipe && pipe.entered + pipe.created).toBe(pipe && pipe.left + pipe.dropped + pipe.pending);
    } finally {
      jest.useRealTimers();
    }
  });

  // An even event is copied 1 ms later, as a new object, without a report: within the one operator
  // that also holds events, what .pipe() holds reads low while its delay still holds an event (a
  // copy by the same object is found by its object, see the operator-mix property).
  const copyEvenLater: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
    (event.properties.N as number) % 2 === 0
      ? of(event).pipe(
          delay(1),
          mergeMap((e) => of(e, { ...e })),
        )
      : of(event),
  );

  // Found by review round 38's logger-accounting property (seeds 3 and 6 at 800 runs): a throttle
  // summary made after the close took what .pipe() held was matched against a copy made without a
  // report before the close, so one event left that was neither entered nor created.
  it('counts a throttle summary made after the close as created, not as an earlier unreported copy, in virtual time', async () => {
    jest.useFakeTimers();
    try {
      const log = new LoggerConfiguration().minimumLevel
        .verbose()
        .pipe(copyEvenLater, throttleEvents({ windowMs: 1, max: 2 }))
        .writeTo.sink(new MemorySink(), { name: 's0' })
        .writeTo.sink(new MemorySink(), { name: 's1', pipe: [filter((event) => (event.properties.N as number) % 4 !== 1)] })
        .createLogger();
      for (let n = 0; n < 5; n++) log.verbose('Event {N}', n);
      const closing = log.close({ timeoutMs: 1000 });
      await jest.advanceTimersByTimeAsync(1100);
      await closing;
      const pipe = log.metrics().pipe;
      expect(pipe && pipe.entered + pipe.created).toBe(pipe && pipe.left + pipe.dropped + pipe.pending);
    } finally {
      jest.useRealTimers();
    }
  });

  // Found by review round 38's logger-accounting property (seed 6 at 800 runs): a copy .pipe() made
  // without a report made what it held read 0 while its delay still held event 4, so the close took
  // what s0's lane held (nothing) and event 4's two copies entered that lane after; its operator
  // failed on them, and the lane no longer counted what it dropped: s0 received 5 of the 7 events
  // that left .pipe(), the 2 its operator dropped counted nowhere.
  it("counts what a sink's operator drops after the close took what its lane held, in virtual time", async () => {
    jest.useFakeTimers();
    try {
      const failOn4: MonoTypeOperatorFunction<LogEvent> = map((event) => {
        if (event.properties.N === 4) throw new Error('scripted operator failure');
        return event;
      });
      const s0 = new MemorySink();
      // Its sink settles on a timer, so s1 closes after s0 and keeps .pipe() subscribed meanwhile.
      const s1 = { emit: (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, 0)) };
      const log = new LoggerConfiguration().minimumLevel
        .verbose()
        .pipe(copyEvenLater, throttleEvents({ windowMs: 1, max: 2 }))
        .writeTo.sink(s0, { name: 's0', pipe: [failOn4] })
        .writeTo.sink(s1, { name: 's1', pipe: [filter((event) => (event.properties.N as number) % 4 !== 1)] })
        .createLogger();
      for (let n = 0; n < 4; n++) log.verbose('Event {N}', n);
      log.debug('Event {N}', 4);
      const closing = log.close({ strategy: 'flush', timeoutMs: 0 });
      await jest.advanceTimersByTimeAsync(100);
      const report = await closing;
      const pipe = log.metrics().pipe;
      const sink = log.metrics().sinks.s0;
      // Every event that left .pipe() entered s0's lane, and is counted there: delivered, or dropped by its operator.
      expect(sink.received).toBe(pipe?.left);
      expect(sink.dropped).toBe(2);
      expect(sink.droppedBy).toEqual({ 'operator-failed': 2 });
      expect(sink.delivered).toBe(s0.events.length);
      expect(sink.received).toBe(sink.delivered + sink.dropped + sink.failed + sink.pending);
      expect(report.sinks.s0).toEqual({ delivered: sink.delivered, dropped: 2, failed: 0, undelivered: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  // The same late copies, held by s0's own operator when the close unsubscribed the lanes: they
  // will never leave it, so they count as dropped at close, not pending in a lane that is gone.
  it("counts what a sink's operator still holds when the lanes are unsubscribed, after the close took what its lane held, as dropped at close, in virtual time", async () => {
    jest.useFakeTimers();
    try {
      const hold4: MonoTypeOperatorFunction<LogEvent> = mergeMap((event) =>
        event.properties.N === 4 ? of(event).pipe(delay(50)) : of(event),
      );
      const s0 = new MemorySink();
      const s1 = { emit: (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, 0)) };
      const log = new LoggerConfiguration().minimumLevel
        .verbose()
        .pipe(copyEvenLater, throttleEvents({ windowMs: 1, max: 2 }))
        .writeTo.sink(s0, { name: 's0', pipe: [hold4] })
        .writeTo.sink(s1, { name: 's1', pipe: [filter((event) => (event.properties.N as number) % 4 !== 1)] })
        .createLogger();
      for (let n = 0; n < 4; n++) log.verbose('Event {N}', n);
      log.debug('Event {N}', 4);
      const closing = log.close({ strategy: 'flush', timeoutMs: 0 });
      await jest.advanceTimersByTimeAsync(10);
      const report = await closing;
      const pipe = log.metrics().pipe;
      const sink = log.metrics().sinks.s0;
      expect(sink.received).toBe(pipe?.left);
      expect(s0.events.some((event) => event.properties.N === 4)).toBe(false);
      expect(sink).toMatchObject({ dropped: 2, droppedAtClose: 2, pending: 0 });
      expect(sink.received).toBe(sink.delivered + sink.dropped + sink.failed + sink.pending);
      expect(report.sinks.s0).toEqual({ delivered: sink.delivered, dropped: 2, failed: 0, undelivered: 0 });
      // Nothing changes once close() resolved: the delay's timer went with the lane.
      await jest.advanceTimersByTimeAsync(100);
      expect(log.metrics().sinks.s0).toEqual(sink);
    } finally {
      jest.useRealTimers();
    }
  });

  // An operator that reports what it holds dropped as it is torn down: of what the close took
  // from the lane (counted by the sink's stage, dropped at close), the report is ignored; of what
  // entered after, it counts. Each event once, whichever it reports.
  it("counts each event once when a sink's operator reports what it holds dropped at teardown, after late events entered its lane, in virtual time", async () => {
    jest.useFakeTimers();
    try {
      const holdAll: MonoTypeOperatorFunction<LogEvent> = (source) =>
        new Observable<LogEvent>(() => {
          const accounting = injectEventAccounting();
          let held = 0;
          const subscription = source.subscribe(() => held++);
          return () => {
            subscription.unsubscribe();
            if (held > 0) accounting.dropped(held, 'held.teardown');
          };
        });
      // A write in flight keeps s1's lane, and so .pipe(), subscribed for 5 ms after an immediate close.
      const s1 = { emit: (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, 5)) };
      const log = new LoggerConfiguration().minimumLevel
        .verbose()
        .pipe(copyEvenLater, throttleEvents({ windowMs: 1, max: 2 }))
        .writeTo.sink(new MemorySink(), { name: 's0', pipe: [holdAll] })
        .writeTo.sink(s1, { name: 's1', retry: false })
        .createLogger();
      for (let n = 0; n < 4; n++) log.verbose('Event {N}', n);
      log.debug('Event {N}', 4);
      const closing = log.close({ strategy: 'immediate', timeoutMs: 50 });
      await jest.advanceTimersByTimeAsync(100);
      const report = await closing;
      const pipe = log.metrics().pipe;
      const sink = log.metrics().sinks.s0;
      // Events 1 and 3 were in the lane at the close (dropped at close); the rest entered after it.
      expect(sink.received).toBe(pipe?.left);
      expect(sink).toMatchObject({ delivered: 0, droppedAtClose: 2, pending: 0 });
      expect(sink.droppedBy).toEqual({ 'held.teardown': (pipe?.left ?? 0) - 2 });
      expect(sink.received).toBe(sink.delivered + sink.dropped + sink.failed + sink.pending);
      expect(report.sinks.s0).toEqual({ delivered: 0, dropped: sink.dropped, failed: 0, undelivered: 0 });
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('steps given from JavaScript that pass on what is no event (an array, an Observable)', () => {
  // TypeScript refuses them (`OperatorFunction<LogEvent, LogEvent>` each); JavaScript does not.
  const steps = (...operators: OperatorFunction<never, unknown>[]): MonoTypeOperatorFunction<LogEvent>[] =>
    operators as unknown as MonoTypeOperatorFunction<LogEvent>[];
  const inBatches = steps(
    bufferCount(3),
    mergeMap((batch: LogEvent[]) => from(batch)),
  );
  const byLevel = steps(
    groupBy((event: LogEvent) => event.level),
    mergeMap((group: Observable<LogEvent>) => group),
  );

  it.each([
    ['bufferCount(3), mergeMap(from)', inBatches, 3],
    ['groupBy(level), mergeMap(group)', byLevel, 5],
  ])('counts the events of %s as written in one step: 5 logged are 5 received and delivered', async (_name, pipe, before) => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe }).createLogger();
    for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    let m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 5, delivered: before, dropped: 0, pending: 5 - before });
    const report = await log.close();
    expect(memory.events).toHaveLength(5);
    expect(report.sinks.memory).toEqual({ delivered: 5, dropped: 0, failed: 0, undelivered: 0 });
    m = log.metrics().sinks.memory;
    expect(m).toMatchObject({ received: 5, delivered: 5, dropped: 0, pending: 0 });
    expect(m.droppedBy).toBeUndefined();
  });

  it('counts the events of .pipe(bufferCount(3), mergeMap(from)) as written in one step (metrics().pipe)', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration()
      .pipe(...inBatches)
      .writeTo.sink(memory, { name: 'memory' })
      .createLogger();
    for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    expect(log.metrics().pipe).toMatchObject({ entered: 5, left: 3, created: 0, dropped: 0, pending: 2 });
    await log.close();
    expect(memory.events).toHaveLength(5);
    expect(log.metrics().pipe).toEqual({ entered: 5, left: 5, created: 0, dropped: 0, pending: 0, droppedBy: {} });
  });

  it('keeps what such a step held when it failed pending until the logger closes, then counts it dropped (unreported)', async () => {
    const diagnostics = collectSelfLog();
    const memory = new MemorySink();
    const failsOnThird = (source: Observable<LogEvent>): Observable<LogEvent[]> =>
      source.pipe(
        map((event) => {
          if (event.properties.N === 7) throw new Error('bad batch');
          return event;
        }),
        bufferCount(5),
      );
    const pipe = steps(
      failsOnThird,
      mergeMap((batch: LogEvent[]) => from(batch)),
    );
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe }).createLogger();
    for (let n = 0; n < 8; n++) log.information('Event {N}', n);
    // 0 to 4 passed as one batch; 5 and 6 were held when it failed on 7.
    expect(log.metrics().sinks.memory).toMatchObject({ received: 8, delivered: 5, dropped: 0, pending: 3 });
    const report = await log.close();
    diagnostics.stop();
    expect(report.sinks.memory).toEqual({ delivered: 5, dropped: 3, failed: 0, undelivered: 0 });
    expect(log.metrics().sinks.memory).toMatchObject({ received: 8, delivered: 5, dropped: 3, droppedBy: { unreported: 3 } });
    expect(diagnostics.diagnostics.map((d) => d.template)).toEqual([
      'Operator {Where} failed; the events it held are lost and it restarted',
    ]);
  });

  it('counts nothing twice when the step after the arrays fails while the step before holds events, in virtual time', async () => {
    const testScheduler = createTestScheduler();
    const memory = new MemorySink();
    const diagnostics = collectSelfLog();
    let log!: ReturnType<LoggerConfiguration['createLogger']>;
    testScheduler.run(({ flush }) => {
      const release = new Subject<void>();
      // Holds events until `release`; the step after lets each batch out 5 ms later, and fails on 0.
      const pipe = steps(
        buffer(release),
        mergeMap((batch: LogEvent[]) => from(batch).pipe(delay(5, testScheduler), failOnceOn(0))),
      );
      log = new LoggerConfiguration().useScheduler(testScheduler).writeTo.sink(memory, { name: 'memory', pipe }).createLogger();
      log.information('Event {N}', 0);
      testScheduler.schedule(() => release.next(), 1);
      testScheduler.schedule(() => log.information('Event {N}', 1), 2);
      // 0 failed the step after at 6 ms, while the step before still held 1.
      testScheduler.schedule(() => {
        expect(log.metrics().sinks.memory).toMatchObject({ received: 2, delivered: 0, dropped: 0, pending: 2 });
      }, 10);
      testScheduler.schedule(() => release.next(), 11);
      flush();
    });
    expect(numbers(memory)).toEqual([1]);
    expect(log.metrics().sinks.memory).toMatchObject({ received: 2, delivered: 1, dropped: 0, pending: 1 });
    const report = await log.close();
    diagnostics.stop();
    expect(report.sinks.memory).toEqual({ delivered: 1, dropped: 1, failed: 0, undelivered: 0 });
    expect(log.metrics().sinks.memory).toMatchObject({ received: 2, delivered: 1, dropped: 1, droppedBy: { unreported: 1 } });
    expect(diagnostics.diagnostics.map((d) => d.template)).toEqual([
      'Operator {Where} failed; the events it held are lost and it restarted',
    ]);
  });

  it('still counts a copy that the step after the arrays makes', async () => {
    const memory = new MemorySink();
    const pipe = steps(
      bufferCount(2),
      mergeMap((batch: LogEvent[]) => from([...batch, batch[0]])),
    );
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe }).createLogger();
    for (let n = 0; n < 4; n++) log.information('Event {N}', n);
    const report = await log.close();
    expect(memory.events).toHaveLength(6);
    expect(report.sinks.memory).toEqual({ delivered: 6, dropped: 0, failed: 0, undelivered: 0 });
    expect(log.metrics().sinks.memory).toMatchObject({ received: 6, delivered: 6, dropped: 0, pending: 0 });
  });
});

describe('steps given from JavaScript that pass on what is no object (a string, a number, null)', () => {
  let unhandled: unknown[];
  beforeEach(() => {
    unhandled = [];
    // Where RxJS sends what it cannot hand to anyone; by default it throws it on a timer, which
    // ends a Node process (an uncaught exception).
    config.onUnhandledError = (error) => unhandled.push(error);
  });
  afterEach(() => {
    jest.useRealTimers();
    config.onUnhandledError = null;
  });
  const toValue = (value: unknown): MonoTypeOperatorFunction<LogEvent> =>
    map(() => value) as unknown as MonoTypeOperatorFunction<LogEvent>;

  it.each([
    ['the last step of a sink pipe', 'a string', 'text'],
    ['the last step of a sink pipe', 'null', null],
    ['the last step of a sink pipe', 'a number', 42],
    ['.pipe(), before a sink pipe', 'a string', 'text'],
    ['.pipe(), before a sink pipe', 'null', null],
    ['.pipe(), before a sink pipe', 'undefined', undefined],
  ])('keeps counting every event when %s passes on %s, and throws nothing', async (where, _what, value) => {
    const memory = new MemorySink();
    const keep: MonoTypeOperatorFunction<LogEvent> = map((event) => event);
    const log = (where.startsWith('.pipe()') ? new LoggerConfiguration().pipe(toValue(value)) : new LoggerConfiguration()).writeTo
      .sink(memory, { name: 'memory', pipe: where.startsWith('.pipe()') ? [keep] : [toValue(value)] })
      .createLogger();
    jest.useFakeTimers();
    for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    const closing = log.close({ timeoutMs: 1_000 });
    await jest.advanceTimersByTimeAsync(1_000); // runs the timer RxJS reports an unhandled error on, too
    const report = await closing;
    expect(unhandled).toEqual([]);
    const m = log.metrics().sinks.memory;
    expect(m.received).toBe(5);
    expect(balanced(m)).toBe(true);
    expect(report.sinks.memory.delivered + report.sinks.memory.dropped + report.sinks.memory.failed).toBe(5);
  });
});
