import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';

/**
 * The import rules of lib/, checked on the source (every `import`, `export … from`, `import()` and
 * `require()`, type-only ones included).
 *
 * Layers, lowest first. A folder imports only from itself and from folders before it:
 *
 *   core           errors, levels, LogEvent, Sink, SelfLog: no rxlog imports
 *   context        the ambient LogContext and its stores
 *   templates      parsing, capturing and rendering message templates (no RxJS)
 *   metrics        counters and histograms of sink delivery
 *   formatting     events to text: CLEF, NDJSON, output templates (no RxJS)
 *   sinks          console, memory, observable and HTTP sinks (format with formatting/)
 *   operators      the RxJS operators of the pipeline
 *   pipeline       Logger, LoggerPipeline, per-sink delivery
 *   configuration  the LoggerConfiguration builder
 *
 * Every other top-level folder of lib/ is an entry folder (node, cli, angular, nest, otel, and
 * any added later): it may import every layer, no layer may import it, and it imports no other
 * entry folder, except that the Node-side entries (node, cli, nest) may import node/.
 * Only the Node-side entries import Node built-ins, and the browser-safe entry points (lib/index.ts
 * and every other entry folder's index.ts) must not reach one through any chain of imports.
 * Packages: rxjs anywhere but templates/ and formatting/; `@angular/*` only in angular/,
 * `@nestjs/*` only in nest/, `@opentelemetry/*` only in otel/; no other package at all.
 */
const LAYERS = ['core', 'context', 'templates', 'metrics', 'formatting', 'sinks', 'operators', 'pipeline', 'configuration'];
const NODE_SIDE = new Set(['node', 'cli', 'nest']);
const NO_RXJS = new Set(['templates', 'formatting']);
const FRAMEWORKS: readonly { prefix: string; folder: string }[] = [
  { prefix: '@angular/', folder: 'angular' },
  { prefix: '@nestjs/', folder: 'nest' },
  { prefix: '@opentelemetry/', folder: 'otel' },
];
/** lib/index.ts, the `rxlog` entry. */
const ROOT = '(root)';

const LIB = path.resolve(__dirname, '../../lib');
const BUILTINS = new Set(builtinModules);

interface Import {
  from: string;
  specifier: string;
  /** Resolved file for a relative import, undefined for a package or Node built-in. */
  file?: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveRelative(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(LIB, from)}: cannot resolve import '${specifier}'`);
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: specifier }) =>
    specifier.startsWith('.') ? { from: file, specifier, file: resolveRelative(file, specifier) } : { from: file, specifier },
  );
}

/** The top-level folder of lib/ a file is in, or ROOT for lib/index.ts. */
function folderOf(file: string): string {
  const parts = path.relative(LIB, file).split(path.sep);
  return parts.length === 1 ? ROOT : parts[0];
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
}

const where = (i: Import): string => `${path.relative(LIB, i.from)} imports '${i.specifier}'`;

const files = sourceFiles(LIB);
const imports = new Map(files.map((file) => [file, importsOf(file)]));
const all = [...imports.values()].flat();
const folders = [...new Set(files.map(folderOf))];
const entryFolders = folders.filter((folder) => folder !== ROOT && !LAYERS.includes(folder));

describe('lib/ layering', () => {
  it('knows every layer folder and finds the entry folders', () => {
    for (const layer of LAYERS) expect(folders).toContain(layer);
    expect(entryFolders).toEqual(expect.arrayContaining(['node', 'cli']));
  });

  it('imports run downward only: a layer imports itself and the layers below it', () => {
    const upward = all
      .filter((i) => i.file !== undefined)
      .filter((i) => {
        const from = folderOf(i.from);
        const to = folderOf(i.file as string);
        if (!LAYERS.includes(from) || from === to) return false;
        return !LAYERS.includes(to) || LAYERS.indexOf(to) > LAYERS.indexOf(from);
      })
      .map((i) => `${where(i)} (${folderOf(i.file as string)} is above ${folderOf(i.from)})`);
    expect(upward).toEqual([]);
  });

  it('entry folders import the layers, not each other (Node-side entries may import node/)', () => {
    const crossing = all
      .filter((i) => i.file !== undefined)
      .filter((i) => {
        const from = folderOf(i.from);
        const to = folderOf(i.file as string);
        if (from === to || !entryFolders.includes(to)) return false;
        return !(to === 'node' && NODE_SIDE.has(from));
      })
      .map(where);
    expect(crossing).toEqual([]);
  });

  it('only node/, cli/ and nest/ import Node built-ins', () => {
    const offending = all.filter((i) => i.file === undefined && isBuiltin(i.specifier) && !NODE_SIDE.has(folderOf(i.from)));
    expect(offending.map(where)).toEqual([]);
  });

  it('the browser-safe entry points reach no Node built-in through any chain of imports', () => {
    const entryPoints = [
      path.join(LIB, 'index.ts'),
      ...entryFolders.filter((folder) => !NODE_SIDE.has(folder)).map((folder) => path.join(LIB, folder, 'index.ts')),
    ].filter((file) => fs.existsSync(file));
    expect(entryPoints).toContain(path.join(LIB, 'index.ts'));
    const reached: string[] = [];
    for (const entry of entryPoints) {
      const seen = new Set<string>();
      const chain = new Map<string, string>();
      const stack = [entry];
      while (stack.length > 0) {
        const file = stack.pop() as string;
        if (seen.has(file)) continue;
        seen.add(file);
        for (const i of imports.get(file) ?? []) {
          if (i.file !== undefined) {
            if (i.file !== entry && !chain.has(i.file)) chain.set(i.file, file);
            stack.push(i.file);
          } else if (isBuiltin(i.specifier)) {
            const trail: string[] = [];
            for (let at: string | undefined = file; at !== undefined; at = chain.get(at)) trail.unshift(path.relative(LIB, at));
            reached.push(`${trail.join(' -> ')} -> '${i.specifier}'`);
          }
        }
      }
    }
    expect(reached).toEqual([]);
  });

  it('templates/ and formatting/ never import RxJS', () => {
    const offending = all.filter(
      (i) => NO_RXJS.has(folderOf(i.from)) && (i.specifier === 'rxjs' || i.specifier.startsWith('rxjs/')),
    );
    expect(offending.map(where)).toEqual([]);
  });

  it('framework packages stay in their folder, and lib/ imports no other package than rxjs', () => {
    const offending = all
      .filter((i) => i.file === undefined && !isBuiltin(i.specifier))
      .filter((i) => {
        if (i.specifier === 'rxjs' || i.specifier.startsWith('rxjs/')) return false;
        const framework = FRAMEWORKS.find((f) => i.specifier.startsWith(f.prefix));
        return framework === undefined || framework.folder !== folderOf(i.from);
      });
    expect(offending.map(where)).toEqual([]);
  });
});
