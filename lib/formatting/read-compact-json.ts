import { isObject } from '../core/is-object';
import { ClefParseError } from '../core/errors/clef-parse-error';
import type { LogEvent } from '../core/log-event';
import { type LogLevelName, parseLevel } from '../core/log-level';
import { isZeroId, SPAN_ID_PROPERTY, TRACE_ID_PROPERTY } from '../core/trace-context';
import { LogEventRecord } from '../templates/log-event-record';
import { writeJson } from '../templates/safe-json';
import { parseTemplateCached } from '../templates/template-cache';
import { FIRST_TIME_MS, LAST_TIME_MS } from './iso-timestamp-cache';
import { parseIsoInstant } from './parse-iso-instant';
import { parseJsonExact } from './parse-json-exact';
import { RenderedEvent } from './rendered-event';

// The CLEF fields that are not properties; any other name starting with a single `@` is kept as a property.
const RESERVED = new Set(['@t', '@mt', '@m', '@l', '@x', '@i', '@r', '@tr', '@sp']);
// `TypeError: …`, and namespaced types as .NET and Java write them (`System.DivideByZeroException: …`). The
// message is `[^]*`, not `.*`: the line is already cut at CR and LF, and U+2028 / U+2029 in it are text.
const ERROR_HEADER = /^([A-Za-z_$][\w$.]*(?:Error|Exception)): ?([^]*)$/;
const HEX_TRACE_ID = /^[0-9a-f]{32}$/i;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/i;

/** Why a parsed line is not a CLEF event: thrown inside this file, caught at its edge. */
class NotClef extends Error {}

function readLevel(value: unknown): LogLevelName {
  // Serilog's reader test vectors hold `"@l": null`: Information, like a missing @l.
  if (value === undefined || value === null) return 'information';
  try {
    return parseLevel(value, '@l');
  } catch {
    // writeJson, not JSON.stringify: a long integer was read as a bigint, which JSON.stringify throws on.
    throw new NotClef(`unknown level ${writeJson(value)}`);
  }
}

function readException(text: string): Error {
  // The first line, without the CR of a CRLF line end (.NET's Exception.ToString() on Windows).
  const first = text.split(/[\r\n]/, 1)[0];
  const header = ERROR_HEADER.exec(first);
  const error = new Error(header === null ? first : header[2]);
  if (header !== null) error.name = header[1];
  error.stack = text;
  return error;
}

// As in Serilog's reader, a JSON null in an optional field is the same as the field left out.
function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value == null) return undefined;
  if (typeof value === 'string') return value;
  throw new NotClef(`"${name}" is not a string`);
}

// An all-zero id is read as no id, as a null is: W3C Trace Context and OTLP define it as invalid (no trace
// context), and it is well formed, so the line is still an event.
function readId(fields: Record<string, unknown>, name: string, form: RegExp): string | undefined {
  const value = fields[name];
  if (value == null) return undefined;
  if (typeof value !== 'string' || !form.test(value)) throw new NotClef(`"${name}" is not a hex id`);
  return isZeroId(value) ? undefined : value.toLowerCase();
}

/**
 * Reads one CLEF line back into a LogEvent (a `LogEventRecord`).
 *
 * `@t` (an ISO 8601 instant, see `parseIsoInstant`) becomes the timestamp, `@l` the level
 * (Information when missing; Serilog's names and the configuration aliases are accepted in any
 * case; other writers' names, `Critical`, `crit`, `FTL`, are refused as Serilog's reader refuses
 * them: the `rxlog` command reads those itself, see `readLevelAsWritten`), `@mt` the template (or,
 * without it, `@m` as literal text), `@x` an Error whose `stack` is that text and whose message is
 * its first line (and its name, when that line starts `SomeError: ` or, as .NET and Java write it,
 * `System.DivideByZeroException: `). `@tr` and `@sp` (hex trace and span ids, as Seq reads them)
 * become the properties `TraceId` and `SpanId` (lower case, first; an all-zero id, which W3C Trace
 * Context defines as invalid, is left out, as a null one is), in place of a `TraceId` or `SpanId`
 * field the line also has (Serilog writes an app's own `TraceId` property beside the Activity's
 * `@tr`, which is the event's trace to Seq and Serilog's reader); `@i`, `@r` and `@m` are not
 * properties; `@@name` becomes the property `@name`; other names keep their order. An integer a
 * number cannot hold exactly (`12345678901234567890`, a .NET `long`) is read as a bigint, so its
 * digits survive; one of more than 4300 digits makes the line an error (see `parseJsonExact`;
 * rxlog's writers write a bigint that long as the string of its digits, which reads back as that
 * string). With `@r`, a formatted hole of a scalar property renders as the line's rendering (see
 * `RenderedEvent`), and `CompactJsonFormatter` writes that rendering back. Formatting what this
 * returns gives the same line back for every line rxlog writes, whatever the values were, but a
 * property whose value was undefined: the line leaves it out, so its hole reads back as written.
 *
 * @throws ClefParseError when the line is not a JSON object, holds an integer of more than 4300 digits, `@t` is missing, or is not a string holding an ISO 8601 instant in the
 *   years 0001–9999 (UTC), as every rxlog writer and .NET's `DateTimeOffset` keep it,
 *   `@l` names no level, `@mt`, `@m` or `@x` is not a string, `@i` is neither a string nor a
 *   number, `@r` is not an array of strings, or `@tr` / `@sp` is not a hex id of 32 / 16 digits.
 * @example readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Hi {Name}","Name":"Ann"}').renderMessage() // 'Hi Ann'
 */
