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
