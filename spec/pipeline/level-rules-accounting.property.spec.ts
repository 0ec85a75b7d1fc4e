import fc from 'fast-check';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { SinkOptions } from '../../lib/configuration/sink-options';
import { LevelSwitch } from '../../lib/core/level-switch';
import type { LogEvent } from '../../lib/core/log-event';
import { type LogLevelName, levelValue } from '../../lib/core/log-level';
import type { SelfLogEvent } from '../../lib/core/self-log';
import type { Sink } from '../../lib/core/sink';
import { MemorySink } from '../../lib/sinks/memory-sink';
import type { LoggerMetrics } from '../../lib/metrics/metrics-types';
import type { Logger } from '../../lib/pipeline/logger';
import type { ShutdownReport } from '../../lib/pipeline/shutdown-report';
import { batchOption, breakerOption, retryOption } from '../helpers/delivery-arbitraries';
import { checkSummaryAgainstMetrics, LEVELS, noThrow, seededRun, seqOf } from '../helpers/model-run';
import { Clock, FlushWatch, turn } from '../helpers/virtual-clock';

// "Nothing lost unaccounted" where the level rules decide what is an event at all: a logger level
// that is fixed or a LevelSwitch, minimumLevel.override prefixes (fixed or switches, one given
// twice in another case), child loggers made with forContext('SourceContext', …) or child({
// SourceContext }) (nested, a context that is only a prefix's look-alike: Shop.DbX), write() with
// aliases in any case and with names that are no level, per-sink levels (fixed or switches), a
// filter, every switch turned mid-run, in front of 1–3 sinks whose writes throw, reject, settle
// late, never settle or throw on their Nth batch only, whose flush() and close() throw, reject or
// never settle, some logging through the logger from their own code (re-entrant, or after an
// await), with random queue, batch, retry and breaker options, on one virtual clock. Checked at
// every step, against a model of the rules: logged, filtered, rejectedInvalidLevel,
// rejectedReentrant and rejectedAfterClose exactly; isEnabled as the model says for every logger
// and level; per sink, received exactly the events the model offers it, received = delivered +
// dropped + failed + pending, the queue within its limit and the events it holds within the limit
// plus two batches (one in flight, one being filled) under a sink that never settles; flush() and
// close() settle within their timeouts, nothing throws into the caller; then the report says what
// metrics() says, every drop has its reason (without a queue bound, all are drops at close), and
// what every logger logs after close() is refused and counted, nothing else moving.
// LEVEL_RULES_RUNS / LEVEL_RULES_SEED explore further.

/** What one emit call does: `nth` throws on that batch only (counted from 1), takes the others. */
type Write =
  | { kind: 'ok' }
  | { kind: 'throw' }
  | { kind: 'reject'; afterMs: number }
  | { kind: 'late'; afterMs: number }
  | { kind: 'hang' }
  | { kind: 'nth'; n: number };

/** What a sink's flush() or close() does; 'none': the sink has no flush(). */
type Call = 'none' | 'ok' | 'throw' | 'reject' | 'hang';

/**
 * A fixed level, a switch of its own, or one of two switches that the logger, overrides and sinks
 * may share (made at its first use's level).
 */
type Level = { kind: 'fixed' | 'switch' | 'shared0' | 'shared1'; level: LogLevelName };

interface SinkPlan {
  write: Write;
  flush: Call;
  close: Exclude<Call, 'none'>;
  level: Level | undefined;
  queue: { limit: number; overflow: 'drop-oldest' | 'drop-newest' } | undefined;
  batch: { size: number; maxDelayMs: number } | undefined;
  retry: false | { attempts: number; initialDelayMs: number } | undefined;
  circuitBreaker: false | { failureThreshold: number; resetTimeoutMs: number } | undefined;
  /**
   * Logs through the logger from its own code: 'sync', in every emit, flush and close (refused as
   * re-entrant, or after close); 'async', once, after an await in its first emit (a new event).
   */
  chatty: 'no' | 'sync' | 'async';
}

interface Plan {
  level: Level;
  overrides: { prefix: string; level: Level }[];
  filter: boolean;
  sinks: SinkPlan[];
}

/** A level as a log call may name it: a level, an alias in some case, or a name that is no level. */
type Named = { level: LogLevelName; text: string } | { level: undefined; text: string };

