import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { plainEnv } from '../helpers/plain-env';

/**
 * Every TypeScript block of README.md and docs/*.md (not docs/api/, which TypeDoc writes):
 *
 * - ```ts                a complete program: compiled, then run (each must end within BLOCK_LIMIT_MS,
 *                        so it closes its logger and starts no server it leaves open);
 * - ```ts compile-only   a complete program that must not run (a server, a browser, a backend):
 *                        compiled only;
 * - ```ts compile-error  a complete program that must not compile, as the page shows: each comment
 *                        right after a line (`// …`, one or more lines, joined with a space) is the
 *                        error the compiler must report on that line, and it reports no other;
 * - ```ts fragment       a deliberate fragment: skipped.
 *
 * Each block is an ES module (written as its own `.mts` file), so top-level `await` is allowed
 * and its names never clash with another block's. All blocks compile in one TypeScript program
 * under `strict`, with `experimentalDecorators` (as NestJS apps use) and the package's import
 * names mapped to the sources: `rxlog` -> lib/index.ts, `rxlog/node` -> lib/node/index.ts, and so
 * on.
 *
 * Running: one esbuild call (what tsx runs on) turns every runnable block into an ES module with
 * rxlog's sources bundled in through the same mapping and packages left to node_modules; each is
 * then run with plain `node`, at most two at a time, each in its own temporary working directory
 * so the files a block writes stay out of the repository. A tsx process per block would spend
 * about two seconds of CPU each on start-up and transpiling rxlog again.
 */
const ROOT = path.resolve(__dirname, '../..');
const ENTRIES: Readonly<Record<string, string>> = {
  rxlog: 'lib/index.ts',
  'rxlog/node': 'lib/node/index.ts',
  'rxlog/angular': 'lib/angular/index.ts',
  'rxlog/nest': 'lib/nest/index.ts',
  'rxlog/otel': 'lib/otel/index.ts',
};
/**
 * Catches a block that never ends (a server or logger left open); a block that ends takes under a
 * second of CPU, nearly all of it Node loading packages (requiring Nest's three: 0.6 s of CPU). That
 * is CPU-bound, so its wall time stretches with load: at a load average of 14 on these 2 cores, Nest's
 * require took 5.8 s, the slowest blocks (docs/nestjs.md, docs/sinks.md's collector) 5.5 s and the
 * README's one-line logger 4 s; one block hit the former 10 s limit under CI load. 30 s keeps a hang
 * a failure with a wide margin.
 */
const BLOCK_LIMIT_MS = 30_000;
/**
 * The run of every block, two at a time: measured 95 s under the load above, against 120 s before
 * (CPU-bound, as above).
 */
const RUN_ALL_LIMIT_MS = 300_000;
/**
 * The pages a new user copies from first: each must have checked blocks. Every block compiles as a
 * `tsc --init` project of TypeScript 5.9 or later is set up, which adds to `strict` the options in
 * INIT_OPTIONS: a snippet reading `memory.events[0].properties` fails there ("Object is possibly
 * 'undefined'").
 */
const ADOPTION_PAGES: ReadonlySet<string> = new Set([
  'README.md',
  'docs/configuration.md',
  'docs/node.md',
  'docs/http-servers.md',
  'docs/nestjs.md',
  'docs/opentelemetry.md',
  'docs/browser.md',
]);
const INIT_OPTIONS: Readonly<Record<string, unknown>> = {
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
};
/**
 * What `ng new` (Angular 21) adds to `strict` in the tsconfig.json of a new app: docs/angular.md is
 * pasted into such an app, where `e.properties.OrderId` fails with TS4111.
 */
const NG_NEW_OPTIONS: Readonly<Record<string, unknown>> = {
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  isolatedModules: true,
  module: 'preserve',
};
const PARALLEL_RUNS = 2;

type Mode = 'run' | 'compile-only' | 'compile-error' | 'fragment';

