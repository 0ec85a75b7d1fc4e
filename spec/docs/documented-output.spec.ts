import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plainEnv } from '../helpers/plain-env';

/**
 * The output the docs promise. In a runnable ```ts block of README.md or docs/*.md, a comment
 * `// → text` says what the block prints there: this spec runs each block holding one (bundled
 * by esbuild as the snippets spec does, then plain `node`, NO_COLOR and TZ=UTC) and checks that
 * every such text appears in its output, in the order of the comments (on stdout, or on stderr
 * for the console sink's warnings and errors). A value such a block shows after a console call
 * without the arrow (`console.log(names); // [ 'a', 'b' ]`) is refused, since nothing would check it.
 *
 * Compared loosely where output cannot be fixed, strictly everywhere else:
 * - runs of whitespace count as one space (util.inspect breaks long values over lines);
 * - times and dates are masked (`09:05:07`, `2026-11-22`, ISO instants), so a doc can show one;
 * - `…` in the text stands for anything (an event id, the rest of a long object).
 */
const ROOT = path.resolve(__dirname, '../..');
const ENTRIES: Readonly<Record<string, string>> = {
  rxlog: 'lib/index.ts',
  'rxlog/node': 'lib/node/index.ts',
  'rxlog/angular': 'lib/angular/index.ts',
  'rxlog/nest': 'lib/nest/index.ts',
  'rxlog/otel': 'lib/otel/index.ts',
};
const BLOCK_LIMIT_MS = 10_000;
const MARK = '// → ';

interface Expectation {
  /** `docs/sinks.md:23`, the line of the comment. */
  readonly where: string;
  readonly text: string;
}

interface Block {
  readonly where: string;
  readonly code: string;
  readonly expectations: readonly Expectation[];
  file?: string;
}

function markdownFiles(): string[] {
  const docs = path.join(ROOT, 'docs');
  const pages = fs
    .readdirSync(docs)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join(docs, name));
  return [path.join(ROOT, 'README.md'), ...pages];
}

/** The runnable ts blocks (no marker) of one Markdown file that hold a `// →` comment. */
function blocksOf(markdown: string): Block[] {
  const lines = fs.readFileSync(markdown, 'utf8').split('\n');
  const relative = path.relative(ROOT, markdown);
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^\s*(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[index]);
    if (open === null) continue;
    const [, fence, language, marker] = open;
    const start = index;
    const body: string[] = [];
    const expectations: Expectation[] = [];
    for (index++; index < lines.length && !lines[index].trimStart().startsWith(fence); index++) {
      body.push(lines[index]);
      const at = lines[index].indexOf(MARK);
      if (at !== -1) expectations.push({ where: `${relative}:${index + 1}`, text: lines[index].slice(at + MARK.length) });
    }
    if (language === 'ts' && marker.trim() === '' && expectations.length > 0)
      blocks.push({ where: `${relative}:${start + 1}`, code: `${body.join('\n')}\n`, expectations });
  }
  return blocks;
}

/**
 * The lines of the runnable ts blocks of one Markdown file that show, after a console call, a
 * value it prints (`// [ 'a', 'b' ]`, `// { … }`, `// 'text'`, `// 42`) without the `// →` that
 * has this spec check it: such a comment is a promise nothing keeps.
 */
function unmarkedOutput(markdown: string): string[] {
  const lines = fs.readFileSync(markdown, 'utf8').split('\n');
  const relative = path.relative(ROOT, markdown);
  const found: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^\s*(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[index]);
    if (open === null) continue;
    const [, fence, language, marker] = open;
    const runnable = language === 'ts' && marker.trim() === '';
    for (index++; index < lines.length && !lines[index].trimStart().startsWith(fence); index++)
      if (runnable && /\bconsole\.(?:log|info|warn|error|debug)\(.*\/\/ ["'[{\d]/.test(lines[index]))
        found.push(`${relative}:${index + 1}: ${lines[index].trim()}`);
  }
  return found;
}

/** Whitespace runs as one space, times and dates masked. */
function normalize(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?/g, '<instant>')
    .replace(/\d{4}-\d\d-\d\d/g, '<date>')
    .replace(/\d\d:\d\d:\d\d(?:\.\d+)?/g, '<time>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The expected text as a pattern: literal, but `…` matches anything. */
function pattern(text: string): RegExp {
  const parts = normalize(text)
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('.*?'), 'g');
}

interface Output {
  readonly stdout: string;
  readonly stderr: string;
  readonly failure?: string;
}

function run(file: string, cwd: string): Promise<Output> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd,
      env: plainEnv({ TZ: 'UTC' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BLOCK_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const failure =
        signal === 'SIGKILL' ? `did not end within ${BLOCK_LIMIT_MS} ms` : code === 0 ? undefined : `exit code ${String(code)}`;
      resolve({ stdout, stderr, failure });
    });
  });
}

/** The expectations not found in order in the output, described. */
function unmet(block: Block, output: Output): string[] {
  if (output.failure !== undefined) return [`${block.where}: ${output.failure}\n${output.stderr.slice(-2000)}`];
  const streams = [{ text: normalize(output.stdout), from: 0 }, { text: normalize(output.stderr), from: 0 }];
  const problems: string[] = [];
  for (const expectation of block.expectations) {
    const found = streams.some((stream) => {
      const search = pattern(expectation.text);
      search.lastIndex = stream.from;
      const match = search.exec(stream.text);
      if (match === null) return false;
      stream.from = match.index + match[0].length;
      return true;
    });
    if (!found)
      problems.push(
        `${expectation.where}: documented "${expectation.text}", not printed (after what the comments before it matched).\n` +
          `stdout: ${output.stdout.slice(0, 3000)}\nstderr: ${output.stderr.slice(0, 1000)}`,
      );
  }
  return problems;
}

const blocks = markdownFiles().flatMap(blocksOf);
let workDir = '';

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-doc-output-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workDir, 'node_modules'), 'dir');
  blocks.forEach((block, n) => {
    block.file = path.join(workDir, `${block.where.replace(/[^a-z0-9]+/gi, '-')}-${n}.mts`);
    fs.writeFileSync(block.file, block.code);
  });
});

afterAll(() => {
  if (workDir !== '') fs.rmSync(workDir, { recursive: true, force: true });
});

describe('documented output', () => {
  it('reads the comparison rules as documented', () => {
    expect(normalize('[09:05:07 INF] at 2026-11-22T09:05:07.123Z\n  on 2026-11-22')).toBe(
      '[<time> INF] at <instant> on <date>',
    );
    expect(pattern('{"@i":"…","Port":8080}').test('{"@i":"af7facd0","Port":8080}')).toBe(true);
    expect(pattern('[ 1, 2 ]').test('[ 1, 2, 3 ]')).toBe(false);
  });

  it('finds blocks that promise output', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it('has every value a runnable block shows it prints marked `// →`, so it is checked', () => {
    expect(markdownFiles().flatMap(unmarkedOutput)).toEqual([]);
  });

  it('prints what every `// →` comment says, in order', async () => {
    await build({
      entryPoints: blocks.map((b) => b.file as string),
      outdir: path.join(workDir, 'out'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
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
    const problems: string[] = [];
    for (const block of blocks) {
      const cwd = fs.mkdtempSync(path.join(workDir, 'run-'));
      const bundled = path.join(workDir, 'out', path.basename(block.file as string).replace(/\.mts$/, '.mjs'));
      problems.push(...unmet(block, await run(bundled, cwd)));
    }
    expect(problems).toEqual([]);
  }, 180_000);
});
