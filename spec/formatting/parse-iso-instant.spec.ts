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

  it.each([
    '',
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

  it('reads back every instant toISOString writes', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        expect(parseIsoInstant(date.toISOString())).toBe(date.getTime());
      }),
    );
  });
});
