import fc from 'fast-check';
import {
  bufferCount,
  concatMap,
  delay,
  filter,
  from,
  groupBy,
  mergeAll,
  mergeMap,
  type MonoTypeOperatorFunction,
  type Observable,
  of,
  type OperatorFunction,
  share,
  take,
  takeWhile,
  throwError,
} from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { MemorySink } from '../../lib/sinks/memory-sink';
import type { ShutdownReport } from '../../lib/pipeline/shutdown-report';

// Lane accounting over random mixes of plain RxJS operators in a sink's `pipe` (and in `.pipe()`),
// checked against what the operators really did: each copy `concatMap(of(e, e))` made, each event
// `filter` removed, what `takeWhile` stopped at. After a 'flush' close every event is written or
// dropped, the counts are exact (received = logged + copies; dropped 'unreported' = what filter
// removed, no more), and nothing a `delay` held is left behind.
// LANE_MIX_RUNS / LANE_MIX_SEED explore further.

type Op =
  | { kind: 'delay'; ms: number }
  | { kind: 'buffer'; size: number }
  | { kind: 'dup' }
  | { kind: 'holdOrCopy'; ms: number; mod: number }
  | { kind: 'filter'; mod: number }
  | { kind: 'share' }
  | { kind: 'group' }
  | { kind: 'takeWhile'; below: number };

interface Tally {
  copies: number;
  filtered: number;
}

/** The steps of `op`, given as JavaScript would give them (a buffer passes arrays to the next step). */
function steps(op: Op, tally: Tally): MonoTypeOperatorFunction<LogEvent>[] {
  const n = (event: LogEvent): number => event.properties.N as number;
  const asSteps = (...operators: OperatorFunction<never, unknown>[]): MonoTypeOperatorFunction<LogEvent>[] =>
    operators as unknown as MonoTypeOperatorFunction<LogEvent>[];
  switch (op.kind) {
    case 'delay':
      return [delay(op.ms)];
    case 'buffer':
      return asSteps(
        bufferCount(op.size),
        mergeMap((batch: LogEvent[]) => from(batch)),
      );
    case 'dup':
      return [
        concatMap((event) => {
          tally.copies++;
          return of(event, event);
        }),
      ];
    case 'holdOrCopy':
      // One operator that holds some events (each for `ms`) while it copies others at once.
      return [
        mergeMap((event) => {
          if (n(event) % op.mod !== 0) return of(event).pipe(delay(op.ms));
          tally.copies++;
          return of(event, event);
        }),
      ];
    case 'filter':
      return [
        filter((event) => {
          if (n(event) % op.mod !== 0) return true;
          tally.filtered++;
          return false;
        }),
      ];
    case 'share':
      return [share()];
    case 'group':
      return asSteps(
        groupBy((event: LogEvent) => n(event) % 2),
        mergeAll<Observable<LogEvent>>(),
      );
    case 'takeWhile':
      return [takeWhile((event) => n(event) < op.below)];
  }
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map<Op>((ms) => ({ kind: 'delay', ms })),
  fc.integer({ min: 1, max: 4 }).map<Op>((size) => ({ kind: 'buffer', size })),
  fc.constant<Op>({ kind: 'dup' }),
  fc
    .record({ ms: fc.integer({ min: 0, max: 20 }), mod: fc.integer({ min: 1, max: 3 }) })
    .map<Op>((o) => ({ kind: 'holdOrCopy', ...o })),
  fc.integer({ min: 2, max: 5 }).map<Op>((mod) => ({ kind: 'filter', mod })),
  fc.constant<Op>({ kind: 'share' }),
  fc.constant<Op>({ kind: 'group' }),
  fc.integer({ min: 1, max: 12 }).map<Op>((below) => ({ kind: 'takeWhile', below })),
);

const scenario = fc.record({
  where: fc.constantFrom('sink' as const, 'pipe' as const),
  ops: fc.array(op, { minLength: 1, maxLength: 5 }),
  // Milliseconds before each log call.
  gaps: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 12 }),
});