export function readCompactJson(line: string): LogEvent {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(line);
  } catch (error) {
    throw new ClefParseError(error instanceof Error ? error.message : 'invalid JSON', line);
  }
  const event = readCompactJsonValue(parsed);
  if (typeof event === 'string') throw new ClefParseError(event, line);
  return event;
}

/**
 * `readCompactJson` for a line already parsed (by `parseJsonExact`, so long integers are bigints):
 * the event the line's JSON value holds, or the reason it holds none (`"@mt" is not a string`), as
 * `readCompactJson` gives it in its `ClefParseError`, for a reader that shows the line (or where it
 * is) beside the reason, as the `rxlog` command does.
 *
 * @example readCompactJsonValue({ '@t': '2026-11-22T12:00:00.000Z', '@mt': 5 }) // '"@mt" is not a string'
 */
export function readCompactJsonValue(parsed: unknown): LogEvent | string {
  try {
    return readFields(parsed);
  } catch (error) {
    if (error instanceof NotClef) return error.message;
    throw error;
  }
}

function readFields(parsed: unknown): LogEvent {
  if (!isObject(parsed) || Array.isArray(parsed)) throw new NotClef('not a JSON object');
  const fields = parsed as Record<string, unknown>;
  const time = fields['@t'];
  if (typeof time !== 'string') throw new NotClef(time == null ? 'no "@t" timestamp' : '"@t" is not a string');
  const timestamp = new Date(parseIsoInstant(time));
  const ms = timestamp.getTime();
  // NaN fails too. The writers stamp a time outside the years 0001–9999 with the time of formatting, so
  // such a line could not be written back as it is; .NET's DateTimeOffset (Serilog's reader, Seq) rejects it.
  if (!(ms >= FIRST_TIME_MS && ms <= LAST_TIME_MS))
    throw new NotClef(`"@t" is not an ISO 8601 instant in the years 0001–9999: ${JSON.stringify(time)}`);
  const level = readLevel(fields['@l']);
  const mt = optionalString(fields, '@mt');
  const m = optionalString(fields, '@m');
  const x = optionalString(fields, '@x');
  const id = fields['@i'];
  if (id != null && typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'bigint')
    throw new NotClef('"@i" is neither a string nor a number');
  const renderings = fields['@r'];
  if (renderings !== undefined && (!Array.isArray(renderings) || !renderings.every((r) => typeof r === 'string')))
    throw new NotClef('"@r" is not an array of strings');
  const templateText = mt ?? (m === undefined ? '' : m.replace(/[{}]/g, '$&$&'));
  const exception = x === undefined ? undefined : readException(x);
  const properties: Record<string, unknown> = {};
  // Trace context first: that is where CompactJsonFormatter writes @tr and @sp, so a line reads back as it was.
  const traceId = readId(fields, '@tr', HEX_TRACE_ID);
  if (traceId !== undefined) properties[TRACE_ID_PROPERTY] = traceId;
  const spanId = readId(fields, '@sp', HEX_SPAN_ID);
  if (spanId !== undefined) properties[SPAN_ID_PROPERTY] = spanId;
  for (const key of Object.keys(fields)) {
    // The line's own TraceId / SpanId field (Serilog writes an app's property of that name beside the
    // Activity's @tr / @sp) gives way to the id: @tr and @sp are the event's trace, to Seq and Serilog's reader.
    if (
      RESERVED.has(key) ||
      (key === TRACE_ID_PROPERTY && traceId !== undefined) ||
      (key === SPAN_ID_PROPERTY && spanId !== undefined)
    )
      continue;
    const name = key.startsWith('@@') ? key.slice(1) : key;
    Object.defineProperty(properties, name, { value: fields[key], enumerable: true, writable: true, configurable: true });
  }
  const template = parseTemplateCached(templateText);
  return renderings === undefined || renderings.length === 0
    ? new LogEventRecord(timestamp, level, template, properties, exception)
    : new RenderedEvent(timestamp, level, template, properties, exception, renderings);
}
