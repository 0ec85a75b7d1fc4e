import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

interface Outcome {
  /** The error's message, and its cause's for a PartialDeliveryError. */
  messages: string[];
  delivered: number;
}

// A real RLIMIT_FSIZE: the child runs under `ulimit -f 2` (2 KiB), where a write crossing the limit
// is cut short and the next one fails with EFBIG (Node ignores SIGXFSZ). In a child process, bounded.
describe('FileSink write errors say what limit was reached', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-efbig-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // A write cut short by the process's file size limit was reported as "short write to …: the disk
  // may be full", sending the user to a disk that had room; the write after it said only "file too
  // large", which reads as the sink's own fileSizeLimitBytes.
  it("names the process's file size limit (ulimit -f, EFBIG) for a write it cut short and for the next one", () => {
    const file = path.join(dir, 'app.log');
    const script = `
      const { FileSink } = require('./lib/node/file/file-sink');
      const { PartialDeliveryError } = require('./lib/core/errors/partial-delivery-error');
      const { makeEvents } = require('./spec/helpers/events');
      // 300 bytes a line: 6 whole lines fit in 2 048 bytes, the 7th is cut.
      const sink = new FileSink(${JSON.stringify(file)}, {
        formatter: { format: (e) => JSON.stringify({ N: e.properties.N, Pad: 'p'.repeat(281) }) + '\\n' },
      });
      const outcomes = [];
      for (const count of [10, 1]) {
        try {
          sink.emit(makeEvents(count));
          outcomes.push({ messages: [], delivered: count });
        } catch (error) {
          const partial = error instanceof PartialDeliveryError;
          outcomes.push({
            messages: partial ? [error.message, error.cause.message] : [error.message],
            delivered: partial ? error.delivered : 0,
          });
        }
      }
      process.stdout.write(JSON.stringify(outcomes));
    `;
    const child = spawnSync('bash', ['-c', 'ulimit -f 2 && exec "$0" --import tsx -e "$1"', process.execPath, script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const [first, second] = JSON.parse(child.stdout) as Outcome[];
    const efbig = new RegExp(`^EFBIG: file too large, write '${file}' \\(the file size limit of the process, ulimit -f`);
    expect(first.delivered).toBe(6);
    expect(first.messages[1]).toMatch(efbig);
    expect(second.delivered).toBe(0);
    expect(second.messages[0]).toMatch(efbig);
    expect([...first.messages, ...second.messages].join('\n')).not.toContain('disk may be full');
    // Whole lines only: the cut one was taken back.
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as { N: number }).N)).toEqual([0, 1, 2, 3, 4, 5]);
  }, 40_000);
});
