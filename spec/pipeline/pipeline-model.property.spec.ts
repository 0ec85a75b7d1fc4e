import fc from 'fast-check';
import { asyncScheduler, delay, filter, map, type OperatorFunction } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { PartialDeliveryError } from '../../lib/core/errors/partial-delivery-error';
import type { LogEvent } from '../../lib/core/log-event';
import { estimateEventBytes } from '../../lib/operators/event-size';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { sampleEvents } from '../../lib/operators/sample-events';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { LevelSwitch } from '../../lib/core/level-switch';
import { type LogLevelName, levelValue } from '../../lib/core/log-level';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import type { EmitResult, Sink } from '../../lib/core/sink';
import type { LoggerMetrics, SinkMetrics } from '../../lib/metrics/metrics-types';
import type { Logger } from '../../lib/pipeline/logger';
import type { SinkOptions } from '../../lib/configuration/sink-options';
import type { FlushResult } from '../../lib/pipeline/flush-options';
import type { ShutdownReport } from '../../lib/pipeline/shutdown-report';
import { checkSummaryAgainstMetrics, LEVELS, mulberry32, noThrow, seqOf } from '../helpers/model-run';

// A model-based test of the whole logger: fast-check makes a configuration (1–3 sinks scripted
// call by call, random delivery options, app operators) and a schedule (log calls, flush,
// flushSync, metrics, time passing, then close), runs it in jest's virtual time, and checks
// what docs/reliability.md and docs/production-delivery.md promise after every step.
// MODEL_RUNS and MODEL_SEED explore further: `MODEL_RUNS=2000 MODEL_SEED=7 npx jest pipeline-model`.

/** What one emit call of a scripted sink does. */
type Act =
  | { kind: 'ok' }
  | { kind: 'throw' }
  | { kind: 'resolve'; afterMs: number }
  | { kind: 'reject'; afterMs: number }
  | { kind: 'partial'; written: number; afterMs: number | undefined }
  | { kind: 'refuse'; rejected: number; afterMs: number | undefined }
  | { kind: 'never' }
  | { kind: 'log' }
  /** Rejects with something that is not an Error (a string, undefined, a plain object). */
  | { kind: 'rejectValue'; value: unknown; afterMs: number }
  /** A thenable that fulfils, then rejects and fulfils again: only its first call counts. */
  | { kind: 'twice'; rejectFirst: boolean; afterMs: number }
  /** Rejects with a Retry-After hint (often longer than any close timeout). */
  | { kind: 'retryAfter'; retryAfterMs: number; afterMs: number }
  /** Calls log.flushSync() or (not awaited) log.flush() from inside emit, then takes the batch. */
  | { kind: 'flushInside'; sync: boolean };

/** What one emitSync call does. */
type SyncAct =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'throw' }
  | { kind: 'partial'; written: number }
  | { kind: 'log' }
  /** Returns a Promise (a JavaScript sink's mistake): the batch was not taken. */
  | { kind: 'promise' };

/** What a sink's flush() or close() does; 'absent' leaves the method out. */
type EndAct = { kind: 'absent' } | { kind: 'ok' } | { kind: 'throw' } | { kind: 'resolve'; afterMs: number } | { kind: 'never' };

type LanePipe = 'none' | 'map' | 'filter' | 'delay' | 'sample' | 'throttle' | 'fingers' | 'failing';

interface SinkPlan {
  script: Act[];
  syncScript: SyncAct[] | undefined;
  minimumLevel: LogLevelName | undefined;
  pipe: LanePipe;
  delayMs: number;
  queue:
    | { limit?: number; limitBytes?: number; overflow?: 'drop-oldest' | 'drop-newest'; warnAt?: number; maxEventBytes?: number }
    | undefined;
  batch: { size?: number; maxDelayMs?: number } | undefined;
  retry: { attempts?: number; initialDelayMs?: number; maxDelayMs?: number; jitter?: number } | false | undefined;
  circuitBreaker: { failureThreshold?: number; resetTimeoutMs?: number } | false | undefined;
  fallback: Act[] | undefined;
  flushAct: EndAct;
  closeAct: EndAct;
}

interface Plan {
  minimumLevel: LogLevelName;
  enrich: boolean;
  excludeFilter: boolean;
  sharedPipe: LanePipe;
  sharedDelayMs: number;
  /** RxJS's asyncScheduler through useScheduler, instead of the default unref'd one (another clock path). */
  asyncScheduler: boolean;
  sinks: SinkPlan[];
}

type Step =
  | { kind: 'log'; level: LogLevelName; count: number; size: number }
  | { kind: 'flush'; timeoutMs: number | undefined }
  | { kind: 'flushSync' }
  | { kind: 'metrics' }
  | { kind: 'level'; level: LogLevelName }
  | { kind: 'advance'; ms: number };

interface Ending {
  strategy: 'graceful' | 'immediate' | 'flush';
  timeoutMs: number | undefined;
  logsAfter: number;
}

