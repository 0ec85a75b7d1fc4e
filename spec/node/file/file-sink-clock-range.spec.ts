import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { Formatter } from '../../../lib/core/sink';
import { FileSink } from '../../../lib/node/file/file-sink';
import { RollingFilePath } from '../../../lib/node/file/rolling-file-path';
import { type RollingInterval, rollingPeriod } from '../../../lib/node/file/rolling-interval';
import { makeEvents } from '../../helpers/events';

const numbered: Formatter = { format: (e) => JSON.stringify({ N: e.properties.N }) };

/** Epoch milliseconds of a UTC time in any year, 0-99 included (Date.UTC reads those as 1900-1999). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const time = new Date(0);
  time.setUTCFullYear(year, month, day);
  time.setUTCHours(hour, minute);
  return time.getTime();
}

describe('rollingPeriod in the years 0-99', () => {
  it.each<[RollingInterval, string]>([
    ['year', '0050'],
    ['month', '005006'],
    ['day', '00500603'],
    ['hour', '0050060312'],
    ['minute', '005006031230'],
  ])('gives a %s period that holds its own time, named for it', (interval, text) => {
    const at = utc(50, 5, 3, 12, 30);
    const period = rollingPeriod(interval, at);
    expect(period.text).toBe(text);
    expect(period.startMs).toBeLessThanOrEqual(at);
    expect(period.endMs).toBeGreaterThan(at);
  });

  it('ends the last period of year 99 where year 100 begins', () => {
    expect(rollingPeriod('year', utc(99, 11, 31, 23, 30)).endMs).toBe(utc(100, 0, 1));
    expect(rollingPeriod('day', utc(99, 11, 31, 23, 30)).endMs).toBe(utc(100, 0, 1));
  });
});

// Found by review: the year was padded to four digits and the text cut to the interval's width, so
// past 9999 the period named the wrong time: every day from the 10th to the 19th of January 10000
// was `10000011`, the year 10000 was `1000` (the year 1000's name), and no name was found again.
describe('rollingPeriod outside the years 0000-9999', () => {
  it.each<[RollingInterval, number, string]>([
    ['year', 10000, '+010000'],
    ['month', 10000, '+01000006'],
    ['day', 10000, '+0100000603'],
    ['hour', 10000, '+010000060312'],
    ['minute', 10000, '+01000006031230'],
    ['day', 275760, '+2757600603'],
    ['year', -1, '-000001'],
    ['day', -271821, '-2718210603'],
  ])(
    'gives a %s period in the year %p that holds its own time, its year in ISO 8601 expanded form %p',
    (interval, year, text) => {
      const at = utc(year, 5, 3, 12, 30);
      const period = rollingPeriod(interval, at);
      expect(period.text).toBe(text);
      expect(period.startMs).toBeLessThanOrEqual(at);
      expect(period.endMs).toBeGreaterThan(at);
    },
  );

  it('keeps the four digits of the years 0000-9999', () => {
    expect(rollingPeriod('day', utc(9999, 11, 31, 23)).text).toBe('99991231');
    expect(rollingPeriod('day', utc(0, 0, 1)).text).toBe('00000101');
    expect(rollingPeriod('day', utc(9999, 11, 31, 23)).endMs).toBe(utc(10000, 0, 1));
  });

  it('bounds the first and last periods a Date holds, past its range, as endless', () => {
    const last = 8.64e15;
    // 8.64e15 is 275760-09-13T00:00Z, the first millisecond of the last day.
    expect(rollingPeriod('day', last)).toEqual({ text: '+2757600913', startMs: last, endMs: Infinity });
    expect(rollingPeriod('year', -last)).toEqual({ text: '-271821', startMs: -Infinity, endMs: utc(-271820, 0, 1) });
  });

  it('is read back by the rolling set, each period its own', () => {
    const files = new RollingFilePath(path.join(os.tmpdir(), 'app-.log'), 'day');
    expect(files.parse('app-+0100000101.log')).toMatchObject({ period: '+0100000101', sequence: 0, endMs: utc(10000, 0, 2) });
    expect(files.parse('app--0000011231_002.log')).toMatchObject({ period: '-0000011231', sequence: 2, endMs: utc(0, 0, 1) });
    // Only as the sink spells it: a year of 0000-9999 in six digits, or one past it in four, is another file.
    for (const name of [
      'app-+0020261122.log',
      'app-100000101.log',
      'app-10000010.log',
      'app-+100000101.log',
      'app--0000000101.log',
    ])
      expect(files.parse(name)).toBeUndefined();
  });
});

/** A new temporary folder for each test of the calling describe, removed after it: `dir()` names it. */
function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

describe('FileSink with a clock in the years 0-99 (a bad real-time clock)', () => {
  const dir = useTempDir('rxlog-file-clock-range-');

  it('keeps its file open across batches, with fsync never per batch, as at any other time', () => {
    const realFs = jest.requireActual<typeof fs>('node:fs');
    const fsync = jest.spyOn(realFs, 'fsyncSync');
    const open = jest.spyOn(realFs, 'openSync');
    try {
      const sink = new FileSink(path.join(dir(), 'app-.log'), {
        rollingInterval: 'day',
        formatter: numbered,
        fsync: true,
        clock: () => utc(50, 5, 3, 12),
      });
      for (let batch = 0; batch < 3; batch++) expect(sink.emitSync(makeEvents(2))).toBe(true);
      expect(fsync).not.toHaveBeenCalled();
      expect(open).toHaveBeenCalledTimes(1);
      void sink.close();
      expect(fs.readdirSync(dir())).toEqual(['app-00500603.log']);
      expect(fs.readFileSync(path.join(dir(), 'app-00500603.log'), 'utf8').split('\n').length - 1).toBe(6);
    } finally {
      fsync.mockRestore();
      open.mockRestore();
    }
  });
});

