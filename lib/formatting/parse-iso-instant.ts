// Date, then optionally time (after a T or, as RFC 3339 allows, a space) with seconds, fraction (any digits) and
// offset (hours, with or without minutes). Years as toISOString writes them.
const ISO_INSTANT =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * An ISO 8601 instant as milliseconds since the epoch, or NaN when `text` is not one. Accepts a
 * date (`2016-02-12`, read as UTC midnight) or a date and time (after `T` or, as RFC 3339 allows
 * and Python's `str(datetime)` writes, a space) with optional seconds, a fraction of any length
 * (cut to milliseconds) and an offset (`Z`, `+02:00`, `-0530`, `+02`). Without an offset, the
 * text is read as UTC, or with `withoutOffset: 'local'` as the local time of the process's time zone
 * (`TZ`), as .NET's `DateTimeOffset.TryParse` (Serilog's CLEF reader) reads it, and JavaScript's
 * `Date` a date with a time, at the zone's offset in whole minutes within ±14:00, as .NET holds it and
 * `formatDate` writes it (a local mean time's seconds cut: `1850-01-01T12:00` in New York, -4:56:02, is
 * 16:56Z); every instant a Date holds, at its edges too. Fields out of range (`2016-02-30`, `24:00`,
 * `10:61`) are NaN, not rolled over as `Date.parse` does.
 *
 * @example parseIsoInstant('2019-09-10T04:56:50.608125300+00:00') // 1568091410608
 */
export function parseIsoInstant(text: string, withoutOffset: 'utc' | 'local' = 'utc'): number {
  const match = ISO_INSTANT.exec(text);
  if (match === null) return Number.NaN;
  // Groups that did not take part are undefined, which RegExpExecArray's type does not say.
  const m: readonly (string | undefined)[] = match;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (m[1] === '-000000' || month < 1 || month > 12 || day < 1) return Number.NaN;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > monthDays || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2));
    if (offsetHours > 23 || offsetMins > 59) return Number.NaN;
    offsetMinutes = (zone.charCodeAt(0) === 0x2d ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  // Whole 400-year Gregorian cycles (146 097 days each) taken off a UTC year and added back in milliseconds: fields past
  // the range a Date holds, of an instant in it (+275760-09-13T09:00+09:00, as formatDate's o writes 8.64e15 in
  // Tokyo), would make the Date NaN.
  const cycles = Math.floor(year / 400) - 5;
  date.setUTCFullYear(year - cycles * 400, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const fields = date.getTime() + cycles * 12_622_780_800_000;
  if (zone === undefined && withoutOffset === 'local') {
    // Again 400 years nearer 1970 where the local Date leaves the range a Date holds on its way to the fields: it is
    // set to the day at Date(0)'s local time of day first, so -271821-04-19T23:00 in New York (-04-20T03:56Z) passed
    // 19:00 on the 19th at -4:56, out of range, and was NaN. That far from a zone's changes its offsets repeat every
    // 400 years (its local mean time before the first, its last rule after the last), a cycle of whole weeks.
    for (const years of [0, year < 0 ? -400 : 400]) {
      // setFullYear, not the Date constructor: it would read the years 0–99 as 1900–1999.
      const local = new Date(0);
      local.setFullYear(year - years, month - 1, day);
      local.setHours(hour, minute, second, ms);
      // The zone's offset there in whole minutes within ±14:00, as .NET's TimeZoneInfo holds it: a local mean time's
      // seconds cut (New York's -4:56:02 before 1883 is -4:56) and one past ±14:00 (Asia/Manila's -15:56 before 1845)
      // taken as ±14:00, so the text is read as formatDate writes that instant, the local time the line shows.
      offsetMinutes = Math.max(-840, Math.min(840, Math.trunc((fields - years * 31_556_952_000 - local.getTime()) / 60_000)));
      if (offsetMinutes === offsetMinutes) break;
    }
  }
  // NaN past the range a Date can hold (±8.64e15 ms): an offset can carry an instant at its edge past
  // it, which `new Date` would make an Invalid Date.
  const time = fields - offsetMinutes * 60_000;
  return Math.abs(time) <= 8.64e15 ? time : Number.NaN;
}
