import fc from 'fast-check';
import { defer, retry, throwError, timer } from 'rxjs';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { HttpStatusError } from '../../lib/sinks/http/http-status-error';
import { backoffDelay, retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { createTestScheduler } from '../helpers/test-scheduler';
import { collectSelfLog } from '../helpers/self-log';

describe('backoffDelay', () => {
  it('doubles from initialDelayMs and caps at maxDelayMs', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, options))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('spreads each delay by ± jitter of itself', () => {
    const options = { initialDelayMs: 100, jitter: 0.2 };
    expect(backoffDelay(1, options, () => 0)).toBe(80);
    expect(backoffDelay(1, options, () => 0.5)).toBe(100);
    expect(backoffDelay(1, options, () => 0.999_999)).toBe(120);
  });

  it('stays within [0, maxDelayMs] and within the jitter band for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, initialDelayMs, extraMs, jitter, random) => {
          // A maxDelayMs given with initialDelayMs is at least it (less is a ConfigurationError).
          const maxDelayMs = initialDelayMs + extraMs;
          const delay = backoffDelay(retry, { initialDelayMs, maxDelayMs, jitter }, () => random);
          const base = Math.min(initialDelayMs * 2 ** (retry - 1), maxDelayMs);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + jitter)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives a delay in [0, maxDelayMs] for any retry number, however late, and whatever the random source returns', () => {
    // 0 × 2^1100 is 0 × Infinity = NaN, which a timer reads as "at once".
    expect(backoffDelay(1100, { initialDelayMs: 0 })).toBe(0);
    expect(backoffDelay(1100, { initialDelayMs: 100, maxDelayMs: 5_000, jitter: 0 })).toBe(5_000);
    for (const draw of [Number.NaN, -1, 7, Number.POSITIVE_INFINITY]) {
      const delay = backoffDelay(1, { initialDelayMs: 100, jitter: 0.2 }, () => draw);
      expect(delay).toBeGreaterThanOrEqual(80);
      expect(delay).toBeLessThanOrEqual(120);
    }
  });

  it('rejects bad options with a ConfigurationError naming the value', () => {
    expect(() => backoffDelay(1, { attempts: 0 })).toThrow(ConfigurationError);
    expect(() => backoffDelay(1, { jitter: 2 })).toThrow(/^backoffDelay\.jitter.*2/);
    expect(() => backoffDelay(1, { initialDelayMs: -5 })).toThrow(/initialDelayMs.*-5/);
    // Past 2^31 - 1 ms a timer fires at once: a 3e9 ms delay would retry after 1 ms.
    expect(() => backoffDelay(1, { initialDelayMs: 3e9 })).toThrow(/initialDelayMs.*2147483647.*3000000000/);
    expect(() => backoffDelay(1, { maxDelayMs: 3e9 })).toThrow(/maxDelayMs.*3000000000/);
    expect(() => backoffDelay(1, { attempts: '3' as unknown as number })).toThrow(/^backoffDelay\.attempts.*"3"/);
    expect(() => retryWithBackoff(null as unknown as object)).toThrow(/^retryWithBackoff: expected an options object, got null/);
    expect(() => retryWithBackoff(3 as unknown as object)).toThrow(/^retryWithBackoff: expected an options object, got 3/);
  });

  it('refuses a retry number that is not a number, instead of a NaN delay that a timer reads as "at once"', () => {
    // backoffDelay(options), the retry number forgotten, gave NaN: a retry loop with no wait at all.
    for (const [retryNumber, shown] of [
      [{ initialDelayMs: 100 }, 'Object'],
      [Number.NaN, 'number NaN'],
      [undefined, 'undefined'],
      ['3', '"3"'],
    ] as const) {
      expect(() => backoffDelay(retryNumber as unknown as number)).toThrow(ConfigurationError);
      expect(() => backoffDelay(retryNumber as unknown as number)).toThrow(
        `backoffDelay: retryNumber: expected the retry's number (1 for the first), got ${shown}`,
      );
    }
    // Any number is a retry number: below 1 is the first retry, Infinity the longest delay.
    expect(backoffDelay(0, { jitter: 0 })).toBe(100);
    expect(backoffDelay(-3, { jitter: 0 })).toBe(100);
    expect(backoffDelay(Number.POSITIVE_INFINITY, { jitter: 0 })).toBe(5_000);
  });
});

