import { ClefParseError } from '../core/errors/clef-parse-error';
import type { LogEvent } from '../core/log-event';
import { type LogLevelName, parseLevel } from '../core/log-level';
import { LogEventRecord } from '../templates/log-event-record';
import { parseTemplateCached } from '../templates/template-cache';

// The CLEF fields that are not properties; any other name starting with a single `@` is kept as a property.
const RESERVED = new Set(['@t', '@mt', '@m', '@l', '@x', '@i', '@r']);
const ERROR_HEADER = /^([A-Za-z_$][\w$]*(?:Error|Exception)): ?(.*)$/;

function readLevel(value: unknown, line: string): LogLevelName {
  if (value === undefined) return 'information';
  try {
    return parseLevel(value, '@l');
  } catch {
    throw new ClefParseError(`unknown level ${JSON.stringify(value)}`, line);
  }
}

function readException(text: string): Error {
  const newline = text.indexOf('\n');
  const first = newline === -1 ? text : text.slice(0, newline);
  const header = ERROR_HEADER.exec(first);
  const error = new Error(header === null ? first : header[2]);
  if (header !== null) error.name = header[1];
  error.stack = text;
  return error;
}

/**
 * Reads one CLEF line back into a LogEvent (a `LogEventRecord`).
 *
 * `@t` becomes the timestamp, `@l` the level (Information when missing; Serilog's names and the
 * configuration aliases are accepted in any case), `@mt` the template (or, without it, `@m` as
 * literal text), `@x` an Error whose `stack` is that text and whose message is its first line
 * (and its name, when that line starts `SomeError: `). `@i`, `@r` and `@m` are not properties;
 * `@@name` becomes the property `@name`; other names keep their order. Formatting what this
 * returns gives the same line back for events whose values are JSON-safe.
 *
 * @throws ClefParseError when the line is not a JSON object, has no string `@t`, or names an unknown level.
 * @example readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Hi {Name}","Name":"Ann"}').renderMessage() // 'Hi Ann'
 */
export function readCompactJson(line: string): LogEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new ClefParseError(error instanceof Error ? error.message : 'invalid JSON', line);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ClefParseError('not a JSON object', line);
  const fields = parsed as Record<string, unknown>;
  const time = fields['@t'];
  if (typeof time !== 'string') throw new ClefParseError('no "@t" timestamp', line);
  const timestamp = new Date(time);
  const level = readLevel(fields['@l'], line);
  const mt = fields['@mt'];
  const m = fields['@m'];
  const templateText = typeof mt === 'string' ? mt : typeof m === 'string' ? m.replace(/[{}]/g, '$&$&') : '';
  const x = fields['@x'];
  const exception = x === undefined ? undefined : readException(typeof x === 'string' ? x : JSON.stringify(x));
  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if (RESERVED.has(key)) continue;
    const name = key.startsWith('@@') ? key.slice(1) : key;
    Object.defineProperty(properties, name, { value: fields[key], enumerable: true, writable: true, configurable: true });
  }
  return new LogEventRecord(timestamp, level, parseTemplateCached(templateText), properties, exception);
}