type Step =
  /** Logs through logger `logger` (an index into those made so far, cycling), by method or by write(). */
  | { kind: 'log'; logger: number; named: Named; byWrite: boolean; count: number; exception: boolean }
  | { kind: 'child'; parent: number; context: string | undefined; how: 'forContext' | 'child' }
  /** Turns switch `index` (cycling over every switch of the plan) to `level`. */
  | { kind: 'switch'; index: number; level: LogLevelName }
  /** flush() with this timeout, or with no options (5 000 ms). */
  | { kind: 'flush'; timeoutMs: number | undefined }
  | { kind: 'flushSync' }
  | { kind: 'advance'; ms: number }
  | { kind: 'close'; strategy: 'graceful' | 'immediate' | 'flush' | undefined; timeoutMs: number | undefined };

const levelName = fc.constantFrom(...LEVELS);
const level: fc.Arbitrary<Level> = fc.record({
  kind: fc.constantFrom('fixed' as const, 'fixed' as const, 'switch' as const, 'shared0' as const, 'shared1' as const),
  level: levelName,
});
const afterMs = fc.integer({ min: 0, max: 200 });

const write: fc.Arbitrary<Write> = fc.oneof(
  fc.constant<Write>({ kind: 'ok' }),
  fc.constant<Write>({ kind: 'throw' }),
  afterMs.map<Write>((ms) => ({ kind: 'reject', afterMs: ms })),
  afterMs.map<Write>((ms) => ({ kind: 'late', afterMs: ms })),
  fc.constant<Write>({ kind: 'hang' }),
  fc.integer({ min: 1, max: 4 }).map<Write>((n) => ({ kind: 'nth', n })),
);

const sinkPlan: fc.Arbitrary<SinkPlan> = fc.record({
  write,
  flush: fc.constantFrom<Call>('none', 'ok', 'throw', 'reject', 'hang'),
  close: fc.constantFrom<Exclude<Call, 'none'>>('ok', 'ok', 'throw', 'reject', 'hang'),
  level: fc.option(level, { nil: undefined }),
  queue: fc.option(
    fc.record({
      limit: fc.integer({ min: 1, max: 8 }),
      overflow: fc.constantFrom('drop-oldest' as const, 'drop-newest' as const),
    }),
    { nil: undefined },
  ),
  batch: batchOption(4, 100),
  retry: retryOption(100),
  circuitBreaker: breakerOption(300),
  chatty: fc.constantFrom('no' as const, 'no' as const, 'sync' as const, 'async' as const),
});

/** Prefixes, two of them the same but for case (the later replaces the earlier). */
const PREFIXES = ['Shop', 'Shop.Db', 'shop.db', 'Shop.Db.Pool', 'Web'] as const;
/** SourceContexts: ones an override covers, look-alikes it does not (Shop.DbX, Web2), and none. */
const CONTEXTS = ['Shop', 'SHOP.DB', 'Shop.Db.Pool.Lease', 'Shop.DbX', 'Web.Api', 'Web2', 'Other', undefined] as const;

const plan: fc.Arbitrary<Plan> = fc.record({
  level,
  overrides: fc.array(fc.record({ prefix: fc.constantFrom(...PREFIXES), level }), { maxLength: 4 }),
  filter: fc.boolean(),
  sinks: fc.array(sinkPlan, { minLength: 1, maxLength: 3 }),
});

const named: fc.Arbitrary<Named> = fc.oneof(
  { weight: 6, arbitrary: levelName.map<Named>((l) => ({ level: l, text: l })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<[LogLevelName, string]>(
        ['verbose', 'trace'],
        ['information', 'INFO'],
        ['warning', 'Warn'],
        ['error', 'ERROR'],
      )
      .map<Named>(([l, text]) => ({ level: l, text })),
  },
  { weight: 1, arbitrary: fc.constantFrom('nope', 'warnings', '').map<Named>((text) => ({ level: undefined, text })) },
);

const closeStep = fc
  .record({
    strategy: fc.constantFrom('graceful' as const, 'immediate' as const, 'flush' as const, undefined),
    timeoutMs: fc.option(fc.constantFrom(0, 50, 400), { nil: undefined }),
  })
  .map<Step>((c) => ({ kind: 'close', ...c }));

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        logger: fc.nat(20),
        named,
        byWrite: fc.boolean(),
        count: fc.integer({ min: 1, max: 12 }),
        exception: fc.boolean(),
      })
      .map<Step>((s) => ({ kind: 'log', ...s })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        parent: fc.nat(20),
        context: fc.constantFrom(...CONTEXTS),
        how: fc.constantFrom('forContext' as const, 'child' as const),
      })
      .map<Step>((s) => ({ kind: 'child', ...s })),
  },
  { weight: 2, arbitrary: fc.record({ index: fc.nat(20), level: levelName }).map<Step>((s) => ({ kind: 'switch', ...s })) },
  { weight: 1, arbitrary: fc.constantFrom(0, 20, 300, undefined).map<Step>((timeoutMs) => ({ kind: 'flush', timeoutMs })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'flushSync' }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 400 }).map<Step>((ms) => ({ kind: 'advance', ms })) },
  { weight: 1, arbitrary: closeStep },
);

