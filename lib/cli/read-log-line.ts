import type { LogEvent } from '../core/log-event';
import { parseLevel } from '../core/log-level';
import { FIRST_TIME_MS, LAST_TIME_MS } from '../formatting/iso-timestamp-cache';
import { parseIsoInstant } from '../formatting/parse-iso-instant';
import { parseJsonExact } from '../formatting/parse-json-exact';
import { readCompactJsonValue } from '../formatting/read-compact-json';
import { RenderedEvent } from '../formatting/rendered-event';
import { alignText, renderPropertyToken } from '../templates/render-template';
import { writeJson } from '../templates/safe-json';
import { readAsWritten, subMillisecond } from './read-as-written';

/** What one line of a log file holds: an event, or the reason it is not one. */
export type LogLineResult =
  | {
      readonly kind: 'event';
      readonly event: LogEvent;
      /**
       * A CLEF line's `@i`, as written: not part of the event, kept so `--json` writes it back (an integer past 2^53 as
       * a bigint, its digits kept).
       */
      readonly eventId?: string | number | bigint | undefined;
      /**
       * The digits of the line's time past the millisecond (`'4567'` of Serilog's `.1234567`), which the event's
       * timestamp cannot hold: shown by `{Timestamp:fffffff}` and written back by `--json`. Left out when none.
       */
      readonly subMillisecond?: string | undefined;
      /**
       * A CLEF line's own fields that start with one `@` and that rxlog does not read (Seq's span fields `@ps`, `@st`,
       * `@sk`, `@sa`, `@ra`): properties of the event under those names, which `--json` writes back as they were,
       * not escaped as `@@ps` (a property named `@ps`). Left out when none.
       */
      readonly atFields?: readonly string[] | undefined;
    }
  | { readonly kind: 'invalid'; readonly reason: string };

// The CLEF fields readCompactJson reads; any other field that starts with one `@` is a property of that name.
const CLEF_FIELDS = new Set(['@t', '@mt', '@m', '@l', '@x', '@i', '@r', '@tr', '@sp']);
// NdjsonFormatter's top-level fields; a property with one of these names is written as `_name`.
const NDJSON_FIELDS = new Set(['timestamp', 'level', 'message', 'template', 'exception']);
// What NdjsonFormatter escaped with one more leading `_`: a field name after one or more underscores.
const ESCAPED_FIELD = /^_+(?:timestamp|level|message|template|exception)$/;
// Deepest nesting of arrays and objects read, the line's own object counted: rxlog writes 65 at most
// (a property's value is cut at 64 levels).
const MAX_NESTING = 128;
// Most braces read in a template (or a message without one): each costs a parsed token or a piece of text, some
// 120 bytes, so a 16 MiB line of `{A}` took 950 MB where one of text takes 180 MB. This many cost 15 MB at most.
const MAX_TEMPLATE_BRACES = 131_072;

