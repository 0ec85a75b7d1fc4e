import fc from 'fast-check';
import { batchOption, breakerOption, retryOption } from '../helpers/delivery-arbitraries';
import { delay, filter, map, mergeMap, Observable, of, type OperatorFunction, take, tap } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { SinkOptions } from '../../lib/configuration/sink-options';
import { type EventAccounting, injectEventAccounting, provideEventAccounting } from '../../lib/operators/event-accounting';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { sampleEvents } from '../../lib/operators/sample-events';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { PartialDeliveryError } from '../../lib/core/errors/partial-delivery-error';
import type { LogEvent } from '../../lib/core/log-event';
import { type LogLevelName, levelValue } from '../../lib/core/log-level';
import { SelfLog } from '../../lib/core/self-log';
import type { Sink } from '../../lib/core/sink';
import { metricsToPrometheus } from '../../lib/metrics/metrics-to-prometheus';
import type { LoggerMetrics, SinkMetrics } from '../../lib/metrics/metrics-types';
import type { ShutdownReport } from '../../lib/pipeline/shutdown-report';
import { checkSummaryAgainstMetrics, LEVELS, mulberry32, noThrow, seqOf } from '../helpers/model-run';

// "Nothing lost or dropped unaccounted", logger-wide, as a model: fast-check builds a logger whose
// `.pipe()` and sinks' `pipe` hold operators that drop (a plain filter, `take` that completes early),
// duplicate (`mergeMap` to two copies, at once or later, or to the event and a new object), delay
// or fail, and rxlog's own sampleEvents, throttleEvents and fingersCrossed, in front of 1–3 sinks
// that take, throw, reject, write part of a batch or never settle, with random queue, batch,
// retry, breaker and fallback options; then a schedule of log calls, flush, flushSync and time,
// a close with a random strategy and log calls after it, in jest's fake timers. After every step
// and after close it checks the whole chain: logged = filtered + what entered `.pipe()`; `.pipe()`
// balances (entered + created = left + dropped + pending), its reasons add up to its dropped and
// created is what its operators made; each sink received exactly what left `.pipe()` at its level
// and what its own operators made; received = delivered + dropped + failed + pending; its reasons
// add up to no more than its dropped; delivered = what the sink and its fallback took (the
// fallback counted once, in `fallback`); close() settles within its timeout and the report (sinks
// and pipe) equals metrics. The pipeline-model and accounting properties cover sink behaviour in
// more depth; this one the operators around the sinks.
// LOGGER_ACCOUNTING_RUNS / LOGGER_ACCOUNTING_SEED explore further.

type Op = 'drop' | 'dup' | 'dupLater' | 'fresh' | 'delay' | 'take' | 'fail' | 'sample' | 'throttle' | 'fingers';

type Act =
  | { kind: 'ok' }
  | { kind: 'throw' }
  | { kind: 'resolve'; afterMs: number }
  | { kind: 'reject'; afterMs: number }
  | { kind: 'partial'; written: number; afterMs: number | undefined }
  | { kind: 'never' };

interface SinkPlan {
  script: Act[];
  minimumLevel: LogLevelName | undefined;
  ops: Op[];
  queue: { limit: number; overflow: 'drop-oldest' | 'drop-newest' } | undefined;
  batch: { size: number; maxDelayMs: number } | undefined;
  retry: { attempts: number; initialDelayMs: number } | false | undefined;
  circuitBreaker: { failureThreshold: number; resetTimeoutMs: number } | false | undefined;
  fallback: Act[] | undefined;
}

interface Plan {
  excludeFilter: boolean;
  ops: Op[];
  opMs: number;
  sinks: SinkPlan[];
}

type Step =
  | { kind: 'log'; level: LogLevelName; count: number }
  | { kind: 'flush'; timeoutMs: number }
  | { kind: 'flushSync' }
  | { kind: 'advance'; ms: number };

interface Ending {
  strategy: 'graceful' | 'immediate' | 'flush';
  timeoutMs: number;
  logsAfter: number;
}

