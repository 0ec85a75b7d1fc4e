import { BehaviorSubject, from, of } from 'rxjs';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { circuitBreaker } from '../../lib/operators/circuit-breaker';
import { enrich } from '../../lib/operators/enrich';
import { filterEvents } from '../../lib/operators/filter-events';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { sampleEvents } from '../../lib/operators/sample-events';
import { tapLog } from '../../lib/operators/tap-log';
import { tapMetrics } from '../../lib/operators/tap-metrics';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { withLogContext } from '../../lib/operators/with-log-context';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { LogContext } from '../../lib/context/log-context';
import { collectSelfLog } from '../helpers/self-log';

// A revoked Proxy cannot be read at all: even `Array.isArray` throws on it. Given as an option it
// is a ConfigurationError naming the operator, as a Proxy whose traps throw is, never the
// TypeError of a check that read it; returned by withLogContext's function it is properties that
// cannot be read, so that subscription runs without context.

const revoked = (): never => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy as never;
};

describe('a revoked Proxy given to an operator', () => {
  it.each<[string, () => unknown]>([
    ['batchEvents', () => batchEvents(revoked())],
    ['throttleEvents', () => throttleEvents(revoked())],
    ['fingersCrossed', () => fingersCrossed(revoked())],
    ['fingersCrossed', () => fingersCrossed({ afterTrigger: revoked() })],
    ['fingersCrossed: isolateBy', () => fingersCrossed({ isolateBy: revoked() })],
    ['sampleEvents', () => sampleEvents(revoked())],
    ['sampleEvents: key', () => sampleEvents({ rate: 0.5, key: revoked() })],
    ['boundedQueue', () => boundedQueue(revoked(), new BehaviorSubject(1))],
    ['retryWithBackoff', () => retryWithBackoff(revoked())],
    ['retryWithBackoff: random', () => retryWithBackoff({}, undefined, revoked())],
    ['circuitBreaker', () => circuitBreaker(revoked())],
    ['tapLog', () => tapLog({ write: () => undefined }, revoked())],
    ['tapLog: captureLimits', () => tapLog({ write: () => undefined }, { name: 's', captureLimits: revoked() })],
    ['tapMetrics', () => tapMetrics(new SinkMetricsRecorder('s'), 'received', revoked())],
    ['tapMetrics: counter', () => tapMetrics(new SinkMetricsRecorder('s'), revoked())],
    ['filterEvents', () => filterEvents(revoked())],
    ['enrich: enricher 1', () => enrich(revoked())],
  ])('as %s’s option is a ConfigurationError naming it, not a TypeError', (where, build) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toContain(where);
  });

  it.each<[string, () => Parameters<typeof withLogContext>[0]]>([
    ['returned by withLogContext’s function', () => () => revoked()],
    ['given to withLogContext as its properties', () => revoked()],
  ])('%s runs the subscription without context, told to SelfLog, instead of failing it', (_how, properties) => {
    const selfLog = collectSelfLog();
    const seen: unknown[] = [];
    let failed: unknown;
    of(1, 2)
      .pipe(withLogContext(properties()))
      .subscribe({
        next: (value) => seen.push([value, { ...LogContext.current() }]),
        error: (error: unknown) => (failed = error),
      });
    selfLog.stop();
    expect(failed).toBeUndefined();
    expect(seen).toEqual([
      [1, {}],
      [2, {}],
    ]);
    expect(selfLog.diagnostics.map((d) => d.template)).toEqual([
      'withLogContext: the properties cannot be read; the subscription runs without context',
    ]);
  });

  it('passed through tapMetrics as a value is counted as one event and passed on, not an error of the stream', () => {
    const recorder = new SinkMetricsRecorder('s');
    const value = revoked();
    const seen: unknown[] = [];
    let failed: unknown;
    from([value, value])
      .pipe(tapMetrics(recorder, 'received', { latency: true }))
      .subscribe({ next: (v) => seen.push(v), error: (error: unknown) => (failed = error) });
    expect(failed).toBeUndefined();
    expect(seen.length).toBe(2);
    expect([recorder.received, recorder.pending, recorder.latency.count]).toEqual([2, 2, 0]);
  });
});
