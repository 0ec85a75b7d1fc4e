import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { type SchedulerLike, Subject } from 'rxjs';
import { describeOption, numberOption } from '../../lib/operators/operator-options';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { sampleEvents } from '../../lib/operators/sample-events';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { circuitBreaker } from '../../lib/operators/circuit-breaker';
import { tapMetrics } from '../../lib/operators/tap-metrics';
import { tapLog } from '../../lib/operators/tap-log';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { createTestScheduler } from '../helpers/test-scheduler';

describe('numberOption', () => {
  it('gives the fallback for undefined and the value within its limits', () => {
    expect(numberOption(undefined, 5, 'x', { min: 1 })).toBe(5);
    expect(numberOption(3, 5, 'x', { min: 1, max: 3, integer: true })).toBe(3);
    expect(numberOption(Number.POSITIVE_INFINITY, 5, 'x', { min: 1, integer: true })).toBe(Number.POSITIVE_INFINITY);
  });

  it('throws a ConfigurationError naming the option and the value otherwise', () => {
    expect(() => numberOption(0, 5, 'windowMs', { min: 1 })).toThrow(ConfigurationError);
    expect(() => numberOption(0, 5, 'windowMs', { min: 1 })).toThrow('windowMs: expected a number at least 1, got 0');
    expect(() => numberOption(2, 5, 'rate', { min: 0, max: 1 })).toThrow('rate: expected a number between 0 and 1, got 2');
    expect(() => numberOption(1.5, 5, 'max', { min: 1, integer: true })).toThrow(/max: expected an integer/);
    expect(() => numberOption(Number.NaN, 5, 'max', { min: 1 })).toThrow(/max/);
    expect(() => numberOption('3', 5, 'max', { min: 1 })).toThrow(/got "3"/);
  });
});

describe('describeOption', () => {
  it('describes values briefly', () => {
    expect(describeOption('a')).toBe('"a"');
    expect(describeOption(() => 1)).toBe('a function');
    expect(describeOption(null)).toBe('null');
    expect(describeOption([])).toBe('an array');
    expect(describeOption({})).toBe('an object');
  });
});

describe('a scheduler argument that is not a SchedulerLike', () => {
  // Each was found out only when a timer was due or the clock read: a TypeError sent to the
  // subscriber at the first event (or the first retry), in place of what the stream carried.
  const notAScheduler = 'now' as unknown as SchedulerLike;
  const recorder = new SinkMetricsRecorder('audit');
  const built: [string, () => unknown][] = [
    ['batchEvents', () => batchEvents({}, notAScheduler)],
    ['boundedQueue', () => boundedQueue({}, new Subject<number>(), notAScheduler)],
    ['fingersCrossed', () => fingersCrossed({}, notAScheduler)],
    ['throttleEvents', () => throttleEvents({}, notAScheduler)],
    ['retryWithBackoff', () => retryWithBackoff({}, notAScheduler)],
    ['circuitBreaker', () => circuitBreaker({}, notAScheduler)],
    ['tapMetrics', () => tapMetrics(recorder, 'received', {}, notAScheduler)],
    ['tapLog', () => tapLog({ write: () => undefined }, 'jobs', notAScheduler)],
  ];

  it.each(built)('is refused by %s when the operator is built, naming it', (name, build) => {
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(new RegExp(`^${name}: scheduler: expected an RxJS SchedulerLike, got "now"`));
  });

  it('is not asked of an operator given none (the default) or a real one', () => {
    expect(() => batchEvents({}, undefined)).not.toThrow();
    expect(() => fingersCrossed({}, createTestScheduler())).not.toThrow();
  });
});

describe('an option given as null', () => {
  // `null` is a value, not a missing option: from JavaScript (or a JSON file, where null stands for
  // "unset") it silently meant the default here, while fingersCrossed's counts refused it.
  const demand$ = new Subject<number>();
  const log = { write: () => undefined };
  const given: [where: string, build: (value: never) => unknown][] = [
    ['batchEvents.size', (value) => batchEvents({ size: value })],
    ['batchEvents.maxDelayMs', (value) => batchEvents({ maxDelayMs: value })],
    ['boundedQueue.limit', (value) => boundedQueue({ limit: value }, demand$)],
    ['boundedQueue.limitBytes', (value) => boundedQueue({ limitBytes: value }, demand$)],
    ['boundedQueue.overflow', (value) => boundedQueue({ overflow: value }, demand$)],
    ['boundedQueue.warnAt', (value) => boundedQueue({ warnAt: value }, demand$)],
    ['boundedQueue.maxEventBytes', (value) => boundedQueue({ maxEventBytes: value }, demand$)],
    ['retryWithBackoff.attempts', (value) => retryWithBackoff({ attempts: value })],
    ['retryWithBackoff.initialDelayMs', (value) => retryWithBackoff({ initialDelayMs: value })],
    ['retryWithBackoff.maxDelayMs', (value) => retryWithBackoff({ maxDelayMs: value })],
    ['retryWithBackoff.jitter', (value) => retryWithBackoff({ jitter: value })],
    ['circuitBreaker.failureThreshold', (value) => circuitBreaker({ failureThreshold: value })],
    ['circuitBreaker.resetTimeoutMs', (value) => circuitBreaker({ resetTimeoutMs: value })],
    ['fingersCrossed: trigger', (value) => fingersCrossed({ trigger: value })],
    ['fingersCrossed: bufferSize', (value) => fingersCrossed({ bufferSize: value })],
    ['tapLog: subscribe', (value) => tapLog(log, { name: 'jobs', subscribe: value })],
    ['tapLog: next', (value) => tapLog(log, { name: 'jobs', next: value })],
    ['tapLog: error', (value) => tapLog(log, { name: 'jobs', error: value })],
    ['tapLog: complete', (value) => tapLog(log, { name: 'jobs', complete: value })],
    ['tapLog: unsubscribe', (value) => tapLog(log, { name: 'jobs', unsubscribe: value })],
  ];

  it.each(given)('%s: is refused when the operator is built, naming it, rather than meaning the default', (where, build) => {
    const built = (): unknown => build(null as never);
    expect(built).toThrow(ConfigurationError);
    expect(built).toThrow(new RegExp(`^${where.replace('.', '\\.')}: .*null`));
  });

  it('leaves undefined meaning the default', () => {
    for (const [, build] of given) expect(() => build(undefined as never)).not.toThrow();
  });
});