const act: fc.Arbitrary<Act> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Act>({ kind: 'ok' }) },
  { weight: 1, arbitrary: fc.constant<Act>({ kind: 'throw' }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 200 }).map<Act>((afterMs) => ({ kind: 'resolve', afterMs })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 200 }).map<Act>((afterMs) => ({ kind: 'reject', afterMs })) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        written: fc.integer({ min: 0, max: 4 }),
        afterMs: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
      })
      .map<Act>(({ written, afterMs }) => ({ kind: 'partial', written, afterMs })),
  },
  { weight: 1, arbitrary: fc.constant<Act>({ kind: 'never' }) },
);

const op = fc.constantFrom<Op>('drop', 'dup', 'dupLater', 'fresh', 'delay', 'take', 'fail', 'sample', 'throttle', 'fingers');
const ops = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Op[]>([]) },
  { weight: 3, arbitrary: fc.array(op, { minLength: 1, maxLength: 2 }) },
);

const sinkPlan: fc.Arbitrary<SinkPlan> = fc.record({
  script: fc.array(act, { minLength: 1, maxLength: 5 }),
  minimumLevel: fc.option(fc.constantFrom<LogLevelName>(...LEVELS), { nil: undefined }),
  ops,
  queue: fc.option(
    fc.record({
      limit: fc.integer({ min: 1, max: 20 }),
      overflow: fc.constantFrom('drop-oldest' as const, 'drop-newest' as const),
    }),
    { nil: undefined },
  ),
  batch: batchOption(8, 150),
  retry: retryOption(100),
  circuitBreaker: breakerOption(400),
  fallback: fc.option(fc.array(act, { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 }),
});

const plan: fc.Arbitrary<Plan> = fc.record({
  excludeFilter: fc.boolean(),
  ops,
  opMs: fc.integer({ min: 1, max: 150 }),
  sinks: fc.array(sinkPlan, { minLength: 1, maxLength: 3 }),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({ level: fc.constantFrom<LogLevelName>(...LEVELS), count: fc.integer({ min: 1, max: 12 }) })
      .map<Step>((log) => ({ kind: 'log', ...log })),
  },
  { weight: 1, arbitrary: fc.constantFrom(0, 50, 500).map<Step>((timeoutMs) => ({ kind: 'flush', timeoutMs })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'flushSync' }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 300 }).map<Step>((ms) => ({ kind: 'advance', ms })) },
);

const ending: fc.Arbitrary<Ending> = fc.record({
  strategy: fc.constantFrom('graceful' as const, 'immediate' as const, 'flush' as const),
  timeoutMs: fc.constantFrom(0, 20, 150, 1_000),
  logsAfter: fc.integer({ min: 0, max: 3 }),
});

/** See pipeline-model.property.spec.ts: each stage of a close that finds no time left may add a virtual millisecond. */
const SLACK_MS = 5;

/** Diagnostics that mean the pipeline caught a fault of its own. */
const INTERNAL_FAULT =
  /delivery stage failed|Logging an event failed|synchronous flush failed|sending an aged batch failed|stream failed/;

