import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseIsoInstant } from '../../lib/formatting/parse-iso-instant';
import { type FineDate, formatDate } from '../../lib/templates/format-date';

// Expectations are computed from the same Date's local fields, so the tests pass in any time zone.
const date = new Date(2026, 10, 22, 9, 5, 7, 89);
const two = (n: number): string => String(n).padStart(2, '0');

function localOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

describe('formatDate', () => {
  it('renders ISO 8601 in UTC without a format', () => {
    expect(formatDate(date)).toBe(date.toISOString());
    expect(formatDate(date, '')).toBe(date.toISOString());
  });

  it('renders the date and time tokens in local time', () => {
    expect(formatDate(date, 'yyyy-MM-dd HH:mm:ss.fff')).toBe('2026-11-22 09:05:07.089');
    expect(formatDate(date, 'yy M d H m s')).toBe('26 11 22 9 5 7');
  });

  it('renders the 12-hour clock and AM/PM', () => {
    expect(formatDate(date, 'h:mm tt')).toBe('9:05 AM');
    expect(formatDate(new Date(2026, 0, 1, 0, 0), 'hh t')).toBe('12 A');
    expect(formatDate(new Date(2026, 0, 1, 15, 0), 'hh tt')).toBe('03 PM');
  });

  it('renders month and day names', () => {
    expect(formatDate(date, 'ddd, dd MMM yyyy')).toBe('Sun, 22 Nov 2026');
    expect(formatDate(date, 'dddd d MMMM')).toBe('Sunday 22 November');
  });

  it('renders fractions of a second with f and F', () => {
    expect(formatDate(date, 'f ff fff ffff')).toBe('0 08 089 0890');
    expect(formatDate(date, 'ss.FFF')).toBe('07.089');
    expect(formatDate(new Date(2026, 0, 1, 0, 0, 7, 0), 'ss.FFF')).toBe('07');
  });

  it('renders the digits past the millisecond of a FineDate (a time read from text with ticks)', () => {
    const fine: FineDate = Object.assign(new Date(Date.UTC(2026, 10, 22, 10, 0, 0, 123)), { subMillisecond: '4560' });
    expect(formatDate(fine, 'fff ffff fffffff FFFFFFF ss.FFFFFF', true)).toBe('123 1234 1234560 123456 00.123456');
    expect(formatDate(fine, 'o', true)).toBe('2026-11-22T10:00:00.1234560Z');
    expect(formatDate(fine)).toBe('2026-11-22T10:00:00.1234560Z');
  });

  it('renders the local offset with zzz, zz, z and K', () => {
    const offset = localOffset(date);
    expect(formatDate(date, 'zzz')).toBe(offset);
    expect(formatDate(date, 'K')).toBe(offset);
    expect(formatDate(date, 'zz')).toBe(offset.slice(0, 3));
    expect(formatDate(date, 'z')).toBe(`${offset[0]}${Number(offset.slice(1, 3))}`);
  });

  it('keeps quoted text, escaped characters and other characters literal', () => {
    expect(formatDate(date, '\'Year\' yyyy a\\t HH"h"')).toBe('Year 2026 at 09h');
    expect(formatDate(date, 'yyyy/MM/dd [HH]')).toBe('2026/11/22 [09]');
  });

  // learn.microsoft.com, "The "g" or "gg" custom format specifier": MM/dd/yyyy g of 70-08-04 with the invariant culture is
  // 08/04/0070 A.D.; .NET's FormatCustomized reads a run of g of any length and writes the era's name once.
  it.each([
    ['MM/dd/yyyy g', '11/22/2026 A.D.'],
    ['gg', 'A.D.'],
    ['%g', 'A.D.'],
    ['ggggg yyyy', 'A.D. 2026'],
    ["'g' gg \\g", 'g A.D. g'],
  ])('writes the era of %j as the invariant culture does: %j', (format, expected) => {
    expect(formatDate(date, format)).toBe(expected);
  });

  it("writes learn.microsoft.com's era example and keeps g alone as the standard general format", () => {
    const year70 = new Date(2000, 7, 4);
    year70.setFullYear(70);
    expect(formatDate(year70, 'MM/dd/yyyy g')).toBe('08/04/0070 A.D.');
    expect(formatDate(date, 'g')).toBe('11/22/2026 09:05');
  });

  it('reads %c as a lone custom token', () => {
    expect(formatDate(date, '%d')).toBe('22');
  });

  it('understands the standard formats o, s, u and r', () => {
    expect(formatDate(date, 'o')).toBe(`2026-11-22T09:05:07.0890000${localOffset(date)}`);
    expect(formatDate(date, 's')).toBe('2026-11-22T09:05:07');
    expect(formatDate(date, 'u')).toBe(`${date.toISOString().slice(0, 19).replace('T', ' ')}Z`);
    expect(formatDate(date, 'r')).toBe(date.toUTCString());
  });

  it('renders UTC fields when asked, with Z for K and o and +00:00 for zzz', () => {
    const instant = new Date(Date.UTC(2013, 2, 11, 5, 59, 0, 123));
    expect(formatDate(instant, 'yyyy-MM-dd hh:mm:ss.fffZ', true)).toBe('2013-03-11 05:59:00.123Z');
    expect(formatDate(instant, 'dddd HH K zzz', true)).toBe('Monday 05 Z +00:00');
    expect(formatDate(instant, 'o', true)).toBe('2013-03-11T05:59:00.1230000Z');
    expect(formatDate(instant, undefined, true)).toBe('2013-03-11T05:59:00.123Z');
  });

  it('reads formats named like Object.prototype members as custom tokens, not as standard formats', () => {
    expect(formatDate(date, 'constructor')).toBe('con7ArucAor');
    expect(formatDate(date, '__proto__')).toBe('__proAo__');
    expect(formatDate(date, 'valueOf')).toBe('valueO0');
  });

  it('renders an invalid Date as Invalid Date', () => {
    expect(formatDate(new Date(Number.NaN), 'yyyy')).toBe('Invalid Date');
    expect(formatDate(new Date(Number.NaN))).toBe('Invalid Date');
  });
});

