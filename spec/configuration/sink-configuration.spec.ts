import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

// Sink names in metrics() and the shutdown report come from each sink's declared kind, so a
// minified bundle (which renames every class) reports the same keys as the sources.
describe('writeTo sink names', () => {
  it('stay console, observable, memory, stream, file, http, seq, otlp, loki in a minified bundle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-names-'));
    try {
      const lib = path.join(__dirname, '..', '..', 'lib');
      const app = `
        import { LoggerConfiguration, ConsoleSink, ObservableSink, MemorySink, HttpSink, SeqSink, OtlpSink, LokiSink } from ${JSON.stringify(lib)};
        import { StreamSink, FileSink } from ${JSON.stringify(path.join(lib, 'node'))};
        import { PassThrough } from 'node:stream';
        const url = 'http://127.0.0.1:9';
        const log = new LoggerConfiguration()
          .writeTo.sink(new ConsoleSink({ stdout: { write: () => true } }))
          .writeTo.sink(new ObservableSink())
          .writeTo.sink(new MemorySink())
          .writeTo.sink(new StreamSink({ stream: new PassThrough() }))
          .writeTo.sink(new FileSink(${JSON.stringify(path.join(dir, 'app.log'))}))
          .writeTo.sink(new HttpSink({ url }))
          .writeTo.sink(new SeqSink({ serverUrl: url }))
          .writeTo.sink(new OtlpSink({ endpoint: url }))
          .writeTo.sink(new LokiSink({ url }))
          .createLogger();
        const names = Object.keys(log.metrics().sinks);
        log.close({ strategy: 'immediate' }).then((report) => {
          process.stdout.write(JSON.stringify({ names, report: Object.keys(report.sinks) }));
        });`;
      const outfile = path.join(dir, 'app.js');
      buildSync({
        stdin: { contents: app, resolveDir: dir, loader: 'ts' },
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'cjs',
        outfile,
        logLevel: 'silent',
      });
      expect(fs.readFileSync(outfile, 'utf8')).not.toContain('class ConsoleSink');
      const printed = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 20_000 })) as {
        names: string[];
        report: string[];
      };
      const expected = ['console', 'observable', 'memory', 'stream', 'file', 'http', 'seq', 'otlp', 'loki'];
      expect(printed).toEqual({ names: expected, report: expected });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
