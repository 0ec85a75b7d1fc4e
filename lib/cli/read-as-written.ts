import { type LogLevelName, isLevelName } from '../core/log-level';
import { parseIsoInstant } from '../formatting/parse-iso-instant';

/**
 * Level names other writers put in a line, read at the level they stand for: Python's `CRITICAL`, .NET's
 * `Critical` and syslog's `crit` (the severity rxlog's SyslogSink writes for Fatal) are Fatal, syslog's `err` is
 * Error, and the three-letter names `{Level:u3}` writes (Serilog's and rxlog's) are their levels. Each is above,
 * at or below the same neighbours in every scheme that uses it. Numbers are not here: `3` is Warning to Serilog and
 * Error to syslog, `30` Information to pino and Warning to Python.
 */
const INPUT_LEVELS: Readonly<Record<string, LogLevelName>> = {
  critical: 'fatal',
  crit: 'fatal',
  err: 'error',
  vrb: 'verbose',
  dbg: 'debug',
  inf: 'information',
  wrn: 'warning',
  ftl: 'fatal',
};

// An ISO 8601 time of day with no offset after it: `2026-12-04T10:00:00.123`, or a bare date.
const NO_OFFSET = /^(?:[+-]\d{6}|\d{4})-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?$/i;

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The digits of an ISO 8601 time's fraction past the millisecond, as written (`'4567'` of `…:00.1234567+02:00`),
 * or `''`: what a time read to the millisecond leaves out. Its only `.` or `,` is the one before the fraction.
 *
 * @example subMillisecond('2026-11-22T12:00:00.1234567+02:00') // '4567'
 */
export function subMillisecond(text: string): string {
  return /[.,]\d{3}(\d+)/.exec(text)?.[1] ?? '';
}

/**
 * Rewrites, in place, a line's time and level fields (`@t` and `@l`, or `timestamp` and `level`) as the reader
 * reads them: a time without an offset (`"2026-12-04T10:00:00.123"`, as Python's `datetime.isoformat()` and
 * .NET's `DateTime` of kind Unspecified write it) is local time, as Serilog's CLEF reader (`DateTimeOffset.TryParse`),
 * pino-pretty (JavaScript's `Date`) and Python's `astimezone()` read it, so it becomes that instant in UTC, its
 * fraction's digits kept (`.123456` stays six digits). In the hour a clock repeats, it is the earlier instant, as
 * JavaScript and Python read it (.NET reads standard time there, an hour later); in the hour a clock skips, the
 * offset before the change applies, as in JavaScript and .NET (docs/cli.md). A level
 * in `INPUT_LEVELS` (any case) becomes the level it stands for. Anything else is left for the reader to judge.
 *
 * @example readAsWritten({ '@t': '2026-12-04T10:00:00', '@l': 'CRITICAL' }, '@t', '@l') // in TZ=UTC: { '@t': '2026-12-04T10:00:00.000Z', '@l': 'fatal' }
 */
export function readAsWritten(fields: Record<string, unknown>, time: string, level: string): void {
  const text = fields[time];
  if (typeof text === 'string' && NO_OFFSET.test(text)) {
    const instant = parseIsoInstant(text, 'local');
    // A local time in the years 0001–9999 may lie outside them in UTC: the reader says so of the UTC text.
    // The fraction's digits past the millisecond kept (`.1234567`): the instant holds milliseconds only.
    if (instant === instant) define(fields, time, new Date(instant).toISOString().replace('Z', `${subMillisecond(text)}Z`));
  }
  const name = fields[level];
  if (typeof name === 'string') define(fields, level, readLevelAsWritten(name));
}

/**
 * The level a name in `INPUT_LEVELS` (any case) stands for (`'CRITICAL'` → `'fatal'`); any other value as it is,
 * for `parseLevel` to read or refuse.
 *
 * @example readLevelAsWritten('crit') // 'fatal'
 */
export function readLevelAsWritten<T>(name: T): T | LogLevelName {
  if (typeof name !== 'string') return name;
  const key = name.trim().toLowerCase();
  return !isLevelName(key) && Object.hasOwn(INPUT_LEVELS, key) ? INPUT_LEVELS[key] : name;
}
