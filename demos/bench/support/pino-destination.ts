import * as fs from 'node:fs';
import pino from 'pino';
import { reportFileRun } from './file-run';
import { waitForEvent } from './wait-for-event';

/** Bytes pino's buffered destination gathers before one `writeSync` (pino's own benchmarks use 4 096). */
export const BUFFERED_MIN_LENGTH = 4096;

/** What a pino destination looks like to this harness: pino's stream that can also be ended and says when it closed. */
export type PinoDestination = pino.DestinationStream & NodeJS.EventEmitter & { end(): void };

/**
 * The pino set-ups the scenarios compare with, to `file`: `sync`, the default (synchronous)
 * destination; `buffered`, the same with a write buffer (`minLength`, as pino's own benchmarks'
 * `PinoMinLength`, but synchronous like rxlog's FileSink, which gathers a batch and writes it with
 * one `writeSync`); `async`, `sync: false`; `transport`, the worker transport; `stream`, a Node
 * fs.WriteStream (pino's `PinoNodeStream`). `async`, `transport` and `stream` say `ready` once open.
 */
export function pinoDestination(mode: string, file: string): PinoDestination {
  switch (mode) {
    case 'sync':
      return pino.destination({ dest: file, sync: true });
    case 'buffered':
      return pino.destination({ dest: file, sync: true, minLength: BUFFERED_MIN_LENGTH });
    case 'async':
      return pino.destination({ dest: file, sync: false });
    case 'transport':
      return pino.transport({ target: 'pino/file', options: { destination: file } });
    case 'stream':
      return fs.createWriteStream(file, { flags: 'a' });
    default:
      throw new Error(`unknown pino mode ${mode}`);
  }
}

/**
 * Ends `dest`, waits for it to close and fsyncs `file`, then reports the run of `n` calls whose
 * loop ran from `start` to `loopEnd` (nanoseconds), end to end up to the fsync, with the lines in the file.
 */
export async function endPinoRun(dest: PinoDestination, file: string, n: number, start: number, loopEnd: number): Promise<void> {
  const closed = waitForEvent(dest, 'close');
  dest.end();
  await closed;
  reportFileRun(file, n, start, loopEnd);
}
