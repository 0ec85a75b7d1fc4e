import { of } from 'rxjs';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { circuitBreaker } from '../../lib/operators/circuit-breaker';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { backoffDelay, retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { sampleEvents } from '../../lib/operators/sample-events';
import { tapLog } from '../../lib/operators/tap-log';
import { tapMetrics } from '../../lib/operators/tap-metrics';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';

// An app's options object may be anything its code builds: a class with getters, a Proxy over a
// configuration store, a frozen record of computed values. Each operator reads it once, when it is
// built: a getter that throws is a ConfigurationError naming the operator and the option (its
// error the cause), as a bad value is, never its own error thrown out of the operator's call.

const target = { write: () => undefined };

/** Builds the operator from `options`, with whatever else it needs beside them. */
const operators: [where: string, names: string[], build: (options: object) => unknown][] = [
  ['batchEvents', ['size', 'maxDelayMs'], (o) => batchEvents(o)],
  ['boundedQueue', ['limit', 'limitBytes', 'overflow', 'warnAt', 'maxEventBytes', 'onDrop'], (o) => boundedQueue(o, of(1))],
  [
    'fingersCrossed',
    ['trigger', 'bufferSize', 'isolateBy', 'ttlMs', 'afterTrigger', 'maxKeys', 'maxBytes', 'passthroughLevel'],
    (o) => fingersCrossed(o),
  ],
  ['fingersCrossed: afterTrigger', ['passthroughMs'], (o) => fingersCrossed({ afterTrigger: o as { passthroughMs: number } })],
  ['throttleEvents', ['key', 'windowMs', 'max', 'maxKeys'], (o) => throttleEvents(o)],
  ['sampleEvents', ['rate', 'keepWhen', 'key', 'keyHash', 'keepSampledTraces', 'random'], (o) => sampleEvents(o as never)],
  ['retryWithBackoff', ['attempts', 'initialDelayMs', 'maxDelayMs', 'jitter'], (o) => retryWithBackoff(o)],
  ['backoffDelay', ['attempts', 'initialDelayMs', 'maxDelayMs', 'jitter'], (o) => backoffDelay(1, o)],
  ['circuitBreaker', ['failureThreshold', 'resetTimeoutMs', 'maxResetTimeoutMs'], (o) => circuitBreaker(o)],
  ['tapMetrics', ['latency'], (o) => tapMetrics(new SinkMetricsRecorder('audit'), 'received', o)],
  [
    'tapLog',
    ['name', 'subscribe', 'next', 'error', 'complete', 'unsubscribe', 'captureLimits'],
    (o) => tapLog(target, o as never),
  ],
  [
    'tapLog: captureLimits',
    ['maxDepth', 'maxCollectionLength', 'maxStringLength'],
    (o) => tapLog(target, { name: 's', captureLimits: o }),
  ],
];

const cases = operators.flatMap(([where, names, build]) => names.map((name) => [where, name, build] as const));

describe('operator options that cannot be read', () => {
  it.each(cases)(
    '%s: a getter of %s that throws is a ConfigurationError naming it, when the operator is built',
    (where, name, build) => {
      const broken = new Error('store offline');
      const options = Object.defineProperty({}, name, {
        enumerable: true,
        get() {
          throw broken;
        },
      });
      let thrown: unknown;
      try {
        build(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigurationError);
      expect((thrown as Error).message).toBe(`${where}: reading option "${name}" threw Error: store offline`);
      expect((thrown as Error).cause).toBe(broken);
    },
  );

  it('reads each option once, so a getter cannot pass a check with one value and run with another', () => {
    // A keepWhen that is a function when checked, then a number: read twice, every event would
    // fail on it (one SelfLog line each) instead of being kept by it.
    let reads = 0;
    const options = {
      rate: 0,
      get keepWhen(): unknown {
        reads++;
        return reads === 1 ? () => true : 42;
      },
    };
    const kept: unknown[] = [];
    of({ level: 'debug', messageTemplate: { text: 'a' }, properties: {} })
      .pipe(sampleEvents(options as never) as never)
      .subscribe((event) => kept.push(event));
    expect(reads).toBe(1);
    expect(kept).toHaveLength(1);
  });

  it('reads options a class declares as getters on its prototype', () => {
    class Bounds {
      get windowMs(): number {
        return 0;
      }
    }
    expect(() => throttleEvents(new Bounds())).toThrow(
      'throttleEvents: windowMs: expected a number between 1 and 2147483647, got 0',
    );
  });
});