// learn.microsoft.com "Custom date and time format strings" and "Standard date and time format strings", on the pages'
// example instant 2009-06-15T13:45:30.6175425 (JavaScript keeps milliseconds: .617), invariant culture, local time.
describe('formatDate conformance with .NET’s documented examples', () => {
  const june = new Date(2009, 5, 15, 13, 45, 30, 617);
  const offset = localOffset(june);

  it.each<[Date, string, string]>([
    [june, 'yyyy-MM-dd HH:mm:ss.fff zzz', `2009-06-15 13:45:30.617 ${offset}`],
    [june, 'o', `2009-06-15T13:45:30.6170000${offset}`],
    [june, 'O', `2009-06-15T13:45:30.6170000${offset}`],
    [june, 's', '2009-06-15T13:45:30'],
    [june, '%d', '15'],
    [new Date(2009, 5, 1), 'dd', '01'],
    [june, 'ddd', 'Mon'],
    [june, 'dddd', 'Monday'],
    [june, '%f', '6'],
    [june, 'ff', '61'],
    [june, 'fff', '617'],
    [june, 'ffff', '6170'],
    [june, '%F', '6'],
    [june, 'FF', '61'],
    [june, 'FFFF', '617'],
    [new Date(2009, 5, 15, 13, 45, 30, 50), 'FF', '05'],
    [new Date(2009, 5, 15, 13, 45, 30, 50), '%F', ''],
    [new Date(2009, 5, 15, 13, 45, 30, 0), 'HH:mm:ss.FFF', '13:45:30'],
    [june, '%h', '1'],
    [june, 'hh', '01'],
    [june, '%H', '13'],
    [new Date(2009, 5, 15, 1, 45, 30), 'HH', '01'],
    [new Date(2009, 5, 15, 1, 45, 30), '%H', '1'],
    [new Date(2009, 5, 15, 13, 5, 9), '%m', '5'],
    [june, 'mm', '45'],
    [june, '%M', '6'],
    [june, 'MM', '06'],
    [june, 'MMM', 'Jun'],
    [june, 'MMMM', 'June'],
    [new Date(2009, 5, 15, 13, 5, 9), '%s', '9'],
    [new Date(2009, 5, 15, 13, 5, 9), 'ss', '09'],
    [june, '%t', 'P'],
    [june, 'tt', 'PM'],
    [new Date(2009, 5, 15, 1, 45, 30), 'tt', 'AM'],
    [new Date(2009, 0, 1), '%y', '9'],
    [new Date(2009, 0, 1), 'yy', '09'],
    [new Date(2009, 0, 1), 'yyy', '2009'],
    [new Date(900, 0, 1), 'yyy', '900'],
    [new Date(2009, 0, 1), 'yyyy', '2009'],
    [new Date(2009, 0, 1), 'yyyyy', '02009'],
    [june, '%z', `${offset[0]}${Number(offset.slice(1, 3))}`],
    [june, 'zz', offset.slice(0, 3)],
    [june, 'zzz', offset],
    [june, '%K', offset],
    [june, "HH:mm 'o''clock'", '13:45 oclock'],
    [june, 'HH\\h', '13h'],
    [june, 'MMMM dd, yyyy (dddd)', 'June 15, 2009 (Monday)'],
  ])('formats %s with %j as %j', (value, format, expected) => {
    expect(formatDate(value, format)).toBe(expected);
  });

  // "Standard date and time format strings", the invariant culture's column.
  it.each<[string, string]>([
    ['d', '06/15/2009'],
    ['D', 'Monday, 15 June 2009'],
    ['f', 'Monday, 15 June 2009 13:45'],
    ['F', 'Monday, 15 June 2009 13:45:30'],
    ['g', '06/15/2009 13:45'],
    ['G', '06/15/2009 13:45:30'],
    ['M', 'June 15'],
    ['m', 'June 15'],
    ['t', '13:45'],
    ['T', '13:45:30'],
    ['Y', '2009 June'],
    ['y', '2009 June'],
  ])('formats the standard format %j as the invariant culture does: %j', (format, expected) => {
    expect(formatDate(june, format)).toBe(expected);
  });

  it('reads a standard letter after % as a custom token, as .NET does', () => {
    expect(formatDate(june, '%d')).toBe('15');
    expect(formatDate(june, '%M')).toBe('6');
  });

  // FormatCustomized's `case '%'`: the one character after `%` is formatted alone (`FormatCustomized(…, nextChar)`,
  // tokenLen = 2), so the letters after it start a token of their own. Before, rxlog dropped the `%` and read the run:
  // `%dd` gave `15` where .NET writes `1515`.
  it.each<[string, string]>([
    ['%dd', '1515'],
    ['%MM', '66'],
    ['%yyyy', '92009'],
    ['%hh:mm', '11:45'],
    ['%d/%M', '15/6'],
    ['\\%dd', '%15'],
    ["'%'dd", '%15'],
  ])('reads the one letter after %% in %j as a token of its own: %j', (format, expected) => {
    expect(formatDate(june, format)).toBe(expected);
  });

  // .NET throws FormatException for these (tokenLen > MaxSecondsFractionDigits, `%` at the end or before `%`).
  it('writes what it can where .NET throws', () => {
    expect(formatDate(june, 'ffffffff FFFFFFFFF')).toBe('6170000 617');
    expect(formatDate(june, 'HH%')).toBe('13');
    expect(formatDate(june, '%%d')).toBe('15');
  });

  it('writes U (universal full) in UTC', () => {
    const instant = new Date(Date.UTC(2009, 5, 15, 20, 45, 30, 617));
    expect(formatDate(instant, 'U')).toBe('Monday, 15 June 2009 20:45:30');
  });

  it('writes u and r in UTC, as .NET converts a DateTimeOffset for them', () => {
    const instant = new Date(Date.UTC(2009, 5, 15, 20, 45, 30, 617));
    expect(formatDate(instant, 'u')).toBe('2009-06-15 20:45:30Z');
    expect(formatDate(instant, 'r')).toBe('Mon, 15 Jun 2009 20:45:30 GMT');
    expect(formatDate(instant, 'R')).toBe('Mon, 15 Jun 2009 20:45:30 GMT');
  });

  // A JavaScript Date reaches years .NET's DateTime does not (below 1, above 9999). The ISO 8601 formats o, s and u
  // write such a year in ISO 8601's expanded form, as toISOString does, so parseIsoInstant and Date.parse read them
  // back (Date.parse took -0001-01-01 00:00:00Z for 2001); u keeps its seconds (it cut toISOString's
  // `+010000-01-01T02:03`). Custom formats and the culture's write the year as yyyy does, its sign and all its digits.
  it.each<[number, string, string]>([
    [Date.UTC(10000, 0, 1, 2, 3, 4, 5), 'u', '+010000-01-01 02:03:04Z'],
    [Date.UTC(10000, 0, 1, 2, 3, 4, 5), 's', '+010000-01-01T02:03:04'],
    [Date.UTC(10000, 0, 1, 2, 3, 4, 5), 'o', '+010000-01-01T02:03:04.0050000Z'],
    [Date.UTC(10000, 0, 1, 2, 3, 4, 5), 'O', '+010000-01-01T02:03:04.0050000Z'],
    [Date.UTC(10000, 0, 1, 2, 3, 4, 5), 'yyyy-MM-dd', '10000-01-01'],
    [Date.UTC(10000, 0, 1, 2, 3, 4, 5), 'd', '01/01/10000'],
    [Date.UTC(-1, 0, 1, 2, 3, 4), 'u', '-000001-01-01 02:03:04Z'],
    [Date.UTC(-1, 0, 1, 2, 3, 4), 'yyyy yy', '-0001 -01'],
    [new Date(0).setUTCFullYear(0), 'u', '0000-01-01 00:00:00Z'],
    [new Date(0).setUTCFullYear(5), 'u', '0005-01-01 00:00:00Z'],
    [Date.UTC(9999, 11, 31, 23, 59, 59), 's', '9999-12-31T23:59:59'],
    [8.64e15, 'u', '+275760-09-13 00:00:00Z'],
    [-8.64e15, 'u', '-271821-04-20 00:00:00Z'],
  ])('writes the instant %p with %p in UTC as %p', (time, format, expected) => {
    expect(formatDate(new Date(time), format, true)).toBe(expected);
  });

  it('writes every instant a Date holds with o, s and u so that parseIsoInstant and Date.parse read it back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constantFrom('o', 's', 'u'), (time, format) => {
        const text = formatDate(new Date(time), format, true);
        // s and u stop at the second.
        const expected = format === 'o' ? time : time - (((time % 1000) + 1000) % 1000);
        // Date.parse reads u's space-separated text with V8's legacy parser, which takes a year
        // 0000-0099 as 19xx or 20xx (`0000-12-31 23:59:59Z` as 2000): it is given the ISO form.
        const iso = format === 's' ? `${text}Z` : format === 'u' ? text.replace(' ', 'T') : text;
        expect([parseIsoInstant(text), Date.parse(iso)]).toEqual([expected, expected]);
      }),
      {
        examples: [
          [8.64e15, 'o'],
          [-8.64e15, 'u'],
          [Date.UTC(-1, 0, 1), 'u'],
          [Date.UTC(10000, 0, 1), 's'],
          // 0000-12-31T23:59:59.999Z, in the years Date.parse's legacy parser misreads.
          [-59011459200001, 'u'],
        ],
      },
    );
  });

  it.each(['', 'u', 'r', 'o', 'yyyy', "'unbalanced", '\\', '%'])('writes an invalid Date as Invalid Date with %p', (format) => {
    expect(formatDate(new Date(Number.NaN), format)).toBe('Invalid Date');
  });
});