function invalid(reason: string): LogLineResult {
  return { kind: 'invalid', reason };
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // Not `target[key] = value`: a `__proto__` property must stay a property.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Why a time `readAsWritten` read as local time (`written`, as the line has it) is no instant of the years 0001–9999,
 * where the instant it names in UTC lies outside them (`"0001-01-01T00:00:00"` in Tokyo is year 0), or `undefined`.
 * The reader would quote the UTC text it was given, which the line does not hold.
 */
function localTimeProblem(fields: Record<string, unknown>, field: string, written: unknown): string | undefined {
  const utc = fields[field];
  if (utc === written || typeof utc !== 'string') return undefined;
  const time = parseIsoInstant(utc);
  return time >= FIRST_TIME_MS && time <= LAST_TIME_MS
    ? undefined
    : `"${field}" is not an ISO 8601 instant in the years 0001–9999: ${JSON.stringify(written)}, local time, is ${utc}`;
}

// An ISO 8601 expanded year (`+300000`, `-271821`), the only form of a year past the range a Date holds; `-000000`,
// which ISO 8601 forbids, is none.
const EXPANDED_YEAR = /^[+-](?!0{6})\d{6}/;

/**
 * Why the line's `field`, `text` (as the reader reads it: a local time in UTC), is no instant, or `undefined`. A time
 * whose fields are a date and time but that lies past the range a JavaScript Date holds (`"+300000-01-01T00:00:00Z"`,
 * `"-271821-04-19"` in New York, before its first instant, -271821-04-20T00:00Z) is outside the years 0001–9999, as
 * the reader says of one inside that range (`"+275760-09-13T00:00:00Z"`): it is a date. Its fields are read in the
 * year of the same place in the 400-year Gregorian cycle (the same leap years) to tell it from a text that is none.
 */
function timeProblem(text: string, field: string): string | undefined {
  if (!Number.isNaN(parseIsoInstant(text))) return undefined;
  const inCycle = text.replace(EXPANDED_YEAR, (year) => String(2000 + (((Number(year) % 400) + 400) % 400)));
  return inCycle !== text && !Number.isNaN(parseIsoInstant(inCycle))
    ? `"${field}" is not an ISO 8601 instant in the years 0001–9999: ${JSON.stringify(text)}`
    : 'the timestamp is not a date';
}

function levelProblem(level: unknown, field: string): string | undefined {
  // A null level is a level left out, Information, as readCompactJson (and Serilog's reader) reads it.
  if (level === undefined || level === null) return undefined;
  try {
    parseLevel(level, field);
    return undefined;
  } catch {
    // writeJson, not JSON.stringify: a long integer was read as a bigint, which JSON.stringify throws on.
    return `unknown level ${writeJson(level)} in "${field}"`;
  }
}

/**
 * Why the template the reader would parse is not read: `fields[template]` when it is a string, else
 * `fields[message]` (a message without a template is read as one with its braces doubled), holds more than
 * MAX_TEMPLATE_BRACES braces. A loop with an early exit: a line of millions of braces is found out after that many.
 */
function bracesProblem(fields: Record<string, unknown>, template: string, message: string): string | undefined {
  const field = typeof fields[template] === 'string' ? template : message;
  const text = fields[field];
  if (typeof text !== 'string') return undefined;
  let braces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x7b || c === 0x7d) && ++braces > MAX_TEMPLATE_BRACES)
      return `"${field}" holds more than ${MAX_TEMPLATE_BRACES} braces`;
  }
  return undefined;
}

/**
 * Why `fields[name]` is not read as text: present, not null, and not a string. An NDJSON `message` or `template` that is
 * not text (`{"message":{"a":1}}`, winston's `logger.info(42)`) makes the line not an event, as a CLEF `@m` or `@mt`
 * does, rather than an event shown with an empty message and the value lost.
 */
function textProblem(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return value === undefined || value === null || typeof value === 'string' ? undefined : `"${name}" is not a string`;
}

/** The event `read` gives, or the reason it gives instead (a bare reason: the caller says which line). */
function checked(read: () => LogEvent | string): LogLineResult {
  let event: LogEvent | string;
  try {
    event = read();
  } catch (error) {
    return invalid(error instanceof Error ? error.message : String(error));
  }
  if (typeof event === 'string') return invalid(event);
  const time = event.timestamp.getTime();
  return time === time ? { kind: 'event', event } : invalid('the timestamp is not a date');
}

/**
 * `read` with what the event cannot hold of its line: the digits of its `time` past the millisecond, and a CLEF
 * line's `@i` (`id`), when it has one: Serilog's RenderedCompactJsonFormatter writes `@m` with the `@i` of the
 * template it rendered, which a hash of the message would not give back, and Seq groups events by it.
 */
