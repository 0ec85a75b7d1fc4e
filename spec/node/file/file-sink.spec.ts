import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { PartialDeliveryError } from '../../../lib/core/errors/partial-delivery-error';
import type { LogEvent } from '../../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { type Formatter, WRITTEN_ASIDE } from '../../../lib/core/sink';
import { FILE_SINK_CHUNK_CHARS, FileSink, type FileSinkOptions } from '../../../lib/node/file/file-sink';
import { FileSizeLimitError } from '../../../lib/node/file/file-size-limit-error';
import { makeEvent, makeEvents, throwsOnTens } from '../../helpers/events';
import { expectDeliveredAsRead, expectRestUndelivered, runExitBurst } from '../fixtures/exit-burst';
import { expectBreakerOpens, runBrokenSink } from '../../helpers/sink-breaker';
import { drainFifo } from '../../helpers/drain-fifo';

/** One short JSON line per event: `{"N":0}` … */
const numbered: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N }) };

function lines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

/** The `N` of each `numbered` line of `text` (which ends with a newline). */
function numbersIn(text: string): number[] {
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => (JSON.parse(line) as { N: number }).N);
}

function numbers(file: string): number[] {
  return lines(file).map((line) => (JSON.parse(line) as { N: number }).N);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** A clock the test moves by hand. */
function manualClock(start: number): { clock: () => Date; set(ms: number): void } {
  let now = start;
  return { clock: () => new Date(now), set: (ms) => (now = ms) };
}

/** The options of a daily set rolled at 20 bytes (two or three `numbered` lines), on a manual clock from 22 November 2026 noon. */
function dailySizeRolled(): { options: FileSinkOptions; set(ms: number): void } {
  const { clock, set } = manualClock(Date.UTC(2026, 10, 22, 12));
  return {
    options: { rollingInterval: 'day', fileSizeLimitBytes: 20, rollOnFileSizeLimit: true, clock, formatter: numbered },
    set,
  };
}

describe('FileSink', () => {
  let dir: string;
  let diagnostics: SelfLogEvent[];
  let unsubscribe: () => void;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-'));
    diagnostics = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    unsubscribe = () => subscription.unsubscribe();
  });

  afterEach(() => {
    unsubscribe();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('writing', () => {
    it('writes one line per event, in order, with a trailing newline', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { formatter: numbered });
      expect(sink.emitSync(makeEvents(3))).toBe(true);
      // A regular file takes the write at once: emit returns no promise.
      expect(sink.emit(makeEvents(2))).toBeUndefined();
      void sink.close();
      expect(fs.readFileSync(file, 'utf8')).toBe('{"N":0}\n{"N":1}\n{"N":2}\n{"N":0}\n{"N":1}\n');
    });

    it('writes a batch with one write call', () => {
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered });
      sink.emitSync(makeEvents(1));
      const spy = jest.spyOn(realFs, 'writeSync');
      try {
        sink.emitSync(makeEvents(512));
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
        void sink.close();
      }
    });

    it('appends to an existing file and creates missing folders', () => {
      const file = path.join(dir, 'deep/er/app.log');
      new FileSink(file, { formatter: numbered }).emitSync(makeEvents(2));
      const second = new FileSink(file, { formatter: numbered });
      second.emitSync(makeEvents(1));
      void second.close();
      expect(numbers(file)).toEqual([0, 1, 0]);
    });

    it('adds no second newline after a formatter that ends its text with one', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { formatter: { format: (e) => `${e.messageTemplate.text}\n` } });
      sink.emitSync(makeEvents(2));
      void sink.close();
      expect(fs.readFileSync(file, 'utf8')).toBe('event 0\nevent 1\n');
    });

    it('skips an event its formatter throws on, reports it, writes the rest, and says it refused one', () => {
      const file = path.join(dir, 'app.log');
      const formatter: Formatter = {
        format: (e) => {
          if (e.properties.N === 1) throw new Error('cannot format');
          return numbered.format(e);
        },
      };
      const sink = new FileSink(file, { formatter });
      expect(sink.emitSync(makeEvents(3))).toEqual({ rejected: 1 });
      void sink.close();
      expect(numbers(file)).toEqual([0, 2]);
      expect(diagnostics.map((d) => d.message).join('\n')).toContain('cannot format');
    });

    it('loses nothing in a tight loop of 100 000 events', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { formatter: numbered });
      const events = makeEvents(100_000);
      for (let i = 0; i < events.length; i += 512) expect(sink.emitSync(events.slice(i, i + 512))).toBe(true);
      void sink.close();
      expect(numbers(file)).toEqual(range(0, 100_000));
    });

    it('counts the bytes it wrote', () => {
      const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered });
      sink.emitSync(makeEvents(2));
      expect(sink.bytesWritten).toBe(16);
      void sink.close();
    });

    it('writes to the file named by the rolling interval', () => {
      const { clock } = manualClock(Date.UTC(2026, 10, 22, 9));
      const sink = new FileSink(path.join(dir, 'logs/app-.log'), { rollingInterval: 'day', clock, formatter: numbered });
      expect(sink.currentPath).toBeUndefined();
      sink.emitSync(makeEvents(1));
      expect(sink.currentPath).toBe(path.join(dir, 'logs/app-20261122.log'));
      void sink.close();
      expect(sink.currentPath).toBeUndefined();
    });
  });

  describe('large batches', () => {
    /** Lines of about 200 000 characters, as events near the default maxEventBytes make. */
    const big: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(200_000) }) };

    /** The size of every write call the sink makes (characters for a string, bytes for a buffer). */
    function spyWrites(fail?: (call: number) => boolean): { sizes: number[]; restore(): void } {
      const sizes: number[] = [];
      // The module itself (`import * as` gives a frozen view of it), which the sink's calls go through.
      const nodeFs = (fs as unknown as { default: typeof fs }).default;
      const real = nodeFs.writeSync;
      const spy = jest.spyOn(nodeFs, 'writeSync').mockImplementation((fd: number, data: string | Buffer, ...rest: unknown[]) => {
        sizes.push(data.length);
        if (fail?.(sizes.length) === true) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        return (real as (...args: unknown[]) => number)(fd, data, ...rest);
      });
      return { sizes, restore: () => spy.mockRestore() };
    }

    /** Writes `count` events in one batch through a FileSink on `name` with `formatter`, then closes it: the file and the sizes of its writes. */
    function emitSpied(name: string, formatter: Formatter, count: number): { file: string; writes: { sizes: number[] } } {
      const file = path.join(dir, name);
      const sink = new FileSink(file, { formatter });
      const writes = spyWrites();
      try {
        expect(sink.emitSync(makeEvents(count))).toBe(true);
      } finally {
        writes.restore();
      }
      void sink.close();
      return { file, writes };
    }

    it('writes a batch larger than FILE_SINK_CHUNK_CHARS in bounded chunks, and the file gets every event', () => {
      const { file, writes } = emitSpied('big.log', big, 40);
      // About 8 MB of text: never formatted or written at once, but in chunks of at most the bound plus one line.
      expect(writes.sizes.length).toBeGreaterThanOrEqual(6);
      for (const size of writes.sizes) expect(size).toBeLessThanOrEqual(FILE_SINK_CHUNK_CHARS + 200_100);
      expect(numbers(file)).toEqual(range(0, 40));
    });

    it('writes a usual batch with one write call', () => {
      const file = path.join(dir, 'small.log');
      const sink = new FileSink(file, { formatter: numbered });
      const writes = spyWrites();
      try {
        expect(sink.emitSync(makeEvents(512))).toBe(true);
      } finally {
        writes.restore();
      }
      void sink.close();
      expect(writes.sizes).toHaveLength(1);
      expect(numbers(file)).toEqual(range(0, 512));
    });

    it("writes a batch of longer lines in chunks below V8's large-object size, and the file gets every event", () => {
      // 512 lines of about 400 characters, as an object-heavy event's CLEF line: about 205 000 characters.
      const wide: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(390) }) };
      const { file, writes } = emitSpied('wide.log', wide, 512);
      // A text of 128 KiB or more is made in V8's large-object space, freed only by a full collection.
      expect(writes.sizes.length).toBeGreaterThan(1);
      for (const size of writes.sizes) expect(size).toBeLessThan(128 * 1024);
      expect(numbers(file)).toEqual(range(0, 512));
    });

    it('counts exactly the events of the chunks written when a later chunk fails', () => {
      const file = path.join(dir, 'fails.log');
      const sink = new FileSink(file, { formatter: big });
      const writes = spyWrites((call) => call === 2);
      let error: unknown;
      try {
        sink.emitSync(makeEvents(40));
      } catch (caught) {
        error = caught;
      } finally {
        writes.restore();
      }
      void sink.close();
      expect(error).toBeInstanceOf(PartialDeliveryError);
      const { delivered } = error as PartialDeliveryError;
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(40);
      expect(numbers(file)).toEqual(range(0, delivered));
    });

    it('counts delivered the events the fallback file took when a later chunk of its write fails', () => {
      // The primary cannot be opened (a folder at its path); the fallback takes the first chunk, then its disk fills.
      const file = path.join(dir, 'taken');
      fs.mkdirSync(file);
      const fallback = path.join(dir, 'fallback.log');
      const sink = new FileSink(file, { formatter: big, fallbackPath: fallback });
      const writes = spyWrites((call) => call === 2);
      let result: unknown;
      try {
        result = sink.emitSync(makeEvents(40));
      } catch (caught) {
        result = caught;
      } finally {
        writes.restore();
      }
      void sink.close();
      const inFallback = numbers(fallback);
      expect(inFallback.length).toBeGreaterThan(0);
      // Before: false (none delivered), so a retry wrote those events into the fallback twice.
      expect(result).toBeInstanceOf(PartialDeliveryError);
      expect((result as PartialDeliveryError).delivered).toBe(inFallback.length);
      expect(inFallback).toEqual(range(0, inFallback.length));
    });
  });

  describe('rolling by time', () => {
    it.each([
      ['year', Date.UTC(2026, 11, 31, 23, 59), Date.UTC(2027, 0, 1), 'app-2026.log', 'app-2027.log'],
      ['month', Date.UTC(2026, 10, 30, 23), Date.UTC(2026, 11, 1), 'app-202611.log', 'app-202612.log'],
      ['day', Date.UTC(2026, 10, 22, 23, 59, 59, 999), Date.UTC(2026, 10, 23), 'app-20261122.log', 'app-20261123.log'],
      ['hour', Date.UTC(2026, 10, 22, 9, 59), Date.UTC(2026, 10, 22, 10), 'app-2026112209.log', 'app-2026112210.log'],
      [
        'minute',
        Date.UTC(2026, 10, 22, 9, 41, 59),
        Date.UTC(2026, 10, 22, 9, 42),
        'app-202611220941.log',
        'app-202611220942.log',
      ],
    ] as const)('rolls by %s at the UTC boundary of the injected clock', (rollingInterval, before, after, first, second) => {
      const time = manualClock(before);
      const sink = new FileSink(path.join(dir, 'app-.log'), { rollingInterval, clock: time.clock, formatter: numbered });
      sink.emitSync(makeEvents(2));
      time.set(after);
      sink.emitSync(makeEvents(3));
      void sink.close();
      expect(fs.readdirSync(dir).sort()).toEqual([first, second]);
      expect(numbers(path.join(dir, first))).toEqual([0, 1]);
      expect(numbers(path.join(dir, second))).toEqual([0, 1, 2]);
    });

    it('keeps the current file when the clock steps back across a boundary, so retention never deletes the newest events', () => {
      const time = manualClock(Date.UTC(2026, 10, 22, 9, 41, 59, 900));
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'minute',
        retainedFileCountLimit: 1,
        clock: time.clock,
        formatter: numbered,
      });
      const write = (n: number): void => void sink.emitSync([makeEvent({ properties: { N: n } })]);
      write(0);
      time.set(Date.UTC(2026, 10, 22, 9, 42, 0, 500));
      write(1);
      // An NTP step of 900 ms back, across the minute boundary, then the clock runs on.
      time.set(Date.UTC(2026, 10, 22, 9, 41, 59, 600));
      write(2);
      time.set(Date.UTC(2026, 10, 22, 9, 42, 0, 700));
      write(3);
      void sink.close();
      expect(fs.readdirSync(dir)).toEqual(['app-202611220942.log']);
      expect(numbers(path.join(dir, 'app-202611220942.log'))).toEqual([1, 2, 3]);
    });

    it('opens the clock’s own period when it steps back past the period before (a device booted years ahead, then NTP), keeping the future file', () => {
      // The device's clock read 2031 at boot: its first events went to app-20310101.log.
      const time = manualClock(Date.UTC(2031, 0, 1, 0, 5));
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        // Three `{"N":0}` lines (8 bytes each), not four.
        fileSizeLimitBytes: 30,
        clock: time.clock,
        formatter: numbered,
      });
      expect(sink.emitSync(makeEvents(2))).toBe(true);
      // NTP sets the real date. Before, the sink stayed on app-20310101.log until 2032: the next
      // event filled it and every later one failed with FileSizeLimitError (a PartialDeliveryError here).
      time.set(Date.UTC(2026, 10, 22, 12));
      expect(sink.emitSync(makeEvents(3))).toBe(true);
      expect(sink.currentPath).toBe(path.join(dir, 'app-20261122.log'));
      time.set(Date.UTC(2026, 10, 23, 0, 0, 1));
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      // Back into the period just before: the current file is kept, as for any small step.
      time.set(Date.UTC(2026, 10, 22, 23, 59, 59));
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      expect(sink.currentPath).toBe(path.join(dir, 'app-20261123.log'));
      // Back past it: the clock's own period again.
      time.set(Date.UTC(2026, 10, 21, 12));
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      void sink.close();
      // The future file stays (its name sorts newest, so retention keeps it) with its events.
      expect(fs.readdirSync(dir).sort()).toEqual([
        'app-20261121.log',
        'app-20261122.log',
        'app-20261123.log',
        'app-20310101.log',
      ]);
      expect(numbers(path.join(dir, 'app-20310101.log'))).toEqual([0, 1]);
      expect(numbers(path.join(dir, 'app-20261122.log'))).toEqual([0, 1, 2]);
      expect(numbers(path.join(dir, 'app-20261123.log'))).toEqual([0, 0]);
      expect(numbers(path.join(dir, 'app-20261121.log'))).toEqual([0]);
    });

    it('keeps to its set when the clock returns an invalid Date: the current file, or before the first one the system time', () => {
      // Before, an invalid time opened app-.log, a name outside the set that retention never prunes.
      let now = NaN;
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        clock: () => new Date(now),
        formatter: numbered,
      });
      const today = (): string => `app-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}.log`;
      const before = today();
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      // Either side of a midnight the test may run across.
      expect([before, today()]).toContain(path.basename(sink.currentPath ?? ''));
      now = Date.UTC(2030, 0, 1, 12);
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      now = NaN;
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      void sink.close();
      expect(fs.readdirSync(dir)).toHaveLength(2);
      expect(numbers(path.join(dir, 'app-20300101.log'))).toEqual([0, 0]);
    });

    it('takes epoch milliseconds from the clock as well as a Date (clock: Date.now)', () => {
      // Before, `clock: () => Date.now()` failed every batch with "getTime is not a function".
      let now = Date.UTC(2026, 10, 22, 23, 59);
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        clock: () => now,
        formatter: numbered,
      });
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      now = Date.UTC(2026, 10, 23, 0, 1);
      expect(sink.emitSync(makeEvents(2))).toBe(true);
      void sink.close();
      expect(numbers(path.join(dir, 'app-20261122.log'))).toEqual([0]);
      expect(numbers(path.join(dir, 'app-20261123.log'))).toEqual([0, 1]);
    });

    it('writes on when the clock throws or returns no time, as for an invalid Date, and reports it once', async () => {
      // Before, every batch failed for as long as the clock did: no event reached any file.
      let clock: () => unknown = () => {
        throw new Error('clock broken');
      };
      const log = new LoggerConfiguration().writeTo
        .sink(
          new FileSink(path.join(dir, 'app-.log'), { rollingInterval: 'day', clock: () => clock() as Date, formatter: numbered }),
          {
            name: 'file',
            retry: false,
          },
        )
        .createLogger();
      log.information('{N}', 0);
      log.flushSync();
      clock = () => 'noon';
      log.information('{N}', 1);
      log.flushSync();
      clock = () => Infinity;
      log.information('{N}', 2);
      log.flushSync();
      const report = await log.close();
      expect(report.sinks.file).toEqual({ delivered: 3, dropped: 0, failed: 0, undelivered: 0 });
      const [file] = fs.readdirSync(dir);
      expect(file).toMatch(/^app-\d{8}\.log$/);
      expect(numbers(path.join(dir, file))).toEqual([0, 1, 2]);
      expect(diagnostics.filter((d) => /clock/.test(d.message))).toHaveLength(1);
    });

    it('never rolls by time when the interval is infinite', () => {
      const time = manualClock(Date.UTC(2026, 0, 1));
      const sink = new FileSink(path.join(dir, 'app.log'), { clock: time.clock, formatter: numbered });
      sink.emitSync(makeEvents(1));
      time.set(Date.UTC(2030, 0, 1));
      sink.emitSync(makeEvents(1));
      void sink.close();
      expect(fs.readdirSync(dir)).toEqual(['app.log']);
    });
  });

  describe('size limit', () => {
    // Each line of `numbered` for N < 10 is 8 bytes: {"N":0} plus the newline.
    it('splits a batch at the event that crosses the limit and rolls to _001, _002', () => {
      const sink = new FileSink(path.join(dir, 'app-.log'), dailySizeRolled().options);
      expect(sink.emitSync(makeEvents(7))).toBe(true);
      void sink.close();
      expect(fs.readdirSync(dir).sort()).toEqual([
        'app-20261122.log',
        'app-20261122_001.log',
        'app-20261122_002.log',
        'app-20261122_003.log',
      ]);
      expect(numbers(path.join(dir, 'app-20261122.log'))).toEqual([0, 1]);
      expect(numbers(path.join(dir, 'app-20261122_001.log'))).toEqual([2, 3]);
      expect(numbers(path.join(dir, 'app-20261122_003.log'))).toEqual([6]);
    });

    it('names size-rolled files of an infinite set app_001.log', () => {
      const sink = new FileSink(path.join(dir, 'app.log'), {
        fileSizeLimitBytes: 8,
        rollOnFileSizeLimit: true,
        formatter: numbered,
      });
      sink.emitSync(makeEvents(3));
      void sink.close();
      expect(fs.readdirSync(dir).sort()).toEqual(['app.log', 'app_001.log', 'app_002.log']);
    });

    it('keeps every file within the limit plus at most one line, and every event in order', () => {
      const limit = 1000;
      const sink = new FileSink(path.join(dir, 'app.log'), {
        fileSizeLimitBytes: limit,
        rollOnFileSizeLimit: true,
        retainedFileCountLimit: null,
        formatter: { format: (e) => `${'x'.repeat(Number(e.properties.N) % 37)}${String(e.properties.N)}` },
      });
      const events = makeEvents(5000);
      for (let i = 0; i < events.length; i += 97) sink.emitSync(events.slice(i, i + 97));
      void sink.close();
      const files = fs.readdirSync(dir).sort();
      expect(files.length).toBeGreaterThan(50);
      const all: string[] = [];
      for (const name of files) {
        const content = lines(path.join(dir, name));
        const size = fs.statSync(path.join(dir, name)).size;
        expect(size).toBeLessThanOrEqual(limit);
        all.push(...content);
      }
      expect(all.map((line) => Number(line.replace(/^x*/, '')))).toEqual(range(0, 5000));
    });

    it('counts the limit in UTF-8 bytes: a file filled to exactly its limit with multi-byte characters, the next line rolling', () => {
      const sink = new FileSink(path.join(dir, 'app.log'), {
        fileSizeLimitBytes: 12,
        rollOnFileSizeLimit: true,
        formatter: { format: (e) => String(e.properties.S) },
      });
      const texts = (...s: string[]): LogEvent[] => s.map((S) => makeEvent({ properties: { S } }));
      // 9 + 3 bytes (6 UTF-16 units): exactly 12; then 4 + 9 (a surrogate pair twice) would be 13.
      expect(sink.emitSync(texts('éééé', 'ab', '€', '𝄞𝄞', 'x'))).toBe(true);
      // A file one byte short of its limit takes no 12-byte line; a file at its limit rolls at once.
      expect(sink.emitSync(texts('y'.repeat(11), 'z'))).toBe(true);
      void sink.close();
      const sizes = fs
        .readdirSync(dir)
        .sort()
        .map((name) => [name, fs.statSync(path.join(dir, name)).size]);
      expect(sizes).toEqual([
        ['app.log', 12],
        ['app_001.log', 4],
        ['app_002.log', 11],
        ['app_003.log', 12],
        ['app_004.log', 2],
      ]);
      expect(lines(path.join(dir, 'app.log'))).toEqual(['éééé', 'ab']);
      expect(lines(path.join(dir, 'app_002.log'))).toEqual(['𝄞𝄞', 'x']);
    });

    it('writes a single line longer than the limit into a file of its own', () => {
      const sink = new FileSink(path.join(dir, 'app.log'), {
        fileSizeLimitBytes: 10,
        rollOnFileSizeLimit: true,
        formatter: { format: (e) => (e.properties.N === 1 ? 'y'.repeat(50) : 'x') },
      });
      sink.emitSync(makeEvents(3));
      void sink.close();
      expect(lines(path.join(dir, 'app.log'))).toEqual(['x']);
      expect(lines(path.join(dir, 'app_001.log'))).toEqual(['y'.repeat(50)]);
      expect(lines(path.join(dir, 'app_002.log'))).toEqual(['x']);
    });

    /** Makes opening `file` fail with EIO (a disk error) until the returned function is called. */
    function failOpening(file: string): () => void {
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const openSync = realFs.openSync.bind(realFs);
      const spy = jest.spyOn(realFs, 'openSync').mockImplementation((opened, ...rest: unknown[]) => {
        if (opened === file) throw Object.assign(new Error(`EIO: i/o error, open '${file}'`), { code: 'EIO' });
        return (openSync as (...args: unknown[]) => number)(opened, ...rest);
      });
      return () => spy.mockRestore();
    }

    it('counts the events written before the roll when the next _NNN file cannot be opened', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { fileSizeLimitBytes: 24, rollOnFileSizeLimit: true, formatter: numbered });
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      // The next file of the set cannot be opened (a disk error).
      const restore = failOpening(path.join(dir, 'app_001.log'));
      let error: unknown;
      try {
        void sink.emit(makeEvents(5));
      } catch (caught) {
        error = caught;
      } finally {
        restore();
      }
      void sink.close();
      // Two more lines fit under the limit before the roll failed: those two events are in the file.
      expect(numbers(file)).toEqual([0, 0, 1]);
      expect(error).toBeInstanceOf(PartialDeliveryError);
      expect((error as PartialDeliveryError).delivered).toBe(2);
      expect(String((error as PartialDeliveryError).cause)).toMatch(/EIO/);
    });

    it('sends only the events after a failed roll to fallbackPath: every event is in exactly one file', () => {
      const file = path.join(dir, 'app.log');
      const fallback = path.join(dir, 'fallback.log');
      const sink = new FileSink(file, {
        fileSizeLimitBytes: 24,
        rollOnFileSizeLimit: true,
        formatter: numbered,
        fallbackPath: fallback,
      });
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      const restore = failOpening(path.join(dir, 'app_001.log'));
      try {
        expect(sink.emit(makeEvents(5))).toBeUndefined();
      } finally {
        restore();
      }
      void sink.close();
      expect(numbers(file)).toEqual([0, 0, 1]);
      expect(numbers(fallback)).toEqual([2, 3, 4]);
    });

    it('rolls past a folder that has the name of the next file of the set, instead of failing every batch from then on', async () => {
      const file = path.join(dir, 'app.log');
      fs.mkdirSync(path.join(dir, 'app_001.log'));
      const log = new LoggerConfiguration().writeTo
        .sink(new FileSink(file, { fileSizeLimitBytes: 24, rollOnFileSizeLimit: true, formatter: numbered }), {
          batch: { size: 2, maxDelayMs: 10 },
        })
        .createLogger();
      for (let i = 0; i < 8; i++) log.information('{N}', i);
      const report = await log.close();
      expect(report.sinks.file).toEqual({ delivered: 8, dropped: 0, failed: 0, undelivered: 0 });
      expect(numbers(file)).toEqual([0, 1, 2]);
      expect(fs.statSync(path.join(dir, 'app_001.log')).isDirectory()).toBe(true);
      expect(numbers(path.join(dir, 'app_002.log'))).toEqual([3, 4, 5]);
      expect(numbers(path.join(dir, 'app_003.log'))).toEqual([6, 7]);
    });

    it('writes the set of a base path ending in a dot (app.) as Serilog names it (app20261122), and a sink that does not roll to app. itself', () => {
      const rolled = new FileSink(path.join(dir, 'app.'), {
        rollingInterval: 'day',
        clock: manualClock(Date.UTC(2026, 10, 22, 12)).clock,
        formatter: numbered,
      });
      expect(rolled.emitSync(makeEvents(2))).toBe(true);
      void rolled.close();
      const plain = new FileSink(path.join(dir, 'plain.'), { formatter: numbered });
      expect(plain.emitSync(makeEvents(1))).toBe(true);
      void plain.close();
      expect(fs.readdirSync(dir).sort()).toEqual(['app20261122', 'plain.']);
      expect(numbers(path.join(dir, 'app20261122'))).toEqual([0, 1]);
    });

    // Opening a FIFO that no process reads fails (ENXIO): every batch failed until the period ended.
    (process.platform === 'linux' ? it : it.skip)(
      'rolls past a FIFO no process reads at a name of the set (mkfifo), naming it once in SelfLog, and loses nothing',
      async () => {
        const clock = manualClock(Date.UTC(2026, 10, 22, 12));
        const fifo = path.join(dir, 'app-20261122.log');
        execFileSync('mkfifo', [fifo]);
        const log = new LoggerConfiguration().writeTo
          .sink(new FileSink(path.join(dir, 'app-.log'), { rollingInterval: 'day', clock: clock.clock, formatter: numbered }), {
            batch: { size: 2, maxDelayMs: 10 },
          })
          .createLogger();
        for (let i = 0; i < 6; i++) log.information('{N}', i);
        const report = await log.close();
        expect(report.sinks.file).toEqual({ delivered: 6, dropped: 0, failed: 0, undelivered: 0 });
        expect(fs.statSync(fifo).isFIFO()).toBe(true);
        expect(numbers(path.join(dir, 'app-20261122_001.log'))).toEqual([0, 1, 2, 3, 4, 5]);
        const named = diagnostics.filter((d) => d.message.includes('is a FIFO no process reads'));
        expect(named).toHaveLength(1);
        expect(named[0].message).toContain(fifo);
      },
    );

    it('goes on at the next file of the set when a file of it may not be written (left by a run as root), as Serilog does for a locked file', () => {
      // Before, every batch failed until the period ended: a day of logs lost after one `sudo` run.
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const taken = path.join(dir, 'app-20261122.log');
      fs.writeFileSync(taken, 'root\n');
      const openSync = realFs.openSync.bind(realFs);
      const spy = jest.spyOn(realFs, 'openSync').mockImplementation((file, ...rest: unknown[]) => {
        if (file === taken) throw Object.assign(new Error(`EACCES: permission denied, open '${taken}'`), { code: 'EACCES' });
        return (openSync as (...args: unknown[]) => number)(file, ...rest);
      });
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        clock: manualClock(Date.UTC(2026, 10, 22, 12)).clock,
        formatter: numbered,
      });
      try {
        expect(sink.emitSync(makeEvents(2))).toBe(true);
      } finally {
        spy.mockRestore();
        void sink.close();
      }
      expect(lines(taken)).toEqual(['root']);
      expect(numbers(path.join(dir, 'app-20261122_001.log'))).toEqual([0, 1]);
      expect(diagnostics.some((d) => /next file of the set/.test(d.message))).toBe(true);
    });

    it('still fails the batch when the folder denies creating the next file too, after a few names', () => {
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const denied = (file: unknown): Error =>
        Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), { code: 'EACCES' });
      fs.writeFileSync(path.join(dir, 'app-20261122.log'), 'root\n');
      const spy = jest.spyOn(realFs, 'openSync').mockImplementation((file) => {
        throw denied(file);
      });
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        clock: manualClock(Date.UTC(2026, 10, 22, 12)).clock,
        formatter: numbered,
      });
      try {
        expect(sink.emitSync(makeEvents(2))).toBe(false);
        expect(spy.mock.calls.length).toBeLessThanOrEqual(3);
      } finally {
        spy.mockRestore();
        void sink.close();
      }
      expect(fs.readdirSync(dir)).toEqual(['app-20261122.log']);
    });

    it("starts a period at the name after a folder that has its first file's name", () => {
      const { clock } = manualClock(Date.UTC(2026, 10, 22, 12));
      fs.mkdirSync(path.join(dir, 'app-20261122.log'));
      const options = { rollingInterval: 'day', clock, formatter: numbered } as const;
      const first = new FileSink(path.join(dir, 'app-.log'), options);
      expect(first.emitSync(makeEvents(2))).toBe(true);
      void first.close();
      // After a restart it continues that file.
      const second = new FileSink(path.join(dir, 'app-.log'), options);
      expect(second.emitSync(makeEvents(1))).toBe(true);
      void second.close();
      expect(numbers(path.join(dir, 'app-20261122_001.log'))).toEqual([0, 1, 0]);
    });

    // Found by review: a batch that did not fit failed whole, so the file stopped short of its limit
    // (a batch of 512 short of it) and later small batches still fitted, leaving gaps. Serilog's
    // FileSink writes each event while the file is below the limit (FileSink.cs, EmitOrOverflow;
    // FileSinkTests.WhenLimitIsSpecifiedFileSizeIsRestricted: 20 events of 500 bytes into 5 000).
    it('without rolling, writes the events that fit under the limit, fails the rest, and takes nothing after', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { fileSizeLimitBytes: 24, formatter: numbered });
      expect(sink.emitSync(makeEvents(2))).toBe(true);
      let error: unknown;
      try {
        sink.emitSync(makeEvents(2));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PartialDeliveryError);
      expect((error as PartialDeliveryError).delivered).toBe(1);
      expect((error as PartialDeliveryError).cause).toBeInstanceOf(FileSizeLimitError);
      expect(() => sink.emit(makeEvents(2))).toThrow(FileSizeLimitError);
      expect(sink.emitSync(makeEvents(1))).toBe(false);
      void sink.close();
      expect(numbers(file)).toEqual([0, 1, 0]);
      expect(fs.statSync(file).size).toBe(24);
    });

    it('without rolling, fills the file up to its limit from one large batch in a logger, counting the rest failed', async () => {
      const file = path.join(dir, 'app.log');
      const pad = 'n'.repeat(483);
      const formatter: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, Pad: pad }) };
      const log = new LoggerConfiguration().writeTo
        .sink(new FileSink(file, { fileSizeLimitBytes: 5_000, formatter }), { name: 'file', retry: false })
        .createLogger();
      for (let n = 0; n < 20; n++) log.information('Event {N}', n);
      const report = await log.close({ strategy: 'flush' });
      const written = numbers(file);
      // Each line is 500 bytes: ten fit in 5 000.
      expect(written).toEqual(range(0, 10));
      expect(fs.statSync(file).size).toBe(5_000);
      expect(report.sinks.file).toEqual({ delivered: 10, dropped: 0, failed: 10, undelivered: 0 });
    });

    // Found by review: FileSizeLimitError was an ordinary error, so each batch past a full file was
    // tried three times (100 ms, then 200 ms of backoff, holding the queue) before it failed, though
    // a full file that does not roll takes nothing until its period ends, as Serilog's drops at once.
    it('without rolling, fails the events past the limit at once, without retries', async () => {
      const file = path.join(dir, 'app.log');
      const log = new LoggerConfiguration().writeTo
        .sink(new FileSink(file, { fileSizeLimitBytes: 24, formatter: numbered }), {
          name: 'file',
          batch: { size: 4, maxDelayMs: 10 },
        })
        .createLogger();
      for (let n = 0; n < 8; n++) log.information('Event {N}', n);
      const report = await log.close({ strategy: 'flush' });
      expect(numbers(file)).toEqual([0, 1, 2]);
      expect(report.sinks.file).toEqual({ delivered: 3, dropped: 0, failed: 5, undelivered: 0 });
      expect(log.metrics().sinks.file.retried).toBe(0);
    });

    // Found by review: a write cut short (the size limit, a full disk, a stalled reader) reported a
    // PartialDeliveryError whose count took the events its formatter skipped before the cut as written,
    // so the stage counted them delivered, though they are in no file.
    it('counts failed, not delivered, the events its formatter skipped before a write cut short by the limit', async () => {
      const file = path.join(dir, 'app.log');
      const skipsOne: Formatter = {
        format: (e) => {
          if (e.properties.N === 1) throw new Error('unformattable');
          return JSON.stringify({ N: e.properties.N });
        },
      };
      const sink = new FileSink(file, { fileSizeLimitBytes: 24, formatter: skipsOne });
      let error: unknown;
      try {
        sink.emitSync(makeEvents(5));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PartialDeliveryError);
      expect(error).toMatchObject({ delivered: 4, rejected: 1 });
      void sink.close();
      fs.rmSync(file);
      const log = new LoggerConfiguration().writeTo
        .sink(new FileSink(file, { fileSizeLimitBytes: 24, formatter: skipsOne }), { name: 'file', retry: false })
        .createLogger();
      for (let n = 0; n < 5; n++) log.information('Event {N}', n);
      const report = await log.close({ strategy: 'flush' });
      expect(numbers(file)).toEqual([0, 2, 3]);
      expect(report.sinks.file).toEqual({ delivered: 3, dropped: 0, failed: 2, undelivered: 0 });
    });

    it('applies no size limit to devices', () => {
      const sink = new FileSink('/dev/null', { fileSizeLimitBytes: 8, formatter: numbered, fsync: true });
      expect(sink.emitSync(makeEvents(100))).toBe(true);
      expect(sink.emitSync(makeEvents(100))).toBe(true);
      void sink.close();
    });

    it('continues the newest sequence file of the period after a restart', () => {
      const { options } = dailySizeRolled();
      const first = new FileSink(path.join(dir, 'app-.log'), options);
      first.emitSync(makeEvents(3));
      void first.close();
      const second = new FileSink(path.join(dir, 'app-.log'), options);
      second.emitSync(makeEvents(1));
      void second.close();
      expect(numbers(path.join(dir, 'app-20261122_001.log'))).toEqual([2, 0]);
      expect(fs.readdirSync(dir)).toHaveLength(2);
    });

    // Found by review: openPeriod took the new period before listing its files, so when the listing
    // failed (EMFILE, injected here at the fs layer: a real one needs the process out of descriptors)
    // the next batch opened the previous period's sequence number in the new one: app-20261123_003.log,
    // with no app-20261123.log. Serilog lists the folder again on each attempt to open a period's
    // file (RollingFileSink.cs, OpenFile).
    it('starts a new period at its first file when the set cannot be listed (EMFILE), writing the batch instead of failing it', () => {
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const { options, set } = dailySizeRolled();
      const sink = new FileSink(path.join(dir, 'app-.log'), options);
      // Rolled to _003 of 22 November, then the day ends.
      expect(sink.emitSync(makeEvents(7))).toBe(true);
      set(Date.UTC(2026, 10, 23, 12));
      const spy = jest.spyOn(realFs, 'readdirSync').mockImplementationOnce(() => {
        throw Object.assign(new Error('EMFILE: too many open files, scandir'), { code: 'EMFILE' });
      });
      try {
        // Before, the batch failed; earlier still, it opened the previous day's sequence (app-20261123_003.log).
        expect(sink.emitSync(makeEvents(1))).toBe(true);
      } finally {
        spy.mockRestore();
      }
      expect(sink.emitSync([makeEvent({ properties: { N: 99 } })])).toBe(true);
      void sink.close();
      expect(fs.readdirSync(dir).filter((name) => name.includes('20261123'))).toEqual(['app-20261123.log']);
      expect(numbers(path.join(dir, 'app-20261123.log'))).toEqual([0, 99]);
    });

    it('writes a rolling set in a folder it may write but not read (mode 0333, EACCES on readdir), rolling by size and by day', () => {
      // Before, every batch failed for the life of the process: the set was listed before each period's first file.
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const { options, set } = dailySizeRolled();
      const sink = new FileSink(path.join(dir, 'app-.log'), options);
      const spy = jest.spyOn(realFs, 'readdirSync').mockImplementation(() => {
        throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES' });
      });
      try {
        expect(sink.emitSync(makeEvents(4))).toBe(true);
        set(Date.UTC(2026, 10, 23, 12));
        expect(sink.emitSync(makeEvents(1))).toBe(true);
      } finally {
        spy.mockRestore();
        void sink.close();
      }
      expect(fs.readdirSync(dir).sort()).toEqual(['app-20261122.log', 'app-20261122_001.log', 'app-20261123.log']);
      expect(numbers(path.join(dir, 'app-20261122.log'))).toEqual([0, 1]);
      expect(numbers(path.join(dir, 'app-20261122_001.log'))).toEqual([2, 3]);
      expect(numbers(path.join(dir, 'app-20261123.log'))).toEqual([0]);
      expect(diagnostics.some((d) => /could not list/.test(d.message))).toBe(true);
    });

    it('starts the next sequence after a restart when the newest file is full', () => {
      const options = { fileSizeLimitBytes: 16, rollOnFileSizeLimit: true, formatter: numbered } as const;
      const first = new FileSink(path.join(dir, 'app.log'), options);
      first.emitSync(makeEvents(2));
      void first.close();
      const second = new FileSink(path.join(dir, 'app.log'), options);
      second.emitSync(makeEvents(1));
      void second.close();
      expect(fs.readdirSync(dir).sort()).toEqual(['app.log', 'app_001.log']);
      expect(numbers(path.join(dir, 'app_001.log'))).toEqual([0]);
    });
  });

  describe('retention', () => {
    /** The daily set `app-YYYYMMDD.log` keeping two files, on 22 November 2026 at noon. */
    const dailyKeepingTwo = (): FileSink =>
      new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        retainedFileCountLimit: 2,
        clock: manualClock(Date.UTC(2026, 10, 22, 12)).clock,
        formatter: numbered,
      });

    it('keeps the newest retainedFileCountLimit files as days roll', () => {
      const time = manualClock(Date.UTC(2026, 10, 18, 12));
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        retainedFileCountLimit: 3,
        clock: time.clock,
        formatter: numbered,
      });
      for (let day = 18; day <= 22; day++) {
        time.set(Date.UTC(2026, 10, day, 12));
        sink.emitSync(makeEvents(1));
      }
      void sink.close();
      expect(fs.readdirSync(dir).sort()).toEqual(['app-20261120.log', 'app-20261121.log', 'app-20261122.log']);
    });

    it('counts files left by an earlier run, and ignores files of other names', () => {
      for (const name of ['app-20261101.log', 'app-20261102.log', 'app-20261102_001.log', 'app-20261103.log', 'other.log']) {
        fs.writeFileSync(path.join(dir, name), 'old\n');
      }
      const sink = dailyKeepingTwo();
      sink.emitSync(makeEvents(1));
      void sink.close();
      expect(fs.readdirSync(dir).sort()).toEqual(['app-20261103.log', 'app-20261122.log', 'other.log']);
    });

    it("neither counts nor deletes files whose period is not a date (app-99999999.log): they are not the set's, however alike", () => {
      const foreign = ['app-99999999.log', 'app-20261399.log', 'app-00000000_001.log', 'app-20260230.log'];
      for (const name of [...foreign, 'app-20261120.log', 'app-20261121.log']) fs.writeFileSync(path.join(dir, name), 'old\n');
      const sink = dailyKeepingTwo();
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      void sink.close();
      // The set is 20261120, 20261121 and the new 20261122: the oldest of its own goes.
      expect(fs.readdirSync(dir).sort()).toEqual([...foreign, 'app-20261121.log', 'app-20261122.log'].sort());
    });

    it('neither counts, deletes nor appends to files whose sequence it would not spell so (_000, _0001): copies someone made', () => {
      const foreign = ['app-20261120_000.log', 'app-20261122_0001.log'];
      for (const name of [...foreign, 'app-20261121.log']) fs.writeFileSync(path.join(dir, name), 'copy\n');
      const sink = dailyKeepingTwo();
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      void sink.close();
      // Before: _000 was the oldest of the set and deleted, and the sink continued at sequence 1 (`_001`).
      expect(fs.readdirSync(dir).sort()).toEqual([...foreign, 'app-20261121.log', 'app-20261122.log'].sort());
      expect(numbers(path.join(dir, 'app-20261122.log'))).toEqual([0]);
    });

    // Found by review, for a symlink to a folder: the listing took it for a file (its directory
    // entry is a link), so retention counted it against the limit, deleting a log file early, and
    // unlinked it; and a period went on after its number, while opening passed it over as a folder.
    it.each([
      ['folders', (at: string): void => fs.mkdirSync(at)],
      ['symlinks to folders', (at: string): void => fs.symlinkSync(path.join(dir, 'elsewhere'), at)],
    ])('ignores %s whose names match the set, as Serilog lists only files: it neither opens nor deletes them', (_, make) => {
      fs.mkdirSync(path.join(dir, 'elsewhere'));
      for (const name of ['app-20261101.log', 'app-20261122_005.log']) make(path.join(dir, name));
      fs.writeFileSync(path.join(dir, 'app-20261121.log'), 'old\n');
      const sink = dailyKeepingTwo();
      expect(sink.emitSync(makeEvents(2))).toBe(true);
      void sink.close();
      expect(numbers(path.join(dir, 'app-20261122.log'))).toEqual([0, 1]);
      expect(fs.readdirSync(dir).sort()).toEqual([
        'app-20261101.log',
        'app-20261121.log',
        'app-20261122.log',
        'app-20261122_005.log',
        'elsewhere',
      ]);
      expect(diagnostics).toEqual([]);
    });

    it("writes a file that neither rolls by time nor by size at its path only, as Serilog's plain file sink: archives named like app_20261001.log are neither appended to nor deleted", () => {
      // A folder of dated archives beside the live file, as people keep them by hand or by cron.
      fs.writeFileSync(path.join(dir, 'app.log'), 'live\n');
      const archives = range(0, 40).map(
        (day) => `app_${new Date(Date.UTC(2026, 9, 1 + day)).toISOString().slice(0, 10).replace(/-/g, '')}.log`,
      );
      for (const name of archives) fs.writeFileSync(path.join(dir, name), `${name}\n`);
      const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered });
      expect(sink.emitSync(makeEvents(2))).toBe(true);
      void sink.close();
      expect(lines(path.join(dir, 'app.log'))).toEqual(['live', '{"N":0}', '{"N":1}']);
      expect(fs.readdirSync(dir).sort()).toEqual(['app.log', ...archives].sort());
      for (const name of archives) expect(lines(path.join(dir, name))).toEqual([name]);
    });

    it('still keeps a rolling set of a file without a period (rollOnFileSizeLimit) within retainedFileCountLimit', () => {
      const sink = new FileSink(path.join(dir, 'app.log'), {
        fileSizeLimitBytes: 8,
        rollOnFileSizeLimit: true,
        retainedFileCountLimit: 3,
        formatter: numbered,
      });
      sink.emitSync(makeEvents(10));
      void sink.close();
      expect(fs.readdirSync(dir).sort()).toEqual(['app_007.log', 'app_008.log', 'app_009.log']);
    });

    it('deletes the files of the set older than retainedFileTimeLimitMs as days roll and at start, as Serilog does', () => {
      const day = 24 * 60 * 60 * 1000;
      // Left by an earlier run: 20261101 is three weeks old, 20261119 ended less than two days before the 21st at noon.
      for (const name of ['app-20261101.log', 'app-20261119.log', 'other.log']) fs.writeFileSync(path.join(dir, name), 'old\n');
      const time = manualClock(Date.UTC(2026, 10, 21, 12));
      const sink = new FileSink(path.join(dir, 'app-.log'), {
        rollingInterval: 'day',
        retainedFileCountLimit: null,
        retainedFileTimeLimitMs: 2 * day,
        clock: time.clock,
        formatter: numbered,
      });
      sink.emitSync(makeEvents(1));
      expect(fs.readdirSync(dir).sort()).toEqual(['app-20261119.log', 'app-20261121.log', 'other.log']);
      time.set(Date.UTC(2026, 10, 22, 0, 0, 1));
      sink.emitSync(makeEvents(1));
      time.set(Date.UTC(2026, 10, 23, 0, 0, 1));
      sink.emitSync(makeEvents(1));
      void sink.close();
      expect(fs.readdirSync(dir).sort()).toEqual(['app-20261121.log', 'app-20261122.log', 'app-20261123.log', 'other.log']);
    });

    it('keeps a file it wrote less than retainedFileTimeLimitMs ago when the clock is corrected forward (booted at 1970, then NTP)', () => {
      // Fake timers move the monotonic clock (performance.now) that the real time since a write is taken from.
      jest.useFakeTimers();
      try {
        const hour = 60 * 60 * 1000;
        // Left by an earlier run: its name alone says how old it is.
        fs.writeFileSync(path.join(dir, 'app-2026112000.log'), 'old\n');
        const time = manualClock(Date.UTC(1970, 0, 1, 0, 0, 10));
        const sink = new FileSink(path.join(dir, 'app-.log'), {
          rollingInterval: 'hour',
          retainedFileCountLimit: null,
          retainedFileTimeLimitMs: 24 * hour,
          clock: time.clock,
          formatter: numbered,
        });
        const later = (ms: number, clockMs: number): void => {
          jest.advanceTimersByTime(ms);
          time.set(clockMs);
          expect(sink.emitSync(makeEvents(1))).toBe(true);
        };
        expect(sink.emitSync(makeEvents(1))).toBe(true);
        later(3 * 60_000, Date.UTC(1970, 0, 1, 0, 3, 10));
        // Stamped by the kernel with the system clock of then, as on the device: its mtime says 1970 too.
        const booted = new Date(Date.UTC(1970, 0, 1, 0, 3, 10));
        fs.utimesSync(path.join(dir, 'app-1970010100.log'), booted, booted);
        // NTP sets the real date a second later. Before, the roll's retention deleted
        // app-1970010100.log, written a second earlier, for a name 56 years old.
        later(1000, Date.UTC(2026, 10, 22, 9, 30));
        expect(fs.readdirSync(dir).sort()).toEqual(['app-1970010100.log', 'app-2026112209.log']);
        // 23 hours on it is still younger than the limit.
        later(23 * hour, Date.UTC(2026, 10, 23, 8, 30));
        expect(fs.readdirSync(dir)).toContain('app-1970010100.log');
        // Once a day has gone by since its last write, it goes; the files named in time go by their names, as before.
        later(2 * hour, Date.UTC(2026, 10, 23, 10, 30));
        void sink.close();
        expect(fs.readdirSync(dir).sort()).toEqual(['app-2026112308.log', 'app-2026112310.log']);
      } finally {
        jest.useRealTimers();
      }
    });

    it('deletes by name a file whose last write was inside its period, however late the next roll came (quiet hours)', () => {
      jest.useFakeTimers();
      try {
        const hour = 60 * 60 * 1000;
        const time = manualClock(Date.UTC(2026, 10, 22, 9, 10));
        const sink = new FileSink(path.join(dir, 'app-.log'), {
          rollingInterval: 'hour',
          retainedFileCountLimit: null,
          retainedFileTimeLimitMs: hour,
          clock: time.clock,
          formatter: numbered,
        });
        const at = (clockMs: number): void => {
          jest.advanceTimersByTime(clockMs - time.clock().getTime());
          time.set(clockMs);
          expect(sink.emitSync(makeEvents(1))).toBe(true);
        };
        at(Date.UTC(2026, 10, 22, 9, 10));
        // Nothing logged until 10:50, then 11:00:05: the 09 file's events are all over an hour old.
        at(Date.UTC(2026, 10, 22, 10, 50));
        at(Date.UTC(2026, 10, 22, 11, 0, 5));
        void sink.close();
        expect(fs.readdirSync(dir).sort()).toEqual(['app-2026112210.log', 'app-2026112211.log']);
      } finally {
        jest.useRealTimers();
      }
    });

    it('keeps every file when the limit is null', () => {
      const sink = new FileSink(path.join(dir, 'app.log'), {
        fileSizeLimitBytes: 8,
        rollOnFileSizeLimit: true,
        retainedFileCountLimit: null,
        formatter: numbered,
      });
      sink.emitSync(makeEvents(40));
      void sink.close();
      expect(fs.readdirSync(dir)).toHaveLength(40);
    });
  });

  describe('a file changed under the sink', () => {
    it('re-creates a deleted file on the next batch', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { formatter: numbered });
      sink.emitSync(makeEvents(2));
      fs.unlinkSync(file);
      sink.emitSync(makeEvents(1));
      void sink.close();
      expect(numbers(file)).toEqual([0]);
    });

    it('writes on to the open file when its path cannot be checked (a folder that lost its search permission, an NFS ESTALE)', () => {
      // Before, the failing stat failed every batch, though the open descriptor still took writes.
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { formatter: numbered });
      sink.emitSync(makeEvents(1));
      const denied = Object.assign(new Error(`EACCES: permission denied, stat '${file}'`), { code: 'EACCES' });
      const spy = jest.spyOn(realFs, 'statSync').mockImplementation(() => {
        throw denied;
      });
      try {
        expect(sink.emitSync(makeEvents(2))).toBe(true);
      } finally {
        spy.mockRestore();
        void sink.close();
      }
      expect(numbers(file)).toEqual([0, 0, 1]);
    });

    it('fails the batch, rather than writing to a file no path reaches, when its folder is replaced by a file', () => {
      const file = path.join(dir, 'logs/app.log');
      const sink = new FileSink(file, { formatter: numbered });
      sink.emitSync(makeEvents(1));
      fs.rmSync(path.join(dir, 'logs'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'logs'), '');
      expect(sink.emitSync(makeEvents(1))).toBe(false);
      expect(() => sink.emit(makeEvents(1))).toThrow(/ENOTDIR/);
      void sink.close();
    });

    it('re-creates a deleted folder on the next batch', () => {
      const file = path.join(dir, 'logs/app.log');
      const sink = new FileSink(file, { formatter: numbered });
      sink.emitSync(makeEvents(1));
      fs.rmSync(path.join(dir, 'logs'), { recursive: true });
      sink.emitSync(makeEvents(1));
      void sink.close();
      expect(numbers(file)).toEqual([0]);
    });

    it('starts a new file at the path when the file is moved away, as log rotation does', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { formatter: numbered });
      sink.emitSync(makeEvents(2));
      fs.renameSync(file, `${file}.1`);
      sink.emitSync(makeEvents(3));
      void sink.close();
      expect(numbers(`${file}.1`)).toEqual([0, 1]);
      expect(numbers(file)).toEqual([0, 1, 2]);
    });

    it('measures a file truncated in place (logrotate copytruncate) from its new size, not the bytes it wrote before', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { fileSizeLimitBytes: 40, formatter: numbered });
      expect(sink.emitSync(makeEvents(4))).toBe(true);
      fs.copyFileSync(file, `${file}.1`);
      fs.truncateSync(file, 0);
      // 32 bytes were written before the truncation; the empty file takes four more lines.
      expect(sink.emitSync(makeEvents(4))).toBe(true);
      void sink.close();
      expect(numbers(`${file}.1`)).toEqual([0, 1, 2, 3]);
      expect(numbers(file)).toEqual([0, 1, 2, 3]);
    });

    it('rolls by the size on disk when the file is truncated in place', () => {
      const file = path.join(dir, 'app.log');
      const sink = new FileSink(file, { fileSizeLimitBytes: 40, rollOnFileSizeLimit: true, formatter: numbered });
      sink.emitSync(makeEvents(4));
      fs.truncateSync(file, 0);
      sink.emitSync(makeEvents(4));
      void sink.close();
      expect(fs.readdirSync(dir)).toEqual(['app.log']);
      expect(numbers(file)).toEqual([0, 1, 2, 3]);
    });
  });

  describe('failures', () => {
    it('fails a batch when the folder cannot be created', () => {
      fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
      const sink = new FileSink(path.join(dir, 'not-a-folder/app.log'), { formatter: numbered });
      expect(sink.emitSync(makeEvents(1))).toBe(false);
      expect(() => sink.emit(makeEvents(1))).toThrow(/ENOTDIR|EEXIST/);
      void sink.close();
    });

    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    (isRoot ? it.skip : it)(
      'fails a batch with EACCES in a read-only folder (skipped as root, which ignores permissions)',
      () => {
        const locked = path.join(dir, 'locked');
        fs.mkdirSync(locked, { mode: 0o555 });
        const sink = new FileSink(path.join(locked, 'app.log'), { formatter: numbered });
        expect(sink.emitSync(makeEvents(1))).toBe(false);
        expect(() => sink.emit(makeEvents(1))).toThrow(/EACCES/);
        void sink.close();
      },
    );

    it('fails a batch with EISDIR when the path is a folder', () => {
      fs.mkdirSync(path.join(dir, 'app.log'));
      const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered });
      expect(sink.emitSync(makeEvents(1))).toBe(false);
      expect(() => sink.emit(makeEvents(1))).toThrow(/EISDIR/);
      void sink.close();
    });

    it('recovers once the path is writable again', () => {
      fs.mkdirSync(path.join(dir, 'app.log'));
      const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered });
      expect(sink.emitSync(makeEvents(1))).toBe(false);
      fs.rmdirSync(path.join(dir, 'app.log'));
      expect(sink.emitSync(makeEvents(1))).toBe(true);
      void sink.close();
      expect(numbers(path.join(dir, 'app.log'))).toEqual([0]);
    });

    it('writes failed batches to fallbackPath instead, and reports the failure', () => {
      fs.mkdirSync(path.join(dir, 'app.log'));
      const sink = new FileSink(path.join(dir, 'app.log'), {
        formatter: numbered,
        fallbackPath: path.join(dir, 'fallback/app.log'),
      });
      expect(sink.emitSync(makeEvents(2))).toBe(true);
      expect(sink.emit(makeEvents(1))).toBeUndefined();
      void sink.close();
      expect(numbers(path.join(dir, 'fallback/app.log'))).toEqual([0, 1, 0]);
      expect(diagnostics.some((d) => d.message.includes('EISDIR'))).toBe(true);
    });

    it('says once that batches go to fallbackPath while the primary fails the same way, and once when it writes again', () => {
      fs.mkdirSync(path.join(dir, 'app.log'));
      const sink = new FileSink(path.join(dir, 'app.log'), {
        formatter: numbered,
        fallbackPath: path.join(dir, 'fallback.log'),
      });
      for (let i = 0; i < 100; i++) expect(sink.emitSync([makeEvent({ properties: { N: i } })])).toBe(true);
      const said = (text: string): number => diagnostics.filter((d) => d.message.includes(text)).length;
      // One line for a primary down an hour, not one per batch (with its stack) on stderr.
      expect(said('fallback.log')).toBe(1);
      expect(said('EISDIR')).toBe(1);
      // Another failure of the primary is news.
      fs.rmdirSync(path.join(dir, 'app.log'));
      fs.writeFileSync(path.join(dir, 'blocker'), '');
      const other = new FileSink(path.join(dir, 'blocker', 'app.log'), {
        formatter: numbered,
        fallbackPath: path.join(dir, 'fallback2.log'),
      });
      expect(other.emitSync(makeEvents(1))).toBe(true);
      expect(other.emitSync(makeEvents(1))).toBe(true);
      expect(said('ENOTDIR')).toBe(1);
      void other.close();
      // Back: said once, with the count of batches that went aside.
      expect(sink.emitSync([makeEvent({ properties: { N: 100 } })])).toBe(true);
      expect(sink.emitSync([makeEvent({ properties: { N: 101 } })])).toBe(true);
      void sink.close();
      expect(numbers(path.join(dir, 'fallback.log'))).toEqual(range(0, 100));
      expect(numbers(path.join(dir, 'app.log'))).toEqual([100, 101]);
      const back = diagnostics.filter((d) => d.message.includes('writes to its file again'));
      expect(back).toHaveLength(1);
      expect(back[0].message).toContain('100 batches');
    });

    it('throws the primary error when the fallback fails too', () => {
      fs.mkdirSync(path.join(dir, 'app.log'));
      fs.mkdirSync(path.join(dir, 'fallback.log'));
      const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered, fallbackPath: path.join(dir, 'fallback.log') });
      expect(() => sink.emit(makeEvents(1))).toThrow(/EISDIR.*app\.log/);
      void sink.close();
    });

    it('refuses batches after close', () => {
      const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered });
      void sink.close();
      void sink.close();
      expect(sink.emitSync(makeEvents(1))).toBe(false);
      expect(() => sink.emit(makeEvents(1))).toThrow(/closed/);
    });
  });

  describe('flushing', () => {
    it('fsyncs on flushSync, flush and close when asked, and never per batch', async () => {
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const spy = jest.spyOn(realFs, 'fsyncSync');
      try {
        const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered, fsync: true });
        sink.emitSync(makeEvents(3));
        sink.emitSync(makeEvents(3));
        expect(spy).not.toHaveBeenCalled();
        sink.flushSync();
        await sink.flush();
        void sink.close();
        expect(spy).toHaveBeenCalledTimes(3);
      } finally {
        spy.mockRestore();
      }
    });

    it('fsyncs a file it leaves (a size roll, a file moved away) when asked, so flush() leaves no earlier file unsynced', () => {
      const realFs = jest.requireActual<typeof fs>('node:fs');
      // The file each fsync reached, by its descriptor's link in /proc (a moved file shows its new name).
      const synced: string[] = [];
      const spy = jest
        .spyOn(realFs, 'fsyncSync')
        .mockImplementation((fd) => void synced.push(path.basename(realFs.readlinkSync(`/proc/self/fd/${fd}`))));
      try {
        const file = path.join(dir, 'app.log');
        const sink = new FileSink(file, { formatter: numbered, fsync: true, fileSizeLimitBytes: 16, rollOnFileSizeLimit: true });
        sink.emitSync(makeEvents(4)); // app.log, then app_001.log
        fs.renameSync(path.join(dir, 'app_001.log'), path.join(dir, 'moved.log'));
        sink.emitSync(makeEvents(1)); // app_001.log again
        sink.flushSync();
        expect(synced).toEqual(['app.log', 'moved.log', 'app_001.log']);
        void sink.close();
      } finally {
        spy.mockRestore();
      }
    });

    it('does not fsync unless asked', () => {
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const spy = jest.spyOn(realFs, 'fsyncSync');
      try {
        const sink = new FileSink(path.join(dir, 'app.log'), { formatter: numbered });
        sink.emitSync(makeEvents(3));
        sink.flushSync();
        void sink.close();
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('configuration', () => {
    it.each([
      [{ rollingInterval: 'weekly' }, /weekly/],
      [{ fileSizeLimitBytes: 0 }, /fileSizeLimitBytes.*0/],
      [{ fileSizeLimitBytes: -5 }, /-5/],
      [{ retainedFileCountLimit: 0 }, /retainedFileCountLimit.*0/],
      [{ retainedFileCountLimit: 1.5 }, /1\.5/],
      [
        { rollingInterval: 'day', retainedFileTimeLimitMs: 0 },
        /FileSink retainedFileTimeLimitMs: expected a positive number of milliseconds or null, got number 0/,
      ],
      [{ rollingInterval: 'day', retainedFileTimeLimitMs: '7d' }, /retainedFileTimeLimitMs.*"7d"/],
      [{ rollingInterval: 'day', retainedFileTimeLimitMs: Infinity }, /retainedFileTimeLimitMs.*Infinity/],
      // Names without a period say nothing of the time of their events: Serilog ignores the limit silently.
      [
        { rollOnFileSizeLimit: true, retainedFileTimeLimitMs: 1000 },
        /FileSink retainedFileTimeLimitMs needs a rollingInterval other than 'infinite'/,
      ],
      // No limit, so nothing ever rolls by size: accepted silently (as Serilog does), it only made the
      // file a rolling set, appended to at its newest `_NNN` name and pruned.
      [
        { rollOnFileSizeLimit: true, fileSizeLimitBytes: null },
        /FileSink rollOnFileSizeLimit: true needs a fileSizeLimitBytes to roll at, got fileSizeLimitBytes null/,
      ],
      [
        { rollingInterval: 'day', rollOnFileSizeLimit: true, fileSizeLimitBytes: null },
        /FileSink rollOnFileSizeLimit: true needs a fileSizeLimitBytes/,
      ],
      [{ retainedFileTimeLimit: 1000 }, /FileSink: unknown option "retainedFileTimeLimit"/],
      [{ fallbackPath: '' }, /fallbackPath/],
      [{ syncFlushTimeoutMs: -1 }, /syncFlushTimeoutMs.*-1/],
      // null means "no limit" for the size and count options; here it would be read as the default
      // (StreamSink refuses it too).
      [{ syncFlushTimeoutMs: null }, /FileSink syncFlushTimeoutMs: expected a non-negative number of milliseconds, got null/],
      // Unchecked, a formatter without format() made every event "skipped" yet counted delivered,
      // a string 'false' turned rolling on, and a clock that is no function failed every batch.
      [{ formatter: 'clef' }, /FileSink formatter: expected an object with format\(event\), got "clef"/],
      [{ formatter: {} }, /FileSink formatter: expected an object with format\(event\)/],
      [{ clock: 'utc' }, /FileSink clock: expected a function returning a Date, got "utc"/],
      [{ rollOnFileSizeLimit: 'false' }, /FileSink rollOnFileSizeLimit: expected true or false, got "false"/],
      [{ fsync: 1 }, /FileSink fsync: expected true or false, got number 1/],
      // A misspelt option was ignored: rolling and retention silently stayed at their defaults.
      [{ rollingIntervall: 'day' }, /FileSink: unknown option "rollingIntervall" \(expected one of rollingInterval,/],
      [{ retainedFileCount: 3 }, /FileSink: unknown option "retainedFileCount"/],
    ])('throws a ConfigurationError naming a bad option: %p', (options, message) => {
      expect(() => new FileSink(path.join(dir, 'app.log'), options as never)).toThrow(ConfigurationError);
      expect(() => new FileSink(path.join(dir, 'app.log'), options as never)).toThrow(message);
    });

    it("refuses a fallbackPath that names the sink's own file by another spelling, or a file of its rolling set", () => {
      // Taken, the fallback appended without a size limit to the very file that was full.
      const file = path.join(dir, 'app.log');
      expect(() => new FileSink(file, { fallbackPath: path.join(dir, 'sub', '..', 'app.log') })).toThrow(
        /FileSink fallbackPath: expected a file path other than the sink's own/,
      );
      expect(() => new FileSink(path.relative(process.cwd(), file), { fallbackPath: file })).toThrow(ConfigurationError);
      expect(
        () =>
          new FileSink(path.join(dir, 'app-.log'), { rollingInterval: 'day', fallbackPath: path.join(dir, 'app-20261122.log') }),
      ).toThrow(/fallbackPath/);
      expect(() => new FileSink(file, { rollOnFileSizeLimit: true, fallbackPath: path.join(dir, 'app_001.log') })).toThrow(
        /fallbackPath/,
      );
      // Through a symlink to its folder, or a symlink to the file itself (found by review: taken, as above).
      const link = path.join(dir, 'link');
      fs.symlinkSync(dir, link);
      expect(() => new FileSink(file, { fallbackPath: path.join(link, 'app.log') })).toThrow(/fallbackPath/);
      fs.writeFileSync(file, '');
      fs.symlinkSync(file, path.join(dir, 'current.log'));
      expect(() => new FileSink(file, { fallbackPath: path.join(dir, 'current.log') })).toThrow(/fallbackPath/);
      expect(
        () =>
          new FileSink(path.join(dir, 'app-.log'), { rollingInterval: 'day', fallbackPath: path.join(link, 'app-20261122.log') }),
      ).toThrow(/fallbackPath/);
      // Names outside the set are fine, as is any name beside a file that does not roll.
      new FileSink(file, { fallbackPath: path.join(link, 'other', 'app.log') });
      new FileSink(path.join(dir, 'app-.log'), { rollingInterval: 'day', fallbackPath: path.join(dir, 'app-fallback.log') });
      new FileSink(file, { fallbackPath: path.join(dir, 'app_001.log') });
    });

    // Found by review: the symlink check resolved a link only to a file that exists, and the sink
    // opens its file on the first batch, so on a first start the fallback went on through the link.
    it("refuses a fallbackPath that is a symlink to the sink's file before that file exists, and the reverse", () => {
      const file = path.join(dir, 'app.log');
      fs.symlinkSync('app.log', path.join(dir, 'current.log'));
      expect(() => new FileSink(file, { fallbackPath: path.join(dir, 'current.log') })).toThrow(/fallbackPath/);
      expect(() => new FileSink(path.join(dir, 'current.log'), { fallbackPath: file })).toThrow(/fallbackPath/);
      // Through two links, one of them to a folder, and into a rolling set.
      fs.symlinkSync(dir, path.join(dir, 'here'));
      fs.symlinkSync(path.join('here', 'current.log'), path.join(dir, 'again.log'));
      expect(() => new FileSink(file, { fallbackPath: path.join(dir, 'again.log') })).toThrow(/fallbackPath/);
      fs.symlinkSync(path.join('here', 'app-20261122.log'), path.join(dir, 'today.log'));
      expect(
        () => new FileSink(path.join(dir, 'app-.log'), { rollingInterval: 'day', fallbackPath: path.join(dir, 'today.log') }),
      ).toThrow(/fallbackPath/);
      // A link to another file, or a loop, is no spelling of the sink's file.
      fs.symlinkSync('other.log', path.join(dir, 'elsewhere.log'));
      fs.symlinkSync('loop.log', path.join(dir, 'loop.log'));
      new FileSink(file, { fallbackPath: path.join(dir, 'elsewhere.log') });
      new FileSink(file, { fallbackPath: path.join(dir, 'loop.log') });
      expect(fs.existsSync(file)).toBe(false);
    });

    it('keeps a full file within its limit when the fallbackPath is the same file spelt relatively', () => {
      const file = path.join(dir, 'app.log');
      let sink: FileSink | undefined;
      try {
        sink = new FileSink(file, {
          fileSizeLimitBytes: 24,
          formatter: numbered,
          fallbackPath: path.relative(process.cwd(), file),
        });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
      }
      sink?.emitSync(makeEvents(10));
      void sink?.close();
      expect(fs.existsSync(file) ? fs.statSync(file).size : 0).toBeLessThanOrEqual(24);
    });

    it('writes the fallback file where its relative path pointed when the sink was built, whatever the working folder later', () => {
      const before = process.cwd();
      fs.mkdirSync(path.join(dir, 'a'));
      fs.mkdirSync(path.join(dir, 'b'));
      process.chdir(path.join(dir, 'a'));
      try {
        fs.mkdirSync(path.join(dir, 'a', 'primary.log'));
        const sink = new FileSink('primary.log', { formatter: numbered, fallbackPath: 'fallback.log' });
        process.chdir(path.join(dir, 'b'));
        expect(sink.emitSync(makeEvents(2))).toBe(true);
        void sink.close();
      } finally {
        process.chdir(before);
      }
      expect(numbers(path.join(dir, 'a', 'fallback.log'))).toEqual([0, 1]);
      expect(fs.readdirSync(path.join(dir, 'b'))).toEqual([]);
    });

    it('throws a ConfigurationError, not a TypeError, for values String() cannot convert, and names their type', () => {
      const bare = Object.create(null) as never;
      const file = path.join(dir, 'app.log');
      for (const make of [
        () => new FileSink(bare),
        () => new FileSink(file, { fileSizeLimitBytes: bare }),
        () => new FileSink(file, { syncFlushTimeoutMs: bare }),
        () => new FileSink(file, { fallbackPath: bare }),
        () => new FileSink(file, { rollingInterval: bare }),
      ])
        expect(make).toThrow(ConfigurationError);
      expect(() => new FileSink(file, { fileSizeLimitBytes: '5' as never })).toThrow(
        'FileSink fileSizeLimitBytes: expected a whole number of bytes (at least 1) or null, got "5"',
      );
      // Serilog refuses a limit below 1; a fraction of a byte is no limit a file can have.
      for (const limit of [0, 0.5, 1.5, -1, Number.NaN, Infinity])
        expect(() => new FileSink(file, { fileSizeLimitBytes: limit })).toThrow(
          /FileSink fileSizeLimitBytes: expected a whole number/,
        );
      expect(() => new FileSink(10 as never)).toThrow('FileSink path: expected a file path, got number 10');
    });

    it('throws a ConfigurationError for a path with a NUL character, which no file can have', () => {
      // Taken, every batch failed with a TypeError from fs, counted failed, for the life of the process.
      expect(() => new FileSink(path.join(dir, 'a\0b.log'))).toThrow(/FileSink path: expected a file path, got "/);
      expect(() => new FileSink(path.join(dir, 'app.log'), { fallbackPath: path.join(dir, 'f\0.log') })).toThrow(
        /FileSink fallbackPath/,
      );
    });

    it('throws a ConfigurationError for a path that can only name a folder (a trailing slash, . or ..)', () => {
      // Taken, 'logs/' failed every batch with EISDIR, and rolling by day wrote 'logs20261122' beside the folder.
      for (const bad of [`${dir}/logs/`, `${dir}/logs/.`, `${dir}/..`, '.', '..', '/'])
        expect(() => new FileSink(bad, { rollingInterval: 'day' })).toThrow(/FileSink path: expected a file path, got "/);
      expect(() => new FileSink(`${dir}/app.log`, { fallbackPath: `${dir}/fallback/` })).toThrow(/FileSink fallbackPath/);
      new FileSink(`${dir}/logs/.app.log`);
      new FileSink(`${dir}/logs/..app`);
    });

    it('throws a ConfigurationError for an empty path', () => {
      expect(() => new FileSink('')).toThrow(ConfigurationError);
    });

    // Rolling named files beside the stream: /dev/stdout20261122 by day, /dev/stdout_001 by size
    // (created as root, failing otherwise), which took the events instead of stdout.
    (fs.existsSync('/proc/self/fd') ? it : it.skip)(
      'refuses rolling for a path naming a descriptor of the process (/dev/stdout, /dev/fd/2, /proc/self/fd/1, a link to one), naming the value',
      () => {
        const link = path.join(dir, 'out.log');
        fs.symlinkSync('/dev/stdout', link);
        for (const stream of ['/dev/stdout', '/dev/stderr', '/dev/fd/2', '/proc/self/fd/1', link]) {
          expect(() => new FileSink(stream, { rollingInterval: 'day' })).toThrow(
            `FileSink rollingInterval: ${stream} names a stream of the process (a file descriptor), which neither rolls nor is pruned, got "day"`,
          );
          expect(() => new FileSink(stream, { rollOnFileSizeLimit: true })).toThrow(
            /FileSink rollOnFileSizeLimit: .* got boolean true/,
          );
          // Not rolling, the limits are not refused: a stream has none (see "writes every event to /dev/stdout redirected").
          expect(() => new FileSink(stream, { fileSizeLimitBytes: 1000, retainedFileCountLimit: 3 })).not.toThrow();
        }
        // A file of its own in a folder under /dev rolls as any other (tmpfs /dev/shm).
        expect(() => new FileSink('/dev/shm/app-.log', { rollingInterval: 'day' })).not.toThrow();
      },
    );

    // `FileSink('/dev/null', { rollingInterval: 'day' })` wrote a regular file /dev/null20261122 in
    // /dev (a small tmpfs in a container), and never the device; a FIFO's set left its reader idle.
    (process.platform === 'linux' ? it : it.skip)(
      'refuses rolling for a path naming a device or a FIFO when the sink is built, naming the value',
      () => {
        const fifo = path.join(dir, 'pipe');
        execFileSync('mkfifo', [fifo]);
        const link = path.join(dir, 'null.log');
        fs.symlinkSync('/dev/null', link);
        for (const special of ['/dev/null', fifo, link]) {
          expect(() => new FileSink(special, { rollingInterval: 'day' })).toThrow(
            `FileSink rollingInterval: ${special} names a device, FIFO or socket, which neither rolls nor is pruned, got "day"`,
          );
          expect(() => new FileSink(special, { rollOnFileSizeLimit: true, fileSizeLimitBytes: 10 })).toThrow(
            /FileSink rollOnFileSizeLimit: .* names a device, FIFO or socket, .* got boolean true/,
          );
          expect(() => new FileSink(special, { fileSizeLimitBytes: 1000, retainedFileCountLimit: 3 })).not.toThrow();
        }
      },
    );

    it('opens nothing until the first batch', () => {
      new FileSink(path.join(dir, 'later/app.log'));
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });

  describe('FIFOs', () => {
    let fifo: string;
    const hasMkfifo = (() => {
      try {
        execFileSync('which', ['mkfifo']);
        return true;
      } catch {
        return false;
      }
    })();
    const fifoIt = hasMkfifo ? it : it.skip;

    beforeEach(() => {
      fifo = path.join(dir, 'pipe');
      if (hasMkfifo) execFileSync('mkfifo', [fifo]);
    });

    /**
     * Writes batches of 512 inline, then of one, until the FIFO is full (emitSync refuses or reports
     * a partial write): short lines go in atomic pieces of up to PIPE_BUF bytes, which a pipe with
     * less room refuses whole while a single line still fits.
     */
    function fillPipe(sink: FileSink): void {
      for (const size of [512, 1]) {
        try {
          while (sink.emitSync(makeEvents(size)) !== false);
        } catch {
          // A PartialDeliveryError: the pipe took part of the batch.
        }
      }
    }

    fifoIt('refuses a batch without blocking when the FIFO has no reader (ENXIO)', () => {
      const sink = new FileSink(fifo, { formatter: numbered });
      expect(sink.emitSync(makeEvents(1))).toBe(false);
      expect(() => sink.emit(makeEvents(1))).toThrow(/ENXIO/);
      void sink.close();
    });

    fifoIt(
      'refuses (false) or counts only the events the pipe took whole when the reader stalls, and loses or repeats nothing',
      () => {
        const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const sink = new FileSink(fifo, { formatter: numbered });
        const events = makeEvents(100_000);
        let received = '';
        let refusals = 0;
        let partials = 0;
        for (let i = 0; i < events.length; i += 512) {
          // What a delivery stage does: a refused batch is sent again, a partly taken one from its first event not taken.
          let batch = events.slice(i, i + 512);
          for (;;) {
            try {
              if (sink.emitSync(batch)) break;
              refusals++;
            } catch (error) {
              expect(error).toBeInstanceOf(PartialDeliveryError);
              const { delivered } = error as PartialDeliveryError;
              expect(delivered).toBeGreaterThan(0);
              // The events counted are in the pipe already, whole.
              const taken = received + drainFifo(reader);
              received = taken;
              expect(taken.split('\n').length - 1).toBeGreaterThanOrEqual(i + (512 - batch.length) + delivered);
              batch = batch.slice(delivered);
              partials++;
            }
            received += drainFifo(reader);
          }
        }
        received += drainFifo(reader);
        sink.flushSync();
        received += drainFifo(reader);
        void sink.close();
        fs.closeSync(reader);
        expect(refusals + partials).toBeGreaterThan(0);
        expect(numbersIn(received)).toEqual(range(0, 100_000));
      },
    );

    fifoIt('resolves an async emit once the stalled reader has taken the batch', async () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: numbered });
      const events = makeEvents(40_000);
      let settled = false;
      const written = Promise.resolve(sink.emit(events)).then(() => (settled = true));
      let received = drainFifo(reader);
      while (!settled) {
        await new Promise((resolve) => setImmediate(resolve));
        received += drainFifo(reader);
      }
      await written;
      received += drainFifo(reader);
      void sink.close();
      fs.closeSync(reader);
      expect(received.slice(0, -1).split('\n')).toHaveLength(40_000);
    });

    // Found by review: the events the formatter skipped before the cut counted delivered, inline
    // (the PartialDeliveryError's count took them as written) and on the async path (the wait
    // resolved with nothing to say about them).
    fifoIt(
      'counts failed the events its formatter skipped in a batch a stalled reader took in part, inline and async',
      async () => {
        const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const pad = 'p'.repeat(1000);
        const formatter: Formatter = {
          format: (e) => {
            const n = e.properties.N as number;
            if (n % 10 === 0) throw new Error('unformattable');
            return `${n} ${pad}`;
          },
        };
        const sink = new FileSink(fifo, { formatter });
        const tens = (from: number, to: number): number => range(from, to).filter((n) => n % 10 === 0).length;
        // About 180 KB of lines: more than the pipe's 64 KiB.
        const events = makeEvents(200);
        let error: unknown;
        try {
          sink.emitSync(events);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(PartialDeliveryError);
        const { delivered, rejected } = error as PartialDeliveryError;
        expect(delivered).toBeGreaterThan(0);
        expect(rejected).toBe(tens(0, delivered));
        let result: unknown = 'pending';
        const written = Promise.resolve(sink.emit(events.slice(delivered))).then((value) => (result = value));
        while (result === 'pending') {
          drainFifo(reader);
          await new Promise((resolve) => setImmediate(resolve));
        }
        await written;
        expect(result).toEqual({ rejected: tens(delivered, 200) });
        void sink.close();
        fs.closeSync(reader);
      },
    );

    fifoIt(
      'finishes a line a stalled reader cut for the next reader when that one went away (a restarted shipper), so no line is torn',
      () => {
        // Lines longer than PIPE_BUF (4096 bytes), which go in no atomic piece: a full pipe cuts one.
        const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
        let reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const sink = new FileSink(fifo, { formatter: padded });
        const events = makeEvents(200);
        let delivered = 0;
        /** Offers the events not delivered yet, as the pipeline does, and counts what the sink says it delivered. */
        const offer = (): void => {
          try {
            if (sink.emitSync(events.slice(delivered)) === true) delivered = events.length;
          } catch (error) {
            if (!(error instanceof PartialDeliveryError)) throw error;
            delivered += error.delivered;
          }
        };
        offer();
        expect(delivered).toBeGreaterThan(0);
        expect(delivered).toBeLessThan(events.length);
        // The reader is killed without reading; the pipe keeps what it holds for the next one (Linux
        // keeps a FIFO's data while a writer has it open), and writes fail with EPIPE meanwhile.
        fs.closeSync(reader);
        offer();
        reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        let received = '';
        for (let round = 0; round < 100 && delivered < events.length; round++) {
          offer();
          received += drainFifo(reader);
        }
        received += drainFifo(reader);
        fs.closeSync(reader);
        void sink.close();
        expect(delivered).toBe(events.length);
        // Before: the half line the pipe held ran into the retried whole line (unparseable), its event
        // lost though counted delivered.
        const read = numbersIn(received);
        expect(read).toEqual(range(0, events.length));
      },
    );

    fifoIt('finishes a line a write error cut in the middle before writing on, so the reader gets it whole', () => {
      const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: padded });
      const events = makeEvents(5);
      // A reader that leaves between two write calls of one batch cannot be timed: the EPIPE is made
      // here, after the calls really wrote the first line and 1500 bytes of the second to the FIFO.
      const fsModule = jest.requireActual<typeof fs>('node:fs');
      const realWrite = fsModule.writeSync.bind(fsModule) as (fd: number, b: Buffer, o: number, l: number) => number;
      let calls = 0;
      const writeSync = jest.spyOn(fsModule, 'writeSync').mockImplementation(((fd: number, b: Buffer, o: number) => {
        if (++calls <= 2) return realWrite(fd, b, o, calls === 1 ? b.length - o : 1500);
        throw Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' });
      }) as typeof fs.writeSync);
      let delivered = 0;
      try {
        sink.emitSync(events);
      } catch (error) {
        delivered = (error as PartialDeliveryError).delivered;
      } finally {
        writeSync.mockRestore();
      }
      expect(delivered).toBe(1);
      expect(sink.emitSync(events.slice(delivered))).toBe(true);
      const received = drainFifo(reader);
      fs.closeSync(reader);
      void sink.close();
      // Before: the line's start ran into the retried whole line, which no reader could parse.
      const read = numbersIn(received);
      expect(read).toEqual(range(0, 5));
    });

    fifoIt(
      'drops the rest of a cut line when its FIFO was replaced (made anew by the next reader), and writes on to the new one',
      () => {
        const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
        let reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const sink = new FileSink(fifo, { formatter: padded });
        const events = makeEvents(200);
        let delivered = 0;
        try {
          sink.emitSync(events);
        } catch (error) {
          delivered = (error as PartialDeliveryError).delivered;
        }
        fs.closeSync(reader);
        fs.unlinkSync(fifo);
        execFileSync('mkfifo', [fifo]);
        reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        let received = '';
        for (let round = 0; round < 100 && delivered < events.length; round++) {
          try {
            if (sink.emitSync(events.slice(delivered)) === true) delivered = events.length;
          } catch (error) {
            delivered += (error as PartialDeliveryError).delivered;
          }
          received += drainFifo(reader);
        }
        received += drainFifo(reader);
        fs.closeSync(reader);
        void sink.close();
        const read = numbersIn(received);
        expect(read[0]).toBeGreaterThan(0);
        expect(read).toEqual(range(read[0], events.length));
      },
    );

    // A decision, found by review: the event of a line cut before the reader left goes whole to the
    // fallback, and its line is still finished for the next reader. Dropping the held rest would
    // run the line's start into the next line (two events unreadable), and keeping the event from
    // the fallback would count it delivered before its line is whole (lost if no reader comes).
    fifoIt(
      'finishes a line cut before the reader left for the next reader although its event went whole to fallbackPath: at least once, never torn',
      () => {
        const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
        let reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const fallback = path.join(dir, 'fallback.log');
        const sink = new FileSink(fifo, { formatter: padded, fallbackPath: fallback });
        const events = makeEvents(40);
        let delivered = 0;
        const offer = (): void => {
          try {
            if (sink.emitSync(events.slice(delivered)) === true) delivered = events.length;
          } catch (error) {
            delivered += (error as PartialDeliveryError).delivered;
          }
        };
        // The pipe (64 KiB) takes about 13 of these lines whole and the start of one more.
        offer();
        const cut = delivered;
        expect(cut).toBeGreaterThan(0);
        expect(cut).toBeLessThan(events.length);
        fs.closeSync(reader);
        // EPIPE: the batch goes to the fallback, whole from the cut line's event on.
        offer();
        expect(delivered).toBe(events.length);
        expect(numbers(fallback)).toEqual(range(cut, events.length));
        reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        // What the pipe held is the new reader's; the next batch starts with the rest of the cut line.
        let received = drainFifo(reader);
        expect(sink.emitSync([makeEvent({ properties: { N: 100 } })])).toBe(true);
        received += drainFifo(reader);
        fs.closeSync(reader);
        void sink.close();
        const read = numbersIn(received);
        expect(read).toEqual([...range(0, cut + 1), 100]);
      },
    );

    // Found by review: the held rest of a cut line was written, completing its event's line for
    // the reader, and then the batch failed (here: the FIFO made anew at the path has no reader
    // yet, ENXIO) as if nothing of it had gone: that event counted undelivered though its reader
    // got it whole, and was written again, whole, to the next reader.
    fifoIt('counts the event whose cut line it completed when the batch then fails, and never writes it again', () => {
      const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: padded });
      const events = makeEvents(40);
      let delivered = 0;
      const offer = (): void => {
        try {
          if (sink.emitSync(events.slice(delivered)) === true) delivered = events.length;
        } catch (error) {
          delivered += (error as PartialDeliveryError).delivered;
        }
      };
      try {
        // The pipe (64 KiB) takes about 13 of these lines whole and the start of one more.
        offer();
        const cut = delivered;
        expect(cut).toBeGreaterThan(0);
        let received = drainFifo(reader);
        // The shipper makes its FIFO anew; the first reader is still there to take the rest.
        fs.rmSync(fifo);
        execFileSync('mkfifo', [fifo]);
        offer();
        received += drainFifo(reader);
        expect(numbersIn(received)).toEqual(range(0, cut + 1));
        expect(delivered).toBe(cut + 1);
        const next = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        offer();
        const later = drainFifo(next);
        fs.closeSync(next);
        // The next reader's first line (the pipe is full again: its last one is cut).
        expect(numbersIn(later.slice(0, later.indexOf('\n') + 1))).toEqual([cut + 1]);
      } finally {
        void sink.close();
        fs.closeSync(reader);
      }
    });

    // Found by review: at exit, the batch an async emit held was written on from where it stood,
    // and a write that failed part-way (here: the held rest of a cut line completed its event for
    // the first reader, then the FIFO made anew at the path had no reader yet, ENXIO) left its
    // count where it was: the sink told the pipeline that event was not written, and a later exit
    // flush that found a reader on the new FIFO wrote it again.
    fifoIt(
      'counts the held batch written part-way at exit, and never writes its events again at a later exit flush',
      async () => {
        const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
        const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const sink = new FileSink(fifo, { formatter: padded, syncFlushTimeoutMs: 50 });
        const events = makeEvents(40);
        const running = process as { _exiting?: boolean };
        let next: number | undefined;
        try {
          // The pipe (64 KiB) takes about 13 lines whole and the start of one more: emit holds the rest.
          const outcome = Promise.resolve(sink.emit(events)).catch(() => undefined);
          let received = drainFifo(reader);
          const cut = numbersIn(received.slice(0, received.lastIndexOf('\n') + 1)).length;
          expect(cut).toBeGreaterThan(0);
          // The shipper makes its FIFO anew; the first reader is still there to take the rest.
          fs.rmSync(fifo);
          execFileSync('mkfifo', [fifo]);
          running._exiting = true;
          sink.flushSync();
          received += drainFifo(reader);
          expect(numbersIn(received)).toEqual(range(0, cut + 1));
          // The pipeline asks at exit which of the batch it holds the sink wrote itself.
          expect(sink[WRITTEN_ASIDE](events)).toBe(cut + 1);
          // A later exit flush (an app's own exit listener) finds a reader on the new FIFO.
          next = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
          sink.flushSync();
          const later = drainFifo(next);
          expect(numbersIn(later.slice(0, later.indexOf('\n') + 1))).toEqual([cut + 1]);
          running._exiting = false;
          void sink.close();
          await outcome;
        } finally {
          running._exiting = false;
          void sink.close();
          fs.closeSync(reader);
          if (next !== undefined) fs.closeSync(next);
        }
      },
    );

    // The same at a real exit: installProcessHooks' flushSync, then the app's own (see the fixture).
    fifoIt('counts the held batch written part-way at a real exit, each event read once and counted as read', () => {
      const fixture = path.join(__dirname, '..', 'fixtures', 'exit-fifo-renewed.ts');
      const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, fifo], { encoding: 'utf8', timeout: 30_000 });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      const { got, metrics } = JSON.parse(child.stdout) as { got: number[][]; metrics: { delivered: number } };
      const read = got.flat();
      // Before: the event whose cut line the exit completed went to the new FIFO's reader again.
      expect(new Set(read).size).toBe(read.length);
      expect(read).toEqual(range(0, read.length));
      expect(got[0].length + got[1].length).toBeGreaterThan(0);
      expect(metrics.delivered).toBe(read.length);
    });

    fifoIt('never runs the lines of two sinks writing one FIFO into each other when the reader is slow', () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const tagged = (tag: string): FileSink =>
        new FileSink(fifo, { formatter: { format: (e) => JSON.stringify({ T: tag, N: e.properties.N, pad: 'x'.repeat(100) }) } });
      const sinks = { a: tagged('a'), b: tagged('b') };
      const delivered = { a: 0, b: 0 };
      const events = makeEvents(5000);
      const buffer = Buffer.alloc(3000);
      let received = '';
      for (let round = 0; round < 2000 && (delivered.a < 5000 || delivered.b < 5000); round++) {
        // Each takes its turn first every other round, as two processes would.
        for (const tag of round % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
          if (delivered[tag] === 5000) continue;
          try {
            if (sinks[tag].emitSync(events.slice(delivered[tag], delivered[tag] + 512)) === true)
              delivered[tag] = Math.min(5000, delivered[tag] + 512);
          } catch (error) {
            delivered[tag] += (error as PartialDeliveryError).delivered;
          }
        }
        // A reader slower than the writers: 3000 bytes a round.
        try {
          const n = fs.readSync(reader, buffer, 0, buffer.length, null);
          received += buffer.toString('utf8', 0, n);
        } catch {
          // EAGAIN: nothing to read this round.
        }
      }
      received += drainFifo(reader);
      fs.closeSync(reader);
      void sinks.a.close();
      void sinks.b.close();
      expect(delivered).toEqual({ a: 5000, b: 5000 });
      // Before: a line one sink's write cut short was followed by the other sink's lines (41 torn here).
      const read = received
        .slice(0, -1)
        .split('\n')
        .map((line) => JSON.parse(line) as { T: 'a' | 'b'; N: number });
      expect(read.filter((line) => line.T === 'a').map((line) => line.N)).toEqual(range(0, 5000));
      expect(read.filter((line) => line.T === 'b').map((line) => line.N)).toEqual(range(0, 5000));
    });

    fifoIt('rejects an async emit still waiting for a stalled reader when closed', async () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: numbered, syncFlushTimeoutMs: 20 });
      fillPipe(sink);
      const waiting = sink.emit(makeEvents(1));
      void sink.close();
      await expect(waiting).rejects.toThrow(/closed/);
      fs.closeSync(reader);
    });

    fifoIt('refuses a batch while an async emit still holds an earlier one, so nothing overtakes it', async () => {
      jest.useFakeTimers();
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        const sink = new FileSink(fifo, { formatter: numbered });
        fillPipe(sink);
        let settled = false;
        const waiting = Promise.resolve(sink.emit(makeEvents(10))).then(() => (settled = true));
        // Room again, but the held batch comes first: a batch offered now (flushSync on a signal) waits.
        drainFifo(reader);
        expect(sink.emitSync(makeEvents(1))).toBe(false);
        // The sink's polling wait runs on (fake) timers: each step gives it one more try.
        for (let step = 0; step < 100 && !settled; step++) {
          await jest.advanceTimersByTimeAsync(50);
          drainFifo(reader);
        }
        await waiting;
        expect(sink.emitSync(makeEvents(1))).toBe(true);
        void sink.close();
      } finally {
        fs.closeSync(reader);
        jest.useRealTimers();
      }
    });

    // Found by review: a sink shared by two loggers, or the fallback of two sinks, is sent a batch
    // while the other's emit still waits for a stalled reader. The second batch was written at
    // once, right after the rest of the first's cut line, so the first's remaining lines came after
    // it and the cut event's line was written a second time.
    fifoIt('writes a batch sent while an async emit still holds another after it, nothing repeated or interleaved', async () => {
      jest.useFakeTimers();
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        // Lines longer than PIPE_BUF (4096 bytes), which a full pipe cuts in the middle.
        const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
        const sink = new FileSink(fifo, { formatter: padded });
        const first = makeEvents(30);
        const second = range(100, 130).map((N) => makeEvent({ properties: { N } }));
        let settled = 0;
        const a = Promise.resolve(sink.emit(first)).then((result) => {
          settled++;
          return result;
        });
        // The reader takes what the pipe holds: room for the second batch, were it written now.
        let received = drainFifo(reader);
        const b = Promise.resolve(sink.emit(second)).then((result) => {
          settled++;
          return result;
        });
        for (let step = 0; step < 200 && settled < 2; step++) {
          received += drainFifo(reader);
          await jest.advanceTimersByTimeAsync(50);
        }
        received += drainFifo(reader);
        await expect(a).resolves.toBeUndefined();
        await expect(b).resolves.toBeUndefined();
        expect(received.endsWith('\n')).toBe(true);
        expect(numbersIn(received)).toEqual([...range(0, 30), ...range(100, 130)]);
        void sink.close();
      } finally {
        fs.closeSync(reader);
        jest.useRealTimers();
      }
    });

    fifoIt('waits in close for its fallbackPath file to take the rest of a line a stalled reader cut', async () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      // The primary cannot be opened (a folder at its path): every batch goes to the fallback, a FIFO.
      const primary = path.join(dir, 'taken');
      fs.mkdirSync(primary);
      const sink = new FileSink(primary, { formatter: { format: () => 'z'.repeat(5000) }, fallbackPath: fifo });
      fillPipe(sink);
      const closing = sink.close();
      drainFifo(reader);
      // Before: close() returned at once, its fallback still holding the rest of the cut line.
      await closing;
      const rest = drainFifo(reader);
      fs.closeSync(reader);
      expect(rest.length).toBeGreaterThan(0);
      expect(rest.endsWith('\n')).toBe(true);
    });

    fifoIt('honours the close timeout with a stalled reader, without blocking the event loop', async () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      // A long syncFlushTimeoutMs: a close that waited for it, or blocked the loop for it, would show.
      const sink = new FileSink(fifo, { formatter: { format: () => 'z'.repeat(5000) }, syncFlushTimeoutMs: 15_000 });
      const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'fifo' }).createLogger();
      // More than the pipe's buffer, and nobody reads.
      for (let i = 0; i < 200; i++) log.information('Event {N}', i);
      let last = Date.now();
      let longestPause = 0;
      const ticker = setInterval(() => {
        longestPause = Math.max(longestPause, Date.now() - last);
        last = Date.now();
      }, 5);
      const started = Date.now();
      const report = await log.close({ strategy: 'graceful', timeoutMs: 200 });
      const elapsed = Date.now() - started;
      const whole = drainFifo(reader).split('\n').length - 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      clearInterval(ticker);
      fs.closeSync(reader);
      expect(report.timedOut).toBe(true);
      // The report counts as delivered exactly the events whose lines the reader got whole.
      expect(report.sinks.fifo.delivered).toBe(whole);
      expect(report.sinks.fifo.delivered).toBeGreaterThan(0);
      expect(report.sinks.fifo.undelivered).toBe(200 - whole);
      // Bounds far from the 200 ms asked for (7 s of room), yet half of syncFlushTimeoutMs: a loaded
      // machine passes, a close that waits (or busy-waits) for syncFlushTimeoutMs does not.
      expect(elapsed).toBeLessThan(7_500);
      expect(longestPause).toBeLessThan(7_500);
    });

    fifoIt('counts as delivered only the events a stalled reader took whole, at once and in the close report', async () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: { format: (e) => `${String(e.properties.N)} ${'z'.repeat(1000)}` } });
      const log = new LoggerConfiguration().writeTo
        .sink(sink, { name: 'fifo', batch: { size: 100, maxDelayMs: 60_000 } })
        .createLogger();
      // Three full batches of ~100 KB, written inline: the 64 KiB pipe takes part of the first.
      for (let i = 0; i < 300; i++) log.information('Event {N}', i);
      const inPipe = (text: string): number => text.split('\n').length - 1;
      let received = drainFifo(reader);
      const early = log.metrics().sinks.fifo;
      expect(early.delivered).toBeGreaterThan(0);
      expect(early.delivered).toBeLessThan(100);
      expect(early.delivered).toBe(inPipe(received));
      expect(early.received).toBe(early.delivered + early.pending);

      // The reader stalls again; a graceful close gives up after 200 ms.
      const report = await log.close({ strategy: 'graceful', timeoutMs: 200 });
      received += drainFifo(reader);
      fs.closeSync(reader);
      const whole = inPipe(received);
      expect(report.sinks.fifo.delivered).toBe(whole);
      expect(report.sinks.fifo.delivered + report.sinks.fifo.undelivered + report.sinks.fifo.failed).toBe(300);
      // Every line the reader got is whole and in order, none repeated.
      expect(
        received
          .split('\n')
          .slice(0, whole)
          .map((line) => Number(line.split(' ')[0])),
      ).toEqual(range(0, whole));
    });

    // A decision (docs/node.md): close's last try settles the batch's count, before its wait for
    // the rest of the cut line; that event counts as not delivered though the reader gets it whole.
    fifoIt(
      'counts undelivered the event whose cut line close completes after the batch settled, the reader getting it whole',
      async () => {
        const padded: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N, pad: 'x'.repeat(5000) }) };
        const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const sink = new FileSink(fifo, { formatter: padded });
        try {
          const outcome = Promise.resolve(sink.emit(makeEvents(40))).then(
            () => undefined,
            (error: unknown) => error,
          );
          // The pipe is full, a line cut: close's last try writes nothing, then it waits for the rest.
          const closing = sink.close();
          const error = await outcome;
          expect(error).toBeInstanceOf(PartialDeliveryError);
          let received = drainFifo(reader);
          await closing;
          received += drainFifo(reader);
          const cut = (error as PartialDeliveryError).delivered;
          expect(cut).toBeGreaterThan(0);
          expect(numbersIn(received)).toEqual(range(0, cut + 1));
        } finally {
          void sink.close();
          fs.closeSync(reader);
        }
      },
    );

    fifoIt('gives up a synchronous flush after a bounded wait when the reader stays stalled', () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: { format: () => 'z'.repeat(5000) }, syncFlushTimeoutMs: 50 });
      // One batch larger than the pipe's buffer: the pipe takes part of it, the sink keeps the rest of the line it cut.
      expect(() => sink.emitSync(makeEvents(200))).toThrow(PartialDeliveryError);
      sink.flushSync();
      expect(diagnostics.some((d) => d.template.includes('did not take'))).toBe(true);
      expect(drainFifo(reader).length).toBeGreaterThan(0);
      void sink.close();
      fs.closeSync(reader);
    });

    // Found by review: flush() waited for the reader without end, so each periodic log.flush()
    // (which gives up at its own timeout) left one more wait behind, polling the pipe 20 times a second.
    fifoIt('gives up flush() after syncFlushTimeoutMs when the reader stays stalled, leaving no wait behind', async () => {
      jest.useFakeTimers();
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: { format: () => 'z'.repeat(5000) }, syncFlushTimeoutMs: 300 });
      try {
        expect(() => sink.emitSync(makeEvents(200))).toThrow(PartialDeliveryError);
        let settled = 0;
        for (let i = 0; i < 3; i++)
          sink.flush().then(
            () => settled++,
            () => undefined,
          );
        await jest.advanceTimersByTimeAsync(400);
        expect(settled).toBe(3);
        expect(jest.getTimerCount()).toBe(0);
        expect(diagnostics.some((d) => d.template.includes('did not take'))).toBe(true);
        // The rest of the cut line is still held, and goes first once the reader reads again.
        drainFifo(reader);
        const last = sink.flush();
        await jest.advanceTimersByTimeAsync(10);
        await last;
        expect(drainFifo(reader).endsWith('\n')).toBe(true);
      } finally {
        jest.useRealTimers();
        void sink.close();
        fs.closeSync(reader);
      }
    });

    // Found by review: the waits for a stalled reader ended at a wall-clock time, so a clock stepped
    // back during one (NTP, or a device that booted with a date ahead) made it last that much longer:
    // an hour's step kept flush() and close() polling the pipe for an hour, and the exit flush, which
    // blocks the thread, held the process that long.
    fifoIt('bounds flush() and close() by elapsed time when the wall clock steps back during their wait', async () => {
      jest.useFakeTimers();
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: { format: () => 'z'.repeat(5000) }, syncFlushTimeoutMs: 300 });
      try {
        expect(() => sink.emitSync(makeEvents(200))).toThrow(PartialDeliveryError);
        let flushed = false;
        void sink.flush().then(() => (flushed = true));
        await jest.advanceTimersByTimeAsync(100);
        // The wall clock steps back an hour; elapsed time (performance.now) goes on.
        jest.setSystemTime(Date.now() - 3_600_000);
        await jest.advanceTimersByTimeAsync(300);
        expect(flushed).toBe(true);
        expect(diagnostics.some((d) => d.template.includes('did not take'))).toBe(true);
        let closed = false;
        void Promise.resolve(sink.close()).then(() => (closed = true));
        await jest.advanceTimersByTimeAsync(100);
        jest.setSystemTime(Date.now() - 3_600_000);
        await jest.advanceTimersByTimeAsync(300);
        expect(closed).toBe(true);
        expect(jest.getTimerCount()).toBe(0);
      } finally {
        jest.useRealTimers();
        void sink.close();
        fs.closeSync(reader);
      }
    });

    // At exit too: Node sets process._exiting before the `exit` listeners, where the hooks' flushSync runs.
    (hasMkfifo ? it.each : it.skip.each)([
      ['while the process runs', false],
      ['while the process exits', true],
    ])('bounds a synchronous flush by elapsed time when the wall clock steps back during its wait, %s', (_, exiting) => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sink = new FileSink(fifo, { formatter: { format: () => 'z'.repeat(5000) }, syncFlushTimeoutMs: 50 });
      const wallNow = Date.now.bind(Date);
      const stepped = jest.spyOn(Date, 'now');
      const running = process as { _exiting?: boolean };
      try {
        expect(() => sink.emitSync(makeEvents(200))).toThrow(PartialDeliveryError);
        // 20 ms into the wait, the wall clock steps back 3 s (the synchronous wait sleeps for real).
        const start = wallNow();
        stepped.mockImplementation(() => wallNow() - (wallNow() - start >= 20 ? 3_000 : 0));
        const started = performance.now();
        running._exiting = exiting;
        sink.flushSync();
        running._exiting = false;
        // About 50 ms; 3 s more before, as long as the step.
        expect(performance.now() - started).toBeLessThan(1_500);
        expect(diagnostics.some((d) => d.template.includes('did not take'))).toBe(true);
      } finally {
        running._exiting = false;
        stepped.mockRestore();
        void sink.close();
        fs.closeSync(reader);
      }
    });

    // process.exit() right after a burst (spec/node/fixtures/exit-after-burst.ts): the exit hook's flushSync waits for the reader.
    fifoIt(
      'writes the whole burst in order at exit once the reader reads, counting as delivered nothing the reader did not get',
      async () => {
        const outcome = await runExitBurst({ target: fifo, count: 100_000, syncFlushTimeoutMs: 20_000, reader: 'after-logged' });
        expect(outcome.code).toBe(0);
        expect(outcome.numbers).toEqual(range(0, 100_000));
        const { received, delivered, dropped, failed, pending } = outcome.metrics;
        expect({ received, dropped, failed }).toEqual({ received: 100_000, dropped: 0, failed: 0 });
        // The batch in flight at exit (the one the async emit holds), written by the exit flush,
        // counts as delivered too: every line the reader got, and nothing left pending.
        expect({ delivered, pending }).toEqual({ delivered: 100_000, pending: 0 });
        expect(outcome.report).toBeUndefined();
      },
      60_000,
    );

    fifoIt(
      'completes a line cut at exit before writing on, when the app flushes again (no line torn or run together)',
      async () => {
        const outcome = await runExitBurst({
          target: fifo,
          count: 100_000,
          syncFlushTimeoutMs: 0,
          reader: 'after-logged',
          flushTwice: true,
        });
        expect(outcome.code).toBe(0);
        // Exactly the lines the reader got: the batch in flight and a line cut by one flush and
        // finished by the next count once out, and nothing the reader did not get.
        const delivered = expectDeliveredAsRead(outcome);
        expect(delivered + outcome.metrics.pending).toBe(100_000);
      },
      60_000,
    );

    fifoIt(
      'counts as delivered the lines of the batch in flight that got out before a reader stalled at exit, and no more',
      async () => {
        // The reader takes 40 000 bytes once the burst is logged, then nothing until the child has
        // exited: the exit flush writes part of the batch the async emit holds, cutting a line, and
        // gives up after 300 ms. What the FIFO took is read after the exit.
        const outcome = await runExitBurst({
          target: fifo,
          count: 100_000,
          syncFlushTimeoutMs: 300,
          reader: 'after-logged',
          readLimitBytes: 40_000,
        });
        expect(outcome.code).toBe(0);
        // Only whole lines: the one cut where the reader stalled is not delivered.
        expectRestUndelivered(outcome, 100_000);
      },
      60_000,
    );

    fifoIt(
      'exits within syncFlushTimeoutMs when the reader never reads, counting exactly the lines the pipe took',
      async () => {
        const outcome = await runExitBurst({ target: fifo, count: 100_000, syncFlushTimeoutMs: 500, reader: 'after-exit' });
        expect(outcome.code).toBe(0);
        expect(outcome.exitMs).toBeLessThan(5_000);
        const { delivered, pending } = outcome.metrics;
        expect(outcome.numbers).toEqual(range(0, outcome.numbers.length));
        expect(outcome.numbers.length).toBeGreaterThan(0);
        expect(delivered).toBe(outcome.numbers.length);
        expect(pending).toBe(100_000 - delivered);
        expect(outcome.report?.sinks.out).toMatchObject({ delivered, undelivered: 100_000 - delivered });
      },
      60_000,
    );
  });
});

