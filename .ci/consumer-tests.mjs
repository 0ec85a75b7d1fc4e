// Installs the packed tarball the way a user would and uses it from every kind of project.
// Run by .ci/consumer-tests (after `npm test` in .ci/run). Network: the npm registry only (rxjs,
// through the normal npm cache); servers listen on 127.0.0.1.
// `--angular` adds an Angular CLI app that installs the tarball (about 40 s more; docs/packaging.md).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BUNDLE_ENTRIES,
  buildAngularApp,
  bundleWithEsbuild,
  bundleWithRollup,
  bundleWithWebpack,
  checkTarball,
  writeBundleEntries,
} from './consumer-checks.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-consumer-'));
const app = path.join(work, 'app');
const started = Date.now();
const withAngular = process.argv.includes('--angular');
/** The oldest TypeScript docs/packaging.md says rxlog's types support, typed templates included. */
const OLDEST_TYPESCRIPT = '5.0.4';
let failures = 0;
/** Set once the tarball is built and installed: without it every later step would fail for the same reason. */
let installed = false;

function run(command, args, options = {}) {
  return execFileSync(command, args, {
    cwd: app,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
    ...options,
  });
}

async function step(name, body, { needsInstall = true } = {}) {
  if (needsInstall && !installed) throw new Error('the build or the install failed; later steps skipped');
  const at = Date.now();
  try {
    await body();
    console.log(`ok   ${name} (${Date.now() - at} ms)`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}\n${error.stdout ?? ''}${error.stderr ?? ''}${error.stack ?? error}`);
  }
}

function expectFileLogged(file, text) {
  const content = fs.readFileSync(path.join(app, file), 'utf8');
  if (!content.includes(text)) throw new Error(`${file} does not contain "${text}":\n${content}`);
}

function write(file, text) {
  fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
  fs.writeFileSync(path.join(app, file), text);
}

// A program that logs to a file through rxlog/node and checks events$ against the app's rxjs.
const program = (imports, name) => `${imports}
const log = new LoggerConfiguration()
  .writeTo.sink(new FileSink(${JSON.stringify(`logs/${name}.log`)}))
  .createLogger();
if (!(log.events$ instanceof Observable)) throw new Error('events$ is not the app\\'s Observable');
log.information('Hello from {Flavour}', ${JSON.stringify(name)});
log.close().then((report) => {
  if (report.sinks.file.delivered !== 1) throw new Error('not delivered: ' + JSON.stringify(report));
});
`;

/** The optional peers' scopes (rxlog/angular, rxlog/nest, rxlog/otel). */
const OPTIONAL_PEERS = ['@angular', '@nestjs', '@opentelemetry'];

/** Each entry and what its app loads before it (Angular's partially compiled packages need its JIT compiler in Node). */
const ENTRY_FRAMEWORKS = {
  rxlog: ['rxjs'],
  'rxlog/node': ['rxjs'],
  'rxlog/otel': ['rxjs', '@opentelemetry/api'],
  'rxlog/nest': ['rxjs', '@nestjs/common', '@nestjs/core'],
  'rxlog/angular': ['rxjs', '@angular/compiler', '@angular/core', '@angular/common', '@angular/common/http', '@angular/router'],
};

/** `node side-effects.mjs import|require <entry> <preloaded...>`: prints what loading the entry changed, or `none`. */
const SIDE_EFFECTS_PROBE = `import { createRequire } from 'node:module';
import * as timersModule from 'node:timers';
const [flavour, entry, ...frameworks] = process.argv.slice(2);
const load = flavour === 'require' ? createRequire(import.meta.url) : (name) => import(name);
for (const name of frameworks) await load(name);
// Timers started while the entry loads, unref'd ones too (getActiveResourcesInfo lists ref'd ones only).
let timers = 0;
const timersExports = createRequire(import.meta.url)('node:timers');
for (const name of ['setTimeout', 'setInterval', 'setImmediate'])
  for (const owner of [globalThis, timersExports]) {
    const original = owner[name];
    owner[name] = (...args) => (timers++, original(...args));
  }
const EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'uncaughtException', 'unhandledRejection', 'warning', 'message'];
const BUILT_INS = { Object, Array, Error, Promise, Function, String, Symbol, Map, Set, Date, JSON, Reflect, console, process };
const snapshot = () => ({
  globals: Reflect.ownKeys(globalThis).map(String),
  ...Object.fromEntries(EVENTS.map((event) => ['process.on ' + event, process.listenerCount(event)])),
  ...Object.fromEntries(['error', 'close', 'drain'].map((event) => ['stdout/stderr.on ' + event, process.stdout.listenerCount(event) + process.stderr.listenerCount(event)])),
  ...Object.fromEntries(Object.entries(BUILT_INS).flatMap(([name, value]) => [[name, Reflect.ownKeys(value).map(String)], [name + '.prototype', value.prototype ? Reflect.ownKeys(value.prototype).map(String) : []]])),
  'Error.stackTraceLimit': Error.stackTraceLimit,
  'Error.prepareStackTrace': typeof Error.prepareStackTrace,
  'active handles': process.getActiveResourcesInfo().filter((kind) => kind !== 'CloseReq' && kind !== 'FSReqCallback').length,
  exitCode: process.exitCode,
});
const before = snapshot();
timers = 0;
await load(entry);
await new Promise((resolve) => timersModule.setImmediate(resolve));
const after = snapshot();
const changes = timers > 0 ? [timers + ' timer(s) started'] : [];
for (const [key, value] of Object.entries(before)) {
  if (Array.isArray(value)) {
    const added = after[key].filter((name) => !value.includes(name));
    const removed = value.filter((name) => !after[key].includes(name));
    if (added.length + removed.length > 0) changes.push(key + ': added ' + added.join() + ', removed ' + removed.join());
  } else if (after[key] !== value) changes.push(key + ': ' + value + ' -> ' + after[key]);
}
console.log(changes.length === 0 ? 'none' : changes.join('; '));
`;

try {
  fs.mkdirSync(app);
  // `npm pack` alone, from a tree without dist/ (a fresh clone's): its prepack script builds, so
  // the tarball holds the build; without one it would hold package.json, README and LICENSE only.
  await step(
    'npm pack from a tree without dist/ builds first (prepack)',
    () => {
      fs.rmSync(path.join(repo, 'dist'), { recursive: true, force: true });
      // The last line is the tarball's name; before it, the prepack script's output.
      const packed = run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: repo, timeout: 300_000 })
        .trim()
        .split('\n')
        .pop();
      fs.renameSync(path.join(work, packed), path.join(work, 'rxlog.tgz'));
      const listing = run('tar', ['-tzf', path.join(work, 'rxlog.tgz')]);
      if (!listing.includes('package/dist/cjs/index.js') || !listing.includes('package/dist/esm/index.js'))
        throw new Error(`npm pack did not build: the tarball holds\n${listing}`);
      if (listing.includes('package/lib/') || listing.includes('node_modules'))
        throw new Error('tarball ships sources or node_modules');
    },
    { needsInstall: false },
  );
  await step(
    'install the tarball and rxjs into a fresh project',
    () => {
      write('package.json', JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
      // The lowest rxjs the peer range allows: rxlog must not use anything newer.
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, 'rxlog.tgz'), 'rxjs@7.8.0']);
      if (fs.existsSync(path.join(app, 'node_modules', 'rxlog', 'node_modules')))
        throw new Error('rxlog nests its own node_modules');
      run('npm', ['ls', '--all']); // exits non-zero on a missing, invalid or extraneous package
      installed = true;
    },
    { needsInstall: false },
  );

  await step("the tarball's files: every export and typesVersions target shipped, source maps complete", () =>
    checkTarball(path.join(work, 'rxlog.tgz'), path.join(work, 'package')),
  );

  // Until the framework peers are linked below, the project has rxlog and rxjs only: the root entry
  // and rxlog/node load in both flavours (the steps up to the TypeScript ones run so), and an entry
  // whose framework is missing fails naming it.
  await step('without the optional peers: rxlog and rxlog/node load, rxlog/nest fails naming @nestjs/common', () => {
    const peers = OPTIONAL_PEERS.filter((name) => fs.existsSync(path.join(app, 'node_modules', name)));
    if (peers.length > 0) throw new Error(`installed without being asked for: ${peers.join(', ')}`);
    write(
      'no-peers.mjs',
      `import 'rxlog';\nimport 'rxlog/node';\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nrequire('rxlog');\nrequire('rxlog/node');\n`,
    );
    run(process.execPath, ['no-peers.mjs']);
    write('nest-without-nest.cjs', `try { require('rxlog/nest'); } catch (error) { console.log(error.message); }\n`);
    const out = run(process.execPath, ['nest-without-nest.cjs']);
    if (!out.includes("'@nestjs/common'")) throw new Error(`require('rxlog/nest') without NestJS: ${out}`);
  });

  await step('CommonJS require', () => {
    write(
      'cjs.cjs',
      program(
        `const { LoggerConfiguration } = require('rxlog');\nconst { FileSink } = require('rxlog/node');\nconst { Observable } = require('rxjs');`,
        'cjs',
      ),
    );
    run(process.execPath, ['cjs.cjs']);
    expectFileLogged('logs/cjs.log', 'Hello from {Flavour}');
  });

  await step('ES module import', () => {
    write(
      'esm.mjs',
      program(
        `import { LoggerConfiguration } from 'rxlog';\nimport { FileSink } from 'rxlog/node';\nimport { Observable } from 'rxjs';`,
        'esm',
      ),
    );
    run(process.execPath, ['esm.mjs']);
    expectFileLogged('logs/esm.log', 'Hello from {Flavour}');
  });

  // A process that both requires and imports rxlog holds its two builds: what crosses between them
  // is what docs/packaging.md says ("ES modules and CommonJS", its table): everything an app reaches.
  await step('CommonJS and ES module builds in one process: what crosses them is what the docs say', () => {
    write(
      'dual.mjs',
      `import { createRequire } from 'node:module';
import { ConfigurationError, LevelSwitch, Log, LogContext, LoggerConfiguration, MemorySink, SelfLog } from 'rxlog';
const cjs = createRequire(import.meta.url)('rxlog');
if (cjs.LevelSwitch === LevelSwitch) throw new Error('expected two builds loaded');
const problems = [];
const expect = (what, actual, expected) => actual === expected || problems.push(what + ': ' + actual);
// Crosses: a LevelSwitch of either build, a sink of the other build (named from data), the logger itself.
const levels = new cjs.LevelSwitch('warning');
expect('a CommonJS LevelSwitch instanceof the ES module LevelSwitch', levels instanceof LevelSwitch, true);
const memory = new MemorySink();
const log = new LoggerConfiguration()
  .minimumLevel.controlledBy(levels)
  .enrich.fromLogContext()
  .writeTo.sink(memory)
  .writeTo.sink(new cjs.MemorySink())
  .createLogger();
log.information('below');
levels.level = 'debug';
log.debug('followed');
expect('the logger follows the switch', memory.events.map((e) => e.messageTemplate.text).join(), 'followed');
expect('sink names', Object.keys(log.metrics().sinks).join(), 'memory,memory-2');
// Crosses too (state both builds share): the Log facade, LogContext and its store, SelfLog, the error classes.
Log.logger = log;
cjs.Log.information('through the other facade');
cjs.LogContext.run({ Other: 1 }, () => log.debug('other context'));
LogContext.run({ Own: 1 }, () => log.debug('own context'));
const byText = (text) => memory.events.find((e) => e.messageTemplate.text === text);
expect("the other build's Log facade", byText('through the other facade')?.level, 'information');
expect("the other build's LogContext", byText('other context')?.properties.Other, 1);
expect('its own LogContext', byText('own context')?.properties.Own, 1);
// An AsyncLocalStorage store switched on through one build: runs of the other follow awaits, and
// switching again through the other build keeps the properties of runs in flight.
const node = await import('rxlog/node');
const cjsNode = createRequire(import.meta.url)('rxlog/node');
node.useAsyncLocalStorage();
await cjs.LogContext.run({ Request: 'r-1' }, async () => {
  await new Promise((resolve) => setImmediate(resolve));
  cjsNode.useAsyncLocalStorage();
  await new Promise((resolve) => setImmediate(resolve));
  log.debug('after awaits');
});
expect('a run of the other build across awaits and a second store switch', byText('after awaits')?.properties.Request, 'r-1');
const diagnostics = [];
SelfLog.enable((line) => diagnostics.push(line));
cjs.SelfLog.write('from the other build');
SelfLog.write('from this build');
expect('SelfLog', diagnostics.length, 2);
try {
  new cjs.LoggerConfiguration().minimumLevel.is('loud');
} catch (error) {
  expect('instanceof ConfigurationError', error instanceof ConfigurationError, true);
  expect('error.name', error.name, 'ConfigurationError');
}
await log.close();
if (problems.length > 0) throw new Error(problems.join('\\n'));
`,
    );
    run(process.execPath, ['dual.mjs']);
  });

  // The optional peers of rxlog/angular, rxlog/nest and rxlog/otel, for the steps below: linked from
  // the repository (installing them would take a minute), as npm would place them.
  if (installed)
    for (const name of OPTIONAL_PEERS)
      fs.symlinkSync(path.join(repo, 'node_modules', name), path.join(app, 'node_modules', name));

  // sideEffects: false, checked where it can break: each entry imported alone in a fresh process
  // (after its framework, which may do what it likes) adds no global, no process or stream
  // listener, no timer or handle, and changes no built-in prototype.
  await step(
    'sideEffects: false holds: importing each entry (ES module and CommonJS) adds no global, listener, timer or prototype change',
    () => {
      write('side-effects.mjs', SIDE_EFFECTS_PROBE);
      for (const [entry, frameworks] of Object.entries(ENTRY_FRAMEWORKS))
        for (const flavour of entry === 'rxlog/angular' ? ['import'] : ['import', 'require']) {
          const out = run(process.execPath, ['side-effects.mjs', flavour, entry, ...frameworks]).trim();
          if (out !== 'none') throw new Error(`${flavour} ${entry}: ${out}`);
        }
    },
  );

  // The other entries' types, type-only (nothing of the frameworks runs): each line fails to
  // compile when its entry's types are missing or `any`. Checked where a resolution differs: node10
  // (typesVersions) and node16 from an ES module; rxlog/angular needs node16 or bundler, as Angular does.
  const entryTypes = ({ frameworks, angular }) =>
    [
      ...(frameworks
        ? [
            "import type { RxlogModule } from 'rxlog/nest';",
            "import type { OpenTelemetrySink } from 'rxlog/otel';",
            "const otelKind: OpenTelemetrySink['kind'] = 'opentelemetry';",
            '// @ts-expect-error forRoot takes an options object',
            'const nestOptions: Parameters<typeof RxlogModule.forRoot>[0] = 42;',
            'void otelKind;',
            'void nestOptions;',
          ]
        : []),
      ...(angular
        ? [
            "import type { provideRxlog } from 'rxlog/angular';",
            '// @ts-expect-error provideRxlog takes a configure function first',
            'const angularConfigure: Parameters<typeof provideRxlog>[0] = 42;',
            'void angularConfigure;',
          ]
        : []),
    ].join('\n');
  const typed = (name, { frameworks = false, angular = false } = {}) =>
    program(
      `import { LoggerConfiguration, type Logger, type LogEvent } from 'rxlog';\nimport { FileSink } from 'rxlog/node';\nimport { Observable } from 'rxjs';\nconst check = (log: Logger, e: LogEvent): void => log.warn('Seen {Level}', e.level);\nvoid check;\n${entryTypes({ frameworks, angular })}`,
      name,
    );
  const tsconfig = (options, include) =>
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'es2022',
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.join(repo, 'node_modules', '@types')],
        ...options,
      },
      include,
    });
  await step('TypeScript strict, moduleResolution node10 (module commonjs), with rxlog/nest and rxlog/otel types', () => {
    write('node10/app.ts', typed('node10', { frameworks: true }));
    write('node10/tsconfig.json', tsconfig({ module: 'commonjs', moduleResolution: 'node10', outDir: 'out' }, ['app.ts']));
    run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'node10']);
    run(process.execPath, ['node10/out/app.js']);
    expectFileLogged('logs/node10.log', 'node10');
  });
  await step("TypeScript strict, moduleResolution node16 (an ES module), with every entry's types", () => {
    write('node16/app.mts', typed('node16', { frameworks: true, angular: true }));
    write('node16/tsconfig.json', tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out' }, ['app.mts']));
    run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'node16']);
    run(process.execPath, ['node16/out/app.mjs']);
    expectFileLogged('logs/node16.log', 'node16');
  });
  await step('TypeScript strict, moduleResolution node16 (CommonJS)', () => {
    write('node16cjs/app.cts', typed('node16cjs'));
    write('node16cjs/tsconfig.json', tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out' }, ['app.cts']));
    run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'node16cjs']);
    run(process.execPath, ['node16cjs/out/app.cjs']);
    expectFileLogged('logs/node16cjs.log', 'node16cjs');
  });
  // The dual-package hazard in the types: a CommonJS library typed against rxlog (its declarations
  // resolve `rxlog` with `require`) and an ES module app (with `import`) pass each other a Logger and
  // a LevelSwitch. Both builds accept the values at run time (the test above); TypeScript must too,
  // which it cannot when each build has its own declaration of a class with private members.
  await step(
    'TypeScript strict, node16 and nodenext, an ES module app and a CommonJS library pass each other a Logger and a LevelSwitch',
    () => {
      write(
        'node_modules/typed-lib/package.json',
        JSON.stringify({ name: 'typed-lib', version: '1.0.0', type: 'commonjs', main: 'index.js', types: 'index.d.ts' }),
      );
      write(
        'node_modules/typed-lib/index.js',
        `const { LevelSwitch, LogContext } = require('rxlog');
exports.useLogger = (log, levels) => LogContext.run({ Library: 'typed-lib' }, () => log.information('Library at {Level}', levels.level));
exports.makeSwitch = () => new LevelSwitch('debug');
`,
      );
      write(
        'node_modules/typed-lib/index.d.ts',
        `import type { LevelSwitch, Logger } from 'rxlog';
export declare function useLogger(log: Logger, levels: LevelSwitch): void;
export declare function makeSwitch(): LevelSwitch;
`,
      );
      for (const resolution of ['node16', 'nodenext']) {
        write(`hazard-${resolution}/package.json`, JSON.stringify({ type: 'module' }));
        write(
          `hazard-${resolution}/app.ts`,
          `import { LevelSwitch, LoggerConfiguration, MemorySink } from 'rxlog';
import { makeSwitch, useLogger } from 'typed-lib';
const memory = new MemorySink();
const levels: LevelSwitch = makeSwitch();
const log = new LoggerConfiguration().minimumLevel.controlledBy(levels).enrich.fromLogContext().writeTo.sink(memory).createLogger();
useLogger(log, new LevelSwitch('warning'));
const [event] = memory.events;
if (event?.renderMessage() !== 'Library at warning' || event.properties['Library'] !== 'typed-lib')
  throw new Error('the library did not log through the app: ' + JSON.stringify(memory.events));
`,
        );
        write(
          `hazard-${resolution}/tsconfig.json`,
          tsconfig({ module: resolution, moduleResolution: resolution, skipLibCheck: false, outDir: 'out' }, ['app.ts']),
        );
        run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `hazard-${resolution}`]);
        run(process.execPath, [`hazard-${resolution}/out/app.js`]);
      }
    },
  );
  await step('TypeScript strict, moduleResolution bundler (esbuild)', () => {
    write('bundler/app.ts', typed('bundler'));
    write('bundler/tsconfig.json', tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }, ['app.ts']));
    run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'bundler']);
    run(bin('esbuild'), [
      'bundler/app.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--external:rxjs',
      '--outfile=bundler/out/app.mjs',
      '--log-level=warning',
    ]);
    run(process.execPath, ['bundler/out/app.mjs']);
    expectFileLogged('logs/bundler.log', 'bundler');
  });
  // The oldest TypeScript docs/packaging.md supports, and TypeScript 7 (the compiler a new project
  // installs today, the native one): rxlog's declarations read under the options users turn on
  // (skipLibCheck false), and the typed templates checked, under node10 (typesVersions; nodenext
  // for TypeScript 7, which has no node10) and bundler (exports). The fixtures of
  // spec/pipeline/typed-templates.spec.ts, importing 'rxlog': compiles.ts without an error, and
  // each `// error: …` of fails.ts on its next line and nowhere else.
  for (const { label, spec, dir, resolutions } of [
    {
      label: `TypeScript ${OLDEST_TYPESCRIPT} (the oldest supported)`,
      spec: OLDEST_TYPESCRIPT,
      dir: 'oldest-ts',
      resolutions: [
        ['node10', 'commonjs'],
        ['bundler', 'esnext'],
      ],
    },
    {
      label: 'TypeScript 7 (the newest major)',
      spec: '7',
      dir: 'newest-ts',
      resolutions: [
        ['nodenext', 'nodenext'],
        ['bundler', 'esnext'],
      ],
    },
  ])
    await step(`${label}, strict, exactOptionalPropertyTypes, skipLibCheck false: typed templates checked`, () => {
      const compiler = path.join(work, `typescript-${dir}`);
      fs.mkdirSync(compiler, { recursive: true });
      fs.writeFileSync(path.join(compiler, 'package.json'), JSON.stringify({ name: `typescript-${dir}`, private: true }));
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `typescript@${spec}`], { cwd: compiler });
      const tsc = path.join(compiler, 'node_modules', 'typescript', 'bin', 'tsc');
      const version = run(process.execPath, [tsc, '--version']).trim();
      if (!version.startsWith(`Version ${spec}${spec.includes('.') ? '' : '.'}`))
        throw new Error(`expected TypeScript ${spec}, got ${version}`);
      const fixtures = path.join(repo, 'spec', 'fixtures', 'typed-templates');
      const expected = new Map();
      for (const name of ['compiles.ts', 'fails.ts']) {
        const text = fs.readFileSync(path.join(fixtures, name), 'utf8').replaceAll("'../../../lib'", "'rxlog'");
        if (!text.includes("from 'rxlog'")) throw new Error(`${name} no longer imports '../../../lib'`);
        write(`${dir}/${name}`, text);
        text.split('\n').forEach((line, index) => {
          const match = /^\/\/ error: (.+)$/.exec(line.trim());
          if (match !== null) expected.set(`${name}:${index + 2}`, match[1]);
        });
      }
      if (expected.size < 12) throw new Error(`fails.ts has ${expected.size} expected errors`);
      write(`${dir}/app.ts`, typed(dir));
      for (const [resolution, module] of resolutions) {
        write(
          `${dir}/${resolution}.json`,
          tsconfig(
            { module, moduleResolution: resolution, skipLibCheck: false, exactOptionalPropertyTypes: true, noEmit: true },
            ['app.ts', 'compiles.ts', 'fails.ts'],
          ),
        );
        let output = '';
        try {
          output = run(process.execPath, [tsc, '-p', `${dir}/${resolution}.json`, '--pretty', 'false']);
        } catch (error) {
          output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
        }
        // `file(line,col): error TSnnnn: message`, then the message's indented lines.
        const found = new Map();
        let last;
        for (const line of output.split('\n')) {
          const match = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
          if (match !== null) {
            last = `${path.basename(match[1])}:${match[2]}`;
            if (!match[1].startsWith(`${dir}/`)) last = `${match[1]}:${match[2]}`;
            found.set(last, [...(found.get(last) ?? []), match[3]]);
          } else if (line.trim() !== '' && last !== undefined) {
            const messages = found.get(last);
            messages[messages.length - 1] += `\n${line}`;
          }
        }
        const problems = [];
        for (const [at, messages] of found) {
          const text = expected.get(at);
          if (
            text === undefined ||
            messages.length !== 1 ||
            !messages[0].includes(/^[A-Z]\w*$/.test(text) ? text : `TemplateMismatch<"${text}">`)
          )
            problems.push(`${at}: ${messages.join('\n')}`);
        }
        for (const [at, text] of expected) if (!found.has(at)) problems.push(`${at}: compiles, expected ${text}`);
        if (problems.length > 0) throw new Error(`${version} under ${resolution}:\n${problems.join('\n')}`);
      }
    });
  // TypeScript 6 and later load @types/node only when tsconfig names it ("types": []'s default): the
  // declarations of rxlog/node reference Node's types themselves, so a Node project compiles as is.
  await step("TypeScript strict, types [] (TypeScript 6+'s default), skipLibCheck false: rxlog/node brings Node's types", () => {
    write('no-types/app.ts', typed('no-types'));
    write(
      'no-types/tsconfig.json',
      tsconfig({ module: 'node16', moduleResolution: 'node16', types: [], skipLibCheck: false, noEmit: true }, ['app.ts']),
    );
    run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'no-types']);
  });
  // A tsconfig.json naming no target gets ES5 under TypeScript 5, where the declarations' `#private`
  // members are refused (TS18028) under skipLibCheck false: docs/packaging.md says to set ES2015 or
  // later. Both halves are checked, so the docs stay true if the build ever declares them otherwise.
  await step(
    'TypeScript skipLibCheck false without a target (ES5): TS18028 in rxlog only, as documented; ES2015 compiles',
    () => {
      const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
      const source = `import { LoggerConfiguration, MemorySink } from 'rxlog';
new LoggerConfiguration().writeTo.sink(new MemorySink()).createLogger().information('Started {Name}', 'app');
export {};
`;
      const options = { strict: true, module: 'commonjs', moduleResolution: 'node10', lib: ['es2022', 'dom'], types: [] };
      for (const [dir, target] of [
        ['es5', undefined],
        ['es2015', 'es2015'],
      ]) {
        write(`${dir}/app.ts`, source);
        write(
          `${dir}/tsconfig.json`,
          JSON.stringify({
            compilerOptions: { ...options, ...(target ? { target } : {}), skipLibCheck: false, noEmit: true },
            include: ['app.ts'],
          }),
        );
      }
      let output = '';
      try {
        run(process.execPath, [tsc, '-p', 'es5']);
      } catch (error) {
        output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      }
      const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
      if (errors.length === 0 || !errors.every((line) => line.includes('TS18028') && line.startsWith('node_modules/rxlog/')))
        throw new Error(`expected TS18028 in rxlog's declarations only, got:\n${output || 'no error'}`);
      run(process.execPath, [tsc, '-p', 'es2015']);
    },
  );
  // A browser project: no Node types, and rxlog's declarations checked too (skipLibCheck off), under
  // the strictest options users turn on. The root entry's types must need nothing of Node.
  await step('TypeScript for browsers: no @types/node, skipLibCheck false, exactOptionalPropertyTypes', () => {
    write(
      'browser-types/app.ts',
      `import { CompactJsonFormatter, ConsoleSink, HttpSink, LoggerConfiguration, SeqSink, type Logger } from 'rxlog';
import { Observable } from 'rxjs';
// Options read from the environment may be undefined: under exactOptionalPropertyTypes they
// compile because rxlog's optional options say \`| undefined\` (undefined means the default).
declare const fromEnv: { apiKey?: string; template?: string; timeoutMs?: number };
const log: Logger = new LoggerConfiguration()
  .writeTo.sink(new ConsoleSink({ formatter: new CompactJsonFormatter() }))
  .writeTo.sink(new HttpSink({ url: '/logs', headers: fromEnv.apiKey === undefined ? undefined : { 'X-Api-Key': fromEnv.apiKey } }))
  .writeTo.console({ outputTemplate: fromEnv.template, minimumLevel: undefined })
  .writeTo.sink(new SeqSink({ serverUrl: '/seq', apiKey: fromEnv.apiKey }), { name: undefined })
  .createLogger();
const same: boolean = log.events$ instanceof Observable;
try {
  log.info('Same rxjs: {Same}', same);
} catch (e) {
  log.error(e, 'Failed');
}
void log.close({ timeoutMs: fromEnv.timeoutMs });
`,
    );
    write(
      'browser-types/tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'es2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM'],
          types: [],
          skipLibCheck: false,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
        },
        include: ['app.ts'],
      }),
    );
    run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'browser-types']);
  });
  // A library's or a worker's strictest setup: lib es2022 alone (no DOM, no @types/node),
  // skipLibCheck false. The root entry's declarations name no host global (ConsoleLike and
  // FetchFunction are rxlog's own); rxjs 7.8's own declarations name setTimeout, its errors alone are
  // allowed. Then the real console and fetch (and a mock typed FetchFunction) under DOM and under Node's types.
  await step(
    'TypeScript lib es2022 alone (no DOM, no @types/node), skipLibCheck false: the root entry needs no host global',
    () => {
      write(
        'es2022/bare.ts',
        `import { ConsoleSink, HttpSink, LoggerConfiguration, type ConsoleLike, type Logger } from 'rxlog';
const lines: string[] = [];
const target: ConsoleLike = { debug: (m: string) => lines.push(m), info: () => undefined, warn: () => undefined, error: () => undefined };
export const log: Logger = new LoggerConfiguration()
  .writeTo.sink(new ConsoleSink({ mode: 'browser', console: target }))
  .writeTo.sink(new HttpSink({ url: 'http://127.0.0.1/x', fetch: async (url, init) => ({ ok: init.method === 'POST' && url !== '', status: 200 }) }))
  .createLogger();
`,
      );
      write(
        'es2022/real.ts',
        `import { ConsoleSink, HttpSink, LoggerConfiguration, SeqSink, type FetchFunction } from 'rxlog';
const mock: FetchFunction = async (input, init) => (input === '' || init === undefined ? Response.error() : new Response(''));
export const log = new LoggerConfiguration()
  .writeTo.sink(new ConsoleSink({ mode: 'browser', console }))
  .writeTo.sink(new HttpSink({ url: 'http://127.0.0.1/x', fetch }))
  .writeTo.sink(new SeqSink({ serverUrl: 'http://127.0.0.1/', fetch: mock }))
  .createLogger();
`,
      );
      const options = { strict: true, target: 'es2022', skipLibCheck: false, exactOptionalPropertyTypes: true, noEmit: true };
      const projects = {
        bare: { ...options, module: 'esnext', moduleResolution: 'bundler', lib: ['es2022'], types: [] },
        'bare-node10': { ...options, module: 'commonjs', moduleResolution: 'node10', lib: ['es2022'], types: [] },
        dom: { ...options, module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [] },
        node: { ...options, module: 'node16', moduleResolution: 'node16', lib: ['es2022'], types: ['node'] },
      };
      for (const [name, compilerOptions] of Object.entries(projects)) {
        const files = name.startsWith('bare') ? ['bare.ts'] : ['real.ts'];
        write(`es2022/${name}.json`, JSON.stringify({ compilerOptions, files }));
        let output = '';
        try {
          output = run(process.execPath, [
            path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
            '-p',
            `es2022/${name}.json`,
            '--pretty',
            'false',
          ]);
        } catch (error) {
          output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
        }
        const errors = output.split('\n').filter((line) => / error TS\d+:/.test(line));
        const ours = errors.filter((line) => !line.startsWith('node_modules/rxjs/'));
        if (ours.length > 0) throw new Error(`${name}:\n${ours.join('\n')}`);
        if (
          name.startsWith('bare') &&
          !fs
            .readFileSync(path.join(app, 'node_modules', 'rxlog', 'dist', 'cjs', 'sinks', 'http', 'http-sink.d.ts'), 'utf8')
            .includes('FetchFunction')
        )
          throw new Error('http-sink.d.ts no longer declares FetchFunction');
      }
    },
  );
  // TypeScript 4.9 cannot read the declarations (const type parameters): typesVersions "<5.0"
  // (node10) and the `types@<5.0` condition of exports (node16) give it a file that says so.
  await step("TypeScript 4.9, skipLibCheck false: says rxlog's types need TypeScript 5.0 or later", () => {
    const compiler = path.join(work, 'typescript-4.9');
    fs.mkdirSync(compiler, { recursive: true });
    fs.writeFileSync(path.join(compiler, 'package.json'), JSON.stringify({ name: 'typescript-4.9', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', 'typescript@4.9.5'], { cwd: compiler });
    const tsc = path.join(compiler, 'node_modules', 'typescript', 'bin', 'tsc');
    write(
      'ts49/app.ts',
      "import { LoggerConfiguration } from 'rxlog';\nimport { FileSink } from 'rxlog/node';\nexport const log = new LoggerConfiguration().writeTo.sink(new FileSink('x.log'));\n",
    );
    for (const [resolution, module] of [
      ['node', 'commonjs'],
      ['node16', 'node16'],
    ]) {
      write(
        `ts49/${resolution}.json`,
        JSON.stringify({
          compilerOptions: { strict: true, module, moduleResolution: resolution, types: [], skipLibCheck: false, noEmit: true },
          files: ['app.ts'],
        }),
      );
      let output = '';
      try {
        output = run(process.execPath, [tsc, '-p', `ts49/${resolution}.json`, '--pretty', 'false']);
      } catch (error) {
        output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      }
      const confusing = output.split('\n').filter((line) => /dist\/(cjs|esm)\//.test(line));
      if (!output.includes("rxlog's types need TypeScript 5.0 or later") || confusing.length > 0)
        throw new Error(`under ${resolution}:\n${output}`);
    }
  });
  // Every entry's declarations checked (skipLibCheck false) under the strictest options users turn
  // on, from an ES module app (node16) and a bundler one: a misspelt option of a framework entry fails.
  await step(
    "TypeScript strictest (exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax, skipLibCheck false), every entry's types",
    () => {
      write(
        'strictest/app.mts',
        `import { Injectable, Module } from '@nestjs/common';
import { LoggerConfiguration, MemorySink, type Logger, type ShutdownReport } from 'rxlog';
import { RxlogModule, InjectLogger, type RxlogModuleOptions } from 'rxlog/nest';
import { OpenTelemetrySink, traceContextEnricher, type OpenTelemetrySinkOptions } from 'rxlog/otel';
import { provideRxlog, withErrorHandler, withHttpLogging, withRouterContext, injectLogger } from 'rxlog/angular';
import { createIngestHandler, requestLogging, installProcessHooks, FileSink } from 'rxlog/node';
@Injectable()
class OrdersService {
  constructor(@InjectLogger('Orders') private readonly log: Logger) {}
  pay(amount: number): void {
    this.log.info('Paid {Amount}', amount);
  }
}
const options: RxlogModuleOptions = {
  configure: (c) => c.writeTo.sink(new MemorySink()),
  shutdown: { report: (report: ShutdownReport) => void report.elapsedMs },
};
@Module({
  imports: [RxlogModule.forRoot(options), RxlogModule.forRootAsync({ inject: [], useFactory: () => options })],
  providers: [OrdersService],
})
export class AppModule {}
// @ts-expect-error configure misspelt
RxlogModule.forRoot({ configur: (c: LoggerConfiguration) => c });
const otelOptions: OpenTelemetrySinkOptions = {};
new LoggerConfiguration().enrich.with(traceContextEnricher()).writeTo.sink(new OpenTelemetrySink(otelOptions));
export const providers = provideRxlog((c) => c.writeTo.console(), withErrorHandler(), withHttpLogging(), withRouterContext());
export const logger = (): Logger => injectLogger('Orders');
const log = new LoggerConfiguration().writeTo.sink(new FileSink('logs/strictest.log')).createLogger();
export const middleware = requestLogging(log, { ignorePaths: ['/health'] });
export const ingest = createIngestHandler(log, {});
// @ts-expect-error timeoutMs misspelt
installProcessHooks(log, { timeoutMS: 1 });
`,
      );
      for (const [resolution, module] of [
        ['node16', 'node16'],
        ['bundler', 'esnext'],
      ]) {
        write(
          `strictest/${resolution}.json`,
          JSON.stringify({
            compilerOptions: {
              strict: true,
              target: 'es2022',
              module,
              moduleResolution: resolution,
              lib: ['ES2022', 'DOM'],
              experimentalDecorators: true,
              emitDecoratorMetadata: true,
              exactOptionalPropertyTypes: true,
              noUncheckedIndexedAccess: true,
              verbatimModuleSyntax: true,
              skipLibCheck: false,
              noEmit: true,
              types: ['node'],
              typeRoots: [path.join(repo, 'node_modules', '@types')],
            },
            files: ['app.mts'],
          }),
        );
        // The framework peers are links into the repository (above), so their own `rxjs` is the
        // repository's copy, not the app's, and with skipLibCheck false rxlog/nest's interceptor
        // would not match NestInterceptor (Observable from two places). npm dedupes them into one
        // rxjs: so does this step, with the app's rxjs linked to the same copy while it runs.
        const appRxjs = path.join(app, 'node_modules', 'rxjs');
        fs.renameSync(appRxjs, `${appRxjs}.installed`);
        fs.symlinkSync(path.join(repo, 'node_modules', 'rxjs'), appRxjs);
        try {
          run(process.execPath, [
            path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
            '-p',
            `strictest/${resolution}.json`,
          ]);
        } finally {
          fs.unlinkSync(appRxjs);
          fs.renameSync(`${appRxjs}.installed`, appRxjs);
        }
      }
    },
  );
  // A library typed against rxlog: its declarations (tsc --declaration) name every rxlog type its
  // exports infer through the package's own entries, since `exports` hides dist/. A type no entry
  // exports fails there with TS2742 ("cannot be named without a reference to .../dist/cjs/...").
  // Under isolatedDeclarations the library writes those types itself, so they must be importable.
  await step(
    'TypeScript --declaration of a library that infers rxlog types (node16, bundler; isolatedDeclarations): no TS2742',
    () => {
      write(
        'declaring-lib/inferred.ts',
        `import { CircuitBreaker, EventQueue, LogContext, LoggerConfiguration, MemorySink, enrich, withLogContext } from 'rxlog';
import { resolveRequestLoggingOptions, trackRequest } from 'rxlog/node';
export const config = new LoggerConfiguration();
export const minimumLevel = config.minimumLevel;
export const enrichment = config.enrich;
export const filters = config.filter;
export const writeTo = config.writeTo;
export const destructure = config.destructure;
export const log = config.writeTo.sink(new MemorySink()).createLogger();
export const child = log.child;
export const information = log.information;
export const run = LogContext.run;
export const contextOperator = withLogContext;
export const enricher = enrich;
export const breakerOptions = new CircuitBreaker().options;
export const queueOptions = new EventQueue().options;
export const requestSettings = resolveRequestLoggingOptions({ ignorePaths: ['/health'] });
export const track = trackRequest;
`,
      );
      write(
        'declaring-lib/annotated.ts',
        `import { LoggerConfiguration, type DestructureConfiguration, type EnrichmentConfiguration, type FilterConfiguration, type Logger, type MinimumLevelConfiguration, type SinkConfiguration } from 'rxlog';
import { resolveRequestLoggingOptions, type ResolvedRequestLoggingOptions } from 'rxlog/node';
const config: LoggerConfiguration = new LoggerConfiguration();
export const minimumLevel: MinimumLevelConfiguration<LoggerConfiguration> = config.minimumLevel;
export const enrichment: EnrichmentConfiguration<LoggerConfiguration> = config.enrich;
export const filters: FilterConfiguration<LoggerConfiguration> = config.filter;
export const writeTo: SinkConfiguration<LoggerConfiguration> = config.writeTo;
export const destructure: DestructureConfiguration<LoggerConfiguration> = config.destructure;
export const log: Logger = config.createLogger();
export const requestSettings: ResolvedRequestLoggingOptions = resolveRequestLoggingOptions();
`,
      );
      for (const [resolution, module] of [
        ['node16', 'node16'],
        ['bundler', 'esnext'],
      ])
        for (const [file, isolatedDeclarations] of [
          ['inferred.ts', false],
          ['annotated.ts', true],
        ]) {
          const name = `declaring-lib/${resolution}-${file.replace('.ts', '')}.json`;
          write(
            name,
            JSON.stringify({
              extends: './base.json',
              compilerOptions: { module, moduleResolution: resolution, isolatedDeclarations, outDir: `out-${resolution}` },
              files: [file],
            }),
          );
        }
      write(
        'declaring-lib/base.json',
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: 'es2022',
            declaration: true,
            emitDeclarationOnly: true,
            skipLibCheck: true,
            types: ['node'],
            typeRoots: [path.join(repo, 'node_modules', '@types')],
          },
        }),
      );
      for (const config of ['node16-inferred', 'node16-annotated', 'bundler-inferred', 'bundler-annotated'])
        run(process.execPath, [
          path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
          '-p',
          `declaring-lib/${config}.json`,
        ]);
      const declared = fs.readFileSync(path.join(app, 'declaring-lib', 'out-node16', 'inferred.d.ts'), 'utf8');
      if (declared.includes('dist/')) throw new Error(`declarations reach into rxlog's dist/:\n${declared}`);
    },
  );

  await step('the rxlog bin from the installed tarball', () => {
    write('events.clef', '{"@t":"2026-01-02T03:04:05.000Z","@mt":"Hello {Name}","Name":"bin"}\n');
    const out = run('npx', ['--no-install', 'rxlog', '--strict', '--no-color', 'events.clef']);
    if (!out.includes('Hello bin')) throw new Error(`unexpected rxlog output: ${out}`);
    // An app writing CLEF to stdout, piped into the bin: every event, one a line, read under --strict.
    write(
      'clef-app.mjs',
      `import { CompactJsonFormatter, LoggerConfiguration } from 'rxlog';
const log = new LoggerConfiguration()
  .minimumLevel.verbose()
  .writeTo.console({ formatter: new CompactJsonFormatter(), standardErrorFromLevel: null })
  .createLogger();
log.trace('Traced {N}', 1);
log.info('Informed {N}', 2);
log.warn('Warned {N}', 3);
try {
  throw new Error('boom');
} catch (e) {
  log.error(e, 'Failed {N}', 4);
}
await log.close();
`,
    );
    const piped = run('sh', ['-c', `"${process.execPath}" clef-app.mjs | ./node_modules/.bin/rxlog --strict --no-color`]);
    for (const line of ['VRB] Traced 1', 'INF] Informed 2', 'WRN] Warned 3', 'ERR] Failed 4', 'Error: boom'])
      if (!piped.includes(line)) throw new Error(`node app.mjs | rxlog --strict: no "${line}" in\n${piped}`);
    const help = run('npx', ['--no-install', 'rxlog', '--help']);
    if (!help.startsWith('Usage: rxlog')) throw new Error(`npx rxlog --help: ${help}`);
    const version = run('npx', ['--no-install', 'rxlog', '--version']).trim();
    if (!version.includes(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version))
      throw new Error(`--version: ${version}`);
  });

  await step("browser bundle in headless Chromium: console, HttpSink to 127.0.0.1, the app's own rxjs", async () => {
    write(
      'browser/app.ts',
      `import { LoggerConfiguration, HttpSink, ConsoleSink } from 'rxlog';
import { Observable } from 'rxjs';
const log = new LoggerConfiguration()
  .writeTo.sink(new ConsoleSink())
  .writeTo.sink(new HttpSink({ url: '/logs' }))
  .createLogger();
log.information('Hello from {Where}', 'the browser');
const sameRxjs = log.events$ instanceof Observable;
log.close().then((report) => {
  (window as unknown as { done: unknown }).done = { sameRxjs, report };
});
`,
    );
    run(bin('esbuild'), [
      'browser/app.ts',
      '--bundle',
      '--minify',
      '--format=esm',
      '--platform=browser',
      '--outfile=browser/app.js',
      '--log-level=warning',
    ]);
    const bundle = fs.readFileSync(path.join(app, 'browser', 'app.js'));
    const posted = [];
    const server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/logs') {
          posted.push(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(204).end();
        } else if (req.url === '/app.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
        } else {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/app.js"></script>');
        }
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { chromium } = createRequire(path.join(repo, 'package.json'))('playwright-core');
    const profile = fs.mkdtempSync(path.join(work, 'chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await context.newPage();
      const consoleLines = [];
      page.on('console', (message) => consoleLines.push(message.text()));
      page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => window.done !== undefined, undefined, { timeout: 15_000 });
      const done = await page.evaluate(() => window.done);
      if (done.sameRxjs !== true) throw new Error('log.events$ instanceof Observable is false in the browser');
      if (!consoleLines.some((line) => line.includes('Hello from the browser')))
        throw new Error(`console: ${consoleLines.join('\n')}`);
      if (!posted.some((body) => body.includes('"@mt":"Hello from {Where}"'))) throw new Error(`posted: ${posted.join('\n')}`);
      if (done.report.sinks.http.delivered !== 1) throw new Error(`report: ${JSON.stringify(done.report)}`);
    } finally {
      await context.close();
      server.close();
    }
  });

  // What browser apps bundle: only what they import, rxjs shared with the app, no warnings.
  writeBundleEntries(app);
  const runBundles = (files) => {
    for (const [name, file] of Object.entries(files)) {
      const out = run(process.execPath, [file]);
      if (!out.includes(BUNDLE_ENTRIES[name].prints)) throw new Error(`${file}: ${out}`);
    }
  };
  const imports = Object.values(BUNDLE_ENTRIES)
    .map(({ source }) => /import \{ (.*) \} from 'rxlog'/.exec(source)[1])
    .join('; ');
  await step(`webpack 5 production bundles of ${imports}`, async () => runBundles(await bundleWithWebpack(repo, app)));
  await step('Rollup 4 + @rollup/plugin-node-resolve bundles of the same imports', async () =>
    runBundles(await bundleWithRollup(repo, app)),
  );
  await step('esbuild bundles of the same imports', async () => runBundles(await bundleWithEsbuild(repo, app)));
  if (withAngular)
    await step('the Angular demo app built by ng build against the tarball: no warning, rxlog/angular as ES modules', () => {
      const [raw, transfer] = buildAngularApp(repo, path.join(work, 'angular'), path.join(work, 'rxlog.tgz'));
      console.log(`     main bundle ${raw} raw, ${transfer} transfer`);
    });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(
  `${failures === 0 ? 'consumer tests passed' : `${failures} consumer test(s) failed`} in ${Math.round((Date.now() - started) / 1000)} s`,
);
process.exitCode = failures === 0 ? 0 : 1;