describe('retryWithBackoff', () => {
  it('re-subscribes after each delay and passes the value of the try that succeeds', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      let tries = 0;
      const flaky = defer(() => (++tries < 3 ? source : cold('-(v|)')));
      expectObservable(flaky.pipe(retryWithBackoff({ attempts: 3, initialDelayMs: 2, jitter: 0 }, testScheduler))).toBe(
        '---------(v|)',
      );
      // Try 1 fails at 1, waits 2 ms; try 2 runs 3–4 and waits 4 ms; try 3 starts at 8, emits at 9.
      expectSubscriptions(source.subscriptions).toBe(['^!', '---^!']);
    });
  });

  it('passes the last error on after `attempts` tries', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new Error('down'));
      expectObservable(source.pipe(retryWithBackoff({ attempts: 2, initialDelayMs: 3, jitter: 0 }, testScheduler))).toBe(
        '-----#',
        undefined,
        new Error('down'),
      );
      expectSubscriptions(source.subscriptions).toBe(['^!', '----^!']);
    });
  });

  it('tries once when attempts is 1', () => {
    const testScheduler = createTestScheduler();
    let tries = 0;
    testScheduler.run(({ expectObservable }) => {
      const source = defer(() => {
        tries++;
        return throwError(() => new Error('x'));
      });
      expectObservable(source.pipe(retryWithBackoff({ attempts: 1 }, testScheduler))).toBe('#', undefined, new Error('x'));
    });
    expect(tries).toBe(1);
  });

  it('uses the random source for jitter', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('#', undefined, new Error('e'));
      expectObservable(
        source.pipe(retryWithBackoff({ attempts: 2, initialDelayMs: 10, jitter: 0.5 }, testScheduler, () => 0)),
      ).toBe('-----#', undefined, new Error('e'));
    });
  });
  it('behaves as RxJS retry({ count: attempts - 1, delay }) with the backoff delays, values between errors giving no tries back', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // Each try emits a value before failing: RxJS's default (resetOnSuccess false) keeps counting, and so does retryWithBackoff.
      const source = cold('-a#', { a: 'a' }, new Error('down'));
      const options = { attempts: 3, initialDelayMs: 2, jitter: 0 };
      const reference = source.pipe(
        retry({ count: options.attempts - 1, delay: (_error, n) => timer(backoffDelay(n, options), testScheduler) }),
      );
      const expected = '-a---a-----a#';
      expectObservable(reference).toBe(expected, { a: 'a' }, new Error('down'));
      expectObservable(source.pipe(retryWithBackoff(options, testScheduler))).toBe(expected, { a: 'a' }, new Error('down'));
      // Both subscriptions (reference and ours) try at 0, 4 (2 ms after the error at 2) and 10 (4 ms after 6).
      expectSubscriptions(source.subscriptions).toBe(['^-!', '^-!', '----^-!', '----^-!', '----------^-!', '----------^-!']);
    });
  });
});

describe('retryWithBackoff in hostile use', () => {
  it('cancels the pending delay when unsubscribed during it: the source is not tried again', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      expectObservable(
        source.pipe(retryWithBackoff({ attempts: 3, initialDelayMs: 10, jitter: 0 }, testScheduler)),
        '^----!',
      ).toBe('------');
      expectSubscriptions(source.subscriptions).toBe(['^!']);
    });
  });

  it('gives every subscription of one retried pipeline its own tries', () => {
    const testScheduler = createTestScheduler();
    let tries = 0;
    const call = defer(() => {
      tries++;
      return throwError(() => new Error('down'));
    }).pipe(retryWithBackoff({ attempts: 2, initialDelayMs: 1, jitter: 0 }, testScheduler));
    call.subscribe({ error: () => undefined });
    call.subscribe({ error: () => undefined });
    testScheduler.flush();
    expect(tries).toBe(4);
  });

  it('passes the last error on as the very object the source threw', () => {
    const testScheduler = createTestScheduler();
    const failure = new Error('down');
    let seen: unknown;
    throwError(() => failure)
      .pipe(retryWithBackoff({ attempts: 2, initialDelayMs: 0 }, testScheduler))
      .subscribe({ error: (error: unknown) => (seen = error) });
    testScheduler.flush();
    expect(seen).toBe(failure);
  });
});

describe('retryWithBackoff with a random source that is not a function', () => {
  it('refuses it when the operator is built, not with a TypeError in place of the source’s error on its first failure', () => {
    const notRandom = 0.5 as unknown as () => number;
    expect(() => retryWithBackoff({ attempts: 2 }, createTestScheduler(), notRandom)).toThrow(ConfigurationError);
    expect(() => retryWithBackoff({ attempts: 2 }, createTestScheduler(), notRandom)).toThrow(
      /retryWithBackoff: random: expected a function returning numbers in \[0, 1\), got 0\.5/,
    );
    expect(() => backoffDelay(1, {}, notRandom)).toThrow(/random.*0\.5/);
  });
});