const act: fc.Arbitrary<Act> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Act>({ kind: 'ok' }) },
  { weight: 1, arbitrary: fc.constant<Act>({ kind: 'throw' }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 300 }).map<Act>((afterMs) => ({ kind: 'resolve', afterMs })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }).map<Act>((afterMs) => ({ kind: 'reject', afterMs })) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        written: fc.integer({ min: 0, max: 6 }),
        afterMs: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      })
      .map<Act>(({ written, afterMs }) => ({ kind: 'partial', written, afterMs })),
  },
  {
    // An EmitResult: the receiver refused `rejected` of the batch, synchronously or later.
    weight: 1,
    arbitrary: fc
      .record({
        rejected: fc.integer({ min: 0, max: 6 }),
        afterMs: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      })
      .map<Act>(({ rejected, afterMs }) => ({ kind: 'refuse', rejected, afterMs })),
  },
  { weight: 1, arbitrary: fc.constant<Act>({ kind: 'never' }) },
  { weight: 1, arbitrary: fc.constant<Act>({ kind: 'log' }) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        value: fc.constantFrom<unknown>('a string', undefined, null, 0, { message: 'plain object' }),
        afterMs: fc.integer({ min: 0, max: 100 }),
      })
      .map<Act>(({ value, afterMs }) => ({ kind: 'rejectValue', value, afterMs })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ rejectFirst: fc.boolean(), afterMs: fc.integer({ min: 0, max: 100 }) })
      .map<Act>(({ rejectFirst, afterMs }) => ({ kind: 'twice', rejectFirst, afterMs })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ retryAfterMs: fc.constantFrom(0, 250, 60_000, 3_600_000), afterMs: fc.integer({ min: 0, max: 50 }) })
      .map<Act>(({ retryAfterMs, afterMs }) => ({ kind: 'retryAfter', retryAfterMs, afterMs })),
  },
  { weight: 1, arbitrary: fc.boolean().map<Act>((sync) => ({ kind: 'flushInside', sync })) },
);

const syncAct: fc.Arbitrary<SyncAct> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<SyncAct>({ kind: 'true' }) },
  { weight: 1, arbitrary: fc.constant<SyncAct>({ kind: 'false' }) },
  { weight: 1, arbitrary: fc.constant<SyncAct>({ kind: 'throw' }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }).map<SyncAct>((written) => ({ kind: 'partial', written })) },
  { weight: 1, arbitrary: fc.constant<SyncAct>({ kind: 'log' }) },
  { weight: 1, arbitrary: fc.constant<SyncAct>({ kind: 'promise' }) },
);

const endAct: fc.Arbitrary<EndAct> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<EndAct>({ kind: 'absent' }) },
  { weight: 2, arbitrary: fc.constant<EndAct>({ kind: 'ok' }) },
  { weight: 1, arbitrary: fc.constant<EndAct>({ kind: 'throw' }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 300 }).map<EndAct>((afterMs) => ({ kind: 'resolve', afterMs })) },
  { weight: 1, arbitrary: fc.constant<EndAct>({ kind: 'never' }) },
);

const levelName = fc.constantFrom(...LEVELS);
const sharedPipe = fc.constantFrom<LanePipe>('none', 'none', 'none', 'map', 'filter', 'delay', 'failing');
/** A sink's own operators may also be rxlog's, which report what they drop and make. */
const lanePipe = fc.constantFrom<LanePipe>(
  'none',
  'none',
  'none',
  'none',
  'map',
  'filter',
  'delay',
  'sample',
  'throttle',
  'fingers',
  'failing',
);

const sinkPlan: fc.Arbitrary<SinkPlan> = fc.record({
  script: fc.array(act, { minLength: 1, maxLength: 6 }),
  syncScript: fc.option(fc.array(syncAct, { minLength: 1, maxLength: 4 }), { nil: undefined }),
  minimumLevel: fc.option(levelName, { nil: undefined }),
  pipe: lanePipe,
  delayMs: fc.integer({ min: 1, max: 200 }),
  queue: fc.option(
    fc.record(
      {
        limit: fc.integer({ min: 1, max: 40 }),
        limitBytes: fc.constantFrom(2_048, 16_384, 262_144, 4 * 1024 * 1024),
        overflow: fc.constantFrom('drop-oldest' as const, 'drop-newest' as const),
        warnAt: fc.constantFrom(0.1, 0.5, 0.8, 1),
        maxEventBytes: fc.constantFrom(512, 4_096, 65_536),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  batch: fc.option(
    fc.record(
      {
        size: fc.integer({ min: 1, max: 16 }),
        maxDelayMs: fc.oneof(
          { weight: 9, arbitrary: fc.integer({ min: 0, max: 200 }) },
          { weight: 1, arbitrary: fc.constant(Infinity) },
        ),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  retry: fc.oneof(
    fc.constant(undefined),
    fc.constant(false as const),
    fc
      .record(
        {
          attempts: fc.integer({ min: 1, max: 4 }),
          initialDelayMs: fc.integer({ min: 0, max: 200 }),
          maxDelayMs: fc.integer({ min: 0, max: 1_000 }),
          jitter: fc.constantFrom(0, 0.2, 1),
        },
        { requiredKeys: [] },
      )
      // Both given, maxDelayMs is at least initialDelayMs (less is a ConfigurationError).
      .map((retry) =>
        retry.initialDelayMs !== undefined && retry.maxDelayMs !== undefined && retry.maxDelayMs < retry.initialDelayMs
          ? { ...retry, maxDelayMs: retry.initialDelayMs }
          : retry,
      ),
  ),
  circuitBreaker: fc.oneof(
    fc.constant(undefined),
    fc.constant(false as const),
    fc.record(
      { failureThreshold: fc.integer({ min: 1, max: 4 }), resetTimeoutMs: fc.integer({ min: 0, max: 800 }) },
      { requiredKeys: [] },
    ),
  ),
  fallback: fc.option(fc.array(act, { minLength: 1, maxLength: 4 }), { nil: undefined, freq: 2 }),
  flushAct: endAct,
  closeAct: endAct,
});

const plan: fc.Arbitrary<Plan> = fc.record({
  minimumLevel: fc.constantFrom<LogLevelName>('verbose', 'debug', 'information', 'warning'),
  enrich: fc.boolean(),
  excludeFilter: fc.boolean(),
  sharedPipe,
  sharedDelayMs: fc.integer({ min: 1, max: 200 }),
  asyncScheduler: fc.boolean(),
  sinks: fc.array(sinkPlan, { minLength: 1, maxLength: 3 }),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        level: levelName,
        count: fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) },
          { weight: 1, arbitrary: fc.integer({ min: 6, max: 60 }) },
        ),
        // Mostly small payloads; some past maxEventBytes and past limitBytes.
        size: fc.oneof(
          { weight: 5, arbitrary: fc.integer({ min: 0, max: 40 }) },
          { weight: 1, arbitrary: fc.integer({ min: 300, max: 100_000 }) },
        ),
      })
      .map<Step>((log) => ({ kind: 'log', ...log })),
  },
  {
    weight: 1,
    arbitrary: fc
      .option(fc.constantFrom(0, 1, 50, 500), { nil: undefined })
      .map<Step>((timeoutMs) => ({ kind: 'flush', timeoutMs })),
  },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'flushSync' }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'metrics' }) },
  { weight: 1, arbitrary: levelName.map<Step>((level) => ({ kind: 'level', level })) },
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 400 }).map<Step>((ms) => ({ kind: 'advance', ms })) },
);

