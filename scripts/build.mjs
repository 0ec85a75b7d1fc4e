// `npm run build`: the ES module and CommonJS builds of every entry (lib/index.ts and each
// lib/<name>/index.ts), each with its own declarations, so `import` and `require` both get types
// of the right flavour. tsc emits the CommonJS tree and the declarations; esbuild transpiles each
// file again as an ES module (the sources are isolatedModules-safe), and the ES module tree gets
// its copy of the declarations. Its relative specifiers then get explicit `.js` extensions
// (Node's ESM loader needs them), which keeps the sources free of extensions.
import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function compile(outDir, module, moduleResolution) {
  // One tsc run: CommonJS JavaScript, its source maps (sources inlined) and the declarations.
  execFileSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--module', module, '--moduleResolution', moduleResolution],
    { cwd: root, stdio: 'inherit' },
  );
}

function filesUnder(dir, suffixes) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full, suffixes));
    else if (suffixes.some((suffix) => entry.name.endsWith(suffix))) found.push(full);
  }
  return found;
}

/** `./x` → `./x.js` or `./x/index.js`, whichever exists next to the importing file. */
function withExtension(file, specifier) {
  if (!specifier.startsWith('.') || /\.(m|c)?js$/.test(specifier)) return specifier;
  const base = path.resolve(path.dirname(file), specifier);
  if (fs.existsSync(`${base}.js`)) return `${specifier}.js`;
  if (fs.existsSync(path.join(base, 'index.js'))) return `${specifier}/index.js`;
  throw new Error(`${path.relative(root, file)}: cannot resolve "${specifier}"`);
}

// from '…', import('…'), export … from '…', and `declare module` never occur with relative paths here.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*|\.{1,2})\2/g;

function rewriteSpecifiers(dir) {
  for (const file of filesUnder(dir, ['.js', '.d.ts'])) {
    const text = fs.readFileSync(file, 'utf8');
    const jsFile = file.endsWith('.d.ts') ? file.replace(/\.d\.ts$/, '.js') : file;
    const next = text.replace(
      SPECIFIER,
      (_, lead, quote, specifier) => `${lead}${quote}${withExtension(jsFile, specifier)}${quote}`,
    );
    if (next !== text) fs.writeFileSync(file, next);
  }
}

fs.rmSync(dist, { recursive: true, force: true });
compile(path.join(dist, 'cjs'), 'commonjs', 'node10');
const sources = filesUnder(path.join(root, 'lib'), ['.ts'])
  // The command line is CommonJS only (it is a bin, not an entry).
  .filter((file) => !file.endsWith('.d.ts') && !file.startsWith(path.join(root, 'lib', 'cli') + path.sep));
buildSync({
  entryPoints: sources,
  outdir: path.join(dist, 'esm'),
  outbase: path.join(root, 'lib'),
  format: 'esm',
  target: 'es2022',
  platform: 'neutral',
  sourcemap: true,
  sourcesContent: true,
  logLevel: 'warning',
});
// One declaration of each type for both trees: each ES module declaration file re-exports the
// CommonJS one. Two copies would declare every class twice, and TypeScript takes two declarations
// of a class with private members for two types: an ES module app could not pass its Logger or
// LevelSwitch to a CommonJS library typed against rxlog (node16/nodenext), although both builds
// accept each other's values at run time. rxlog/angular and rxlog/nest keep their own copies: their
// declarations import Angular and NestJS, which ship ES modules only, and TypeScript (node16) refuses
// such an import from a CommonJS declaration file. What they import of rxlog's core re-exports the
// CommonJS declarations like the rest.
const OWN_ESM_DECLARATIONS = ['angular', 'nest'];
for (const declaration of filesUnder(path.join(dist, 'cjs'), ['.d.ts'])) {
  const relative = path.relative(path.join(dist, 'cjs'), declaration);
  if (relative.startsWith(`cli${path.sep}`)) continue;
  const target = path.join(dist, 'esm', relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (OWN_ESM_DECLARATIONS.includes(relative.split(path.sep)[0])) fs.copyFileSync(declaration, target);
  else {
    const cjs = path
      .relative(path.dirname(target), declaration)
      .split(path.sep)
      .join('/')
      .replace(/\.d\.ts$/, '.js');
    fs.writeFileSync(target, `export * from '${cjs}';\n`);
  }
}
rewriteSpecifiers(path.join(dist, 'esm'));
// Each tree's package.json says what its .js files are. It is also the nearest package.json of every
// file in the tree, which is where Rollup, esbuild and webpack look for `sideEffects`: without the
// package's `sideEffects: false` repeated here, they keep every module an entry re-exports.
const { sideEffects } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
fs.writeFileSync(path.join(dist, 'cjs', 'package.json'), `${JSON.stringify({ type: 'commonjs', sideEffects })}\n`);
fs.writeFileSync(path.join(dist, 'esm', 'package.json'), `${JSON.stringify({ type: 'module', sideEffects })}\n`);
fs.chmodSync(path.join(dist, 'cjs', 'cli', 'main.js'), 0o755);
// What TypeScript 4.9 and earlier read instead of the declarations (package.json's typesVersions
// "<5.0"): they cannot parse `const` type parameters and would fail with errors about rxlog's files.
// A reference to a missing file is reported even under skipLibCheck, and its name says what to do.
fs.writeFileSync(
  path.join(dist, 'typescript-too-old.d.ts'),
  `// TypeScript 4.9 and earlier read this file instead of rxlog's declarations (package.json's typesVersions "<5.0").
/// <reference path="./rxlog's types need TypeScript 5.0 or later (npm install --save-dev typescript@5).d.ts" />
export {};
`,
);

const entries = [
  '.',
  ...fs.readdirSync(path.join(root, 'lib')).filter((name) => fs.existsSync(path.join(root, 'lib', name, 'index.ts'))),
];
process.stdout.write(`built dist/esm and dist/cjs for ${entries.map((e) => (e === '.' ? 'rxlog' : `rxlog/${e}`)).join(', ')}\n`);