function withLineFields(read: LogLineResult, time: string, id: unknown, clef?: Record<string, unknown>): LogLineResult {
  if (read.kind !== 'event') return read;
  const fine = subMillisecond(time);
  // A field `@x` beside `@@x` is one property: the last of the two, written back escaped.
  const atFields =
    clef &&
    Object.keys(clef).filter(
      (key) => key[0] === '@' && key[1] !== '@' && !CLEF_FIELDS.has(key) && !Object.hasOwn(clef, `@${key}`),
    );
  // One literal, not a spread of `read` given more names: V8 adds names to a spread copy on a slow path.
  return {
    kind: 'event',
    event: read.event,
    eventId: typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? id : undefined,
    subMillisecond: fine === '' ? undefined : fine,
    atFields: atFields === undefined || atFields.length === 0 ? undefined : atFields,
  };
}

/** A CLEF line's event; `written`, its `@t` as the line has it (the fast path may have read it already). */
function fromClef(fields: Record<string, unknown>, written: unknown): LogLineResult {
  readAsWritten(fields, '@t', '@l');
  if (typeof fields['@t'] !== 'string') return invalid('"@t" is not a string');
  const problem =
    timeProblem(fields['@t'], '@t') ??
    localTimeProblem(fields, '@t', written) ??
    levelProblem(fields['@l'], '@l') ??
    bracesProblem(fields, '@mt', '@m');
  return problem === undefined
    ? withLineFields(
        checked(() => readCompactJsonValue(fields)),
        fields['@t'],
        fields['@i'],
        fields,
      )
    : invalid(problem);
}

/**
 * Whether the arrays and objects of a JSON text nest deeper than `limit`, brackets inside strings not
 * counted. A loop over the text, not a parse: a line of millions of `[` is found out after `limit`
 * of them, where JSON.parse would first build millions of arrays (seconds and hundreds of MB for 8
 * million); a string is skipped with `indexOf`, as most of a line is strings.
 */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // The closing quote is the next one after an even run of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i === -1) return false;
        let escapes = 0;
        while (text.charCodeAt(i - 1 - escapes) === 0x5c) escapes++;
        if (escapes % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * An NDJSON object rewritten as the CLEF object it stands for, so readCompactJson alone decides
 * how levels, exceptions and message-only events are read.
 */
function ndjsonToClef(fields: Record<string, unknown>): Record<string, unknown> {
  const clef: Record<string, unknown> = { '@t': fields.timestamp };
  if (typeof fields.template === 'string') clef['@mt'] = fields.template;
  else if (typeof fields.message === 'string') clef['@m'] = fields.message;
  if (fields.level !== undefined) clef['@l'] = fields.level;
  if (fields.exception !== undefined && fields.exception !== null) clef['@x'] = fields.exception;
  for (const key of Object.keys(fields)) {
    if (NDJSON_FIELDS.has(key)) continue;
    const name = ESCAPED_FIELD.test(key) ? key.slice(1) : key;
    define(clef, name.charCodeAt(0) === 0x40 ? `@${name}` : name, fields[key]);
  }
  return clef;
}

/**
 * Where each hole of `pieces` (text to find, and holes: a number or null) lies in `message`, each
 * hole taking the message up to the first occurrence of the text after it: the leftmost split, or
 * undefined where the message does not have the pieces' shape (two holes side by side, a message
 * cut). Linear in the message: no backtracking.
 */
function leftmostSpans(pieces: readonly (string | number | null)[], message: string): [number, number][] | undefined {
  const spans: [number, number][] = [];
  let at = 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (typeof piece === 'string') {
      if (!message.startsWith(piece, at)) return undefined;
      at += piece.length;
      continue;
    }
    const next = pieces[i + 1] ?? '';
    if (typeof next !== 'string' || (next === '' && i + 1 < pieces.length)) return undefined;
    const end = i + 2 >= pieces.length ? message.length - next.length : message.indexOf(next, at);
    if (end < at || !message.endsWith(next, i + 2 >= pieces.length ? message.length : end + next.length)) return undefined;
    spans.push([at, end]);
    at = end;
  }
  return spans;
}

/**
 * Where each hole of `pieces` lies in `message`, each hole taking the message back to the last occurrence of the text
 * before it: the rightmost split, leftmostSpans from the end. Searched in place from the end, not in a reversed copy
 * of the message, which cost a 15 MiB message 670 MB and 20 s of string concatenation. Linear in the message.
 */