const ending: fc.Arbitrary<Ending> = fc.record({
  strategy: fc.constantFrom('graceful' as const, 'immediate' as const, 'flush' as const),
  timeoutMs: fc.option(fc.constantFrom(0, 1, 20, 150, 1_000), { nil: undefined }),
  logsAfter: fc.integer({ min: 0, max: 3 }),
});

/**
 * Virtual milliseconds a bounded close or flush may take past its timeout: the stages of a close
 * (a lane's operators, its queue, the sinks' close()) each wait on a timer, and a 0 ms timer set
 * while timers run fires 1 ms later (in jest's fake timers as in Node), so each stage that finds
 * no time left may add a millisecond.
 */
const SLACK_MS = 5;

/** Diagnostics that mean the pipeline caught a fault of its own: none is expected, whatever the sinks do. */
const INTERNAL_FAULT =
  /delivery stage failed|Logging an event failed|synchronous flush failed|sending an aged batch failed|rejected an event|stream failed/;

/**
 * Checks that the logger's counters balance now, in the middle of the pipeline's work: set by a
 * run, called by the scripted sinks as they are called and by SelfLog as a diagnostic is written,
 * the moments an app's sink or SelfLog handler can read `log.metrics()`.
 */
let probe: (where: string) => void = () => undefined;

/** A sink that follows its script call by call, cycling, and records what it was offered and what it took. */
class ScriptedSink implements Sink {
  /** Every emit and emitSync call, in order: when, and the Seq of each event offered. */
  readonly calls: { kind: 'emit' | 'emitSync'; at: number; seqs: number[]; largest: number; resend: boolean }[] = [];
  /** Events offered to emit so far: an emit call that starts with one of them is a re-send (a retry). */
  readonly #emitted = new WeakSet<LogEvent>();
  /** Every flush() call: when, and whether close() had been called before it. */
  readonly flushes: { at: number; afterClose: boolean }[] = [];
  /** Writes (emit, emitSync) and flushes made after close() was called. */
  callsAfterClose = 0;
  /** Seq of every event the sink took (a write it completed, or the leading part of a partial one), in order. */
  readonly accepted: number[] = [];
  closes = 0;
  /** Log calls this sink made from inside its own emit. */
  logCalls = 0;
  logCallsAfterClose = 0;
  #calls = 0;
  #syncCalls = 0;
  emitSync?: (events: readonly LogEvent[]) => boolean;
  flush?: () => void | Promise<void>;
  readonly close: () => void | Promise<void>;

  constructor(
    readonly script: readonly Act[],
    syncScript: readonly SyncAct[] | undefined,
    readonly model: { logger: Logger | undefined; closing: boolean },
    readonly flushAct: EndAct = { kind: 'absent' },
    readonly closeAct: EndAct = { kind: 'absent' },
  ) {
    if (syncScript !== undefined) this.emitSync = (events) => this.#emitSync(syncScript, events);
    if (flushAct.kind !== 'absent')
      this.flush = () => {
        this.flushes.push({ at: Date.now(), afterClose: this.closes > 0 });
        if (this.closes > 0) this.callsAfterClose++;
        return endWith(flushAct);
      };
    this.close = () => {
      this.closes++;
      probe('inside close');
      return endWith(closeAct);
    };
  }

