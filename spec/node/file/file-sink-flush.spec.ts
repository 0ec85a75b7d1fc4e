import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const fifoIt = (() => {
  try {
    execFileSync('which', ['mkfifo']);
    return it;
  } catch {
    return it.skip;
  }
})();

// A decision, as pino's SonicBoom (whose retry of a write the pipe refused, EAGAIN, is a ref'd
// timer) and Node's own streams behave: `log.flush({ timeoutMs })` that times out is no shutdown.
// The batch a stalled reader has not taken stays on its way, and its wait keeps the process alive
// until the reader takes it; `log.close({ timeoutMs })` is what gives up on it and lets the process
// end (spec/node/close-given-up.spec.ts).
describe('FileSink after log.flush() timed out on a stalled FIFO reader', () => {
  const root = path.resolve(__dirname, '../../..');
  const fixture = path.join(__dirname, '..', 'fixtures', 'flush-timed-out.ts');
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-flush-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  fifoIt(
    'keeps writing, and keeps the process alive, until the reader has taken every event, then lets it end',
    async () => {
      const fifo = path.join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
      // Open before the child, so its sink finds a reader; nothing is read until its flush timed out.
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const count = 300;
      let text = '';
      let stdout = '';
      try {
        const code = await new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', fixture, fifo, String(count)], {
            cwd: root,
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          const buffer = Buffer.alloc(1 << 16);
          const read = (): void => {
            for (;;) {
              let n = 0;
              try {
                n = fs.readSync(reader, buffer, 0, buffer.length, null);
              } catch {
                // EAGAIN: nothing in the pipe now.
              }
              if (n === 0) break;
              text += buffer.toString('utf8', 0, n);
            }
          };
          let reading: ReturnType<typeof setInterval> | undefined;
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            stdout += chunk;
            // The app's main has returned (after the flush): read from now on.
            reading ??= stdout.includes('afterFlush') ? setInterval(read, 5) : undefined;
          });
          child.on('error', reject);
          child.on('close', (exitCode) => {
            clearInterval(reading);
            read();
            resolve(exitCode);
          });
        });
        expect(code).toBe(0);
      } finally {
        fs.closeSync(reader);
      }
      const [flushed, exited] = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, { delivered: number; failed: number; pending: number } | boolean>);
      expect(flushed.timedOut).toBe(true);
      expect((flushed.afterFlush as { pending: number }).pending).toBeGreaterThan(0);
      // Exited by itself once the reader had taken everything: nothing lost, nothing left pending.
      expect(exited.atExit).toEqual({ delivered: count, failed: 0, pending: 0 });
      const lines = text.slice(0, -1).split('\n');
      expect(lines.map((line) => (JSON.parse(line) as { N: number }).N)).toEqual(Array.from({ length: count }, (_, i) => i));
    },
    60_000,
  );
});