// dotnet/runtime src/libraries/System.Private.CoreLib/src/System/Globalization/DateTimeFormat.cs
// (commit 018c81b3902b73bdd1a57135bd9a2b6a4c735607), FormatCustomized and the helpers it calls.
describe('formatDate conformance with .NET’s DateTimeFormat.cs', () => {
  const june = new Date(2009, 5, 15, 13, 45, 30, 617);
  const offset = localOffset(june);
  const utc = new Date(Date.UTC(2009, 5, 15, 13, 45, 30, 617));

  // ParseQuoteString: `else if (ch == '\\') { … result.Append(format[pos++]) }`: "Escaped character
  // is also supported in the quoted string", so a quote character can sit inside quotes.
  it.each<[string, string]>([
    ["'it\\'s' HH", "it's 13"],
    ['"say \\"hi\\"" mm', 'say "hi" 45'],
    ["'a\\b' HH", 'ab 13'],
    ["'\\\\' HH", '\\ 13'],
    ["'\\HH' HH", 'HH 13'],
    ["'x\\'y\\'' ss", "x'y' 30"],
  ])('reads \\ inside a quoted literal as an escape: %j gives %j', (format, expected) => {
    expect(formatDate(june, format)).toBe(expected);
  });

  // .NET throws FormatException (Format_InvalidString, Format_BadQuote) where formatDate, best-effort, keeps what it read.
  it('keeps what it read of an unclosed quote ending in a \\', () => {
    expect(formatDate(june, "HH 'ab\\")).toBe('13 ab');
    expect(formatDate(june, "HH 'a\\'b")).toBe("13 a'b");
  });

  // `case 'K': tokenLen = 1; FormatCustomizedRoundripTimeZone(…)`: each K is a token of its own, so
  // KK writes the offset twice. FormatCustomizedRoundripTimeZone writes `+hh:mm` for a local
  // DateTime (formatDate's local time) and `Z` for a UTC one (formatDate with `utc`).
  it.each<[string, boolean, string]>([
    ['K', false, offset],
    ['KK', false, `${offset}${offset}`],
    ['KKK', false, `${offset}${offset}${offset}`],
    ['HH K', false, `13 ${offset}`],
    ['K', true, 'Z'],
    ['KK', true, 'ZZ'],
    ['KKK', true, 'ZZZ'],
    ['HHK', true, '13Z'],
  ])('writes %j (utc: %j) as %j, one token per K', (format, inUtc, expected) => {
    expect(formatDate(inUtc ? utc : june, format, inUtc)).toBe(expected);
  });

  // FormatCustomizedTimeZone: `tokenLen = ParseRepeatPattern(…)`, a run; the offset is +00:00 for a UTC DateTime.
  it.each<[string, boolean, string]>([
    ['zzzz', false, offset],
    ['zzzzz', true, '+00:00'],
    ['zz', true, '+00'],
    ['z', true, '+0'],
  ])('writes %j (utc: %j) as %j, one token per run of z', (format, inUtc, expected) => {
    expect(formatDate(inUtc ? utc : june, format, inUtc)).toBe(expected);
  });
});

