import { RXJS, importFrom, typeDiagnostics } from '../helpers/type-diagnostics';

// Each test compiles programs with the TypeScript compiler: seconds on an idle machine, but one
// took 25 s of jest's default 30 s on a loaded two-core machine. What fails a test is the compiler's
// diagnostics (a type too deep to check is one, TS2589), never the time, so the limit is generous.
jest.setTimeout(120_000);

// Types only: every operator of docs/operators.md composes, without a cast, in a user's own
// `pipe` on an Observable of events, in the configuration's `.pipe()` and in a sink's `pipe`
// (each an OperatorFunction<LogEvent, LogEvent>); the generic ones take the type of the stream
// they are piped into; batchEvents makes arrays, so `.pipe()` refuses it.

const IMPORTS = [
  importFrom(
    `{
      LoggerConfiguration, MemorySink, batchEvents, boundedQueue, circuitBreaker, enrich, filterEvents, fingersCrossed,
      minimumLevel, redact, retryWithBackoff, sampleEvents, tapLog, throttleEvents, withLogContext, type LogEvent,
    }`,
    'index',
  ),
  `import { BehaviorSubject, map, mergeMap, of, type Observable, type OperatorFunction } from ${RXJS};`,
];

describe('the operators’ types', () => {
  it('compose without casts in a user’s pipe, in .pipe() and in a sink’s pipe, keeping the stream’s type', () => {
    expect(
      typeDiagnostics(
        IMPORTS,
        `
        declare const events$: Observable<LogEvent>;
        const log = new LoggerConfiguration().createLogger();
        const demand$ = new BehaviorSubject(1);

        // In a user's pipe on Observable<LogEvent>, which stays Observable<LogEvent>.
        const held: Observable<LogEvent> = events$.pipe(
          fingersCrossed({ isolateBy: 'RequestId' }),
          sampleEvents({ rate: 0.5, key: 'TraceId' }),
          throttleEvents({ windowMs: 1_000 }),
          boundedQueue({ limit: 100 }, demand$),
          redact({ keys: /password/i }),
          enrich(() => ({ Region: 'eu' })),
          filterEvents((event) => event.level !== 'verbose'),
          minimumLevel('information'),
        );
        const guarded: Observable<string> = held.pipe(
          retryWithBackoff({ attempts: 3 }),
          circuitBreaker({ failureThreshold: 3 }),
          tapLog(log, 'events'),
          withLogContext({ Stream: 'events' }),
          withLogContext(() => ({ Id: 'r-1' })),
          map((event) => event.level),
        );
        const batches: Observable<LogEvent[]> = events$.pipe(batchEvents({ size: 10 }));
        const flattened: Observable<LogEvent> = events$.pipe(batchEvents(), mergeMap((batch) => batch));
        const operators: OperatorFunction<LogEvent, LogEvent>[] = [
          fingersCrossed(), retryWithBackoff(), circuitBreaker(), tapLog(log, 'x'), withLogContext({ A: 1 }),
        ];

        // In the configuration's .pipe() and a sink's pipe.
        new LoggerConfiguration()
          .pipe(
            fingersCrossed(), sampleEvents({ rate: 0.1 }), throttleEvents(), boundedQueue({}, demand$),
            retryWithBackoff(), circuitBreaker(), redact({ keys: /token/ }), enrich(() => ({ A: 1 })),
            filterEvents(() => true), minimumLevel('debug'), tapLog(log, 'pipe'), withLogContext({ A: 1 }),
          )
          .writeTo.sink(new MemorySink(), {
            pipe: [fingersCrossed(), throttleEvents(), retryWithBackoff(), circuitBreaker(), tapLog(log, 'sink'), withLogContext(() => ({ A: 1 }))],
          })
          .createLogger();
        // @ts-expect-error batchEvents gives LogEvent[], not events
        new LoggerConfiguration().pipe(batchEvents());

        // The generic ones take the type of any stream; the event operators refuse other values.
        const numbers: Observable<number> = of(1, 2).pipe(
          retryWithBackoff({ attempts: 2 }), circuitBreaker(), tapLog(log, 'numbers'), withLogContext({ A: 1 }),
        );
        // @ts-expect-error numbers are not events
        of(1, 2).pipe(fingersCrossed());
        // @ts-expect-error a level is not an event
        const levels: Observable<LogEvent> = guarded;

        void [batches, flattened, operators, numbers, levels];
      `,
      ),
    ).toEqual([]);
  });
});