interface Block {
  /** `docs/sinks.md:42`, the line of the opening fence. */
  where: string;
  mode: Mode;
  code: string;
  /** Line of the block's first code line in its Markdown file (1-based). */
  firstLine: number;
  markdown: string;
  file?: string;
}

const MODES: Readonly<Record<string, Mode>> = {
  '': 'run',
  'compile-only': 'compile-only',
  'compile-error': 'compile-error',
  fragment: 'fragment',
};

function markdownFiles(): string[] {
  const docs = path.join(ROOT, 'docs');
  const pages = fs.existsSync(docs)
    ? fs
        .readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => path.join(docs, name))
    : [];
  return [path.join(ROOT, 'README.md'), ...pages];
}

/** The TypeScript blocks of one Markdown file; a ts fence with an unknown marker is an error. */
function blocksOf(markdown: string): { blocks: Block[]; errors: string[] } {
  const lines = fs.readFileSync(markdown, 'utf8').split('\n');
  const relative = path.relative(ROOT, markdown);
  const blocks: Block[] = [];
  const errors: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[index]);
    if (open === null) continue;
    const [, , fence, language, marker] = open;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !lines[index].trimStart().startsWith(fence); index++) body.push(lines[index]);
    if (language !== 'ts' && language !== 'typescript') continue;
    const where = `${relative}:${start + 1}`;
    const mode = MODES[marker.trim()] as Mode | undefined;
    if (mode === undefined) errors.push(`${where}: unknown marker "${marker.trim()}" (use ts, ts compile-only, ts compile-error or ts fragment)`);
    else blocks.push({ where, mode, code: `${body.join('\n')}\n`, firstLine: start + 2, markdown: relative });
  }
  return { blocks, errors };
}

const found = markdownFiles().map(blocksOf);
const blocks = found.flatMap((f) => f.blocks);
const markerErrors = found.flatMap((f) => f.errors);
const checked = blocks.filter((b) => b.mode !== 'fragment');

let workDir = '';

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-snippets-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workDir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(workDir, 'tsconfig.json'), JSON.stringify({ compilerOptions: compilerOptionsJson() }, null, 2));
  checked.forEach((block, n) => {
    const name = `${block.markdown.replace(/[^a-z0-9]+/gi, '-')}-${block.firstLine - 1}-${n}.mts`;
    block.file = path.join(workDir, name);
    fs.writeFileSync(block.file, block.code);
  });
});

afterAll(() => {
  if (workDir !== '') fs.rmSync(workDir, { recursive: true, force: true });
});

function compilerOptionsJson(): Record<string, unknown> {
  return {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'bundler',
    lib: ['ES2022', 'DOM'],
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    noEmit: true,
    paths: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, [path.join(ROOT, file)]])),
  };
}

