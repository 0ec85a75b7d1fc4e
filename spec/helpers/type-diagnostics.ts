import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';

/** rxlog's sources, for the import lines of a type test. */
export const LIB = path.join(__dirname, '..', '..', 'lib');

/** The repo's RxJS, for a type test's `import … from RXJS` (the program sits in a temporary folder). */
export const RXJS = JSON.stringify(path.join(__dirname, '..', '..', 'node_modules', 'rxjs'));

/** `import { names } from '<lib>/<module>';` for a type test's program. */
export function importFrom(names: string, module: string): string {
  return `import ${names} from ${JSON.stringify(path.join(LIB, module))};`;
}

/**
 * Compiles `source` (after `imports`) as one module under `strict`, as a user's build would, and
 * returns its diagnostics as `line: message`: a `// @ts-expect-error` line that compiles is itself
 * one (TS2578). Modules resolve from node_modules as in a user's build: with the compiler's classic
 * resolution, `rxjs` would not resolve from lib/ and every RxJS type would be `any`.
 */
export function typeDiagnostics(imports: readonly string[], source: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-type-test-'));
  try {
    const file = path.join(dir, 'check.ts');
    fs.writeFileSync(file, `${imports.join('\n')}\n${source}\nexport {};\n`);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Node10,
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

/** Object types of properties the type tests pass around: an interface, a class instance and a record. */
export const PROPERTY_TYPE_DECLARATIONS = `
  interface RequestContext { RequestId: string; UserId?: number }
  declare const requestContext: RequestContext;
  class TenantContext { readonly TenantId = 't-1'; describe(): string { return this.TenantId; } }
  declare const record: Readonly<Record<string, unknown>>;
`;
