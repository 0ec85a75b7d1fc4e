import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { parseIsoInstant } from '../../lib/formatting/parse-iso-instant';

describe('parseIsoInstant', () => {
  it('reads dates, times, fractions of any length and offsets', () => {
    expect(parseIsoInstant('2016-02-12')).toBe(Date.UTC(2016, 1, 12));
    expect(parseIsoInstant('2016-02-12T10:20')).toBe(Date.UTC(2016, 1, 12, 10, 20));
    expect(parseIsoInstant('2019-09-10T04:56:50.608125300+00:00')).toBe(Date.UTC(2019, 8, 10, 4, 56, 50, 608));
    expect(parseIsoInstant('2026-11-22T12:00:00.5-0130')).toBe(Date.UTC(2026, 10, 22, 13, 30, 0, 500));
    expect(parseIsoInstant('-000001-01-01T00:00:00.000Z')).toBe(new Date('-000001-01-01T00:00:00.000Z').getTime());
  });

  // RFC 3339 (section 5.6, note) lets a space stand for the T, as Python's str(datetime) writes it, and ISO 8601 an
  // offset of hours alone; .NET's DateTimeOffset.Parse, which Serilog's CLEF reader and seqcli ingest use, reads both.
  it('reads a space between date and time, and an offset of hours alone', () => {
    expect(parseIsoInstant('2026-11-22 12:00:00.123456+00:00')).toBe(Date.UTC(2026, 10, 22, 12, 0, 0, 123));
    expect(parseIsoInstant('2026-11-22 12:00:00Z')).toBe(Date.UTC(2026, 10, 22, 12));
    expect(parseIsoInstant('2026-11-22T12:00:00+02')).toBe(Date.UTC(2026, 10, 22, 10));
    expect(parseIsoInstant('2026-11-22T12:00-05')).toBe(Date.UTC(2026, 10, 22, 17));
  });

  // The rxlog command's reading: .NET's DateTimeOffset.TryParse (Serilog's reader) assumes local time without an offset.
  it("reads a text without an offset as local time with withoutOffset 'local', and one with an offset as before", () => {
    expect(parseIsoInstant('2026-12-04T10:00:00.123', 'local')).toBe(new Date(2026, 11, 4, 10, 0, 0, 123).getTime());
    expect(parseIsoInstant('2026-12-04', 'local')).toBe(new Date(2026, 11, 4).getTime());
    expect(parseIsoInstant('2026-12-04T10:00:00.123Z', 'local')).toBe(Date.UTC(2026, 11, 4, 10, 0, 0, 123));
    expect(parseIsoInstant('2026-12-04T10:00:00+02:00', 'local')).toBe(Date.UTC(2026, 11, 4, 8));
  });

  it.each([
    '',
    '2016-02-12 ',
    '2016-02-12  10:00',
    '2016-02-12T10:00+2',
    '2016-02-12T10:00+123',
    'yesterday',
    '2016-02-30',
    '2015-02-29',
    '2016-13-01',
    '2016-02-12T24:00',
    '2016-02-12T10:60',
    '2016-02-12T10:00:60Z',
    '2016-02-12T10:00+24:00',
    '-000000-01-01',
    '2016-2-1',
  ])('is NaN for %j', (text) => {
    expect(parseIsoInstant(text)).toBeNaN();
  });

  it('is NaN for an instant an offset carries past the range a Date can hold (±8.64e15 ms), as for a date past it', () => {
    expect(parseIsoInstant('+275760-09-13T00:00:00Z')).toBe(8.64e15);
    expect(parseIsoInstant('+275760-09-13T00:00:00-01:00')).toBeNaN();
    expect(parseIsoInstant('-271821-04-20T00:00:00+01:00')).toBeNaN();
    expect(parseIsoInstant('+275760-09-14')).toBeNaN();
  });

  // formatDate's o writes 8.64e15 in Tokyo as +275760-09-13T09:00:00.0000000+09:00: fields past the range, an instant in it.
  it('reads an instant in the range a Date can hold whose fields, at their offset, are past it', () => {
    expect(parseIsoInstant('+275760-09-13T09:00:00.0000000+09:00')).toBe(8.64e15);
    expect(parseIsoInstant('+275760-09-13T13:59:59.999+14:00')).toBe(8.64e15 - 1);
    expect(parseIsoInstant('-271821-04-19T19:04:00-04:56')).toBe(-8.64e15);
    expect(parseIsoInstant('-271821-04-19T10:00:00.001-14:00')).toBe(-8.64e15 + 1);
  });

  it('reads every instant written at any offset within ±14:00', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -8.64e15 + 86_400_000, max: 8.64e15 - 86_400_000 }),
        fc.integer({ min: -840, max: 840 }),
        (time, offset) => {
          const fields = new Date(time + offset * 60_000).toISOString().slice(0, -1);
          const abs = Math.abs(offset);
          const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(parseIsoInstant(`${fields}${zone}`)).toBe(time);
        },
      ),
    );
  });

  it('reads back every instant toISOString writes', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        expect(parseIsoInstant(date.toISOString())).toBe(date.getTime());
      }),
    );
  });
});

// A local time is read through a Date set to its fields in the local zone, which passed the range a Date holds on its
// way there: -271821-04-19T23:00 in New York (-04:20T03:56Z) was NaN, its Date set first to Date(0)'s local 19:00 on
// the 19th at -4:56, 23:56Z, a day before the first instant. So was a quarter of the local times within three days of
// either edge in the 418 zones of Intl.supportedValuesOf('timeZone').
describe("parseIsoInstant(text, 'local') at the edges of the range a Date holds", () => {
  const zones = ['America/New_York', 'Asia/Tokyo', 'Asia/Manila', 'Pacific/Honolulu', 'Pacific/Kiritimati', 'Europe/Oslo', 'UTC'];
  // The edges, and two days inside each, every 47 minutes and some seconds and milliseconds.
  const instants = [-8.64e15, 8.64e15];
  for (let step = 1; step <= 61; step++) instants.push(-8.64e15 + step * 2_833_017, 8.64e15 - step * 2_833_017);
  const texts = ['-271821-04-19T23:00:00', '-271821-04-19', '+275760-09-12T20:00:00', '+275760-09-13'];
  let results: [string, number | null][][];

  beforeAll(() => {
    const fixture = path.join(__dirname, 'fixtures', 'parse-iso-instant-zones.ts');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fixture, JSON.stringify(zones), JSON.stringify(instants), JSON.stringify(texts)],
      { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    results = JSON.parse(child.stdout) as [string, number | null][][];
  }, 70_000);

  it.each(zones.map((zone, i) => [zone, i] as const))(
    'reads back in %s every instant a Date holds, as formatDate writes it',
    (_zone, i) => {
      const read = results[i].slice(0, instants.length);
      expect(read).toEqual(read.map(([text], j) => [text, instants[j]]));
    },
  );

  // New York's local mean time, -4:56:02, is read at -4:56, as .NET holds it: its first instant is 19:04 on the 19th.
  it('reads a local time of New York an hour before or after an edge, and is NaN for one past it', () => {
    expect(results[0].slice(instants.length)).toEqual([
      ['-271821-04-19T23:00:00', -8.64e15 + (3 * 60 + 56) * 60_000],
      ['-271821-04-19', null],
      ['+275760-09-12T20:00:00', 8.64e15],
      ['+275760-09-13', null],
    ]);
  });
});
