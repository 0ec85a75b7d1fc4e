import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { drainFifo } from '../../helpers/drain-fifo';

const root = path.resolve(__dirname, '../../..');

/** `N` of each line of `text`, which must be whole lines. */
function numbers(text: string): number[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => (JSON.parse(line) as { N: number }).N);
}

const hasMkfifo = spawnSync('which', ['mkfifo']).status === 0;

(hasMkfifo ? describe : describe.skip)('FileSink at process exit with a stalled FIFO reader and a fallbackPath', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-exit-fallback-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The exit flush waited syncFlushTimeoutMs for a reader that never read, then counted what it
  // never took undelivered: the fallback file, there for a primary that cannot take a batch, got
  // nothing, and those events were lost.
  it('writes what the reader never took to the fallback file once syncFlushTimeoutMs has passed, counted delivered', () => {
    const fifo = path.join(dir, 'app.fifo');
    const fallback = path.join(dir, 'fallback.log');
    execFileSync('mkfifo', [fifo]);
    const count = 5_000;
    const script = `
      const { LoggerConfiguration } = require('./lib/configuration/logger-configuration');
      const { FileSink } = require('./lib/node/file/file-sink');
      const { installProcessHooks } = require('./lib/node/install-process-hooks');
      const sink = new FileSink(${JSON.stringify(fifo)}, { syncFlushTimeoutMs: 300, fallbackPath: ${JSON.stringify(fallback)} });
      const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'out' }).createLogger();
      installProcessHooks(log, { report: (report) => process.stderr.write('report ' + JSON.stringify(report) + '\\n') });
      process.on('exit', () => process.stderr.write('metrics ' + JSON.stringify(log.metrics().sinks.out) + '\\n'));
      for (let i = 0; i < ${count}; i++) log.information('Event {N} with a line long enough to fill a pipe soon', i);
      process.exit(0);
    `;
    // A reader that never reads while the child lives: the pipe fills (64 KiB) and stays full.
    const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    let piped: string;
    let child: ReturnType<typeof spawnSync>;
    try {
      child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      piped = drainFifo(reader);
    } finally {
      fs.closeSync(reader);
    }
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    const stderr = String(child.stderr);
    const metricsLine = stderr.split('\n').find((line) => line.startsWith('metrics '));
    const metrics = JSON.parse(metricsLine?.slice('metrics '.length) ?? 'null') as { delivered: number; pending: number };
    const inPipe = numbers(piped);
    const inFallback = numbers(fs.existsSync(fallback) ? fs.readFileSync(fallback, 'utf8') : '');
    expect(inPipe.length).toBeGreaterThan(0);
    // Every event once: the first ones in the pipe, the rest in the fallback file, in order.
    expect([...inPipe, ...inFallback]).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(metrics).toMatchObject({ delivered: count, pending: 0 });
    // Nothing left to report undelivered.
    expect(stderr).not.toMatch(/"undelivered":[1-9]/);
  }, 40_000);
});
