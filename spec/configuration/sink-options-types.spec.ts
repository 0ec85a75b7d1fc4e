import { importFrom, RXJS, typeDiagnostics } from '../helpers/type-diagnostics';

// Each test compiles a program with the TypeScript compiler: seconds on an idle machine, longer on a
// loaded one. What fails a test is the compiler's diagnostics, never the time.
jest.setTimeout(120_000);

const IMPORTS = [
  importFrom('{ LoggerConfiguration }', 'configuration/logger-configuration'),
  importFrom('type { SinkOptions }', 'configuration/sink-options'),
  importFrom('{ MemorySink }', 'sinks/memory-sink'),
  importFrom('{ filterEvents }', 'operators/filter-events'),
  importFrom('type { LogEvent }', 'core/log-event'),
  `import { map, type OperatorFunction } from ${RXJS};`,
];

describe('SinkOptions.pipe', () => {
  it('takes a readonly array of operators, as .pipe(...operators) does: configuration only reads it', () => {
    expect(
      typeDiagnostics(
        IMPORTS,
        `
        const shared: readonly OperatorFunction<LogEvent, LogEvent>[] = [filterEvents((e) => e.level !== 'debug')];
        const frozen = Object.freeze([map((e: LogEvent) => e)]);
        const options: SinkOptions = { pipe: shared };
        new LoggerConfiguration()
          .pipe(...shared)
          .writeTo.sink(new MemorySink(), { pipe: shared })
          .writeTo.sink(new MemorySink(), { pipe: frozen })
          .writeTo.sink(new MemorySink(), options)
          .writeTo.console({ pipe: shared })
          .createLogger();
      `,
      ),
    ).toEqual([]);
  });

  it('still refuses an array of what is no operator', () => {
    expect(
      typeDiagnostics(
        IMPORTS,
        `
        // @ts-expect-error a string is no operator
        new LoggerConfiguration().writeTo.sink(new MemorySink(), { pipe: ['filter'] as const });
      `,
      ),
    ).toEqual([]);
  });
});