  emit(events: readonly LogEvent[]): void | EmitResult | Promise<void | EmitResult> {
    probe('inside emit');
    const seqs = events.map(seqOf);
    const resend = events.length > 0 && this.#emitted.has(events[0]);
    for (const event of events) this.#emitted.add(event);
    this.calls.push({ kind: 'emit', at: Date.now(), seqs, largest: largestOf(events), resend });
    if (this.closes > 0) this.callsAfterClose++;
    const next = this.script[this.#calls++ % this.script.length];
    switch (next.kind) {
      case 'ok':
        this.accepted.push(...seqs);
        return undefined;
      case 'log':
        this.logCalls++;
        if (this.model.closing) this.logCallsAfterClose++;
        this.model.logger?.fatal('Logged from inside a sink');
        this.accepted.push(...seqs);
        return undefined;
      case 'throw':
        throw new Error('scripted throw');
      case 'resolve':
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            this.accepted.push(...seqs);
            resolve();
          }, next.afterMs),
        );
      case 'reject':
        return new Promise<void>((_, reject) => setTimeout(() => reject(new Error('scripted reject')), next.afterMs));
      case 'partial': {
        const fail = (): PartialDeliveryError => {
          this.accepted.push(...seqs.slice(0, next.written));
          return new PartialDeliveryError(next.written, new Error('scripted short write'));
        };
        if (next.afterMs === undefined) throw fail();
        return new Promise<void>((_, reject) => setTimeout(() => reject(fail()), next.afterMs));
      }
      case 'refuse': {
        // Which events were refused is not said: the count taken is what is checked.
        const refuse = (): EmitResult => {
          this.accepted.push(...seqs.slice(0, Math.max(0, seqs.length - next.rejected)));
          return { rejected: next.rejected };
        };
        if (next.afterMs === undefined) return refuse();
        return new Promise<EmitResult>((resolve) => setTimeout(() => resolve(refuse()), next.afterMs));
      }
      case 'never':
        return new Promise<void>(() => undefined);
      case 'rejectValue':
        return new Promise<void>((_, reject) => setTimeout(() => reject(next.value), next.afterMs));
      case 'twice': {
        // Not a Promise: a thenable whose then calls back more than once, and both ways.
        const thenable = {
          then: (resolve: () => void, reject: (error: unknown) => void): void => {
            setTimeout(() => {
              if (next.rejectFirst) {
                reject(new Error('scripted twice'));
                resolve();
              } else {
                this.accepted.push(...seqs);
                resolve();
                reject(new Error('scripted twice'));
                resolve();
              }
            }, next.afterMs);
          },
        };
        return thenable as unknown as Promise<void>;
      }
      case 'retryAfter':
        return new Promise<void>((_, reject) =>
          setTimeout(() => reject(Object.assign(new Error('scripted quota'), { retryAfterMs: next.retryAfterMs })), next.afterMs),
        );
      case 'flushInside':
        if (next.sync) this.model.logger?.flushSync();
        else void this.model.logger?.flush({ timeoutMs: 100 });
        this.accepted.push(...seqs);
        return undefined;
    }
  }

  #emitSync(script: readonly SyncAct[], events: readonly LogEvent[]): boolean {
    probe('inside emitSync');
    const seqs = events.map(seqOf);
    const call = { kind: 'emitSync' as const, at: Date.now(), seqs, largest: largestOf(events), resend: false };
    this.calls.push(call);
    if (this.closes > 0) this.callsAfterClose++;
    const next = script[this.#syncCalls++ % script.length];
    // A batch an emit call was offered before (one waiting for a retry, written by flushSync) is
    // re-sent when the sink takes any of it: a refusal is no try.
    const again = events.length > 0 && this.#emitted.has(events[0]);
    if (again && (next.kind === 'true' || next.kind === 'log' || (next.kind === 'partial' && next.written > 0)))
      call.resend = true;
    switch (next.kind) {
      case 'true':
        this.accepted.push(...seqs);
        return true;
      case 'false':
        return false;
      case 'throw':
        throw new Error('scripted emitSync throw');
      case 'partial':
        this.accepted.push(...seqs.slice(0, next.written));
        throw new PartialDeliveryError(next.written, new Error('scripted short write'));
      case 'log':
        this.logCalls++;
        if (this.model.closing) this.logCallsAfterClose++;
        this.model.logger?.fatal('Logged from inside a sink');
        this.accepted.push(...seqs);
        return true;
      case 'promise':
        return Promise.resolve() as unknown as boolean;
    }
  }

  /** Whether some write of this sink may never settle, so a close without a time bound may never end. */
  get hangs(): boolean {
    return this.script.some((a) => a.kind === 'never');
  }

  /**
   * Whether this sink's close() may outlast `timeoutMs`: a 'flush' close bounds the sinks' close()
   * by its timeoutMs once everything is delivered, and then reports timedOut.
   */
  closeOutlasts(timeoutMs: number): boolean {
    const act = this.closeAct;
    return act.kind === 'never' || (act.kind === 'resolve' && act.afterMs >= timeoutMs);
  }
}

function largestOf(events: readonly LogEvent[]): number {
  return events.reduce((largest, event) => Math.max(largest, estimateEventBytes(event)), 0);
}

function endWith(act: EndAct): void | Promise<void> {
  switch (act.kind) {
    case 'absent':
    case 'ok':
      return undefined;
    case 'throw':
      throw new Error('scripted flush or close failure');
    case 'resolve':
      return new Promise<void>((resolve) => setTimeout(resolve, act.afterMs));
    case 'never':
      return new Promise<void>(() => undefined);
  }
}