describe('a count or a time that is out of range or not a number', () => {
  // Each operator's numeric options, refused when the operator is built with the option's name and
  // the value in the message: a negative, NaN or -Infinity, a number given as text, a boolean, and
  // Infinity where it would mean an unbounded memory or a timer that fires at once.
  const demand$ = new Subject<number>();
  const log = { write: () => undefined };
  const numeric: [operator: string, option: string, build: (value: never) => unknown, refusesInfinity: boolean][] = [
    ['fingersCrossed', 'bufferSize', (value) => fingersCrossed({ bufferSize: value }), true],
    ['fingersCrossed', 'maxKeys', (value) => fingersCrossed({ maxKeys: value }), true],
    ['fingersCrossed', 'maxBytes', (value) => fingersCrossed({ maxBytes: value }), true],
    ['fingersCrossed', 'ttlMs', (value) => fingersCrossed({ ttlMs: value }), false],
    ['fingersCrossed', 'passthroughMs', (value) => fingersCrossed({ afterTrigger: { passthroughMs: value } }), false],
    ['throttleEvents', 'windowMs', (value) => throttleEvents({ windowMs: value }), true],
    ['throttleEvents', 'max', (value) => throttleEvents({ max: value }), true],
    ['throttleEvents', 'maxKeys', (value) => throttleEvents({ maxKeys: value }), true],
    ['sampleEvents', 'rate', (value) => sampleEvents({ rate: value }), true],
    ['batchEvents', 'size', (value) => batchEvents({ size: value }), true],
    ['batchEvents', 'maxDelayMs', (value) => batchEvents({ maxDelayMs: value }), false],
    ['boundedQueue', 'limit', (value) => boundedQueue({ limit: value }, demand$), true],
    ['boundedQueue', 'limitBytes', (value) => boundedQueue({ limitBytes: value }, demand$), true],
    ['boundedQueue', 'warnAt', (value) => boundedQueue({ warnAt: value }, demand$), true],
    ['boundedQueue', 'maxEventBytes', (value) => boundedQueue({ maxEventBytes: value }, demand$), true],
    ['retryWithBackoff', 'attempts', (value) => retryWithBackoff({ attempts: value }), true],
    ['retryWithBackoff', 'initialDelayMs', (value) => retryWithBackoff({ initialDelayMs: value }), true],
    ['retryWithBackoff', 'maxDelayMs', (value) => retryWithBackoff({ maxDelayMs: value }), true],
    ['retryWithBackoff', 'jitter', (value) => retryWithBackoff({ jitter: value }), true],
    ['circuitBreaker', 'failureThreshold', (value) => circuitBreaker({ failureThreshold: value }), true],
    ['circuitBreaker', 'resetTimeoutMs', (value) => circuitBreaker({ resetTimeoutMs: value }), true],
    ['tapLog', 'maxDepth', (value) => tapLog(log, { name: 'jobs', captureLimits: { maxDepth: value } }), true],
  ];
  const bad: [value: unknown, shown: RegExp][] = [
    [-1, /-1/],
    [Number.NaN, /NaN/],
    [Number.NEGATIVE_INFINITY, /-Infinity/],
    ['5', /"5"/],
    [true, /true/],
  ];

  it.each(numeric)(
    '%s %s: is refused, naming the operator, the option and the value',
    (operator, option, build, refusesInfinity) => {
      for (const [value, shown] of refusesInfinity ? [...bad, [Number.POSITIVE_INFINITY, /Infinity/] as const] : bad) {
        const built = (): unknown => build(value as never);
        expect(built).toThrow(ConfigurationError);
        expect(built).toThrow(new RegExp(`^${operator}\\b.*${option}.*${shown.source}`));
      }
    },
  );
});
