import { of, Subject, take, throwError } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { Logger } from '../../lib/pipeline/logger';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { exceptionText } from '../../lib/core/exception-text';
import { TAP_LOG_TEMPLATES, tapLog, type TapLogOptions, type TapLogTarget } from '../../lib/operators/tap-log';
import type { CaptureLimits } from '../../lib/templates/capture';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createTestScheduler } from '../helpers/test-scheduler';
import { countingSource } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';
import { nextMacrotask, selfResolvingThenable } from '../helpers/self-resolving-thenable';

function debugLogger(): { log: Logger; lines: () => string[]; memory: MemorySink } {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
  return { log, memory, lines: () => memory.events.map((e) => `${e.level} ${e.renderMessage()}`) };
}

describe('tapLog', () => {
  it('logs subscribe and complete with Stream, Count and Elapsed on the scheduler clock', () => {
    const testScheduler = createTestScheduler();
    const { log, lines, memory } = debugLogger();
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-|').pipe(tapLog(log, 'orders', testScheduler))).toBe('-a-b-|');
    });
    expect(lines()).toEqual(['debug orders subscribed', 'debug orders completed after 2 values in 5 ms']);
    expect(memory.events[1].messageTemplate.text).toBe(TAP_LOG_TEMPLATES.complete);
    expect(memory.events[1].properties).toEqual({ Stream: 'orders', Count: 2, Elapsed: 5 });
  });

  it('logs each value when next is on, capturing it under the given limits', () => {
    const testScheduler = createTestScheduler();
    const { log, memory } = debugLogger();
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a--b|', { a: { id: 1, tags: ['x', 'y', 'z'] }, b: { id: 2, tags: [] } });
      const tapped = source.pipe(
        tapLog(
          log,
          { name: 'carts', next: 'verbose', subscribe: 'off', complete: 'off', captureLimits: { maxCollectionLength: 2 } },
          testScheduler,
        ),
      );
      expectObservable(tapped).toBe('-a--b|', { a: { id: 1, tags: ['x', 'y', 'z'] }, b: { id: 2, tags: [] } });
    });
    expect(memory.events.map((e) => [e.level, e.properties])).toEqual([
      ['verbose', { Stream: 'carts', Value: { id: 1, tags: ['x', 'y', '…1 more'] }, Count: 1, Elapsed: 1 }],
      ['verbose', { Stream: 'carts', Value: { id: 2, tags: [] }, Count: 2, Elapsed: 4 }],
    ]);
  });

  it('captures no value under captureLimits at a level the logger has off, and still captures for a target without isEnabled', () => {
    let reads = 0;
    const value = {
      get secret(): string {
        reads++;
        return 's';
      },
    };
    const memory = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel.information().writeTo.sink(memory).createLogger();
    const options: TapLogOptions = {
      name: 'v',
      next: 'debug',
      subscribe: 'off',
      complete: 'off',
      captureLimits: { maxDepth: 3 },
    };
    of(value, value).pipe(tapLog(log, options)).subscribe();
    expect({ reads, events: memory.events.length }).toEqual({ reads: 0, events: 0 });
    // A target that cannot say whether a level is on gets the value captured, as before.
    const written: unknown[][] = [];
    const target: TapLogTarget = { write: (_level: string, ...args: unknown[]) => void written.push(args) };
    of(value).pipe(tapLog(target, options)).subscribe();
    expect({ reads, written }).toEqual({
      reads: 1,
      written: [[TAP_LOG_TEMPLATES.next, 'v', { secret: 's' }, 1, expect.any(Number)]],
    });
    // A closed logger still counts the value it refuses, as it counts any call after close.
    const closing = debugLogger();
    void closing.log.close();
    of(value).pipe(tapLog(closing.log, options)).subscribe();
    expect({ reads, rejected: closing.log.metrics().rejectedAfterClose }).toEqual({ reads: 1, rejected: 1 });
  });

  it("captures the value when the logger's isEnabled throws, and reports it to SelfLog", () => {
    const written: unknown[][] = [];
    const target: TapLogTarget = {
      write: (_level: string, ...args: unknown[]) => void written.push(args),
      isEnabled: () => {
        throw new Error('no level');
      },
    };
    const selfLog = collectSelfLog();
    try {
      of({ id: 1 })
        .pipe(tapLog(target, { name: 'v', next: 'debug', subscribe: 'off', complete: 'off', captureLimits: {} }))
        .subscribe();
    } finally {
      selfLog.stop();
    }
    expect(written).toEqual([[TAP_LOG_TEMPLATES.next, 'v', { id: 1 }, 1, expect.any(Number)]]);
    expect(selfLog.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining("tapLog v: the logger's isEnabled threw"),
    ]);
  });

  it('logs an error at error level with the exception', () => {
    const testScheduler = createTestScheduler();
    const { log, memory, lines } = debugLogger();
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a--#', { a: 1 }, boom).pipe(tapLog(log, 'payments', testScheduler))).toBe('-a--#', { a: 1 }, boom);
    });
    expect(lines()).toEqual(['debug payments subscribed', 'error payments failed after 1 values in 4 ms']);
    expect(memory.events[1].exception).toBe(boom);
  });

  it('wraps a non-Error failure in an Error for the event, and passes the original on', () => {
    const { log, memory } = debugLogger();
    let seen: unknown;
    throwError(() => 'plain text')
      .pipe(tapLog(log, 'text'))
      .subscribe({ error: (e: unknown) => (seen = e) });
    expect(seen).toBe('plain text');
    expect(memory.events[1].exception?.message).toBe('plain text');
  });

  // A stream fails with what its source threw, often no Error (HttpClient's HttpErrorResponse, a
  // rejected fetch's body, `throwError(() => 'timeout')`). Made `new Error(String(value))`, it was
  // logged as `Error: [object Object]` with a stack inside tapLog, where log.error(value, …) logs the
  // value's data; it is now made the exception the logger makes of it.
  it.each<[string, unknown]>([
    ['an object (an HTTP error response)', { status: 503, url: '/api/orders', statusText: 'Service Unavailable' }],
    ['a number', 504],
  ])('logs a failure with %s as log.error(value, …) logs that value, and passes the original on', (_kind, thrown) => {
    const { log, memory } = debugLogger();
    let seen: unknown;
    throwError(() => thrown)
      .pipe(tapLog(log, { name: 'orders', subscribe: 'off' }))
      .subscribe({ error: (e: unknown) => (seen = e) });
    log.error(thrown as Error, 'directly');
    expect(seen).toBe(thrown);
    const [tapped, direct] = memory.events.map((e) => exceptionText(e.exception));
    expect(tapped).toBe(direct);
    expect(tapped).not.toMatch(/\[object Object\]|tap-log/);
  });

  it('logs a failure with a string as a ThrownValueError of that text, without a stack of its own', () => {
    const { log, memory } = debugLogger();
    throwError(() => 'timeout')
      .pipe(tapLog(log, { name: 'orders', subscribe: 'off' }))
      .subscribe({ error: () => undefined });
    expect(exceptionText(memory.events[0].exception)).toBe('ThrownValueError: timeout');
  });

  it('logs an unsubscribe before the end, and not after complete', () => {
    const testScheduler = createTestScheduler();
    const { log, lines } = debugLogger();
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('-a-b-c-|').pipe(tapLog(log, { name: 'feed', unsubscribe: 'information' }, testScheduler)),
        '^--!',
      ).toBe('-a-');
    });
    expect(lines()).toEqual(['debug feed subscribed', 'information feed unsubscribed after 1 values in 3 ms']);
  });

  it('uses the configured levels, and logs nothing for a level that is off', () => {
    const { log, lines } = debugLogger();
    of(1, 2)
      .pipe(tapLog(log, { name: 'n', subscribe: 'information', next: 'off', complete: 'warning' }, createTestScheduler()))
      .subscribe();
    expect(lines()).toEqual(['information n subscribed', 'warning n completed after 2 values in 0 ms']);
  });

  it('keeps the stream going when the logger throws, and reports it to SelfLog', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const hostile: TapLogTarget = {
      write: () => {
        throw new Error('logger down');
      },
    };
    const values: number[] = [];
    of(1, 2)
      .pipe(tapLog(hostile, { name: 'h', next: 'debug' }))
      .subscribe((n) => values.push(n));
    subscription.unsubscribe();
    expect(values).toEqual([1, 2]);
    expect(diagnostics.length).toBeGreaterThan(0);
  });

  // `{ async write(…) { await remote.send(…) } }` is a TapLogTarget (a Promise-returning method
  // satisfies a void one), and its rejected write went unhandled, which ends a Node process; a
  // throwing write was reported. Both are now the same failing logger.
  it('reports an async logger’s rejected write to SelfLog, as a throwing one, instead of leaving it unhandled', async () => {
    const { diagnostics, stop } = collectSelfLog();
    const remote: TapLogTarget = {
      // eslint-disable-next-line @typescript-eslint/no-misused-promises -- TypeScript accepts it: what an app without this rule writes
      async write() {
        await Promise.resolve();
        throw new Error('remote log down');
      },
    };
    const values: number[] = [];
    try {
      of(1, 2)
        .pipe(tapLog(remote, 'remote'))
        .subscribe((n) => values.push(n));
      for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    } finally {
      stop();
    }
    expect(values).toEqual([1, 2]);
    // subscribed and completed: two writes, two rejections.
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/tapLog remote: the logger threw.*remote log down/s),
      expect.stringMatching(/tapLog remote: the logger threw.*remote log down/s),
    ]);
  });

  // A write returning a thenable that fulfils with itself (a fluent client's builder) was adopted
  // for ever by Promise.resolve, on microtasks alone: no timer or I/O callback of the app ran again.
  it('reports a write returning a thenable that fulfils with itself to SelfLog once, and the event loop goes on', async () => {
    const { diagnostics, stop } = collectSelfLog();
    const { thenable, thens } = selfResolvingThenable();
    const fluent: TapLogTarget = { write: () => thenable as unknown as void };
    const values: number[] = [];
    try {
      of(1)
        .pipe(tapLog(fluent, { name: 'fluent', subscribe: 'off' }))
        .subscribe((n) => values.push(n));
      await nextMacrotask();
    } finally {
      stop();
    }
    expect(values).toEqual([1]);
    expect(thens()).toBe(32);
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/tapLog fluent: the logger threw.*more than 32 deep/s),
    ]);
  });

  // A revoked Proxy (or one whose getPrototypeOf throws) as the error: `instanceof Error` threw
  // while tapLog made the event's exception, and the TypeError went downstream in the error's place.
  it('passes an error it cannot read on as it is, and still logs the failure', () => {
    const { log, memory } = debugLogger();
    const { proxy: unreadable, revoke } = Proxy.revocable({}, {});
    revoke();
    let seen: unknown;
    throwError(() => unreadable)
      .pipe(tapLog(log, 'revoked', createTestScheduler()))
      .subscribe({ error: (e: unknown) => (seen = e) });
    expect(seen).toBe(unreadable);
    expect(memory.events.map((e) => e.renderMessage())).toEqual(['revoked subscribed', 'revoked failed after 0 values in 0 ms']);
  });

  it('rejects a missing name, an unknown level and a non-logger', () => {
    const { log } = debugLogger();
    expect(() => tapLog(log, '')).toThrow(ConfigurationError);
    expect(() => tapLog(log, { name: 'x', next: 'loud' as 'debug' })).toThrow(/tapLog: next.*loud/);
    expect(() => tapLog({} as TapLogTarget, 'x')).toThrow(/tapLog: expected a logger/);
  });

  it("reads 'off' in any case, as it reads level names ('Info'), and names it among the choices when a level is unknown", () => {
    const { log, memory } = debugLogger();
    of(1)
      .pipe(tapLog(log, { name: 'quiet', subscribe: 'OFF' as 'off', complete: ' Off ' as 'off', next: 'Info' as 'information' }))
      .subscribe();
    expect(memory.events.map((e) => `${e.level} ${e.messageTemplate.text}`)).toEqual([`information ${TAP_LOG_TEMPLATES.next}`]);
    expect(() => tapLog(log, { name: 'x', error: 'none' as 'off' })).toThrow(
      /^tapLog: error: expected off or a level \(verbose, .*\), got "none"$/,
    );
  });

  it('rejects bad captureLimits when built, naming the value, instead of capturing with them', () => {
    const { log } = debugLogger();
    const limits = (value: unknown): TapLogOptions => ({ name: 'x', next: 'debug', captureLimits: value as CaptureLimits });
    expect(() => tapLog(log, limits(5))).toThrow(ConfigurationError);
    expect(() => tapLog(log, limits(5))).toThrow(/tapLog: captureLimits: expected an options object, got 5/);
    expect(() => tapLog(log, limits({ maxDepth: -1 }))).toThrow(/tapLog: captureLimits.maxDepth: .*-1/);
    expect(() => tapLog(log, limits({ maxDepth: '2' }))).toThrow(/tapLog: captureLimits.maxDepth: .*"2"/);
    expect(() => tapLog(log, limits({ maxCollectionLength: Number.NaN }))).toThrow(/captureLimits.maxCollectionLength: .*NaN/);
    expect(() => tapLog(log, limits({ maxStringLength: 1.5 }))).toThrow(/captureLimits.maxStringLength: .*1.5/);
    expect(() => tapLog(log, limits({ maxDeph: 2 }))).toThrow(/captureLimits: unknown option "maxDeph"/);
    expect(() => tapLog(log, limits({ maxDepth: 0, maxCollectionLength: 1, maxStringLength: 1 }))).not.toThrow();
  });

  // As captureValue's: a maxDepth of 5 000 ran out of stack in capture, some 1 000 levels down (fewer
  // from a deep call), and the event kept '[Throws: Maximum call stack size exceeded]' there.
  it('refuses a captureLimits.maxDepth past the 63 levels rxlog’s writers follow, as captureValue does', () => {
    const { log, memory } = debugLogger();
    const limits = (maxDepth: number): TapLogOptions => ({ name: 'x', next: 'debug', captureLimits: { maxDepth } });
    for (const maxDepth of [64, 5_000, Number.MAX_SAFE_INTEGER])
      expect(() => tapLog(log, limits(maxDepth))).toThrow(
        `tapLog: captureLimits.maxDepth: expected a whole number from 0 to 63, got number ${maxDepth}`,
      );
    let deep: unknown = 'leaf';
    for (let i = 0; i < 5_000; i++) deep = { n: deep };
    of(deep)
      .pipe(tapLog(log, limits(63)))
      .subscribe();
    let kept: unknown = memory.events.find((event) => event.properties.Value !== undefined)?.properties.Value;
    let levels = 0;
    for (; typeof kept === 'object' && kept !== null; levels++) kept = (kept as { n: unknown }).n;
    // The logger's own default depth (10) applies again to what tapLog captured.
    expect([levels, kept]).toEqual([10, '[MaxDepth]']);
  });

  it('writes into the same pipeline as any call: through LoggerConfiguration to a sink, counted in metrics', async () => {
    const { log, memory } = debugLogger();
    const source = new Subject<number>();
    source.pipe(tapLog(log, { name: 'jobs', next: 'debug' })).subscribe();
    source.next(7);
    source.complete();
    expect(memory.events.map((e) => e.properties.Stream)).toEqual(['jobs', 'jobs', 'jobs']);
    expect(log.metrics().sinks.memory).toMatchObject({ received: 3, delivered: 3 });
    await log.close();
  });
  it('does not log what its own logging feeds back into the stream it taps (log.events$ with next on)', async () => {
    const { log, lines } = debugLogger();
    const seen: string[] = [];
    let failure: unknown;
    const subscription = log.events$.pipe(tapLog(log, { name: 'events', subscribe: 'off', next: 'debug' })).subscribe({
      next: (event) => seen.push(event.renderMessage()),
      error: (error: unknown) => (failure = error),
    });
    log.information('Order {Id} placed', 7);
    subscription.unsubscribe();
    expect(failure).toBeUndefined();
    // The value's own event is logged once, passed on, and not logged again.
    expect(lines()).toHaveLength(3);
    expect(lines()[0]).toBe('information Order 7 placed');
    expect(lines()[1]).toMatch(/^debug events emitted .*Order \{Id\} placed/);
    expect(lines()[2]).toMatch(/^debug events unsubscribed after 2 values/);
    expect(seen).toHaveLength(2);
    await log.close();
  });
});

describe('tapLog under a downstream that unsubscribes', () => {
  it('stops a synchronous source at once (take(1)) and logs the values that went through', () => {
    const { log, lines } = debugLogger();
    const { source, emitted } = countingSource([1, 2, 3, 4, 5]);
    source.pipe(tapLog(log, 'numbers', createTestScheduler()), take(1)).subscribe();
    expect(emitted()).toBe(1);
    expect(lines()).toEqual(['debug numbers subscribed', 'debug numbers unsubscribed after 1 values in 0 ms']);
  });
});