/** The operators an `Op` list stands for; `take` lets `takeCount` events through, then completes. */
function operators(list: readonly Op[], delayMs: number, copies: { made: number }): OperatorFunction<LogEvent, LogEvent>[] {
  /** The event, then a copy of it, counted in `copies` as it is sent. */
  const twice = (event: LogEvent) =>
    of(event, event).pipe(
      map((copy, index) => {
        if (index === 1) copies.made++;
        return copy;
      }),
    );
  return list.map((kind): OperatorFunction<LogEvent, LogEvent> => {
    switch (kind) {
      case 'drop':
        return filter((event) => seqOf(event) % 4 !== 1);
      case 'dup':
        return mergeMap((event) => (seqOf(event) % 3 === 0 ? twice(event) : of(event)));
      case 'dupLater':
        return mergeMap((event) => (seqOf(event) % 2 === 0 ? of(event).pipe(delay(delayMs), mergeMap(twice)) : of(event)));
      case 'fresh':
        // A copy as a new object, unreported (`map` to a changed event, and the original too).
        return mergeMap((event) => {
          if (seqOf(event) % 3 !== 1) return of(event);
          const copy: LogEvent = Object.assign(Object.create(Object.getPrototypeOf(event) as object) as LogEvent, event);
          return of(event, copy).pipe(
            map((sent, index) => {
              if (index === 1) copies.made++;
              return sent;
            }),
          );
        });
      case 'delay':
        return delay(delayMs);
      case 'take':
        return take(7);
      case 'sample':
        return sampleEvents({ rate: 0.5, key: 'Seq' });
      case 'throttle':
        // Its summaries are events it made: counted as it reports them (a summary made at close may
        // never leave it), by listening on the channel it reports through.
        return (source) =>
          new Observable<LogEvent>((subscriber) => {
            const lane = injectEventAccounting();
            const listening: EventAccounting = {
              dropped: (count, reason) => lane.dropped(count, reason),
              created: (count) => {
                copies.made += count;
                lane.created(count);
              },
            };
            return provideEventAccounting(listening, () =>
              throttleEvents({ windowMs: delayMs, max: 2 })(source).subscribe(subscriber),
            );
          });
      case 'fingers':
        return fingersCrossed({ trigger: 'error', bufferSize: 5 });
      case 'fail':
        return mergeMap((event) => {
          if (seqOf(event) % 9 === 4) throw new Error('scripted operator failure');
          return of(event);
        });
    }
  });
}

class ScriptedSink implements Sink {
  /** How many events each emit call took (a completed write, or the leading part of a partial one). */
  accepted = 0;
  calls = 0;
  closes = 0;
  callsAfterClose = 0;

  constructor(readonly script: readonly Act[]) {}

  emit(events: readonly LogEvent[]): void | Promise<void> {
    if (this.closes > 0) this.callsAfterClose++;
    const next = this.script[this.calls++ % this.script.length];
    switch (next.kind) {
      case 'ok':
        this.accepted += events.length;
        return undefined;
      case 'throw':
        throw new Error('scripted throw');
      case 'resolve':
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            this.accepted += events.length;
            resolve();
          }, next.afterMs),
        );
      case 'reject':
        return new Promise<void>((_, reject) => setTimeout(() => reject(new Error('scripted reject')), next.afterMs));
      case 'partial': {
        const fail = (): PartialDeliveryError => {
          this.accepted += Math.min(next.written, events.length);
          return new PartialDeliveryError(next.written, new Error('scripted short write'));
        };
        if (next.afterMs === undefined) throw fail();
        return new Promise<void>((_, reject) => setTimeout(() => reject(fail()), next.afterMs));
      }
      case 'never':
        return new Promise<void>(() => undefined);
    }
  }

  close(): void {
    this.closes++;
  }

  get hangs(): boolean {
    return this.script.some((a) => a.kind === 'never');
  }
}

function sum(reasons: Record<string, number> | undefined): number {
  return Object.values(reasons ?? {}).reduce((total, count) => total + count, 0);
}

function balanced(where: string, name: string, m: SinkMetrics): void {
  if (m.pending < 0 || m.received !== m.delivered + m.dropped + m.failed + m.pending)
    throw new Error(
      `${where}: ${name} received ${m.received} ≠ delivered ${m.delivered} + dropped ${m.dropped} + failed ${m.failed} + pending ${m.pending}`,
    );
  if (sum(m.droppedBy) > m.dropped)
    throw new Error(`${where}: ${name} droppedBy adds up to ${sum(m.droppedBy)} > dropped ${m.dropped}`);
  if ((m.droppedAtClose ?? 0) + sum(m.droppedBy) > m.dropped)
    throw new Error(
      `${where}: ${name} droppedAtClose ${m.droppedAtClose ?? 0} + droppedBy ${sum(m.droppedBy)} > dropped ${m.dropped}`,
    );
  if (m.fallback > m.delivered) throw new Error(`${where}: ${name} fallback ${m.fallback} > delivered ${m.delivered}`);
}