function rightmostSpans(pieces: readonly (string | number | null)[], message: string): [number, number][] | undefined {
  const spans: [number, number][] = [];
  let at = message.length;
  for (let i = pieces.length - 1; i >= 0; i--) {
    const piece = pieces[i];
    if (typeof piece === 'string') {
      if (!message.endsWith(piece, at)) return undefined;
      at -= piece.length;
      continue;
    }
    const previous = pieces[i - 1] ?? '';
    if (typeof previous !== 'string' || (previous === '' && i > 0)) return undefined;
    const found = i < 2 ? 0 : message.lastIndexOf(previous, at - previous.length);
    const start = found + previous.length;
    if (found < 0 || start > at || !message.startsWith(previous, found)) return undefined;
    spans.push([start, at]);
    at = start;
  }
  return spans.reverse();
}

/**
 * The renderings of the formatted holes of `event`'s template in `message`, the NDJSON line's own
 * rendering: NDJSON has no `@r`, so a hole whose value JSON changed (a Date, read back as its ISO
 * string) rendered otherwise (`{When:yyyy-MM-dd}` showed the whole ISO string). The message is
 * split at the text between the holes (and holes without a format, rendered as the reader renders
 * them), and each formatted hole's rendering is kept aligned, as `@r` holds it. Only a split that
 * is the only one is taken: the leftmost split (each hole up to the first occurrence of what
 * follows it) and the rightmost (each up to the last) agree exactly when no other exists; where
 * they differ (`{When:o}:{Name:l}` and a rendering holding `:`), or the message does not have the
 * template's shape (two formatted holes side by side, a message cut), undefined: the template is
 * rendered again. Linear in the message.
 */
function messageRenderings(event: LogEvent, message: string): string[] | undefined {
  const tokens = event.messageTemplate.tokens;
  // Most templates have no formatted hole: nothing rendered for them.
  if (!tokens.some((token) => token.kind === 'property' && token.format !== undefined)) return undefined;
  // Text to find (string) and formatted holes (their alignment, or null without one), in order; text merged.
  const pieces: (string | number | null)[] = [];
  let textLength = 0;
  for (const token of tokens) {
    if (token.kind === 'property' && token.format !== undefined) {
      pieces.push(token.alignment ?? null);
      continue;
    }
    const text = token.kind === 'text' ? token.text : renderPropertyToken(token, event.properties);
    textLength += text.length;
    if (textLength > message.length) return undefined;
    const last = pieces.length - 1;
    if (typeof pieces[last] === 'string') pieces[last] += text;
    else pieces.push(text);
  }
  const leftmost = leftmostSpans(pieces, message);
  if (leftmost === undefined) return undefined;
  const rightmost = rightmostSpans(pieces, message);
  if (rightmost?.every(([start, end], i) => start === leftmost[i][0] && end === leftmost[i][1]) !== true) return undefined;
  const holes = pieces.filter((piece) => typeof piece !== 'string');
  const renderings: string[] = [];
  for (let i = 0; i < leftmost.length; i++) {
    const text = message.slice(leftmost[i][0], leftmost[i][1]);
    // Aligned, as `@r` holds it (Serilog's PropertyToken.Render pads it too): shorter, it was not this hole's.
    if (alignText(text, holes[i] ?? undefined) !== text) return undefined;
    renderings.push(text);
  }
  return renderings;
}

