import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import * as rxlog from '../lib/index';

const root = path.resolve(__dirname, '..');

describe('rxlog (the browser entry)', () => {
  it('exports the public names DESIGN.md §3 promises', () => {
    const names = [
      'LoggerConfiguration',
      'Logger',
      'Log',
      'LogLevel',
      'LevelSwitch',
      'LogContext',
      'SelfLog',
      'MemorySink',
      'ConsoleSink',
      'ObservableSink',
      'HttpSink',
      'SeqSink',
      'OtlpSink',
      'LokiSink',
      'parseTemplate',
      'renderTemplate',
      'TextFormatter',
      'CompactJsonFormatter',
      'readCompactJson',
      'enrich',
      'filterEvents',
      'minimumLevel',
      'boundedQueue',
      'batchEvents',
      'retryWithBackoff',
      'circuitBreaker',
      'tapMetrics',
      'metricsToPrometheus',
      'withLogContext',
      'tapLog',
      'fingersCrossed',
      'throttleEvents',
      'sampleEvents',
      'redact',
    ];
    const missing = names.filter((name) => (rxlog as Record<string, unknown>)[name] === undefined);
    expect(missing).toEqual([]);
  });

  it('bundles for the browser without any Node built-in', async () => {
    const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const result = await build({
      entryPoints: [path.join(root, 'lib/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      minify: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.includes('lib/node/'))).toEqual([]);
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imports.filter((i) => nodeBuiltins.has(i))).toEqual([]);
    expect(result.outputFiles[0].text).not.toMatch(/require\(["'](node:)?(fs|path|os|net|child_process)["']\)/);
  });

  it('lets a bundler drop what an app does not import', async () => {
    const entry = `import { parseTemplate } from ${JSON.stringify(path.join(root, 'lib/index.ts'))}; console.log(parseTemplate('{A}'));`;
    const result = await build({
      stdin: { contents: entry, resolveDir: root, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      minify: true,
      logLevel: 'silent',
    });
    const text = result.outputFiles[0].text;
    // The template parser alone must not drag in the logger or RxJS ('object unsubscribed' is
    // the message of RxJS's ObjectUnsubscribedError, which any Subject brings along).
    expect(text).not.toContain('already created a logger');
    expect(text).not.toContain('object unsubscribed');
    expect(text.length).toBeLessThan(16 * 1024);
  });
});