/** Slack, in virtual ms, of a bounded close or flush past its timeout. */
const SLACK_MS = 5;

/** A sink that does what its plan says with every batch, and with flush() and close(). */
class PlannedSink implements Sink {
  readonly flush?: () => void | Promise<void>;
  #batches = 0;

  constructor(
    readonly clock: Clock,
    readonly plan: SinkPlan,
    /** Logs one event through the scenario's logger, from inside the sink's code (`inside`) or not. */
    readonly say: (inside: boolean) => void,
  ) {
    if (plan.flush !== 'none')
      this.flush = () => {
        if (plan.chatty === 'sync') say(true);
        return this.#call(plan.flush, 'flush');
      };
  }

  emit(events: readonly LogEvent[]): void | Promise<void> {
    this.#batches++;
    if (this.plan.chatty === 'sync') this.say(true);
    if (this.plan.chatty === 'async' && this.#batches === 1) void Promise.resolve().then(() => this.say(false));
    const write = this.plan.write;
    switch (write.kind) {
      case 'ok':
        return undefined;
      case 'throw':
        throw new Error(`planned throw of ${events.length} events`);
      case 'reject':
        return this.clock.after(write.afterMs, () => {
          throw new Error('planned rejection');
        });
      case 'late':
        return this.clock.after(write.afterMs, () => undefined);
      case 'hang':
        return new Promise<void>(() => undefined);
      case 'nth':
        if (this.#batches === write.n) throw new Error(`planned throw on batch ${write.n}`);
        return undefined;
    }
  }

  close(): void | Promise<void> {
    if (this.plan.chatty === 'sync') this.say(true);
    return this.#call(this.plan.close, 'close');
  }

  #call(call: Call, what: string): void | Promise<void> {
    switch (call) {
      case 'none':
      case 'ok':
        return undefined;
      case 'throw':
        throw new Error(`planned ${what} throw`);
      case 'reject':
        return this.clock.after(10, () => {
          throw new Error(`planned ${what} rejection`);
        });
      case 'hang':
        return new Promise<void>(() => undefined);
    }
  }

  /** Whether a write or the close may never settle, so a 'flush' close may wait for ever. */
  get hangs(): boolean {
    return this.plan.write.kind === 'hang' || this.plan.close === 'hang';
  }
}

/** Diagnostics of a fault of the pipeline's own: none is expected, whatever the sinks do. */
const INTERNAL_FAULT = /delivery stage failed|Logging an event failed|synchronous flush failed|sending an aged batch failed/;

/** A logger of the scenario and the level the model says it follows. */
interface Made {
  logger: Logger;
  /** The level it follows now: read at each call, as a switch may turn. */
  level: () => number;
}

async function runScenario(plan: Plan, steps: readonly Step[], ending: Step, seed: number): Promise<void> {
  await seededRun(seed, (diagnostics) => scenario(plan, steps, ending, diagnostics));
}

async function scenario(plan: Plan, steps: readonly Step[], ending: Step, diagnostics: SelfLogEvent[]): Promise<void> {
  const clock = new Clock();
  const switches: LevelSwitch[] = [];
  const shared = new Map<string, LevelSwitch>();
  /** A level of the plan as the configuration takes it, and a reader of it for the model. */
  const made = (given: Level): [LogLevelName | LevelSwitch, () => number] => {
    if (given.kind === 'fixed') {
      const value = levelValue(given.level);
      return [given.level, () => value];
    }
    const reuse = given.kind === 'switch' ? undefined : shared.get(given.kind);
    const levelSwitch = reuse ?? new LevelSwitch(given.level);
    if (reuse === undefined) switches.push(levelSwitch);
    if (given.kind !== 'switch') shared.set(given.kind, levelSwitch);
    return [levelSwitch, () => levelValue(levelSwitch.level)];
  };

  const [loggerLevel, loggerValue] = made(plan.level);
  let configuration = new LoggerConfiguration().useScheduler(clock.scheduler);
  configuration =
    loggerLevel instanceof LevelSwitch
      ? configuration.minimumLevel.controlledBy(loggerLevel)
      : configuration.minimumLevel.is(loggerLevel);
  /** The model's overrides by upper-cased prefix: a prefix given again (in any case) replaces the earlier. */
  const overrides = new Map<string, () => number>();
  for (const override of plan.overrides) {
    const [given, read] = made(override.level);
    configuration = configuration.minimumLevel.override(override.prefix, given);
    overrides.set(override.prefix.toUpperCase(), read);
  }
  if (plan.filter) configuration = configuration.filter.byExcluding((event) => seqOf(event) % 5 === 0);
  const names = plan.sinks.map((_, index) => `s${index}`);
  // A sink logs through the logger itself, from inside its code (re-entrant) or after an await (a new event).
  const say = (inside: boolean): void => logThrough(loggers[0], { level: 'fatal', text: 'fatal' }, false, 1, false, inside);
  const sinks = plan.sinks.map((sinkPlan) => new PlannedSink(clock, sinkPlan, say));
  const sinkLevels = plan.sinks.map((sinkPlan, index): (() => number) => {
    const options: SinkOptions = { name: names[index] };
    let read = (): number => 0;
    if (sinkPlan.level !== undefined) {
      const [given, reader] = made(sinkPlan.level);
      options.minimumLevel = given;
      read = reader;
    }
    if (sinkPlan.queue !== undefined) options.queue = sinkPlan.queue;
    if (sinkPlan.batch !== undefined) options.batch = sinkPlan.batch;
    if (sinkPlan.retry !== undefined) options.retry = sinkPlan.retry;
    if (sinkPlan.circuitBreaker !== undefined) options.circuitBreaker = sinkPlan.circuitBreaker;
    configuration = configuration.writeTo.sink(sinks[index], options);
    return read;
  });
  const log = configuration.createLogger();

  /** The level a logger with this SourceContext follows: the longest override the context is, or starts with before a dot. */
  const levelOf = (context: string): (() => number) => {
    const upper = context.toUpperCase();
    for (let end = upper.length; end > 0; end = upper.lastIndexOf('.', end - 1)) {
      const read = overrides.get(upper.slice(0, end));
      if (read !== undefined) return read;
    }
    return loggerValue;
  };
  const loggers: Made[] = [{ logger: log, level: loggerValue }];

  // The model.
  let seq = 0;
  let logged = 0;
  let filtered = 0;
  let rejectedAfterClose = 0;
  let rejectedInvalidLevel = 0;
  let rejectedReentrant = 0;
  const offered = names.map(() => 0);
  let closeCalled = false;
  let closeBound = Infinity;
  let closing: Promise<ShutdownReport> | undefined;
  let report: ShutdownReport | undefined;
  let closedAt = NaN;
  let closeFailure: unknown;
  const flushes = new FlushWatch(clock, SLACK_MS);
  let last: LoggerMetrics | undefined;

  const close = (strategy: 'graceful' | 'immediate' | 'flush' | undefined, timeoutMs: number | undefined): void => {
    const options = { ...(strategy === undefined ? {} : { strategy }), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    const promise = noThrow('close()', () => log.close(options));
    if (closeCalled) return;
    closeCalled = true;
    if (strategy !== 'flush') closeBound = clock.now() + (timeoutMs ?? 5_000) + SLACK_MS;
    closing = promise;
    promise.then(
      (value) => {
        report = value;
        closedAt = clock.now();
      },
      (error: unknown) => {
        closeFailure = error ?? 'undefined';
      },
    );
  };

  const logThrough = (target: Made, name: Named, byWrite: boolean, count: number, exception: boolean, inSink = false): void => {
    for (let i = 0; i < count; i++) {
      const n = seq++;
      const logger = target.logger;
      const args: [unknown, ...unknown[]] = exception ? [new Error(`failure ${n}`), 'Event {Seq} failed', n] : ['Event {Seq}', n];
      noThrow('a log call', () => {
        if (byWrite || name.level === undefined) (logger.write as (...a: unknown[]) => void)(name.text, ...args);
        else logger[name.level](...args);
      });
      if (name.level === undefined) {
        rejectedInvalidLevel++;
        continue;
      }
      const value = levelValue(name.level);
      if (value < target.level()) continue;
      if (closeCalled) {
        rejectedAfterClose++;
        continue;
      }
      if (inSink) {
        rejectedReentrant++;
        continue;
      }
      logged++;
      if (plan.filter && n % 5 === 0) {
        filtered++;
        continue;
      }
      sinkLevels.forEach((read, index) => {
        if (value >= read()) offered[index]++;
      });
    }
  };

  const check = (where: string): LoggerMetrics => {
    const metrics = noThrow('metrics()', () => log.metrics());
    const expected = { logged, filtered, rejectedAfterClose, rejectedInvalidLevel, rejectedReentrant };
    for (const [field, value] of Object.entries(expected))
      if (metrics[field as keyof typeof expected] !== value)
        throw new Error(`${where}: ${field} ${metrics[field as keyof typeof expected]}, expected ${value}`);
    for (const [index, target] of loggers.entries())
      for (const name of LEVELS) {
        const enabled = !closeCalled && levelValue(name) >= target.level();
        if (noThrow('isEnabled()', () => target.logger.isEnabled(name)) !== enabled)
          throw new Error(`${where}: logger ${index} isEnabled('${name}') is not ${enabled}`);
      }
    names.forEach((name, index) => {
      const m = metrics.sinks[name];
      if (m.received !== offered[index]) throw new Error(`${where}: ${name} received ${m.received}, expected ${offered[index]}`);
      if (m.pending < 0 || m.received !== m.delivered + m.dropped + m.failed + m.pending)
        throw new Error(`${where}: ${name} received ${m.received} ≠ ${m.delivered} + ${m.dropped} + ${m.failed} + ${m.pending}`);
      const before = last?.sinks[name];
      if (before !== undefined)
        for (const field of ['received', 'delivered', 'dropped', 'failed'] as const)
          if (m[field] < before[field]) throw new Error(`${where}: ${name} ${field} went down`);
      const sinkPlan = plan.sinks[index];
      const limit = sinkPlan.queue?.limit ?? 10_000;
      const size = sinkPlan.batch?.size ?? 1;
      if (m.queueDepth > limit) throw new Error(`${where}: ${name} queueDepth ${m.queueDepth} > limit ${limit}`);
      // What the stage holds: the queue, a batch being filled, one in flight (or waiting for a retry).
      if (!closeCalled && m.pending > limit + 2 * size)
        throw new Error(`${where}: ${name} holds ${m.pending} events, past its limit ${limit} and two batches of ${size}`);
    });
    last = metrics;
    flushes.check(where);
    if (closeFailure !== undefined) throw new Error(`${where}: close() rejected`);
    if (closing !== undefined && report === undefined && clock.now() > closeBound)
      throw new Error(`${where}: close() still pending at ${clock.now()}, past ${closeBound}`);
    const fault = diagnostics.find((d) => INTERNAL_FAULT.test(d.message));
    if (fault !== undefined) throw new Error(`${where}: internal fault reported: ${fault.message}`);
    return metrics;
  };

  const runStep = async (where: string, next: Step): Promise<void> => {
    switch (next.kind) {
      case 'log': {
        const target = loggers[next.logger % loggers.length];
        logThrough(target, next.named, next.byWrite, next.count, next.exception);
        break;
      }
      case 'child': {
        const parent = loggers[next.parent % loggers.length];
        const logger = noThrow('a child logger', () =>
          next.how === 'forContext'
            ? parent.logger.forContext(next.context === undefined ? 'Area' : 'SourceContext', next.context ?? 'none')
            : parent.logger.child(next.context === undefined ? { Area: 'none' } : { SourceContext: next.context }),
        );
        // A SourceContext picks its override when the child is made; otherwise the child follows its parent.
        loggers.push({ logger, level: next.context === undefined ? parent.level : levelOf(next.context) });
        break;
      }
      case 'switch':
        if (switches.length > 0) switches[next.index % switches.length].level = next.level;
        break;
      case 'flush':
        flushes.follow(
          noThrow('flush()', () => (next.timeoutMs === undefined ? log.flush() : log.flush({ timeoutMs: next.timeoutMs }))),
          next.timeoutMs ?? 5_000,
        );
        break;
      case 'flushSync':
        noThrow('flushSync()', () => log.flushSync());
        break;
      case 'advance':
        await clock.advance(next.ms);
        break;
      case 'close':
        close(next.strategy, next.timeoutMs);
        break;
    }
    await turn();
    check(where);
  };

  for (const [index, next] of steps.entries()) await runStep(`step ${index} (${JSON.stringify(next)}) at ${clock.now()}`, next);
  if (!closeCalled) await runStep('the closing step', ending);
  for (let waited = 0; waited < 60_000 && report === undefined && closeFailure === undefined; waited += 1_000) {
    await clock.advance(1_000);
    check(`waiting for close at ${clock.now()}`);
  }
  if (closeFailure !== undefined) throw new Error('close() rejected');
  if (report === undefined) {
    if (closeBound === Infinity && sinks.some((sink) => sink.hangs)) return; // a 'flush' close waits for a write that never settles
    throw new Error('close() never settled');
  }
  const final: ShutdownReport = report;
  if (closedAt > closeBound) throw new Error(`close() settled at ${closedAt}, past its bound ${closeBound}`);

  await turn();
  const afterClose = check('after close');
  names.forEach((name, index) => {
    const m = afterClose.sinks[name];
    checkSummaryAgainstMetrics(name, final.sinks[name], m);
    if (final.sinks[name].undelivered > 0 && !final.timedOut) throw new Error(`${name}: undelivered without timedOut`);
    const reasons = (m.droppedAtClose ?? 0) + Object.values(m.droppedBy ?? {}).reduce((sum, count) => sum + count, 0);
    if (reasons > m.dropped) throw new Error(`${name}: drops by reason ${reasons} > dropped ${m.dropped}`);
    // Without a queue bound nothing overflows (10 000 events are never reached here): every drop is one at close.
    if (plan.sinks[index].queue === undefined && reasons !== m.dropped)
      throw new Error(`${name}: dropped ${m.dropped}, of which ${reasons} with a reason`);
  });

  // After the close, every logger refuses what passes its level, counted; write() with no level is counted as such.
  for (const target of loggers) {
    logThrough(target, { level: 'fatal', text: 'fatal' }, false, 2, false);
    logThrough(target, { level: 'verbose', text: 'trace' }, true, 1, true);
  }
  logThrough(loggers[loggers.length - 1], { level: undefined, text: 'nope' }, true, 1, false);
  await clock.advance(30_000);
  const later = check('30 s after close');
  for (const name of names)
    for (const field of ['received', 'delivered', 'dropped', 'failed', 'pending'] as const)
      if (later.sinks[name][field] !== afterClose.sinks[name][field])
        throw new Error(`${name}: ${field} changed after close: ${afterClose.sinks[name][field]} → ${later.sinks[name][field]}`);
}

describe('accounting under the level rules, in virtual time', () => {
  it('counts every call by what the level rules made of it, and every event a sink is offered once, whatever the sinks do', async () => {
    await fc.assert(
      fc.asyncProperty(plan, fc.array(step, { maxLength: 30 }), closeStep, fc.integer(), (p, steps, ending, seed) =>
        runScenario(p, steps, ending, seed),
      ),
      { numRuns: Number(process.env.LEVEL_RULES_RUNS ?? 200), seed: Number(process.env.LEVEL_RULES_SEED ?? 20261206) },
    );
  }, 60_000);
});

describe('calls after close() and the level rules', () => {
  it('counts in rejectedAfterClose the calls after close at a level the logger (or its override) lets through, none below it, and a write() with no level as rejectedInvalidLevel', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel
      .is('information')
      .minimumLevel.override('Shop.Db', 'error')
      .writeTo.sink(memory)
      .createLogger();
    const db = log.forContext('SourceContext', 'shop.db.pool');
    await log.close();
    log.debug('below the minimum level');
    log.information('at it');
    db.warning('below the override');
    db.error('at the override');
    log.write('warn', 'an alias');
    db.write('nope' as 'warn', 'no level');
    expect(memory.events).toEqual([]);
    expect(log.metrics()).toMatchObject({ logged: 0, rejectedAfterClose: 3, rejectedInvalidLevel: 1 });
    expect([log.isEnabled('fatal'), db.isEnabled('fatal')]).toEqual([false, false]);
  });
});