describe('FileSink default formatter', () => {
  it('queues up to 1 000 000 events when its writes would block (a FIFO with a slow reader), so its 16 MiB byte bound binds', () => {
    // The burst itself is demos/bench scenario 3 (`npm run bench`): 100 000 events into a FIFO read at 10 000 lines/s, none lost.
    expect(new FileSink(path.join(os.tmpdir(), 'rxlog-queue-defaults.log')).queueDefaults).toEqual({ limit: 1_000_000 });
  });

  it('writes CLEF', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-'));
    try {
      const sink = new FileSink(path.join(dir, 'app.log'));
      const event: LogEvent = makeEvent({ text: 'Hello {Name}', properties: { Name: 'Ada' }, level: 'warning' });
      sink.emitSync([event]);
      void sink.close();
      const line = JSON.parse(fs.readFileSync(path.join(dir, 'app.log'), 'utf8')) as Record<string, unknown>;
      expect(line).toMatchObject({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 'Hello {Name}', '@l': 'Warning', Name: 'Ada' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('FileSink in a logger', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-pipeline-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('sends batches it cannot write (an unwritable folder) to the fallback sink, counted as fallback', async () => {
    fs.writeFileSync(path.join(root, 'not-a-folder'), 'x');
    const primary = new FileSink(path.join(root, 'not-a-folder', 'app.log'));
    const fallbackPath = path.join(root, 'fallback.log');
    const log = new LoggerConfiguration().writeTo
      .sink(primary, { name: 'file', batch: { size: 2, maxDelayMs: 10 }, retry: false, fallback: new FileSink(fallbackPath) })
      .createLogger();
    expect(() => {
      for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    }).not.toThrow();
    const report = await log.close({ strategy: 'flush' });
    const lines = fs
      .readFileSync(fallbackPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { N: number });
    expect(lines.map((line) => line.N)).toEqual([0, 1, 2, 3, 4]);
    expect(report.sinks.file).toEqual({ delivered: 5, dropped: 0, failed: 0, undelivered: 0 });
    const metrics = log.metrics().sinks.file;
    expect(metrics.fallback).toBe(5);
    expect(metrics.lastError).toMatch(/ENOTDIR/);
  });

  // Two loggers of one app on one rolling set (docs/node.md): each batch reads the size on disk, so
  // the other's writes count; what two processes may do is in 'FileSink in child processes'.
  it('keeps every file of a set two loggers roll by size within its limit, each event once, each logger in order', async () => {
    const file = path.join(root, 'app.log');
    const limit = 2_000;
    const make = (writer: string) =>
      new LoggerConfiguration().writeTo
        .sink(
          new FileSink(file, {
            fileSizeLimitBytes: limit,
            rollOnFileSizeLimit: true,
            retainedFileCountLimit: null,
            formatter: { format: (e) => JSON.stringify({ W: writer, N: e.properties.N }) },
          }),
          { name: 'file', batch: { size: 7, maxDelayMs: 1 } },
        )
        .createLogger();
    const a = make('a');
    const b = make('b');
    for (let n = 0; n < 1_500; n++) {
      a.information('{N}', n);
      b.information('{N}', n);
      // Batches of both on the async path too, interleaved.
      if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const reports = [await a.close(), await b.close()];
    for (const report of reports) expect(report.sinks.file).toEqual({ delivered: 1_500, dropped: 0, failed: 0, undelivered: 0 });
    const seen: Record<string, number[]> = { a: [], b: [] };
    const names = fs.readdirSync(root).sort();
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      expect(fs.statSync(path.join(root, name)).size).toBeLessThanOrEqual(limit);
      for (const line of lines(path.join(root, name))) {
        const event = JSON.parse(line) as { W: string; N: number };
        seen[event.W].push(event.N);
      }
    }
    expect(seen.a).toEqual(range(0, 1_500));
    expect(seen.b).toEqual(range(0, 1_500));
  });

  // Two loggers (or cluster workers) on one set with retention: the busy one rolls on and its
  // retention deletes what the idle one had open. The idle one goes on at the newest file of the
  // set, not at its old name, which it re-created and the next roll deleted, its newest lines with it.
  it('goes on at the newest file of a set another logger rolled on, so retention keeps what it writes', () => {
    const file = path.join(root, 'app.log');
    const make = (writer: string) =>
      new FileSink(file, {
        fileSizeLimitBytes: 40,
        rollOnFileSizeLimit: true,
        retainedFileCountLimit: 3,
        formatter: { format: (e) => `${writer}${String(e.properties.N)}` },
      });
    const busy = make('busy');
    const idle = make('idle');
    const numbered = (from: number, to: number): LogEvent[][] => range(from, to).map((N) => [makeEvent({ properties: { N } })]);
    const files = (): Record<string, string[]> =>
      Object.fromEntries(
        fs
          .readdirSync(root)
          .sort()
          .map((name) => [name, lines(path.join(root, name))]),
      );
    idle.emitSync(makeEvents(1));
    // Five lines a file: on to app_007.log, its retention deleting app.log, the idle sink's file.
    for (const batch of numbered(0, 40)) busy.emitSync(batch);
    idle.emitSync([makeEvent({ properties: { N: 1 } })]);
    expect(files()['app_007.log']).toEqual(['busy36', 'busy37', 'busy38', 'busy39', 'idle1']);
    expect(files()['app.log']).toBeUndefined();
    // The idle sink, still at app_007.log (kept), is behind: its next line goes to the newest file.
    for (const batch of numbered(40, 50)) busy.emitSync(batch);
    idle.emitSync([makeEvent({ properties: { N: 2 } })]);
    busy.emitSync([makeEvent({ properties: { N: 50 } }), makeEvent({ properties: { N: 51 } })]);
    void busy.close();
    void idle.close();
    expect(files()).toEqual({
      'app_008.log': ['busy40', 'busy41', 'busy42', 'busy43', 'busy44'],
      'app_009.log': ['busy45', 'busy46', 'busy47', 'busy48', 'busy49'],
      'app_010.log': ['idle2', 'busy50', 'busy51'],
    });
  });

  // Two processes on one set: the other's retention may delete this sink's file after the batch's
  // stat found it in place and before its write, which then went to a file no path reaches, its
  // events counted delivered (two child processes rolling at 1 500 bytes, keeping 1 file: about
  // 50-150 of some 3 400 batch writes each).
  it.each([
    ['one line', range(1, 2), { 'app_001.log': range(5, 11), 'app_002.log': [11] }],
    // Past the limit of its file: written in parts, the first one to the deleted file, the rest
    // rolling on to app_003.log, whose retention deletes app_001.log.
    ['lines split at the size limit', range(1, 9), { 'app_002.log': [11], 'app_003.log': [] }],
  ])(
    "writes a batch again to the newest file when another writer's retention deletes its file between the stat and the write: %s",
    (_, idleLines, busyLines) => {
      const file = path.join(root, 'app.log');
      const make = (writer: string) =>
        new FileSink(file, {
          fileSizeLimitBytes: 40,
          rollOnFileSizeLimit: true,
          retainedFileCountLimit: 2,
          formatter: { format: (e) => `${writer}${String(e.properties.N)}` },
        });
      const busy = make('busy');
      const idle = make('idle');
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const writeSync = realFs.writeSync.bind(realFs) as (...args: unknown[]) => number;
      let raced = false;
      const spy = jest.spyOn(realFs, 'writeSync').mockImplementation((...args: unknown[]) => {
        if (!raced && typeof args[1] === 'string' && args[1].startsWith('idle1')) {
          raced = true;
          // Six lines a file: on to app_002.log, its retention deleting app.log, the idle sink's file.
          for (const N of range(0, 12)) busy.emitSync([makeEvent({ properties: { N } })]);
        }
        return writeSync(...args);
      });
      try {
        idle.emitSync([makeEvent({ properties: { N: 0 } })]);
        expect(idle.emitSync(idleLines.map((N) => makeEvent({ properties: { N } })))).toBe(true);
      } finally {
        spy.mockRestore();
      }
      expect(raced).toBe(true);
      void busy.close();
      void idle.close();
      const names = fs.readdirSync(root).sort();
      const by = (writer: string): Record<string, number[]> =>
        Object.fromEntries(
          names.map((name) => [
            name,
            lines(path.join(root, name))
              .filter((line) => line.startsWith(writer))
              .map((line) => Number(line.slice(writer.length))),
          ]),
        );
      expect(by('busy')).toEqual(busyLines);
      expect(Object.values(by('idle')).flat()).toEqual(idleLines);
    },
  );

  // `node app.js > app.log`, then `rm app.log`: the process's stdout is the deleted file, which it
  // writes on as pino writes fd 1; opened anew through /proc/self/fd/N it is that file again, so
  // taking it for a file deleted under the write failed every batch.
  (fs.existsSync('/proc/self/fd') ? it : it.skip)(
    'writes on to a descriptor of the process whose file was deleted (stdout on a removed file), as a stream',
    () => {
      const file = path.join(root, 'app.log');
      const fd = fs.openSync(file, 'w');
      try {
        fs.unlinkSync(file);
        const sink = new FileSink(`/proc/self/fd/${fd}`, { formatter: { format: (e) => String(e.properties.N) } });
        expect(sink.emitSync([makeEvent({ properties: { N: 0 } })])).toBe(true);
        expect(sink.emitSync([makeEvent({ properties: { N: 1 } })])).toBe(true);
        void sink.close();
        expect(fs.readFileSync(`/proc/self/fd/${fd}`, 'utf8')).toBe('0\n1\n');
      } finally {
        fs.closeSync(fd);
      }
    },
  );

  it.each([
    ['once: the batch is in the file made anew at the path', 1, true, ['0']],
    ['at every try: the batch fails after three, to be retried, not counted delivered', Infinity, false, []],
  ])('writes a batch again when its file is deleted between the stat and the write, %s', (_, deletions, written, expected) => {
    const file = path.join(root, 'app.log');
    const sink = new FileSink(file, { formatter: { format: (e) => String(e.properties.N) } });
    sink.emitSync([makeEvent({ properties: { N: -1 } })]);
    const realFs = jest.requireActual<typeof fs>('node:fs');
    const writeSync = realFs.writeSync.bind(realFs) as (...args: unknown[]) => number;
    let deleted = 0;
    const spy = jest.spyOn(realFs, 'writeSync').mockImplementation((...args: unknown[]) => {
      if (deleted < deletions && realFs.existsSync(file)) {
        deleted++;
        realFs.unlinkSync(file);
      }
      return writeSync(...args);
    });
    try {
      expect(sink.emitSync([makeEvent({ properties: { N: 0 } })])).toBe(written);
    } finally {
      spy.mockRestore();
    }
    expect(deleted).toBe(written ? 1 : 3);
    void sink.close();
    expect(fs.existsSync(file) ? lines(file) : []).toEqual(expected);
  });

  // Found by reviews: the events the formatter made the sink skip counted delivered, and on the
  // fallback file they were the fallback's skips, not the primary's.
  it.each([
    ['its file', false],
    ['the fallbackPath file', true],
  ])('counts failed the events its formatter throws on, inline (emitSync) and at close, writing to %s', async (_, toFallback) => {
    fs.writeFileSync(path.join(root, 'not-a-folder'), 'x');
    const file = path.join(root, toFallback ? path.join('not-a-folder', 'app.log') : 'app.log');
    const fallbackPath = path.join(root, 'fallback.log');
    const log = new LoggerConfiguration().writeTo
      .sink(new FileSink(file, { formatter: throwsOnTens, fallbackPath }), { name: 'file' })
      .createLogger();
    // 512 go inline as one batch (52 skipped), the last 88 at close on the async path (8 skipped).
    for (let n = 0; n < 600; n++) log.information('Event {N}', n);
    expect(log.metrics().sinks.file).toMatchObject({ delivered: 460, failed: 52 });
    const report = await log.close();
    expect(report.sinks.file).toEqual({ delivered: 540, dropped: 0, failed: 60, undelivered: 0 });
    expect(
      fs
        .readFileSync(toFallback ? fallbackPath : file, 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(540);
  });

  // Found by review: a closed FileSink threw an ordinary error, so a logger still writing to it (a
  // sink handed to two loggers, closed by the first) retried every batch before failing it; a
  // closed StreamSink or ObservableSink fails it at once.
  it('fails at once, without retries, the batches that reach it after it was closed', async () => {
    const sink = new FileSink(path.join(root, 'app.log'));
    await sink.close();
    const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'file', batch: { size: 1, maxDelayMs: 10 } }).createLogger();
    log.information('After close');
    const report = await log.close({ strategy: 'flush' });
    expect(report.sinks.file).toEqual({ delivered: 0, dropped: 0, failed: 1, undelivered: 0 });
    expect(log.metrics().sinks.file.retried).toBe(0);
  });

  // A closed sink takes no batch again, whatever it holds: its error used to be `permanent: true`,
  // a bad batch, which the breaker counts as a success, so it never opened and each batch reached
  // the fallback only after a failed try. It is the sink's now (`permanent: 'sink'`).
  it('opens the circuit breaker once closed: later batches go to the fallback without a try, SelfLog says so once', async () => {
    const sink = new FileSink(path.join(root, 'app.log'));
    await sink.close();
    expectBreakerOpens(await runBrokenSink(sink), /FileSink: .*app\.log is closed/);
  });

  // A folder that is a file, a full disk, a read-only mount or a folder without permission may be
  // fixed without touching the logger (space freed, the mount remounted): such an I/O error is
  // retried, and counts toward opening the breaker, whose probes find the file writable again.
  it('retries an I/O error of its folder, and opens the circuit breaker after failureThreshold failed batches', async () => {
    fs.writeFileSync(path.join(root, 'not-a-folder'), 'x');
    const run = await runBrokenSink(new FileSink(path.join(root, 'not-a-folder', 'app.log')), 200);
    // Three batches of three tries each; the probe is one try.
    expect(run).toMatchObject({ calls: [9, 10], breaker: ['open', 'open'], retried: 6, fallback: 6, balanced: true });
    expect(run.told).toEqual([]);
  });

  it('loses nothing in a tight loop that never yields, holding at most one batch', async () => {
    const file = path.join(root, 'tight.log');
    const log = new LoggerConfiguration().writeTo.sink(new FileSink(file), { name: 'file' }).createLogger();
    let mostPending = 0;
    for (let n = 0; n < 100_000; n++) {
      log.information('Event {N}', n);
      if (n % 997 === 0) mostPending = Math.max(mostPending, log.metrics().sinks.file.pending);
    }
    expect(mostPending).toBeLessThanOrEqual(512);
    await log.close({ strategy: 'flush' });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(100_000);
    expect((JSON.parse(lines[99_999]) as { N: number }).N).toBe(99_999);
  });
});

describe('FileSink at a day boundary, with fake timers', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-day-'));
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 1, 23, 59, 59, 0) });
  });

  afterEach(() => {
    jest.useRealTimers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("rolls to the next day's file at UTC midnight, the folder deleted in between re-created, with the default clock and batch timer", async () => {
    const log = new LoggerConfiguration().writeTo
      .sink(new FileSink(path.join(dir, 'logs', 'app-.log'), { rollingInterval: 'day', formatter: numbered }), { name: 'file' })
      .createLogger();
    log.information('Event {N}', 0);
    log.information('Event {N}', 1);
    // The batch's age timer (100 ms) writes them, still on 1 December.
    jest.advanceTimersByTime(100);
    expect(fs.readdirSync(path.join(dir, 'logs'))).toEqual(['app-20261201.log']);
    fs.rmSync(path.join(dir, 'logs'), { recursive: true });
    jest.advanceTimersByTime(1_000);
    log.information('Event {N}', 2);
    jest.advanceTimersByTime(100);
    log.information('Event {N}', 3);
    const closing = log.close();
    await jest.runAllTimersAsync();
    const report = await closing;
    expect(report.sinks.file).toEqual({ delivered: 4, dropped: 0, failed: 0, undelivered: 0 });
    expect(fs.readdirSync(path.join(dir, 'logs'))).toEqual(['app-20261202.log']);
    expect(numbers(path.join(dir, 'logs', 'app-20261202.log'))).toEqual([2, 3]);
  });

  it('chooses the file when a batch is written: an event logged just before midnight whose batch is written after it is in the new day', async () => {
    jest.setSystemTime(Date.UTC(2026, 11, 1, 23, 59, 59, 950));
    const log = new LoggerConfiguration().writeTo
      .sink(new FileSink(path.join(dir, 'app-.log'), { rollingInterval: 'day', formatter: numbered }), { name: 'file' })
      .createLogger();
    log.information('Event {N}', 0);
    jest.advanceTimersByTime(100);
    const closing = log.close();
    await jest.runAllTimersAsync();
    await closing;
    expect(fs.readdirSync(dir)).toEqual(['app-20261202.log']);
  });
});

// Real processes: the permission case runs as the user `nobody` when the tests run as root, who
// ignores file permissions.
describe('FileSink across a daylight-saving change', () => {
  // In a child process, since a jest worker cannot change its own time zone. Oslo leaves summer
  // time on 25 October 2026: 03:00 CEST (01:00 UTC) becomes 02:00 CET, so the local hour 02
  // happens twice. Periods are UTC (docs/node.md), so no file name repeats and none is skipped.
  it('rolls by the UTC hour, one file per hour, while the local clock goes back an hour', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-dst-'));
    try {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'dst-rolling.ts'), dir],
        {
          cwd: path.resolve(__dirname, '../../..'),
          encoding: 'utf8',
          env: { ...process.env, TZ: 'Europe/Oslo' },
          timeout: 60_000,
        },
      );
      expect(child.stderr).toBe('');
      // The child's local clock: 02:30 CEST, 02:00 CET, 02:30 CET, 03:00 …
      expect(JSON.parse(child.stdout)).toEqual([2, 2, 2, 3, 3, 4]);
      const files = fs.readdirSync(dir).sort();
      expect(files).toEqual(['app-2026102500.log', 'app-2026102501.log', 'app-2026102502.log', 'app-2026102503.log']);
      const byFile = files.map((file) => lines(path.join(dir, file)).map((line) => (JSON.parse(line) as { N: number }).N));
      expect(byFile).toEqual([[0], [1, 2], [3, 4], [5]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);
});

describe('FileSink in child processes', () => {
  const root = path.resolve(__dirname, '../../..');
  const fixture = path.join(__dirname, '..', 'fixtures', 'file-logger.ts');
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-procs-'));
    fs.chmodSync(dir, 0o755);
  });

  afterEach(() => {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  interface Report {
    timedOut: boolean;
    sinks: { file: { delivered: number; dropped: number; failed: number; undelivered: number } };
  }

  it('counts every batch as failed, and neither throws nor crashes, when the folder denies writing from the start', () => {
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o555 });
    fs.chmodSync(locked, 0o555);
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, path.join(locked, 'app.log'), '100', 'A'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const report = JSON.parse(child.stdout) as Report;
    expect(report.sinks.file).toEqual({ delivered: 0, dropped: 0, failed: 100, undelivered: 0 });
    expect(report.timedOut).toBe(false);
    expect(fs.readdirSync(locked)).toEqual([]);
  }, 70_000);

  // Node's fs.mkdirSync(…, { recursive: true }) never returns for a missing folder in /proc
  // (mkdir there fails with ENOENT, and Node's loop retries the parent forever): the process
  // spun at full CPU inside the first batch and never logged, closed or exited.
  (fs.existsSync('/proc/self') ? it : it.skip)(
    'counts every batch as failed, and exits, when the folder cannot be created (a path under /proc)',
    () => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, '/proc/rxlog-no-such-folder/app.log', '100', 'A'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.signal).toBeNull();
      expect(child.status).toBe(0);
      const report = JSON.parse(child.stdout) as Report;
      expect(report.sinks.file).toEqual({ delivered: 0, dropped: 0, failed: 100, undelivered: 0 });
    },
    40_000,
  );

  // `node app.js > app.log` makes /dev/stdout a regular file, which the sink took for its own: the
  // size limit applied (the events past it failed for good), and rolling wrote /dev/stdout_001 (as
  // root; /dev/stdout20261122 by day) instead of stdout, counting those events delivered.
  (fs.existsSync('/proc/self/fd') ? it : it.skip)(
    'writes every event to /dev/stdout redirected to a file, past fileSizeLimitBytes: a stream the process does not own has no limit',
    () => {
      const out = path.join(dir, 'app.log');
      const stdout = fs.openSync(out, 'w');
      const options = JSON.stringify({ fileSizeLimitBytes: 1000 });
      let child: ReturnType<typeof spawnSync>;
      try {
        child = spawnSync(process.execPath, ['--import', 'tsx', fixture, '/dev/stdout', '100', 'A', options, 'stderr'], {
          cwd: root,
          encoding: 'utf8',
          timeout: 60_000,
          stdio: ['ignore', stdout, 'pipe'],
        });
      } finally {
        fs.closeSync(stdout);
      }
      expect(child.status).toBe(0);
      const report = JSON.parse(String(child.stderr)) as Report;
      expect(report.sinks.file).toEqual({ delivered: 100, dropped: 0, failed: 0, undelivered: 0 });
      expect(lines(out).map((line) => (JSON.parse(line) as { N: number }).N)).toEqual(range(0, 100));
      expect(fs.statSync(out).size).toBeGreaterThan(1000);
    },
    70_000,
  );

  it('keeps every line whole when two processes append to the same file at once', async () => {
    const file = path.join(dir, 'shared.log');
    const run = (label: string): Promise<Report> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', fixture, file, '20000', label], { cwd: root });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Report) : reject(new Error(`exit ${code}`))));
      });
    const reports = await Promise.all([run('A'), run('B')]);
    for (const report of reports) expect(report.sinks.file).toEqual({ delivered: 20_000, dropped: 0, failed: 0, undelivered: 0 });
    const byLabel: Record<string, number[]> = { A: [], B: [] };
    for (const line of lines(file)) {
      const event = JSON.parse(line) as { N: number; Label: string };
      byLabel[event.Label].push(event.N);
    }
    expect(byLabel.A).toEqual(range(0, 20_000));
    expect(byLabel.B).toEqual(range(0, 20_000));
  }, 90_000);
});