function fromNdjson(fields: Record<string, unknown>): LogLineResult {
  const written = fields.timestamp;
  readAsWritten(fields, 'timestamp', 'level');
  if (typeof fields.timestamp !== 'string') return invalid('"timestamp" is not a string');
  const problem =
    timeProblem(fields.timestamp, 'timestamp') ??
    localTimeProblem(fields, 'timestamp', written) ??
    levelProblem(fields.level, 'level') ??
    textProblem(fields, 'template') ??
    textProblem(fields, 'message') ??
    bracesProblem(fields, 'template', 'message');
  if (problem !== undefined) return invalid(problem);
  const read = checked(() => readCompactJsonValue(ndjsonToClef(fields)));
  if (read.kind === 'event') {
    const { event } = read;
    const renderings = typeof fields.message === 'string' ? messageRenderings(event, fields.message) : undefined;
    return withLineFields(
      renderings === undefined
        ? read
        : {
            kind: 'event',
            event: new RenderedEvent(
              event.timestamp,
              event.level,
              event.messageTemplate,
              event.properties,
              event.exception,
              renderings,
            ),
          },
      fields.timestamp,
      undefined,
    );
  }
  // The CLEF reader names its own fields; of those, only "@t" and "@x" come from an NDJSON line, as "timestamp" and "exception".
  return invalid(read.reason.replace(/^"@t"/, '"timestamp"').replace(/^"@x"/, '"exception"'));
}

/**
 * Reads one line of a log file: a CLEF event (an object with `@t`, read by `readCompactJson`) or
 * an NDJSON event as `NdjsonFormatter` writes it (an object with `timestamp`, plus `level`,
 * `message`, `template`, `exception` and the properties; `_level` and the like are read back as
 * `level`, `__level` as `_level`; without `template`, the message is taken as literal text). An
 * object with both `@t` and `timestamp` is read by the one that comes first, as each writer puts
 * its own first (an NDJSON event may have an `@t` property, a CLEF event a `timestamp`). A time without an offset
 * is local time, and `CRITICAL`, `crit`, `err` and the `{Level:u3}` names are levels (see `readAsWritten`). Anything else, including
 * an unknown level, a timestamp that is not a date, arrays and objects nested deeper than 128 levels (the
 * line's object counted) or a template (or message without one) of more than 131072 braces, is `invalid` with the
 * reason. Never throws, never recurses per level.
 *
 * @example readLogLine('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Hi {Name}","Name":"Ann"}') // { kind: 'event', event }
 */
export function readLogLine(line: string): LogLineResult {
  // readline keeps a file's byte order mark on its first line; JSON.parse rejects it.
  const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  const start = text.trimStart();
  const first = start.charCodeAt(0);
  if ((first === 0x7b || first === 0x5b) && nestedDeeperThan(start, MAX_NESTING))
    return invalid(`nested deeper than ${MAX_NESTING} levels`);
  // Prose, stack traces and blank lines are not JSON objects: say so without paying for JSON.parse.
  if (first !== 0x7b) return invalid(start === '' ? 'blank line' : 'not a JSON object');
  let parsed: unknown;
  try {
    // Not JSON.parse: a long integer (a 64-bit id) keeps its digits as a bigint.
    parsed = parseJsonExact(text);
  } catch (error) {
    // A RangeError is JSON with an integer of more digits than are read exactly: say that, not "invalid JSON".
    if (error instanceof RangeError) return invalid(error.message);
    return invalid(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalid('not a JSON object');
  const fields = parsed as Record<string, unknown>;
  const written = fields['@t'];
  // Fast path for the common case, rxlog's own CLEF (`@t` first): read at once, the checks left to the reader.
  if (text.startsWith('{"@t":') && bracesProblem(fields, '@mt', '@m') === undefined) {
    readAsWritten(fields, '@t', '@l');
    const fast = checked(() => readCompactJsonValue(fields));
    if (fast.kind === 'event') return withLineFields(fast, fields['@t'] as string, fields['@i'], fields);
  }
  const clef = Object.hasOwn(fields, '@t');
  const ndjson = Object.hasOwn(fields, 'timestamp');
  // Both: a CLEF event with a `timestamp` property, or an NDJSON event with an `@t` property. Each
  // writer puts its own field first, so the one that comes first says which.
  if (clef && (!ndjson || Object.keys(fields).find((key) => key === '@t' || key === 'timestamp') === '@t'))
    return fromClef(fields, written);
  if (ndjson) return fromNdjson(fields);
  return invalid('neither a CLEF "@t" nor an NDJSON "timestamp" field');
}
