import { of } from 'rxjs';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { checkOptionKeys } from '../../lib/core/check-option-keys';
import { batchEvents } from '../../lib/operators/batch-events';
import { boundedQueue } from '../../lib/operators/bounded-queue';
import { circuitBreaker } from '../../lib/operators/circuit-breaker';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { sampleEvents } from '../../lib/operators/sample-events';
import { tapLog } from '../../lib/operators/tap-log';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';

describe('checkOptionKeys', () => {
  it('throws a ConfigurationError naming the unknown key and the keys allowed', () => {
    expect(() => checkOptionKeys('retry', { attempts: 3, retires: 5 }, ['attempts', 'jitter'])).toThrow(ConfigurationError);
    expect(() => checkOptionKeys('retry', { attempts: 3, retires: 5 }, ['attempts', 'jitter'])).toThrow(
      'retry: unknown option "retires" (expected one of attempts, jitter)',
    );
  });

  it('lets known keys and keys whose value is undefined through', () => {
    expect(() => checkOptionKeys('retry', { attempts: 3, retires: undefined }, ['attempts'])).not.toThrow();
  });

  it('refuses an array, which would otherwise mean "every default"', () => {
    expect(() => batchEvents([] as never)).toThrow(ConfigurationError);
    expect(() => batchEvents([] as never)).toThrow('batchEvents: expected options, got Array');
  });

  it('throws a ConfigurationError, not the trap’s error, when the names cannot be listed', () => {
    const options = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('vault sealed');
        },
      },
    );
    expect(() => retryWithBackoff(options)).toThrow(ConfigurationError);
    expect(() => retryWithBackoff(options)).toThrow('retryWithBackoff: reading the options threw Error: vault sealed');
  });

  const log = new LoggerConfiguration().createLogger();
  // Each operator, built with one misspelt option (what a user would type for the real one).
  const misspelt: [string, () => unknown, string][] = [
    ['fingersCrossed', () => fingersCrossed({ isolate: 'UserId' } as never), 'isolate'],
    ['throttleEvents', () => throttleEvents({ window: 1000 } as never), 'window'],
    ['sampleEvents', () => sampleEvents({ rate: 0.5, keepIf: () => true } as never), 'keepIf'],
    ['boundedQueue', () => boundedQueue({ limt: 10 } as never, of(1)), 'limt'],
    ['batchEvents', () => batchEvents({ maxDelay: 100 } as never), 'maxDelay'],
    ['retryWithBackoff', () => retryWithBackoff({ retries: 5 } as never), 'retries'],
    ['circuitBreaker', () => circuitBreaker({ threshold: 5 } as never), 'threshold'],
    ['tapLog', () => tapLog(log, { name: 'orders', onNext: 'debug' } as never), 'onNext'],
  ];
  it.each(misspelt)('%s refuses a misspelt option when it is built', (name, build, key) => {
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(`${name}: unknown option "${key}"`);
  });
});