function lanePipeOperator(pipe: LanePipe, delayMs: number, tag: string): OperatorFunction<LogEvent, LogEvent>[] {
  switch (pipe) {
    case 'none':
      return [];
    case 'map':
      return [map((event) => ({ ...event, properties: { ...event.properties, Lane: tag } }))];
    case 'filter':
      // A plain RxJS filter reports nothing: what it removes is counted by the lane.
      return [filter((event) => seqOf(event) % 5 !== 0)];
    case 'delay':
      return [delay(delayMs)];
    case 'sample':
      return [sampleEvents({ rate: 0.5, key: 'Seq' })];
    case 'throttle':
      return [throttleEvents({ windowMs: delayMs, max: 2 })];
    case 'fingers':
      return [fingersCrossed({ trigger: 'error', bufferSize: 5 })];
    case 'failing':
      // A holding operator, then one that fails now and then: only the failing one restarts.
      return [
        delay(delayMs),
        map((event) => {
          if (seqOf(event) % 7 === 3) throw new Error('scripted operator failure');
          return event;
        }),
      ];
  }
}

interface PendingFlush {
  startedAt: number;
  timeoutMs: number;
  settled: boolean;
  result: FlushResult | undefined;
  failure: unknown;
  /** A promise `{ timedOut: false }` broke: events received before the call still unsettled when it resolved. */
  broken: string | undefined;
}

/** Throws unless the operators of `.pipe()` balance: `entered + created = left + dropped + pending`. */
function pipeBalanced(where: string, metrics: LoggerMetrics): void {
  const p = metrics.pipe;
  if (p !== undefined && (p.entered + p.created !== p.left + p.dropped + p.pending || p.pending < 0))
    throw new Error(
      `${where}: pipe entered ${p.entered} + created ${p.created} ≠ left ${p.left} + dropped ${p.dropped} + pending ${p.pending}`,
    );
}

function balanced(name: string, m: SinkMetrics): void {
  if (m.received !== m.delivered + m.dropped + m.failed + m.pending || m.pending < 0)
    throw new Error(
      `${name}: received ${m.received} ≠ delivered ${m.delivered} + dropped ${m.dropped} + failed ${m.failed} + pending ${m.pending}`,
    );
}

function describeFailure(failure: unknown): string {
  return failure instanceof Error ? `${failure.name}: ${failure.message}` : typeof failure;
}

/** Runs one configuration and schedule, asserting every promise along the way; throws on the first broken one. */
async function runModel(plan: Plan, steps: readonly Step[], end: Ending, seed: number): Promise<void> {
  jest.clearAllTimers();
  jest.spyOn(Math, 'random').mockImplementation(mulberry32(seed));
  const diagnostics: SelfLogEvent[] = [];
  const selfLog = SelfLog.events$.subscribe((event) => {
    diagnostics.push(event);
    probe(`as SelfLog writes "${event.message.split('\n')[0]}"`);
  });
  try {
    await runModelInner(plan, steps, end, diagnostics);
  } finally {
    probe = () => undefined;
    selfLog.unsubscribe();
    jest.clearAllTimers();
    jest.restoreAllMocks();
  }
}

