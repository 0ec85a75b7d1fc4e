import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RESULT_PREFIX } from './report-result';

/** What the slow reader saw. */
export interface ReaderResult {
  readonly lines: number;
  readonly bytes: number;
  readonly timedOut: boolean;
  readonly drainMs: number;
}

/** A FIFO with a slow reader process on its far end. */
export interface SlowFifo {
  /** The FIFO's path, to give to the logger under test. */
  readonly path: string;
  /** Resolves when the reader has seen the writers close (or hit its time limit). Cleans up the FIFO. */
  finished(): Promise<ReaderResult>;
}

/**
 * Makes a FIFO with `mkfifo` in a fresh temp folder and starts the reader (`readerScript`, run by
 * this same Node binary) draining it at `rate` lines per second for at most `maxMs` milliseconds.
 * This process also holds a read end open (never read) until the reader reports, so a
 * non-blocking writer can open the FIFO at once and never sees EPIPE; it does not delay EOF,
 * which only waits for writers.
 */
export function openSlowFifo(readerScript: string, rate: number, maxMs: number): SlowFifo {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-bench-fifo-'));
  const fifo = path.join(dir, 'events.fifo');
  execFileSync('mkfifo', [fifo]);
  const keeper = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const child = spawn(process.execPath, [readerScript, '--fifo', fifo, '--rate', String(rate), '--max-ms', String(maxMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => (output += text));
  const result = new Promise<ReaderResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      fs.closeSync(keeper);
      fs.rmSync(dir, { recursive: true, force: true });
      const line = output.split('\n').find((text) => text.startsWith(RESULT_PREFIX));
      if (line === undefined) reject(new Error(`fifo reader exited with code ${String(code)} and no result`));
      else resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ReaderResult);
    });
  });
  return { path: fifo, finished: () => result };
}