async function runModel(plan: Plan, steps: readonly Step[], end: Ending, seed: number): Promise<void> {
  jest.clearAllTimers();
  jest.spyOn(Math, 'random').mockImplementation(mulberry32(seed));
  const faults: string[] = [];
  const selfLog = SelfLog.events$.subscribe((event) => {
    if (INTERNAL_FAULT.test(event.message)) faults.push(event.message);
  });
  try {
    await runModelInner(plan, steps, end, faults);
  } finally {
    selfLog.unsubscribe();
    jest.clearAllTimers();
    jest.restoreAllMocks();
  }
}

async function runModelInner(plan: Plan, steps: readonly Step[], end: Ending, faults: string[]): Promise<void> {
  const primaries = plan.sinks.map((s) => new ScriptedSink(s.script));
  const fallbacks = plan.sinks.map((s) => (s.fallback === undefined ? undefined : new ScriptedSink(s.fallback)));
  const names = plan.sinks.map((_, index) => `s${index}`);
  /** Per level, the events that left `.pipe()` for the sinks: what each lane receives, by its level. */
  const leftByLevel = new Map<LogLevelName, number>();
  /** The copies the operators of `.pipe()` made. */
  const pipeCopies = { made: 0 };
  let configuration = new LoggerConfiguration().minimumLevel.verbose();
  if (plan.excludeFilter) configuration = configuration.filter.byExcluding((event) => seqOf(event) % 6 === 5);
  if (plan.ops.length > 0)
    configuration = configuration.pipe(
      ...operators(plan.ops, plan.opMs, pipeCopies),
      tap((event: LogEvent) => leftByLevel.set(event.level, (leftByLevel.get(event.level) ?? 0) + 1)),
    );
  /** Per sink, the copies its own operators made: a lane counts what its operators make as received. */
  const laneCopies = plan.sinks.map(() => ({ made: 0 }));
  plan.sinks.forEach((sinkPlan, index) => {
    const options: SinkOptions = { name: names[index], pipe: operators(sinkPlan.ops, plan.opMs + 17, laneCopies[index]) };
    if (sinkPlan.minimumLevel !== undefined) options.minimumLevel = sinkPlan.minimumLevel;
    if (sinkPlan.queue !== undefined) options.queue = sinkPlan.queue;
    if (sinkPlan.batch !== undefined) options.batch = sinkPlan.batch;
    if (sinkPlan.retry !== undefined) options.retry = sinkPlan.retry;
    if (sinkPlan.circuitBreaker !== undefined) options.circuitBreaker = sinkPlan.circuitBreaker;
    const fallback = fallbacks[index];
    if (fallback !== undefined) options.fallback = fallback;
    configuration = configuration.writeTo.sink(primaries[index], options);
  });
  const log = configuration.createLogger();

  let seq = 0;
  let logged = 0;
  let filtered = 0;
  let rejectedAfterClose = 0;
  let closing = false;
  /** Every flush() call: when it must have settled by (its timeoutMs), and whether it has. */
  const flushes: { due: number; settled: boolean }[] = [];
  /** Set once a close that waits for every operator (a 'flush' close) resolved. */
  let lossless = false;

  const logBurst = (level: LogLevelName, count: number): void => {
    for (let i = 0; i < count; i++) {
      const n = seq++;
      noThrow('a log call', () => log[level]('Event {Seq}', n));
      if (closing) rejectedAfterClose++;
      else {
        logged++;
        if (plan.excludeFilter && n % 6 === 5) filtered++;
        else if (plan.ops.length === 0) leftByLevel.set(level, (leftByLevel.get(level) ?? 0) + 1);
      }
    }
  };

  /** Every counter series of the last check's Prometheus text, with its value. */
  let lastCounters = new Map<string, number>();
  const check = (where: string): LoggerMetrics => {
    const metrics = noThrow('metrics()', () => log.metrics());
    if (metrics.logged !== logged) throw new Error(`${where}: logged ${metrics.logged}, expected ${logged}`);
    if (metrics.filtered !== filtered) throw new Error(`${where}: filtered ${metrics.filtered}, expected ${filtered}`);
    if (metrics.rejectedAfterClose !== rejectedAfterClose)
      throw new Error(`${where}: rejectedAfterClose ${metrics.rejectedAfterClose}, expected ${rejectedAfterClose}`);
    const p = metrics.pipe;
    if ((p === undefined) !== (plan.ops.length === 0))
      throw new Error(`${where}: metrics.pipe is ${p === undefined ? 'absent' : 'present'}`);
    if (p !== undefined) {
      if (p.entered !== logged - filtered)
        throw new Error(`${where}: pipe entered ${p.entered}, expected logged - filtered ${logged - filtered}`);
      const left = [...leftByLevel.values()].reduce((a, b) => a + b, 0);
      if (p.left !== left) throw new Error(`${where}: pipe left ${p.left}, but ${left} events came out of its operators`);
      if (p.pending < 0 || p.entered + p.created !== p.left + p.dropped + p.pending)
        throw new Error(
          `${where}: pipe entered ${p.entered} + created ${p.created} ≠ left ${p.left} + dropped ${p.dropped} + pending ${p.pending}`,
        );
      if (sum(p.droppedBy) !== p.dropped)
        throw new Error(`${where}: pipe droppedBy adds up to ${sum(p.droppedBy)} ≠ dropped ${p.dropped}`);
      // What an operator made is known as it leaves that operator, but for one that holds events
      // and makes copies too (dupLater), whose copies are known as they leave the operators.
      if (!closing && !plan.ops.includes('dupLater') && p.created !== pipeCopies.made)
        throw new Error(`${where}: pipe created ${p.created}, but its operators made ${pipeCopies.made}`);
    }
    names.forEach((name, index) => {
      const m = metrics.sinks[name];
      balanced(where, name, m);
      // Without a queue option, the default queue (10 000 events) never fills here: every drop has a reason.
      if (plan.sinks[index].queue === undefined && m.dropped !== (m.droppedAtClose ?? 0) + sum(m.droppedBy))
        throw new Error(
          `${where}: ${name} dropped ${m.dropped} ≠ droppedAtClose ${m.droppedAtClose ?? 0} + droppedBy ${sum(m.droppedBy)}`,
        );
      const minimum = plan.sinks[index].minimumLevel;
      let expected = 0;
      for (const [level, count] of leftByLevel)
        if (minimum === undefined || levelValue(level) >= levelValue(minimum)) expected += count;
      // A lane receives every event that left `.pipe()` at its level, and what its own operators
      // made, each copy known as it leaves the operator that made it, but for one that holds events
      // and makes copies too (dupLater): a copy it made and an event it holds net out until the
      // copy leaves the operators. After close, the last events may have left `.pipe()` as the
      // lanes were unsubscribed.
      const made = laneCopies[index].made;
      const exact = !closing && !plan.sinks[index].ops.includes('dupLater');
      if (
        m.received > expected + made ||
        (exact && m.received < expected + made) ||
        ((!closing || lossless) && m.received < expected)
      )
        throw new Error(
          `${where}: ${name} received ${m.received}, but ${expected} events left .pipe() at its level and its operators made ${made}`,
        );
    });
    // Prometheus: each sink's drops by reason add up to its dropped total, and `.pipe()`'s too.
    const text = metricsToPrometheus(metrics);
    // Prometheus reads a counter that falls as a reset (rate() and increase() count it again from
    // 0), and a series that stops as gone: every counter sample, and a summary's _count and _sum,
    // stays at or above its last scrape's value, and stays.
    const counters = counterSeries(text);
    for (const [series, last] of lastCounters) {
      const now = counters.get(series);
      if (now === undefined) throw new Error(`${where}: Prometheus series ${series} (last ${last}) is gone`);
      if (now < last) throw new Error(`${where}: Prometheus counter ${series} fell from ${last} to ${now}`);
    }
    lastCounters = counters;
    const series = (family: string): Map<string, number> => {
      const totals = new Map<string, number>();
      for (const line of text.split('\n')) {
        const match = new RegExp(`^${family}\\{(?:sink="([^"]*)")?[^}]*\\} (\\d+)$`).exec(line);
        if (match !== null) totals.set(match[1] ?? '', (totals.get(match[1] ?? '') ?? 0) + Number(match[2]));
      }
      return totals;
    };
    const byReason = series('rxlog_events_dropped_by_reason_total');
    const totals = series('rxlog_events_dropped_total');
    for (const name of names)
      if ((byReason.get(name) ?? 0) !== totals.get(name))
        throw new Error(
          `${where}: ${name} Prometheus drops by reason add up to ${byReason.get(name) ?? 0} ≠ dropped ${totals.get(name)}`,
        );
    if (p !== undefined) {
      const pipeByReason = series('rxlog_pipe_events_dropped_by_reason_total').get('') ?? 0;
      if (pipeByReason !== p.dropped)
        throw new Error(`${where}: Prometheus pipe drops by reason ${pipeByReason} ≠ dropped ${p.dropped}`);
    }
    for (const pending of flushes)
      if (!pending.settled && Date.now() > pending.due) throw new Error(`${where}: a flush() still pending past its timeoutMs`);
    if (faults.length > 0) throw new Error(`${where}: internal fault reported: ${faults[0]}`);
    return metrics;
  };

  for (const [index, next] of steps.entries()) {
    switch (next.kind) {
      case 'log':
        logBurst(next.level, next.count);
        break;
      case 'flush': {
        const pending = { due: Date.now() + next.timeoutMs + SLACK_MS, settled: false };
        flushes.push(pending);
        noThrow('flush()', () => log.flush({ timeoutMs: next.timeoutMs })).then(
          () => (pending.settled = true),
          () => faults.push('flush() rejected'),
        );
        break;
      }
      case 'flushSync':
        noThrow('flushSync()', () => log.flushSync());
        break;
      case 'advance':
        await jest.advanceTimersByTimeAsync(next.ms);
        break;
    }
    check(`step ${index} (${next.kind})`);
  }

  closing = true;
  let report: ShutdownReport | undefined;
  let closeFailure: unknown;
  noThrow('close()', () => log.close({ strategy: end.strategy, timeoutMs: end.timeoutMs })).then(
    (value) => {
      report = value;
    },
    (error: unknown) => {
      closeFailure = error ?? 'undefined';
    },
  );
  logBurst('fatal', end.logsAfter);
  // A second close() while the first runs, and a flush(), neither of which throws or changes the outcome.
  const second = noThrow('a second close()', () => log.close({ strategy: 'immediate', timeoutMs: 0 }));
  let secondSettled = false;
  void second.then(() => (secondSettled = true));
  void noThrow('flush() while closing', () => log.flush({ timeoutMs: 0 }));
  const hangs = [...primaries, ...fallbacks].some((sink) => sink?.hangs === true);
  if (end.strategy === 'flush') {
    for (let waited = 0; waited < 600_000 && report === undefined && closeFailure === undefined; waited += 10_000)
      await jest.advanceTimersByTimeAsync(10_000);
    if (report === undefined && closeFailure === undefined) {
      if (!hangs) throw new Error('close({ strategy: "flush" }) never settled though every write settles');
      // A bounded close keeps its bound behind one that waits for ever.
      if (!secondSettled) throw new Error('a second close() bounded at 0 ms never settled behind a flush close');
      return;
    }
  } else await jest.advanceTimersByTimeAsync(end.timeoutMs + SLACK_MS);
  if (closeFailure !== undefined) throw new Error('close() rejected', { cause: closeFailure });
  if (report === undefined)
    throw new Error(`close(${JSON.stringify(end)}) still pending ${end.timeoutMs + SLACK_MS} ms after it began`);
  const final: ShutdownReport = report;
  // The same report, unless the second, bounded at 0 ms, gave up waiting for the first: it says so.
  const secondReport = await second;
  if (secondReport !== final && !(secondReport.timedOut && secondReport.strategy === 'immediate'))
    throw new Error('a second close() resolved with another report');

  lossless = end.strategy === 'flush';
  const afterClose = check('after close');
  const p = afterClose.pipe;
  if (p !== undefined) {
    if (final.pipe === undefined) throw new Error('the report has no pipe, though metrics have');
    if (final.pipe.dropped !== p.dropped || final.pipe.undelivered !== p.pending)
      throw new Error(
        `report pipe { dropped ${final.pipe.dropped}, undelivered ${final.pipe.undelivered} } ≠ metrics { dropped ${p.dropped}, pending ${p.pending} }`,
      );
    if (end.strategy === 'flush' && p.pending !== 0)
      throw new Error(`a flush close left ${p.pending} events in .pipe()'s operators`);
    // An immediate close drops what they hold (already_shutdown), as a sink lane's: nothing is left pending.
    if (end.strategy === 'immediate' && (p.pending !== 0 || final.pipe.undelivered !== 0))
      throw new Error(`an immediate close left ${p.pending} events pending in .pipe()'s operators`);
  } else if (final.pipe !== undefined) throw new Error('the report has a pipe, though metrics have none');
  names.forEach((name, index) => {
    const m = afterClose.sinks[name];
    const summary = final.sinks[name];
    checkSummaryAgainstMetrics(name, summary, m);
    if (end.strategy === 'flush' && summary.undelivered !== 0)
      throw new Error(`${name}: a flush close left ${summary.undelivered} undelivered`);
    if (summary.undelivered > 0 && !final.timedOut)
      throw new Error(`${name}: undelivered ${summary.undelivered} but timedOut false`);
    const primary = primaries[index];
    const fallback = fallbacks[index];
    if (primary.closes !== 1) throw new Error(`${name}: sink closed ${primary.closes} times`);
    if (fallback !== undefined && fallback.closes !== 1) throw new Error(`${name}: fallback closed ${fallback.closes} times`);
    if (primary.callsAfterClose + (fallback?.callsAfterClose ?? 0) > 0) throw new Error(`${name}: written to after its close()`);
    if (summary.undelivered === 0) {
      const taken = primary.accepted + (fallback?.accepted ?? 0);
      if (m.delivered !== taken)
        throw new Error(
          `${name}: delivered ${m.delivered}, but the sink and its fallback took ${primary.accepted} + ${fallback?.accepted ?? 0}`,
        );
      if (m.fallback !== (fallback?.accepted ?? 0))
        throw new Error(`${name}: fallback ${m.fallback}, but the fallback took ${fallback?.accepted ?? 0}`);
    }
  });

  // Nothing changes once close() resolved.
  const calls = [...primaries, ...fallbacks].map((sink) => sink?.calls ?? 0);
  await jest.advanceTimersByTimeAsync(60_000);
  if ([...primaries, ...fallbacks].some((sink, index) => (sink?.calls ?? 0) !== calls[index]))
    throw new Error('a sink was called after close() resolved');
  const later = check('60 s after close');
  if (JSON.stringify({ ...later, timestamp: 0 }) !== JSON.stringify({ ...afterClose, timestamp: 0 }))
    throw new Error(`metrics changed after close() resolved: ${JSON.stringify(afterClose)} → ${JSON.stringify(later)}`);
}

/** The counter samples of an exposition (a counter family's, a summary's `_count` and `_sum`), by series. */
function counterSeries(text: string): Map<string, number> {
  const counters = new Set<string>();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (counter|summary)$/.exec(line);
    if (type?.[2] === 'counter') counters.add(type[1]);
    else if (type !== null) counters.add(`${type[1]}_count`).add(`${type[1]}_sum`);
    const sample = /^([^{ ]+)(\{.*\})? (\S+)$/.exec(line);
    if (sample !== null && counters.has(sample[1])) series.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return series;
}

describe('the logger, accounting for every event through .pipe(), lanes and sinks', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  it('counts every event logged exactly once, from the log call to the shutdown report', async () => {
    await fc.assert(
      fc.asyncProperty(plan, fc.array(step, { maxLength: 20 }), ending, fc.integer(), (p, s, e, random) =>
        runModel(p, s, e, random),
      ),
      {
        numRuns: Number(process.env.LOGGER_ACCOUNTING_RUNS ?? 150),
        seed: Number(process.env.LOGGER_ACCOUNTING_SEED ?? 20261204),
      },
    );
  }, 120_000);
});