// Found by a review: a first delay longer than the longest was taken, and every retry waited maxDelayMs.
describe('retry options with initialDelayMs past maxDelayMs', () => {
  it('throws a ConfigurationError naming both when both are given, for the operator and a sink', () => {
    // Each names the options as its user wrote them: the operator's name, or the sink option.
    expect(() => retryWithBackoff({ initialDelayMs: 10_000, maxDelayMs: 5 })).toThrow(
      'retryWithBackoff.initialDelayMs (10000) is more than retryWithBackoff.maxDelayMs (5)',
    );
    expect(() =>
      new LoggerConfiguration().writeTo
        .sink(new MemorySink(), { retry: { initialDelayMs: 10_000, maxDelayMs: 5 } })
        .createLogger(),
    ).toThrow('retry.initialDelayMs (10000) is more than retry.maxDelayMs (5)');
  });
  it('cuts a first delay past a default maxDelayMs, or the default first delay past a maxDelayMs, as before', () => {
    expect(backoffDelay(1, { initialDelayMs: 10_000, jitter: 0 })).toBe(5_000);
    // maxDelayMs alone below the default initialDelayMs (100): every retry at once, as before.
    expect(backoffDelay(1, { maxDelayMs: 0 })).toBe(0);
    expect(() => retryWithBackoff({ initialDelayMs: 10, maxDelayMs: 10 })).not.toThrow();
  });
});

describe('retryWithBackoff and the hints an error carries (as the sink retry option reads them)', () => {
  it.each([
    ['an HTTP 400', new HttpStatusError('POST', '/orders', 400, 'Bad Request', undefined)],
    ['an HTTP 401', new HttpStatusError('POST', '/orders', 401, 'Unauthorized', undefined)],
    ["permanent: 'sink'", Object.assign(new Error('the queue was deleted'), { permanent: 'sink' })],
  ])('passes a permanent error (%s) on at once, without another try', (_, refused) => {
    const testScheduler = createTestScheduler();
    let tries = 0;
    testScheduler.run(({ expectObservable }) => {
      const call = defer(() => {
        tries++;
        return throwError(() => refused);
      });
      expectObservable(call.pipe(retryWithBackoff({ attempts: 3, initialDelayMs: 10, jitter: 0 }, testScheduler))).toBe(
        '#',
        undefined,
        refused,
      );
    });
    expect(tries).toBe(1);
  });

  it('waits the Retry-After delay when it is longer than the backoff, capped by maxDelayMs', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const busy = cold('-#', undefined, new HttpStatusError('POST', '/orders', 503, 'Service Unavailable', 30));
      let tries = 0;
      const call = defer(() => (++tries < 2 ? busy : cold('(v|)', { v: 'ok' })));
      // Fails at 1; the backoff would be 5, Retry-After asks for 30: the second try starts at 31.
      expectObservable(call.pipe(retryWithBackoff({ attempts: 2, initialDelayMs: 5, jitter: 0 }, testScheduler))).toBe(
        '- 30ms (v|)',
        {
          v: 'ok',
        },
      );
      expectSubscriptions(busy.subscriptions).toBe('^!');
    });
    const capped = createTestScheduler();
    capped.run(({ cold, expectObservable }) => {
      const busy = cold('#', undefined, Object.assign(new Error('quota'), { retryAfterMs: 60_000 }));
      let tries = 0;
      const call = defer(() => (++tries < 2 ? busy : cold('(v|)', { v: 'ok' })));
      // maxDelayMs 20 caps the Retry-After of a minute.
      expectObservable(call.pipe(retryWithBackoff({ attempts: 2, initialDelayMs: 5, maxDelayMs: 20, jitter: 0 }, capped))).toBe(
        '20ms (v|)',
        { v: 'ok' },
      );
    });
  });
});

describe('retryWithBackoff with a random source that throws', () => {
  it('still retries, without jitter, passes the source’s own error on when the tries run out, and tells SelfLog once', () => {
    const selfLog = collectSelfLog();
    const testScheduler = createTestScheduler();
    const brokenRandom = (): number => {
      throw new Error('no entropy');
    };
    try {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, new Error('down'));
        // Tries at 0, 1 + 10 = 11 and 12 + 20 = 32: the delays of jitter 0.
        expectObservable(
          source.pipe(retryWithBackoff({ attempts: 3, initialDelayMs: 10, jitter: 0.5 }, testScheduler, brokenRandom)),
        ).toBe('- 10ms - 20ms -#', undefined, new Error('down'));
        expectSubscriptions(source.subscriptions).toBe(['^!', '- 10ms ^!', '- 10ms - 20ms ^!']);
      });
      expect(selfLog.diagnostics.filter((d) => d.message.includes('random'))).toHaveLength(1);
    } finally {
      selfLog.stop();
    }
  });
});