// .NET's TimeZoneInfo (NormalizeAdjustmentRuleOffset) cuts the few local mean times past ±14:00 (Asia/Manila's -15:56
// before 1845, America/Sitka's +14:58 before 1867) to ±14:00 and reads the local fields at that offset, so `zzz` never
// writes an offset DateTimeOffset refuses to parse. formatDate wrote -15:56 and +14:58. It cuts an offset's seconds
// too, as most local mean times have them; formatDate wrote the fields at the offset with its seconds beside `zzz`
// without them, a text of another instant. In a child process, since a jest worker cannot change its own time zone.
describe('formatDate in a zone whose offset was once past ±14:00 or held seconds', () => {
  const cases: readonly (readonly [zone: string, utcMs: number, expected: readonly string[]])[] = [
    // 20:00 UTC is 04:04 the next day at -15:56; .NET writes 06:00 at -14:00.
    [
      'Asia/Manila',
      Date.UTC(1800, 0, 1, 20),
      ['-956', '1800-01-01 06:00:00 -14:00 -14:00 -14', '1800-01-01T06:00:00.0000000-14:00'],
    ],
    // 00:30 UTC is 15:28 at +14:58; .NET writes 14:30 at +14:00.
    [
      'America/Sitka',
      Date.UTC(1800, 0, 1, 0, 30),
      ['898', '1800-01-01 14:30:00 +14:00 +14:00 +14', '1800-01-01T14:30:00.0000000+14:00'],
    ],
    // An offset of 14:00 itself is kept.
    [
      'Pacific/Kiritimati',
      Date.UTC(2026, 0, 1),
      ['840', '2026-01-01 14:00:00 +14:00 +14:00 +14', '2026-01-01T14:00:00.0000000+14:00'],
    ],
    // So is a later date in the same zone as Asia/Manila (+08:00).
    ['Asia/Manila', Date.UTC(2026, 0, 1), ['480', '2026-01-01 08:00:00 +08:00 +08:00 +08', '2026-01-01T08:00:00.0000000+08:00']],
    // A local mean time's seconds are cut toward zero, as TimeZoneInfo cuts them (`new TimeSpan(Hours, Minutes, 0)`) and
    // V8's getTimezoneOffset reports them: New York's -4:56:02 is -4:56, so 16:56:02 UTC is 12:00:02, not 12:00:00.
    [
      'America/New_York',
      Date.UTC(1850, 0, 1, 16, 56, 2),
      ['-296', '1850-01-01 12:00:02 -04:56 -04:56 -04', '1850-01-01T12:00:02.0000000-04:56'],
    ],
    // Tokyo's +9:18:59 is +9:18: noon UTC is 21:18:00, not 21:18:59.
    [
      'Asia/Tokyo',
      Date.UTC(1850, 0, 1, 12),
      ['558', '1850-01-01 21:18:00 +09:18 +09:18 +09', '1850-01-01T21:18:00.0000000+09:18'],
    ],
    // The first instant a Date holds, whose fields at such an offset lie before it: they were NaN in Manila.
    ['Asia/Manila', -8.64e15, ['-956', '-271821-04-19 10:00:00 -14:00 -14:00 -14', '-271821-04-19T10:00:00.0000000-14:00']],
    ['America/New_York', -8.64e15, ['-296', '-271821-04-19 19:04:00 -04:56 -04:56 -04', '-271821-04-19T19:04:00.0000000-04:56']],
  ];
  let lines: string[][];

  beforeAll(() => {
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(__dirname, 'fixtures', 'format-date-zones.ts'),
        JSON.stringify(cases.map(([z, t]) => [z, t])),
      ],
      { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    lines = JSON.parse(child.stdout) as string[][];
  }, 70_000);

  it.each(cases.map((c, i) => [c[0], new Date(c[1]).toISOString(), i] as const))(
    'in %s, %s is written at an offset .NET holds (whole minutes within ±14:00) with its fields, as .NET writes it',
    (_zone, _instant, i) => {
      const [, utcMs, expected] = cases[i];
      const [engineOffset, custom, roundTrip, parsedBack] = lines[i];
      // The engine's own offset (minutes east), then what formatDate writes.
      expect([engineOffset, custom, roundTrip]).toEqual(expected);
      // The text names the Date's own instant.
      expect(Number(parsedBack)).toBe(utcMs);
    },
  );
});
