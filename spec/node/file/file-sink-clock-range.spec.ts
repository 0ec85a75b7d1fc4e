import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { Formatter } from '../../../lib/core/sink';
import { FileSink } from '../../../lib/node/file/file-sink';
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