const runs = Number(process.env.LANE_MIX_RUNS ?? 300);
const seed = process.env.LANE_MIX_SEED === undefined ? undefined : Number(process.env.LANE_MIX_SEED);

describe('lane accounting over random operator mixes (delay, bufferCount, concatMap copies, filter, share, groupBy, takeWhile)', () => {
  afterEach(() => jest.useRealTimers());

  it('counts exactly what the operators did, and a flush close waits for what they hold, in fake time', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ where, ops, gaps }) => {
        jest.useFakeTimers();
        const tally: Tally = { copies: 0, filtered: 0 };
        const pipe = ops.flatMap((o) => steps(o, tally));
        const memory = new MemorySink();
        const log = (
          where === 'pipe'
            ? new LoggerConfiguration().pipe(...pipe).writeTo.sink(memory, { name: 'memory' })
            : new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe })
        ).createLogger();
        for (const [index, gap] of gaps.entries()) {
          await jest.advanceTimersByTimeAsync(gap);
          log.information('Event {N}', index);
          const m = log.metrics().sinks.memory;
          expect(m.received).toBe(m.delivered + m.dropped + m.failed + m.pending);
        }
        const closing = log.close({ strategy: 'flush', timeoutMs: 10_000 });
        await jest.advanceTimersByTimeAsync(10_000);
        const report = await closing;
        jest.useRealTimers();
        const metrics = log.metrics();
        const logged = gaps.length;
        const written = memory.events.length;
        const byReason = where === 'pipe' ? (metrics.pipe?.droppedBy ?? {}) : (metrics.sinks.memory.droppedBy ?? {});
        const unreported = byReason.unreported ?? 0;
        const completed = byReason['operator-completed'] ?? 0;
        expect(report.timedOut).toBe(false);
        expect(unreported).toBe(tally.filtered);
        expect(Object.keys(byReason).filter((reason) => reason !== 'unreported' && reason !== 'operator-completed')).toEqual([]);
        if (where === 'pipe') {
          expect(metrics.pipe).toMatchObject({
            entered: logged,
            created: tally.copies,
            left: written,
            dropped: unreported + completed,
            pending: 0,
          });
          expect(report.pipe).toEqual({ dropped: unreported + completed, undelivered: 0 });
        } else {
          expect(metrics.sinks.memory).toMatchObject({
            received: logged + tally.copies,
            delivered: written,
            dropped: unreported + completed,
            pending: 0,
          });
          expect(report.sinks.memory).toEqual({ delivered: written, dropped: unreported + completed, failed: 0, undelivered: 0 });
        }
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
  });
});

// The same mixes under a close at a random moment with each strategy and a short bound, in front
// of a sink that takes its time: whatever the operators still hold, the sink has queued or in
// flight when the close gives up, per sink received = delivered + dropped + failed + undelivered,
// the report says what metrics() says, delivered is what the sink wrote, and nothing moves after.
type HostileOp = { kind: 'take'; count: number } | { kind: 'fail'; at: number } | { kind: 'clone' };

/** Steps that end the stream early, fail it, or make new event objects (copies the lane finds by its counts). */
function hostileSteps(o: HostileOp): MonoTypeOperatorFunction<LogEvent>[] {
  switch (o.kind) {
    case 'take':
      return [take(o.count)];
    case 'fail':
      return [
        mergeMap((event) => ((event.properties.N as number) === o.at ? throwError(() => new Error('op failed')) : of(event))),
      ];
    case 'clone':
      return [mergeMap((event) => of(event, { ...event }))];
  }
}

const hostileOp: fc.Arbitrary<HostileOp> = fc.oneof(
  fc.integer({ min: 1, max: 6 }).map<HostileOp>((count) => ({ kind: 'take', count })),
  fc.integer({ min: 0, max: 11 }).map<HostileOp>((at) => ({ kind: 'fail', at })),
  fc.constant<HostileOp>({ kind: 'clone' }),
);

