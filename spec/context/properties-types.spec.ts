import { importFrom, PROPERTY_TYPE_DECLARATIONS as DECLARATIONS, typeDiagnostics } from '../helpers/type-diagnostics';

// Each test compiles programs with the TypeScript compiler: seconds on an idle machine, but one
// took 25 s of jest's default 30 s on a loaded two-core machine. What fails a test is the compiler's
// diagnostics (a type too deep to check is one, TS2589), never the time, so the limit is generous.
jest.setTimeout(120_000);

// Types only: LogContext.run takes any object type of properties (an interface, a class
// instance), and refuses an array, a Map, a Set, a Date or a function at compile time. These
// tests compile a small program under `strict`, as a user's build would, and read the diagnostics:
// a `// @ts-expect-error` line that compiles is itself an error (TS2578).
const IMPORTS = [
  importFrom('{ LogContext }', 'context/log-context'),
  importFrom('{ withLogContext }', 'operators/with-log-context'),
];
const diagnostics = (source: string): string[] => typeDiagnostics(IMPORTS, source);

describe('the property types of LogContext.run and withLogContext', () => {
  it('LogContext.run takes an interface, a class instance, a literal and a record', () => {
    expect(
      diagnostics(`${DECLARATIONS}
        LogContext.run(requestContext, () => 1);
        const n: number = LogContext.run(new TenantContext(), () => 1);
        LogContext.run({ RequestId: 'r-7', Nested: { ok: true } }, () => undefined);
        LogContext.run(record, () => undefined);
        LogContext.run<string>({ RequestId: 'r-7' }, () => 'named T alone');
        void n;
      `),
    ).toEqual([]);
  });

  it('LogContext.run refuses an array, a Map, a Set, a Date, a function and a primitive', () => {
    const found = diagnostics(`
      // @ts-expect-error an array
      LogContext.run(['RequestId'], () => 1);
      // @ts-expect-error a Map
      LogContext.run(new Map([['RequestId', 'r-7']]), () => 1);
      // @ts-expect-error a Set
      LogContext.run(new Set(['r-7']), () => 1);
      // @ts-expect-error a Date
      LogContext.run(new Date(), () => 1);
      // @ts-expect-error a function
      LogContext.run(() => ({ RequestId: 'r-7' }), () => 1);
      // @ts-expect-error a string
      LogContext.run('r-7', () => 1);
      // @ts-expect-error null
      LogContext.run(null, () => 1);
    `);
    expect(found).toEqual([]);
    expect(diagnostics(`LogContext.run(['RequestId'], () => 1);`)).toEqual([
      expect.stringContaining("'rxlog: not an object of properties'"),
    ]);
  });

  it('withLogContext takes the same properties, given or returned by its function, and refuses the same values', () => {
    expect(
      diagnostics(`${DECLARATIONS}
        withLogContext(requestContext);
        withLogContext(() => requestContext);
        withLogContext(() => new TenantContext());
        // Naming T alone leaves P at its default, a record, as for LogContext.run<T>.
        withLogContext<number>({ RequestId: 'r-7' });
        withLogContext({ RequestId: 'r-7' });
        withLogContext(() => record);
        // @ts-expect-error an array
        withLogContext(['RequestId']);
        // @ts-expect-error a Map, returned
        withLogContext(() => new Map([['RequestId', 'r-7']]));
        // @ts-expect-error a Date
        withLogContext(new Date());
        // @ts-expect-error a string
        withLogContext('r-7');
      `),
    ).toEqual([]);
  });
});
