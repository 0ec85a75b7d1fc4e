import { importFrom, PROPERTY_TYPE_DECLARATIONS as DECLARATIONS, typeDiagnostics } from '../helpers/type-diagnostics';

// Each test compiles programs with the TypeScript compiler: seconds on an idle machine, but one
// took 25 s of jest's default 30 s on a loaded two-core machine. What fails a test is the compiler's
// diagnostics (a type too deep to check is one, TS2589), never the time, so the limit is generous.
jest.setTimeout(120_000);

// Types only: an Enricher may return any object type of properties (an interface, a class
// instance, a record), and an enricher returning an array, a Map, a Set, a Date, a Promise, a
// function or a primitive fails to compile. These tests compile a small program under `strict`,
// as a user's build would, and read the diagnostics: a `// @ts-expect-error` line that compiles is
// itself an error (TS2578).
const IMPORTS = [
  importFrom('type { Enricher }', 'core/enricher'),
  importFrom('{ enrich }', 'operators/enrich'),
  importFrom('{ LoggerConfiguration }', 'configuration/logger-configuration'),
];
const diagnostics = (source: string): string[] => typeDiagnostics(IMPORTS, source);

describe('the Enricher type', () => {
  it('enrich.with and the enrich operator take an enricher returning an interface, a class instance, a literal or a record', () => {
    expect(
      diagnostics(`${DECLARATIONS}
        const fromFunction = (): RequestContext => requestContext;
        new LoggerConfiguration()
          .enrich.with(() => requestContext, () => new TenantContext(), fromFunction)
          .enrich.with((event) => (event.level === 'error' ? requestContext : undefined), () => {})
          .enrich.with(() => ({ Host: 'web-1', size: 3, length: 2 }), () => record)
          .createLogger();
        enrich(() => requestContext, () => new TenantContext(), () => record);
      `),
    ).toEqual([]);
  });

  it('Enricher<P> names what an enricher returns: an interface or a class instance, read back by name', () => {
    expect(
      diagnostics(`${DECLARATIONS}
        declare const event: Parameters<Enricher>[0];
        const withRequest: Enricher<RequestContext> = () => requestContext;
        const withTenant: Enricher<TenantContext> = () => new TenantContext();
        const requestId: string | undefined = withRequest(event)?.RequestId;
        const tenantId: string | undefined = withTenant(event)?.TenantId;
        new LoggerConfiguration().enrich.with(withRequest, withTenant).createLogger();
        enrich(withRequest, withTenant);
        void [requestId, tenantId];
      `),
    ).toEqual([]);
  });

  it('Enricher alone returns a record, so a test reads its result by name', () => {
    expect(
      diagnostics(`${DECLARATIONS}
        declare const event: Parameters<Enricher>[0];
        const withHost: Enricher = (e) => ({ Host: 'web-1', Level: e.level });
        const fromRecord: Enricher = () => record;
        const nothing: Enricher = () => {};
        const host: unknown = withHost(event)?.Host;
        new LoggerConfiguration().enrich.with(withHost, fromRecord, nothing).createLogger();
        enrich(withHost, fromRecord, nothing);
        // @ts-expect-error an interface has no index signature: name it, Enricher<RequestContext>
        const bare: Enricher = () => requestContext;
        void [host, bare];
      `),
    ).toEqual([]);
  });

  it('refuses an enricher returning an array, a Map, a Set, a Date, a Promise, a function or a primitive', () => {
    expect(
      diagnostics(`${DECLARATIONS}
        // @ts-expect-error an array
        const a: Enricher = () => ['RequestId'];
        // @ts-expect-error a Map
        const c: Enricher = () => new Map([['RequestId', 'r-7']]);
        // @ts-expect-error a Date
        const e: Enricher = () => new Date();
        // @ts-expect-error a Promise (an async enricher)
        const f: Enricher = async () => ({ RequestId: 'r-7' });
        // @ts-expect-error a string
        const h: Enricher = () => 'r-7';
        // @ts-expect-error an array type named as the properties
        type Listed = Enricher<string[]>;
        // @ts-expect-error a Map type named as the properties
        type Mapped = Enricher<Map<string, string>>;
        // @ts-expect-error a function type named as the properties
        type Called = Enricher<() => RequestContext>;
        // @ts-expect-error a Date type named as the properties
        type Dated = Enricher<Date>;
        // @ts-expect-error a Promise type named as the properties
        type Later = Enricher<Promise<RequestContext>>;
        const config = new LoggerConfiguration();
        // @ts-expect-error an array, given to enrich.with
        config.enrich.with(() => ['RequestId']);
        // @ts-expect-error a readonly tuple, given to enrich.with
        config.enrich.with(() => ['RequestId', 'r-7'] as const);
        // @ts-expect-error a Map, given to enrich.with
        config.enrich.with(() => new Map([['RequestId', 'r-7']]));
        // @ts-expect-error a Set, given to enrich.with
        config.enrich.with(() => new Set(['r-7']));
        // @ts-expect-error a Date, given to enrich.with
        config.enrich.with(() => new Date());
        // @ts-expect-error a Promise, given to enrich.with
        config.enrich.with(async () => requestContext);
        // @ts-expect-error a function, given to enrich.with
        config.enrich.with(() => () => requestContext);
        // @ts-expect-error a number, given to enrich.with
        config.enrich.with(() => 7);
        // @ts-expect-error an array, given to the enrich operator
        enrich(() => [requestContext]);
        // @ts-expect-error a Promise, given to the enrich operator
        enrich(async () => requestContext);
        void [a, c, e, f, h];
        export type { Listed, Mapped, Called, Dated, Later };
      `),
    ).toEqual([]);
  });
});