async function runModelInner(plan: Plan, steps: readonly Step[], end: Ending, diagnostics: SelfLogEvent[]): Promise<void> {
  const model = { logger: undefined as Logger | undefined, closing: false };
  const primaries: ScriptedSink[] = [];
  const fallbacks: (ScriptedSink | undefined)[] = [];
  const names: string[] = [];
  // A LevelSwitch, which the schedule may turn.
  const levelSwitch = new LevelSwitch(plan.minimumLevel);
  let configuration = new LoggerConfiguration().minimumLevel.controlledBy(levelSwitch);
  if (plan.asyncScheduler) configuration = configuration.useScheduler(asyncScheduler);
  if (plan.enrich) configuration = configuration.enrich.withProperty('App', 'model');
  if (plan.excludeFilter) configuration = configuration.filter.byExcluding((event) => seqOf(event) % 6 === 5);
  const shared = lanePipeOperator(plan.sharedPipe, plan.sharedDelayMs, 'shared');
  if (shared.length > 0) configuration = configuration.pipe(...shared);
  plan.sinks.forEach((sinkPlan, index) => {
    const name = `s${index}`;
    const primary = new ScriptedSink(sinkPlan.script, sinkPlan.syncScript, model, sinkPlan.flushAct, sinkPlan.closeAct);
    const fallback = sinkPlan.fallback === undefined ? undefined : new ScriptedSink(sinkPlan.fallback, undefined, model);
    const options: SinkOptions = { name, pipe: lanePipeOperator(sinkPlan.pipe, sinkPlan.delayMs, name) };
    if (sinkPlan.minimumLevel !== undefined) options.minimumLevel = sinkPlan.minimumLevel;
    if (sinkPlan.queue !== undefined) options.queue = sinkPlan.queue;
    if (sinkPlan.batch !== undefined) options.batch = sinkPlan.batch;
    if (sinkPlan.retry !== undefined) options.retry = sinkPlan.retry;
    if (sinkPlan.circuitBreaker !== undefined) options.circuitBreaker = sinkPlan.circuitBreaker;
    if (fallback !== undefined) options.fallback = fallback;
    configuration = configuration.writeTo.sink(primary, options);
    primaries.push(primary);
    fallbacks.push(fallback);
    names.push(name);
  });
  const log = configuration.createLogger();
  model.logger = log;
  // The first imbalance seen in the middle of the pipeline's work (a throw there would reach the pipeline, not the test).
  let midFailure: Error | undefined;
  probe = (where) => {
    if (midFailure !== undefined) return;
    try {
      const metrics = log.metrics();
      pipeBalanced(where, metrics);
      for (const [name, m] of Object.entries(metrics.sinks)) balanced(`${where}: ${name}`, m);
    } catch (error) {
      midFailure = error as Error;
    }
  };

  // The model's expectations.
  let seq = 0;
  let logged = 0;
  let filtered = 0;
  let rejectedAfterClose = 0;
  /** Per sink, the time each event it should receive reaches its lane (later than the call behind a shared delay). */
  const arrivals: number[][] = names.map(() => []);
  /** Per sink, the events it should be offered: Seq → when the lane gets it. */
  const expectedSeqs: Map<number, number>[] = names.map(() => new Map());
  const flushes: PendingFlush[] = [];

  const sharedPasses = (n: number): boolean =>
    !(plan.excludeFilter && n % 6 === 5) &&
    !(plan.sharedPipe === 'filter' && n % 5 === 0) &&
    !(plan.sharedPipe === 'failing' && n % 7 === 3);

  const logBurst = (level: LogLevelName, count: number, size: number): void => {
    for (let i = 0; i < count; i++) {
      const n = seq++;
      const payload = size < 300 ? 'p'.repeat(size) : 'é'.repeat(size >> 1) + 'x'.repeat(size >> 1);
      noThrow('a log call', () => log[level]('Event {Seq} carries {Payload}', n, payload));
      if (model.closing) {
        if (levelValue(level) >= levelSwitch.value) rejectedAfterClose++;
        continue;
      }
      if (levelValue(level) < levelSwitch.value) continue;
      logged++;
      if (plan.excludeFilter && n % 6 === 5) {
        filtered++;
        continue;
      }
      if (!sharedPasses(n)) continue;
      const at = Date.now() + (plan.sharedPipe === 'delay' || plan.sharedPipe === 'failing' ? plan.sharedDelayMs : 0);
      plan.sinks.forEach((sinkPlan, index) => {
        if (sinkPlan.minimumLevel === undefined || levelValue(level) >= levelValue(sinkPlan.minimumLevel)) {
          arrivals[index].push(at);
          expectedSeqs[index].set(n, at);
        }
      });
    }
  };

  const reentrantCalls = (): number =>
    [...primaries, ...fallbacks].reduce(
      (sum, sink) => sum + (sink === undefined ? 0 : sink.logCalls - sink.logCallsAfterClose),
      0,
    );
  const afterCloseSinkCalls = (): number =>
    [...primaries, ...fallbacks].reduce((sum, sink) => sum + (sink?.logCallsAfterClose ?? 0), 0);

  const check = (where: string, exactReceived: boolean): LoggerMetrics => {
    const metrics = noThrow('metrics()', () => log.metrics());
    const now = Date.now();
    if (metrics.logged !== logged) throw new Error(`${where}: logged ${metrics.logged}, expected ${logged}`);
    if (metrics.filtered !== filtered) throw new Error(`${where}: filtered ${metrics.filtered}, expected ${filtered}`);
    if (metrics.rejectedReentrant !== reentrantCalls())
      throw new Error(`${where}: rejectedReentrant ${metrics.rejectedReentrant}, expected ${reentrantCalls()}`);
    if (metrics.rejectedAfterClose !== rejectedAfterClose + afterCloseSinkCalls())
      throw new Error(
        `${where}: rejectedAfterClose ${metrics.rejectedAfterClose}, expected ${rejectedAfterClose + afterCloseSinkCalls()}`,
      );
    if (midFailure !== undefined) throw new Error(`${where}: ${midFailure.message}`);
    pipeBalanced(where, metrics);
    names.forEach((name, index) => {
      const m = metrics.sinks[name];
      balanced(`${where}: ${name}`, m);
      const queue = plan.sinks[index].queue;
      const limit = queue?.limit ?? 1_000_000;
      const limitBytes = queue?.limitBytes ?? 16 * 1024 * 1024;
      if (m.queueDepth > limit) throw new Error(`${where}: ${name} queueDepth ${m.queueDepth} > limit ${limit}`);
      if (m.queueBytes > limitBytes) throw new Error(`${where}: ${name} queueBytes ${m.queueBytes} > limitBytes ${limitBytes}`);
      if (exactReceived) {
        const expected = arrivals[index].filter((at) => at <= now).length;
        // A throttle's summaries are events its lane made: they count as received too.
        const made = plan.sinks[index].pipe === 'throttle' ? Math.max(0, m.received - expected) : 0;
        if (m.received !== expected + made) throw new Error(`${where}: ${name} received ${m.received}, expected ${expected}`);
      }
    });
    for (const pending of flushes) {
      if (pending.failure !== undefined) throw new Error(`${where}: flush() rejected: ${describeFailure(pending.failure)}`);
      if (pending.broken !== undefined) throw new Error(`${where}: ${pending.broken}`);
      if (!pending.settled && now > pending.startedAt + pending.timeoutMs + SLACK_MS)
        throw new Error(`${where}: flush({ timeoutMs: ${pending.timeoutMs} }) from ${pending.startedAt} still pending at ${now}`);
    }
    const fault = diagnostics.find((d) => INTERNAL_FAULT.test(d.message));
    if (fault !== undefined) throw new Error(`${where}: internal fault reported: ${fault.message}`);
    return metrics;
  };

  for (const [index, next] of steps.entries()) {
    const where = `step ${index} (${next.kind})`;
    switch (next.kind) {
      case 'log':
        logBurst(next.level, next.count, next.size);
        break;
      case 'flush': {
        const pending: PendingFlush = {
          startedAt: Date.now(),
          timeoutMs: next.timeoutMs ?? 5_000,
          settled: false,
          result: undefined,
          failure: undefined,
          broken: undefined,
        };
        const options = next.timeoutMs === undefined ? undefined : { timeoutMs: next.timeoutMs };
        const receivedAtCall = log.metrics().sinks;
        const promise = noThrow('flush()', () => log.flush(options));
        promise.then(
          (result) => {
            pending.settled = true;
            pending.result = result;
            if (result.timedOut) return;
            // Everything the lanes had received is delivered, dropped or failed (lanes whose
            // operators may hold events back excepted: what they hold is pending by design).
            const metrics = log.metrics().sinks;
            names.forEach((name, index) => {
              if (plan.sinks[index].pipe !== 'none' && plan.sinks[index].pipe !== 'map') return;
              const m = metrics[name];
              const before = receivedAtCall[name].received;
              if (m.delivered + m.dropped + m.failed < before)
                pending.broken ??= `${name}: flush() resolved { timedOut: false } with ${before - m.delivered - m.dropped - m.failed} of the ${before} events received before it unsettled`;
            });
          },
          (error: unknown) => {
            pending.settled = true;
            pending.failure = error ?? 'undefined';
          },
        );
        flushes.push(pending);
        break;
      }
      case 'flushSync':
        noThrow('flushSync()', () => log.flushSync());
        break;
      case 'metrics':
        break;
      case 'level':
        levelSwitch.level = next.level;
        break;
      case 'advance':
        await jest.advanceTimersByTimeAsync(next.ms);
        break;
    }
    check(where, true);
  }

  // The close.
  const closeStartedAt = Date.now();
  const timeoutMs = end.timeoutMs ?? 5_000;
  const closeOptions = { strategy: end.strategy, ...(end.timeoutMs === undefined ? {} : { timeoutMs: end.timeoutMs }) };
  // Set first: a sink called inside close() (an immediate close hands a batch to its fallback) logs to a closed logger.
  model.closing = true;
  const closing = noThrow('close()', () => log.close(closeOptions));
  let report: ShutdownReport | undefined;
  let closeFailure: unknown;
  let closedAt = NaN;
  closing.then(
    (value) => {
      report = value;
      closedAt = Date.now();
    },
    (error: unknown) => {
      closeFailure = error ?? 'undefined';
    },
  );
  logBurst('fatal', end.logsAfter, 1);
  noThrow('flushSync() while closing', () => log.flushSync());
  void noThrow('flush() while closing', () => log.flush({ timeoutMs: 0 }));
  check('while closing', false);
  const hangs = primaries.some((sink) => sink.hangs) || fallbacks.some((sink) => sink?.hangs === true);
  if (end.strategy === 'flush') {
    // No time bound: it settles once every write settles, which a sink that never settles prevents.
    for (let waited = 0; waited < 3_600_000 && report === undefined && closeFailure === undefined; waited += 10_000)
      await jest.advanceTimersByTimeAsync(10_000);
    if (report === undefined && closeFailure === undefined) {
      if (!hangs) throw new Error('close({ strategy: "flush" }) never settled though every write settles');
      return;
    }
  } else {
    await jest.advanceTimersByTimeAsync(timeoutMs + SLACK_MS);
  }
  if (closeFailure !== undefined) throw new Error(`close() rejected: ${describeFailure(closeFailure)}`);
  if (report === undefined)
    throw new Error(`close(${JSON.stringify(closeOptions)}) still pending ${timeoutMs + SLACK_MS} ms after it began`);
  const final: ShutdownReport = report;
  if (final.strategy !== end.strategy) throw new Error(`report.strategy ${final.strategy}, expected ${end.strategy}`);
  const closeOutlasts = [...primaries, ...fallbacks].some((sink) => sink?.closeOutlasts(timeoutMs) === true);
  if (end.strategy === 'flush' && final.timedOut && !closeOutlasts)
    throw new Error('a close({ strategy: "flush" }) reported timedOut though every sink\'s close() settles within its timeoutMs');
  if (end.strategy !== 'flush' && final.elapsedMs > timeoutMs + SLACK_MS)
    throw new Error(`report.elapsedMs ${final.elapsedMs} > timeoutMs ${timeoutMs}`);
  if (closedAt - closeStartedAt < final.elapsedMs) throw new Error('report.elapsedMs is longer than the close took');
  if ((await log.close()) !== final) throw new Error('a second close() returned another report');
  if ((await log.close({ strategy: 'immediate' })) !== final) throw new Error('a third close() returned another report');

  const afterClose = check('after close', false);
  const callsAtClose = [...primaries, ...fallbacks].map((sink) => sink?.calls.length ?? 0);
  names.forEach((name, index) => {
    const m = afterClose.sinks[name];
    const summary = final.sinks[name];
    if (summary === undefined) throw new Error(`report has no sink ${name}`);
    checkSummaryAgainstMetrics(name, summary, m);
    if (end.strategy === 'flush' && summary.undelivered !== 0)
      throw new Error(`${name}: flush close left ${summary.undelivered} undelivered`);
    if (summary.undelivered > 0 && !final.timedOut)
      throw new Error(`${name}: undelivered ${summary.undelivered} but timedOut false`);
    const primary = primaries[index];
    const fallback = fallbacks[index];
    if (primary.closes !== 1) throw new Error(`${name}: sink closed ${primary.closes} times`);
    for (const [who, sink] of [
      ['sink', primary],
      ['fallback', fallback],
    ] as const)
      if (sink !== undefined && sink.callsAfterClose > 0)
        throw new Error(`${name}: its ${who} was written to or flushed after its close()`);
    if (fallback !== undefined && fallback.closes !== 1) throw new Error(`${name}: fallback closed ${fallback.closes} times`);
    // What the sinks took, against what the stage counts.
    const taken = [...primary.accepted, ...(fallback?.accepted ?? [])];
    const numbered = taken.filter((n) => n >= 0);
    if (new Set(numbered).size !== numbered.length)
      throw new Error(`${name}: an event was delivered twice: ${JSON.stringify(taken)}`);
    if (summary.undelivered === 0) {
      if (m.delivered !== taken.length)
        throw new Error(
          `${name}: delivered ${m.delivered}, but the sink and its fallback took ${primary.accepted.length} + ${fallback?.accepted.length ?? 0}`,
        );
      if (m.fallback !== (fallback?.accepted.length ?? 0))
        throw new Error(`${name}: fallback ${m.fallback}, but the fallback took ${fallback?.accepted.length ?? 0}`);
    }
    // Every event offered is one this sink should get, no larger than maxEventBytes, and (to a
    // sink that takes every write at once) no later than its batch's maxDelayMs.
    const queue = plan.sinks[index].queue;
    const maxEventBytes = Math.min(queue?.maxEventBytes ?? 256 * 1024, queue?.limitBytes ?? 16 * 1024 * 1024);
    const maxDelayMs = plan.sinks[index].batch === undefined ? 0 : (plan.sinks[index].batch?.maxDelayMs ?? 100);
    const prompt =
      primary.script.every((a) => a.kind === 'ok') &&
      (plan.sinks[index].syncScript?.every((a) => a.kind === 'true') ?? true) &&
      (plan.sinks[index].pipe === 'none' || plan.sinks[index].pipe === 'map');
    for (const [who, sink] of [
      ['sink', primary],
      ['fallback', fallback],
    ] as const) {
      for (const call of sink?.calls ?? []) {
        if (call.largest > maxEventBytes)
          throw new Error(`${name}: its ${who} was offered an event of ${call.largest} bytes > maxEventBytes ${maxEventBytes}`);
        for (const n of call.seqs) {
          if (n < 0) continue;
          const arrival = expectedSeqs[index].get(n);
          if (arrival === undefined) throw new Error(`${name}: its ${who} was offered event ${n}, which it should never get`);
          if (prompt && who === 'sink' && call.at > arrival + maxDelayMs + SLACK_MS)
            throw new Error(
              `${name}: event ${n} reached the sink at ${call.at}, ${call.at - arrival} ms after its lane got it (maxDelayMs ${maxDelayMs})`,
            );
        }
      }
    }
    // Re-sends: an emit call whose first event an earlier emit call was offered, or such an emitSync call the sink took.
    const resends = primary.calls.filter((call) => call.resend).length;
    if (resends !== m.retried)
      throw new Error(`${name}: the sink saw ${resends} re-sent batches, metrics say retried ${m.retried}`);
    // Order: the first offer of each event, to the sink (emit or emitSync) and to the fallback, follows the log calls.
    for (const [who, calls] of [
      ['sink', primary.calls.flatMap((call) => call.seqs)],
      ['fallback', fallback?.calls.flatMap((call) => call.seqs) ?? []],
    ] as const) {
      const seen = new Set<number>();
      let last = -1;
      for (const n of calls) {
        if (n < 0 || seen.has(n)) continue;
        seen.add(n);
        if (n < last) throw new Error(`${name}: ${who} was offered event ${n} after event ${last}`);
        last = n;
      }
    }
  });

  // Nothing reaches a sink after close resolved, and the counts stand.
  await jest.advanceTimersByTimeAsync(60_000);
  const callsLater = [...primaries, ...fallbacks].map((sink) => sink?.calls.length ?? 0);
  if (callsLater.some((calls, index) => calls !== callsAtClose[index])) throw new Error('a sink was called after close resolved');
  const later = check('60 s after close', false);
  for (const name of names) {
    const before = afterClose.sinks[name];
    const after = later.sinks[name];
    for (const field of ['received', 'delivered', 'dropped', 'failed', 'pending'] as const)
      if (before[field] !== after[field])
        throw new Error(`${name}: ${field} changed after close resolved: ${before[field]} → ${after[field]}`);
  }
}

describe('the logger pipeline, against a model', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  it('keeps every documented promise over random configurations and schedules', async () => {
    const runs = Number(process.env.MODEL_RUNS ?? 250);
    const seed = Number(process.env.MODEL_SEED ?? 20261201);
    await fc.assert(
      fc.asyncProperty(
        plan,
        fc.array(step, { maxLength: Number(process.env.MODEL_STEPS ?? 30) }),
        ending,
        fc.integer(),
        (p, steps, end, random) => runModel(p, steps, end, random),
      ),
      { numRuns: runs, seed },
    );
    // Exploring with MODEL_RUNS in the thousands takes minutes; the default takes seconds.
  }, 600_000);
});