const anyOp = fc.oneof(
  { weight: 3, arbitrary: op.map((o) => (tally: Tally) => steps(o, tally)) },
  { weight: 1, arbitrary: hostileOp.map((o) => () => hostileSteps(o)) },
);

const closing = fc.record({
  where: fc.constantFrom('sink' as const, 'pipe' as const),
  ops: fc.array(anyOp, { minLength: 1, maxLength: 5 }),
  gaps: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 12 }),
  closeAfter: fc.integer({ min: 0, max: 12 }),
  strategy: fc.constantFrom('graceful' as const, 'immediate' as const, 'flush' as const),
  timeoutMs: fc.constantFrom(0, 5, 30),
  writeMs: fc.constantFrom(0, 7, 40),
  batch: fc.constantFrom(1, 3),
});

describe('lane accounting over random operator mixes, closed at a random moment', () => {
  afterEach(() => jest.useRealTimers());

  it('counts every event each sink received as exactly one of delivered, dropped, failed or undelivered', async () => {
    await fc.assert(
      fc.asyncProperty(closing, async ({ where, ops, gaps, closeAfter, strategy, timeoutMs, writeMs, batch }) => {
        jest.useFakeTimers();
        const tally: Tally = { copies: 0, filtered: 0 };
        const pipe = ops.flatMap((o) => o(tally));
        const written: LogEvent[] = [];
        const slow = {
          emit: (events: readonly LogEvent[]): Promise<void> | void => {
            if (writeMs === 0) {
              written.push(...events);
              return;
            }
            return new Promise<void>((resolve) =>
              setTimeout(() => {
                written.push(...events);
                resolve();
              }, writeMs),
            );
          },
        };
        const options = { name: 'slow', batch: { size: batch, maxDelayMs: 5 } };
        const log = (
          where === 'pipe'
            ? new LoggerConfiguration().pipe(...pipe).writeTo.sink(slow, options)
            : new LoggerConfiguration().writeTo.sink(slow, { ...options, pipe })
        ).createLogger();
        const closed: { report?: ShutdownReport } = {};
        const close = (): void => void log.close({ strategy, timeoutMs }).then((report) => (closed.report = report));
        let closeCalled = false;
        for (const [index, gap] of gaps.entries()) {
          if (index === closeAfter) {
            closeCalled = true;
            close();
          }
          await jest.advanceTimersByTimeAsync(gap);
          log.information('Event {N}', index);
          const mid = log.metrics().sinks.slow;
          expect(mid.received).toBe(mid.delivered + mid.dropped + mid.failed + mid.pending);
          if (mid.undelivered === undefined) expect(written.length).toBe(mid.delivered);
        }
        if (!closeCalled) close();
        await jest.advanceTimersByTimeAsync(5_000);
        const done = closed.report;
        if (done === undefined) throw new Error('close() did not settle');
        const m = log.metrics().sinks.slow;
        const summary = done.sinks.slow;
        expect(m.received).toBe(m.delivered + m.dropped + m.failed + m.pending);
        expect(summary).toEqual({ delivered: m.delivered, dropped: m.dropped, failed: m.failed, undelivered: m.pending });
        expect(written.length).toBeGreaterThanOrEqual(m.delivered);
        if (m.pending === 0) expect(written.length).toBe(m.delivered);
        const pipeMetrics = log.metrics().pipe;
        if (where === 'pipe') {
          expect(pipeMetrics).toBeDefined();
          const p = pipeMetrics!;
          expect(p.entered + p.created).toBe(p.left + p.dropped + p.pending);
          expect(done.pipe).toEqual({ dropped: p.dropped, undelivered: p.undelivered ?? 0 });
          expect(p.pending).toBe(p.undelivered ?? 0);
          expect(m.received).toBe(p.left);
        }
        await jest.advanceTimersByTimeAsync(5_000);
        const after = log.metrics();
        expect(after.sinks.slow).toMatchObject({
          received: m.received,
          delivered: m.delivered,
          dropped: m.dropped,
          pending: m.pending,
        });
        if (where === 'pipe') expect(after.pipe).toEqual(pipeMetrics);
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
  });
});
