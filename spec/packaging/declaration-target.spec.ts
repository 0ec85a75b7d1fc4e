import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';

// The declarations `npm run build` ships, emitted from lib/ as tsconfig.build.json emits them, then
// type-checked from an app under `skipLibCheck: false` (TypeScript's default) at two targets: the
// classes' ES private members are declared as `#private`, which TypeScript refuses under ES5, the
// target TypeScript 5 takes when a tsconfig.json names none (docs/packaging.md says so).

// Two programs over every lib file: seconds on an idle machine, more on a loaded one.
jest.setTimeout(600_000);

const root = path.join(__dirname, '..', '..');

function emitDeclarations(outDir: string): void {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error('tsconfig.build.json cannot be read');
  const program = ts.createProgram(parsed.fileNames, {
    ...parsed.options,
    outDir,
    emitDeclarationOnly: true,
    sourceMap: false,
    inlineSources: false,
    declarationMap: false,
  });
  const result = program.emit();
  expect(result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
}

/** The error codes (`TS18028` …) an app importing the root entry gets in rxlog's declarations. */
function declarationErrors(dir: string, target: ts.ScriptTarget | undefined): string[] {
  const app = path.join(dir, 'app.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    // The libraries are not what is checked here: the same with every target.
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: false,
  };
  if (target !== undefined) options.target = target;
  const program = ts.createProgram([app], options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  // rxjs's own declarations are not rxlog's to answer for.
  expect(diagnostics.filter((d) => d.file?.fileName === app).map((d) => d.messageText)).toEqual([]);
  return [
    ...new Set(
      diagnostics
        .filter((d) => d.file !== undefined && d.file.fileName.startsWith(path.join(dir, 'dts')))
        .map((d) => `TS${d.code}`),
    ),
  ];
}

describe('the shipped declarations under an older target', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-declaration-target-'));
    emitDeclarations(path.join(dir, 'dts'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    fs.writeFileSync(
      path.join(dir, 'app.ts'),
      [
        "import { LoggerConfiguration, MemorySink } from './dts/index';",
        'const log = new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger();',
        "log.information('Started {Name}', 'app');",
        'export {};',
      ].join('\n'),
    );
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('type-check from ES2015 on with skipLibCheck false', () => {
    expect(declarationErrors(dir, ts.ScriptTarget.ES2015)).toEqual([]);
  });

  it('need ES2015 or later: under ES5 (what a tsconfig.json without `target` gets) `#private` is refused, as the docs say', () => {
    expect(declarationErrors(dir, ts.ScriptTarget.ES5)).toEqual(['TS18028']);
    expect(declarationErrors(dir, undefined)).toEqual(['TS18028']);
    const docs = fs.readFileSync(path.join(root, 'docs', 'packaging.md'), 'utf8').replace(/\s+/g, ' ');
    expect(/a `target` of ES2015 or later/.test(docs)).toBe(true);
  });
});