describe('FileSink with a clock whose Dates are of another realm', () => {
  const dir = useTempDir('rxlog-file-clock-realm-');

  it('rolls by the time of a Date made in a vm context, as by one of its own realm', () => {
    const context = vm.createContext({});
    let now = Date.UTC(2026, 10, 22, 12);
    const clock = (): Date => vm.runInContext(`new Date(${now})`, context) as Date;
    expect(clock() instanceof Date).toBe(false);
    const sink = new FileSink(path.join(dir(), 'app-.log'), { rollingInterval: 'day', formatter: numbered, clock });
    expect(sink.emitSync(makeEvents(2))).toBe(true);
    now = Date.UTC(2026, 10, 23, 12);
    expect(sink.emitSync(makeEvents(3))).toBe(true);
    void sink.close();
    expect(fs.readdirSync(dir()).sort()).toEqual(['app-20261122.log', 'app-20261123.log']);
    expect(fs.readFileSync(path.join(dir(), 'app-20261123.log'), 'utf8').split('\n').length - 1).toBe(3);
  });
});

// A clock past 9999 (a test's fake date, a clock in microseconds taken for milliseconds) got names
// that were neither its periods nor found again: its days shared files, and retention never ran.
describe('FileSink with a clock past the year 9999', () => {
  const dir = useTempDir('rxlog-file-clock-far-');

  it('writes each day to its own file and keeps the newest days by retainedFileCountLimit', () => {
    let now = 0;
    const sink = new FileSink(path.join(dir(), 'app-.log'), {
      rollingInterval: 'day',
      retainedFileCountLimit: 3,
      formatter: numbered,
      clock: () => now,
    });
    for (let day = 1; day <= 14; day++) {
      now = utc(10000, 0, day, 12);
      expect(sink.emitSync(makeEvents(day))).toBe(true);
    }
    void sink.close();
    expect(fs.readdirSync(dir()).sort()).toEqual(['app-+0100000112.log', 'app-+0100000113.log', 'app-+0100000114.log']);
    expect(fs.readFileSync(path.join(dir(), 'app-+0100000114.log'), 'utf8').split('\n').length - 1).toBe(14);
  });

  it.each<[RollingInterval, number]>([
    ['year', -8.64e15],
    ['day', -8.64e15],
    ['year', 8.64e15],
    ['minute', 8.64e15],
  ])('keeps its %s file open across batches at %p, a time a Date holds at the end of its range', (rollingInterval, at) => {
    const open = jest.spyOn(jest.requireActual<typeof fs>('node:fs'), 'openSync');
    try {
      const sink = new FileSink(path.join(dir(), 'app-.log'), { rollingInterval, formatter: numbered, clock: () => at });
      for (let batch = 0; batch < 3; batch++) expect(sink.emitSync(makeEvents(2))).toBe(true);
      expect(open).toHaveBeenCalledTimes(1);
      void sink.close();
      expect(fs.readdirSync(dir())).toEqual([`app-${rollingPeriod(rollingInterval, at).text}.log`]);
    } finally {
      open.mockRestore();
    }
  });

  it('takes the files of years before 10000 for older ones: retention deletes them first', () => {
    for (const name of ['app-20261121.log', 'app-20261122.log', 'app-99991231.log'])
      fs.writeFileSync(path.join(dir(), name), 'old\n');
    let now = utc(10000, 0, 1, 12);
    const sink = new FileSink(path.join(dir(), 'app-.log'), {
      rollingInterval: 'day',
      retainedFileCountLimit: 3,
      formatter: numbered,
      clock: () => now,
    });
    expect(sink.emitSync(makeEvents(2))).toBe(true);
    now = utc(10000, 0, 2, 12);
    expect(sink.emitSync(makeEvents(3))).toBe(true);
    void sink.close();
    // Sorted as text, `+0100000101` came first, and the roll to the 2nd deleted it with 20261121.
    expect(fs.readdirSync(dir()).sort()).toEqual(['app-+0100000101.log', 'app-+0100000102.log', 'app-99991231.log']);
    expect(fs.readFileSync(path.join(dir(), 'app-+0100000101.log'), 'utf8')).toBe('{"N":0}\n{"N":1}\n');
  });

  it('goes on after a restart at the newest file of its period, rolled by size', () => {
    const options = {
      rollingInterval: 'day' as const,
      fileSizeLimitBytes: 32,
      rollOnFileSizeLimit: true,
      formatter: numbered,
      clock: () => utc(10000, 0, 1, 12),
    };
    const first = new FileSink(path.join(dir(), 'app-.log'), options);
    expect(first.emitSync(makeEvents(6))).toBe(true);
    void first.close();
    const second = new FileSink(path.join(dir(), 'app-.log'), options);
    expect(second.emitSync(makeEvents(1))).toBe(true);
    void second.close();
    // Six lines of 8 bytes: four in the first file, two in _001, then the restart's one in _001 too.
    expect(fs.readdirSync(dir()).sort()).toEqual(['app-+0100000101.log', 'app-+0100000101_001.log']);
    expect(fs.readFileSync(path.join(dir(), 'app-+0100000101_001.log'), 'utf8')).toBe('{"N":4}\n{"N":5}\n{"N":0}\n');
  });
});
