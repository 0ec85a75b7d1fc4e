// Checks the consumer tests (.ci/consumer-tests.mjs) run on the packed tarball and on what bundlers
// make of it: the files the package promises are shipped, and a bundle holds what it imports and
// nothing else (no Node built-ins, no rxlog/node, no HTTP sinks it did not ask for, one rxjs).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** Files a package must never ship: sources, tests, demos, build leftovers. */
const UNSHIPPED = [
  /^(lib|spec|demos|scripts|docs|\.ci)\//,
  /(^|\/)node_modules\//,
  /(?<!\.d)\.ts$/,
  /\.tsbuildinfo$/,
  /\.d\.ts\.map$/,
];

/**
 * The unpacked tarball against its package.json: every `exports` entry has `types` then `default`
 * under `import` and `require`, `typesVersions` maps every subpath (moduleResolution node10), every
 * target is a shipped file, and every source map is shipped and carries its sources.
 */
export function checkTarball(tarball, into) {
  fs.mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', into, '--strip-components=1']);
  const files = new Set(
    execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, '')),
  );
  const problems = [];
  const shipped = (target, where) => {
    if (typeof target !== 'string' || !files.has(target.replace(/^\.\//, '')))
      problems.push(`${where}: ${target} is not shipped`);
  };
  const manifest = JSON.parse(fs.readFileSync(path.join(into, 'package.json'), 'utf8'));
  for (const [subpath, conditions] of Object.entries(manifest.exports)) {
    if (subpath === './package.json') continue;
    for (const condition of ['import', 'require']) {
      const target = conditions[condition];
      if (target === undefined || Object.keys(target).join() !== 'types,default')
        problems.push(`exports["${subpath}"].${condition} must have types first, then default: ${JSON.stringify(target)}`);
      else for (const key of ['types', 'default']) shipped(target[key], `exports["${subpath}"].${condition}.${key}`);
    }
    if (subpath !== '.') {
      const mapped = manifest.typesVersions?.['*']?.[subpath.slice(2)];
      if (mapped === undefined)
        problems.push(`typesVersions has no "${subpath.slice(2)}": node10 cannot type rxlog/${subpath.slice(2)}`);
      else for (const target of mapped) shipped(target, `typesVersions["${subpath.slice(2)}"]`);
    }
  }
  for (const field of ['main', 'module', 'types']) shipped(manifest[field], field);
  for (const target of manifest.typesVersions?.['<5.0']?.['*'] ?? []) shipped(target, 'typesVersions["<5.0"]');
  if (Object.keys(manifest.typesVersions ?? {})[0] !== '<5.0')
    problems.push('typesVersions must map "<5.0" first: TypeScript takes the first key its version matches');
  for (const [name, target] of Object.entries(manifest.bin ?? {})) shipped(target, `bin.${name}`);
  for (const file of files) {
    if (UNSHIPPED.some((pattern) => pattern.test(file))) problems.push(`ships ${file}`);
    if (file.endsWith('.map')) {
      const map = JSON.parse(fs.readFileSync(path.join(into, file), 'utf8'));
      const complete =
        map.sourcesContent?.length === map.sources.length && map.sourcesContent.every((s) => typeof s === 'string');
      if (!complete) problems.push(`${file} points at sources it does not embed (${map.sources.join(', ')})`);
    } else if (/\.(m|c)?js$|\.d\.ts$/.test(file)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fs.readFileSync(path.join(into, file), 'utf8'))?.[1];
      if (url !== undefined && !url.startsWith('data:'))
        shipped(path.posix.join(path.posix.dirname(file), url), `${file}'s source map`);
    }
    if (file.endsWith('.d.ts'))
      problems.push(...unresolvedTypeImports(file, fs.readFileSync(path.join(into, file), 'utf8'), files));
    if (file.startsWith('dist/esm/') && file.endsWith('.js')) {
      const code = fs.readFileSync(path.join(into, file), 'utf8');
      if (/\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w+\s*=/.test(code))
        problems.push(`${file} is an ES module with CommonJS in it`);
    }
  }
  // Each tree says what its .js files are, whatever the package's own "type" is, and repeats the
  // package's `sideEffects`: the nearest package.json is where bundlers look for it.
  for (const [dir, type] of [
    ['dist/esm', 'module'],
    ['dist/cjs', 'commonjs'],
  ]) {
    const marker = path.join(into, dir, 'package.json');
    const nested = fs.existsSync(marker) ? JSON.parse(fs.readFileSync(marker, 'utf8')) : {};
    if (nested.type !== type) problems.push(`${dir}/package.json must say "type": "${type}"`);
    if (nested.sideEffects !== manifest.sideEffects)
      problems.push(
        `${dir}/package.json must repeat "sideEffects": ${JSON.stringify(manifest.sideEffects)} (it has ${JSON.stringify(nested.sideEffects)})`,
      );
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return files.size;
}

const TYPE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*|\.{1,2})\1/g;

/**
 * Relative imports in a declaration file that TypeScript would not resolve: in the ES module tree
 * (node16/nodenext from ESM) they need their `.js` extension; in both trees they must reach a
 * shipped declaration. Otherwise the types silently become `any` under skipLibCheck.
 */
function unresolvedTypeImports(file, text, files) {
  const problems = [];
  for (const [, , specifier] of text.matchAll(TYPE_IMPORT)) {
    const base = path.posix.join(path.posix.dirname(file), specifier);
    const candidates = file.startsWith('dist/esm/')
      ? [base.replace(/\.js$/, '.d.ts')]
      : [`${base}.d.ts`, `${base}/index.d.ts`, base.replace(/\.js$/, '.d.ts')];
    if (file.startsWith('dist/esm/') && !specifier.endsWith('.js')) problems.push(`${file}: "${specifier}" has no .js extension`);
    else if (!candidates.some((candidate) => files.has(candidate)))
      problems.push(`${file}: "${specifier}" resolves to no shipped declaration`);
  }
  return problems;
}

/**
 * The programs every bundler bundles from the installed tarball: what each prints when run, and,
 * for the smallest, the only rxlog modules it may contain. A bundler that misses the package's
 * `sideEffects: false` keeps every module the root entry re-exports that it cannot prove pure
 * (rxjs included), which the `levels` bundle shows at once.
 */
export const BUNDLE_ENTRIES = {
  core: {
    source: `import { LoggerConfiguration, ConsoleSink } from 'rxlog';
import { Observable } from 'rxjs';
const log = new LoggerConfiguration().writeTo.sink(new ConsoleSink()).createLogger();
if (!(log.events$ instanceof Observable)) throw new Error("events$ is not the app's Observable");
log.information('Hello from {Bundler}', 'the bundle');
`,
    prints: 'Hello from the bundle',
  },
  formatter: {
    source: `import { CompactJsonFormatter } from 'rxlog';\nconsole.log(typeof new CompactJsonFormatter().format);\n`,
    prints: 'function',
  },
  levels: {
    source: `import { parseLevel } from 'rxlog';\nconsole.log(parseLevel('Warn'));\n`,
    prints: 'warning',
    only: [
      'core/log-level.js',
      'core/errors/configuration-error.js',
      'core/describe-value.js',
      'core/shared-brand.js',
      'core/is-object.js',
    ],
  },
};

/** Writes the entries to `<app>/src/<name>.js`. */
export function writeBundleEntries(app) {
  fs.mkdirSync(path.join(app, 'src'), { recursive: true });
  for (const [name, { source }] of Object.entries(BUNDLE_ENTRIES)) fs.writeFileSync(path.join(app, 'src', `${name}.js`), source);
}

const ESM = 'node_modules/rxlog/dist/esm/';

/** What a browser bundle of `rxlog`'s root entry may contain: the app, rxlog's ES modules of the root entry, one rxjs, tslib. */
function unexpectedModule(relative, only) {
  if (relative.startsWith('src/')) return undefined;
  if (relative.startsWith(ESM)) {
    if (/^(node|angular|nest|otel|cli)\//.test(relative.slice(ESM.length))) return 'an entry it did not import';
    return only === undefined || only.includes(relative.slice(ESM.length)) ? undefined : 'a module it does not use';
  }
  if (relative.startsWith('node_modules/rxlog/')) return "not rxlog's ES modules";
  if (only !== undefined && !relative.startsWith('src/')) return 'a module it does not use';
  // One copy of rxjs, the app's, and one flavour of it (the bundler's pick for its conditions).
  if (relative.startsWith('node_modules/rxjs/dist/esm5/') || relative.startsWith('node_modules/rxjs/dist/esm/')) return undefined;
  if (relative.startsWith('node_modules/tslib/')) return undefined;
  return "not rxlog, the app's rxjs or tslib";
}

/** Markers of code a bundle of the given imports must not contain. */
const FOREIGN_CODE = ['/loki/api', 'resourceLogs', 'sendBeacon'];

/**
 * Checks one bundle: no warnings, only allowed modules (and rxjs from one directory), no Node
 * built-in or `require`, none of the HTTP sinks' code.
 */
function checkBundle(app, label, name, { warnings, modules, file }) {
  const problems = warnings.map((warning) => `warning: ${warning}`);
  for (const module of modules) {
    if (!path.isAbsolute(module)) problems.push(`${module}: a module outside the file system (a Node built-in or an external)`);
    else {
      const relative = path.relative(app, module).split(path.sep).join('/');
      const why = unexpectedModule(relative, BUNDLE_ENTRIES[name].only);
      if (why !== undefined) problems.push(`${relative}: ${why}`);
    }
  }
  const flavours = new Set(
    modules.filter((m) => m.includes(`${path.sep}rxjs${path.sep}`)).map((m) => m.replace(/(rxjs\/dist\/[^/]+)\/.*/, '$1')),
  );
  if (flavours.size > 1) problems.push(`more than one rxjs: ${[...flavours].join(', ')}`);
  const code = fs.readFileSync(file, 'utf8');
  if (/\brequire\s*\(|\bfrom\s*["']node:|\bimport\s*\(\s*["']node:/.test(code))
    problems.push('requires or imports a module at run time');
  for (const marker of FOREIGN_CODE) if (code.includes(marker)) problems.push(`contains "${marker}"`);
  if (problems.length > 0) throw new Error(`${label} ${name}:\n${problems.slice(0, 20).join('\n')}`);
}

/**
 * Bundles each entry with webpack 5 in production mode for browsers (tree-shaking and
 * `sideEffects` on; not minified, which only costs time: which modules are in is the check).
 * Returns the bundles' files by entry name.
 */
export async function bundleWithWebpack(repo, app) {
  const webpack = createRequire(path.join(repo, 'package.json'))('webpack');
  const names = Object.keys(BUNDLE_ENTRIES);
  const stats = await new Promise((resolve, reject) =>
    webpack(
      {
        mode: 'production',
        target: 'web',
        context: app,
        entry: Object.fromEntries(names.map((name) => [name, `./src/${name}.js`])),
        output: { path: path.join(app, 'webpack'), filename: '[name].js' },
        optimization: { minimize: false },
        // Size hints measure the unminified CI bundle against webpack's 244 KiB advice; sizes are
        // the bundle-size spec's business, and any other warning still fails the check.
        performance: { hints: false },
        infrastructureLogging: { level: 'error' },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  // Every module, including those joined into a concatenated module (webpack hides them by default).
  const json = stats.toJson({
    all: false,
    errors: true,
    warnings: true,
    chunks: true,
    chunkModules: true,
    chunkModulesSpace: Infinity,
    nestedModules: true,
    nestedModulesSpace: Infinity,
    orphanModules: true,
    cachedModules: true,
    dependentModules: true,
  });
  if (json.errors.length > 0) throw new Error(json.errors.map((e) => e.message).join('\n'));
  return Object.fromEntries(
    names.map((name) => {
      const chunk = json.chunks.find((c) => c.names.includes(name));
      // A concatenated module lists the modules it joined; runtime modules are webpack's own.
      const modules = chunk.modules
        .flatMap((m) => m.modules ?? [m])
        .filter((m) => m.moduleType !== 'runtime')
        .map((m) => m.nameForCondition ?? m.identifier);
      const file = path.join(app, 'webpack', `${name}.js`);
      checkBundle(app, 'webpack', name, { warnings: json.warnings.map((w) => w.message), modules, file });
      return [name, file];
    }),
  );
}

/** Bundles each entry with Rollup 4 and @rollup/plugin-node-resolve (browser), as ES modules. */
export async function bundleWithRollup(repo, app) {
  const load = createRequire(path.join(repo, 'package.json'));
  const { rollup } = load('rollup');
  const { nodeResolve } = load('@rollup/plugin-node-resolve');
  const files = {};
  // The module cache of one build serves the next (rxjs and rxlog are parsed once).
  let cache;
  for (const name of Object.keys(BUNDLE_ENTRIES)) {
    const warnings = [];
    const bundle = await rollup({
      cache,
      input: path.join(app, 'src', `${name}.js`),
      plugins: [nodeResolve({ browser: true })],
      onwarn: (warning) => warnings.push(`${warning.code}: ${warning.message}`),
    });
    cache = bundle.cache;
    const file = path.join(app, 'rollup', `${name}.mjs`);
    const { output } = await bundle.write({ file, format: 'es' });
    await bundle.close();
    const [chunk] = output;
    if (chunk.imports.length > 0 || chunk.dynamicImports.length > 0)
      warnings.push(`imports left in the bundle: ${[...chunk.imports, ...chunk.dynamicImports].join(', ')}`);
    // The modules with code in the bundle (Rollup lists the ones it shook out entirely too).
    const modules = Object.entries(chunk.modules)
      .filter(([, module]) => module.renderedLength > 0)
      .map(([id]) => id);
    checkBundle(app, 'rollup', name, { warnings, modules, file });
    files[name] = file;
  }
  return files;
}

/** Bundles each entry with esbuild for browsers, as ES modules. */
export async function bundleWithEsbuild(repo, app) {
  const { build } = createRequire(path.join(repo, 'package.json'))('esbuild');
  const files = {};
  for (const name of Object.keys(BUNDLE_ENTRIES)) {
    const file = path.join(app, 'esbuild', `${name}.mjs`);
    const result = await build({
      entryPoints: [path.join(app, 'src', `${name}.js`)],
      absWorkingDir: app,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: file,
      metafile: true,
      logLevel: 'silent',
    });
    const [output] = Object.values(result.metafile.outputs);
    const modules = Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([input]) => path.resolve(app, input));
    checkBundle(app, 'esbuild', name, { warnings: result.warnings.map((w) => w.text), modules, file });
    files[name] = file;
  }
  return files;
}

/**
 * Builds the Angular demo app (demos/angular) with `ng build` against the packed rxlog instead of
 * its sources: no warning (in particular no "CommonJS or AMD dependencies"), `rxlog/angular`
 * resolved to the ES modules, one rxjs. The app's node_modules links the repository's packages
 * (Angular 21, rxjs, tslib); rxlog is unpacked from the tarball, which is what npm installs for
 * a package without dependencies.
 */
export function buildAngularApp(repo, dir, tarball) {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, 'rxlog'), { recursive: true });
  for (const name of fs.readdirSync(path.join(repo, 'node_modules')))
    if (name !== 'rxlog') fs.symlinkSync(path.join(repo, 'node_modules', name), path.join(modules, name));
  execFileSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'rxlog'), '--strip-components=1']);
  const demo = path.join(repo, 'demos', 'angular');
  fs.cpSync(path.join(demo, 'src'), path.join(dir, 'src'), { recursive: true });
  const workspace = JSON.parse(fs.readFileSync(path.join(demo, 'angular.json'), 'utf8'));
  delete workspace.$schema;
  fs.writeFileSync(path.join(dir, 'angular.json'), JSON.stringify(workspace, null, 2));
  // The demo's tsconfig maps rxlog to its sources; the consumer resolves the package instead.
  const tsconfig = JSON.parse(fs.readFileSync(path.join(demo, 'tsconfig.app.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
  delete tsconfig.compilerOptions.paths;
  fs.writeFileSync(path.join(dir, 'tsconfig.app.json'), JSON.stringify(tsconfig, null, 2));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'angular-consumer', version: '1.0.0', private: true }));

  // The CLI prints its warnings on stderr.
  const build = spawnSync(process.execPath, [path.join(modules, '@angular', 'cli', 'bin', 'ng.js'), 'build', '--stats-json'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', NO_COLOR: '1', CI: 'true' },
  });
  const output = `${build.stdout}${build.stderr}`;
  if (build.status !== 0) throw new Error(`ng build failed (${build.status ?? build.signal}):\n${output}`);
  const problems = [];
  if (/WARNING|CommonJS or AMD/i.test(output)) problems.push(`ng build warned:\n${output}`);
  const inputs = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'stats.json'), 'utf8')).inputs);
  const fromRxlog = inputs.filter((input) => input.includes('node_modules/rxlog/'));
  if (!fromRxlog.includes('node_modules/rxlog/dist/esm/angular/index.js'))
    problems.push('rxlog/angular did not resolve to dist/esm/angular');
  for (const input of fromRxlog) if (!input.startsWith('node_modules/rxlog/dist/esm/')) problems.push(`bundled ${input}`);
  const rxjs = new Set(
    inputs.filter((input) => /\/rxjs\/dist\//.test(input)).map((input) => input.replace(/(rxjs\/dist\/[^/]+)\/.*/, '$1')),
  );
  if (rxjs.size !== 1) problems.push(`rxjs copies: ${[...rxjs].join(', ')}`);
  if (problems.length > 0) throw new Error(problems.slice(0, 20).join('\n'));
  return output.match(/main-\w+\.js\s*\|\s*main\s*\|\s*([\d.]+ kB)\s*\|\s*([\d.]+ kB)/)?.slice(1) ?? [];
}