describe('docs snippets', () => {
  it('marks every TypeScript block as ts, ts compile-only, ts compile-error or ts fragment', () => {
    expect(markerErrors).toEqual([]);
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('compiles every complete block under strict, with the options `tsc --init` adds to it, against the public entries', () => {
    expect(new Set(checked.map((b) => b.markdown))).toEqual(expect.objectContaining(ADOPTION_PAGES));
    expect(compileFailures(checked, { ...compilerOptionsJson(), ...INIT_OPTIONS })).toEqual([]);
  }, 120_000);

  it('compiles every complete block of docs/angular.md with the options of an app `ng new` made', () => {
    const angular = checked.filter((b) => b.markdown === 'docs/angular.md');
    expect(angular.length).toBeGreaterThan(5);
    expect(compileFailures(angular, { ...compilerOptionsJson(), ...NG_NEW_OPTIONS })).toEqual([]);
  }, 120_000);

  it(`runs every ts block, each ending within ${BLOCK_LIMIT_MS / 1000} s`, async () => {
    const runnable = checked.filter((b) => b.mode === 'run');
    await build({
      entryPoints: runnable.map((b) => b.file as string),
      outdir: path.join(workDir, 'out'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Every module of an entry is loaded, as Node loads the package's, not only those a block
      // uses (esbuild would skip the others: package.json says "sideEffects": false). So what an
      // entry imports on load, such as Angular's partially compiled @angular/common (which needs
      // Angular's JIT compiler in plain Node), is imported in the block's run as in a user's.
      ignoreAnnotations: true,
      plugins: [
        {
          name: 'rxlog-entries',
          setup(builder) {
            builder.onResolve({ filter: /^rxlog(\/[a-z]+)?$/ }, (args) =>
              args.path in ENTRIES ? { path: path.join(ROOT, ENTRIES[args.path]) } : undefined,
            );
          },
        },
      ],
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
      logLevel: 'silent',
    });
    const failures: string[] = [];
    const queue = [...runnable];
    const worker = async (): Promise<void> => {
      for (let block = queue.shift(); block !== undefined; block = queue.shift()) {
        const failure = await run(block);
        if (failure !== undefined) failures.push(failure);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_RUNS }, worker));
    expect(failures.sort()).toEqual([]);
  }, RUN_ALL_LIMIT_MS);
});

/**
 * The errors a compile-error block shows: for each comment after a code line (its `// ` lines
 * joined with a space), the 0-based line of that code line in the block and the message.
 */
function expectedErrors(block: Block): { line: number; message: string }[] {
  const lines = block.code.split('\n');
  const expected: { line: number; message: string }[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!lines[index].trimStart().startsWith('//') || index === 0 || lines[index - 1].trimStart().startsWith('//')) continue;
    const comment: string[] = [];
    for (let at = index; at < lines.length && lines[at].trimStart().startsWith('//'); at++) comment.push(lines[at].trim().replace(/^\/\/\s?/, ''));
    expected.push({ line: index - 1, message: comment.join(' ') });
  }
  return expected;
}

/**
 * Type checks the blocks in one program; each diagnostic in a block, with its Markdown line, but
 * the errors a compile-error block shows, and each of those the compiler does not report.
 */
function compileFailures(selected: readonly Block[], json: Record<string, unknown>): string[] {
  const { options, errors } = ts.convertCompilerOptionsFromJson(json, workDir);
  expect(errors).toEqual([]);
  const program = ts.createProgram(
    selected.map((b) => b.file as string),
    options,
  );
  const byFile = new Map(selected.map((b) => [b.file as string, b]));
  const expected = new Map(selected.map((b) => [b, b.mode === 'compile-error' ? expectedErrors(b) : []]));
  const failures = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && byFile.has(d.file.fileName))
    .flatMap((d) => {
      const file = d.file as ts.SourceFile;
      const block = byFile.get(file.fileName) as Block;
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const shown = expected.get(block) ?? [];
      const match = shown.findIndex((e) => e.line === line && e.message === message.split('\n')[0]);
      if (match !== -1) {
        shown.splice(match, 1);
        return [];
      }
      return [`${block.markdown}:${block.firstLine + line} (block at ${block.where}): ${message}`];
    });
  for (const [block, missing] of expected)
    for (const { line, message } of missing)
      failures.push(`${block.markdown}:${block.firstLine + line} (block at ${block.where}): no error "${message}"`);
  return failures;
}

/** Runs one block in its own working directory; a description of the failure, or undefined. */
function run(block: Block): Promise<string | undefined> {
  const cwd = fs.mkdtempSync(path.join(workDir, 'run-'));
  return new Promise((resolve) => {
    const bundled = path.join(workDir, 'out', path.basename(block.file as string).replace(/\.mts$/, '.mjs'));
    const child = spawn(process.execPath, [bundled], {
      cwd,
      env: plainEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BLOCK_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(`${block.where}: did not end within ${BLOCK_LIMIT_MS} ms`);
      else if (code !== 0) resolve(`${block.where}: exit code ${String(code)}\n${stderr.slice(-2000)}`);
      else resolve(undefined);
    });
  });
}
