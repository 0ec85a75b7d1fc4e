import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';

// Types only: LogContext.run and an enricher take any object type of properties (an interface, a
// class instance), and refuse an array, a Map, a Set, a Date or a function at compile time. These
// tests compile a small program under `strict`, as a user's build would, and read the diagnostics:
// a `// @ts-expect-error` line that compiles is itself an error (TS2578).
const LIB = path.join(__dirname, '..', '..', 'lib');

function diagnostics(source: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-properties-types-'));
  try {
    const file = path.join(dir, 'check.ts');
    const imports = [
      `import { LogContext } from ${JSON.stringify(path.join(LIB, 'context', 'log-context'))};`,
      `import type { Enricher } from ${JSON.stringify(path.join(LIB, 'core', 'enricher'))};`,
      `import { LoggerConfiguration } from ${JSON.stringify(path.join(LIB, 'configuration', 'logger-configuration'))};`,
      `import { enrich } from ${JSON.stringify(path.join(LIB, 'operators', 'enrich'))};`,
    ];
    fs.writeFileSync(file, `${imports.join('\n')}\n${source}\nexport {};\n`);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      skipLibCheck: true,
      types: [],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map(
        (d) =>
          `${d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const DECLARATIONS = `
  interface RequestContext { RequestId: string; UserId?: number }
  declare const requestContext: RequestContext;
  class TenantContext { readonly TenantId = 't-1'; describe(): string { return this.TenantId; } }
  declare const record: Readonly<Record<string, unknown>>;
`;

describe('the property types of LogContext.run and enrichers', () => {
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

  it('an Enricher, enrich.with and the enrich operator take an interface, a class instance, a literal and a record', () => {
    expect(
      diagnostics(`${DECLARATIONS}
        const fromInterface: Enricher = () => requestContext;
        const fromClass: Enricher = () => new TenantContext();
        const fromLiteral: Enricher = () => ({ Host: 'web-1' });
        const fromRecord: Enricher = () => record;
        const maybe: Enricher = () => (Math.random() > 0.5 ? requestContext : undefined);
        const nothing: Enricher = () => {};
        new LoggerConfiguration()
          .enrich.with(() => requestContext, () => new TenantContext(), () => undefined)
          .enrich.with(fromInterface, fromClass, fromLiteral, fromRecord, maybe, nothing)
          .createLogger();
        enrich(() => requestContext, () => new TenantContext());
      `),
    ).toEqual([]);
  });

  it('an Enricher refuses to return an array, a Map, a Set, a Date, a function or a primitive', () => {
    expect(
      diagnostics(`
        // @ts-expect-error an array
        const a: Enricher = () => ['RequestId'];
        // @ts-expect-error a Map
        const b: Enricher = () => new Map([['RequestId', 'r-7']]);
        // @ts-expect-error a Set
        const c: Enricher = () => new Set(['r-7']);
        // @ts-expect-error a Date
        const d: Enricher = () => new Date();
        // @ts-expect-error a function
        const e: Enricher = () => () => ({ RequestId: 'r-7' });
        // @ts-expect-error a string
        const f: Enricher = () => 'r-7';
        // @ts-expect-error null
        const g: Enricher = () => null;
        // @ts-expect-error an array, given to enrich.with
        new LoggerConfiguration().enrich.with(() => [1]);
        void [a, b, c, d, e, f, g];
      `),
    ).toEqual([]);
  });
});
