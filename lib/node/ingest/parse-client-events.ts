import { isLevelName, type LogLevelName, levelValue, parseLevel } from '../../core/log-level';
import { isSpanIdText, isTraceIdText, isZeroId } from '../../core/trace-context';
import { parseJsonExact } from '../../formatting/parse-json-exact';
import { parseTemplate } from '../../templates/parse-template';
import { alignText, renderPropertyToken } from '../../templates/render-template';

/** One event a client sent, validated: its properties are data only, in an object without a prototype. */
export interface ClientEvent {
  /** The level to log at: the client's, lowered to the maximum. */
  readonly level: LogLevelName;
  /** The level the client sent, when it was lowered. */
  readonly clientLevel?: LogLevelName | undefined;
  /** The client's message template, when it sent one. */
  readonly template?: string | undefined;
  /**
   * The client's rendered message, when it sent no template. With a template, the message is
   * rendered from it (see {@link clientMessage}), with the values as the server's redaction left them.
   */
  readonly message?: string | undefined;
  /** The most characters the message rendered from the template may have (see {@link messageLimit}). */
  readonly messageLimit: number;
  /**
   * The client's renderings of its template's formatted holes (CLEF `@r`, an array of strings),
   * in hole order, when it sent them: the message shows a scalar's rendering as the browser made it
   * (a Date's `{When:HH:mm}`, which arrives as its ISO string), as rxlog's CLEF reader and Seq do.
   */
  readonly renderings?: readonly string[] | undefined;
  /**
   * The client's own rendered message, when it sent a template with formatted holes but no
   * renderings for them (NDJSON's `message`; a CLEF `@m` without `@r`): it shows those holes as the
   * browser formatted them, where the server would render a Date that arrived as text as its ISO
   * string. The handler uses it when the server's redaction policy changed none of the client's values.
   */
  readonly sentMessage?: string | undefined;
  /** The client's timestamp, when it sent a valid one: ISO 8601 text that is a date (any other text rejects the line). */
  readonly timestamp?: string | undefined;
  /** The client's exception text. */
  readonly exception?: string | undefined;
  /** The client's own properties. */
  readonly properties: Record<string, unknown>;
  /**
   * The client's own trace context, when it sent a valid pair (CLEF `@tr` and `@sp`, or NDJSON
   * `TraceId` and `SpanId`: 32 and 16 lower-case hex digits, not all zeros), with its
   * `TraceFlags` property when that is a number from 0 to 255.
   */
  readonly trace?: ClientTrace | undefined;
}

/** A client event's trace context, as the server event carries it. */
export interface ClientTrace {
  readonly TraceId: string;
  readonly SpanId: string;
  readonly TraceFlags?: number | undefined;
}

/** Bounds applied to every line of a body. */
export interface ClientEventLimits {
  readonly maxEvents: number;
  readonly maxEventBytes: number;
  readonly maxProperties: number;
  readonly maxDepth: number;
  readonly maxLevel: LogLevelName;
}

/** The events of a body that passed validation, how many lines were rejected, and why the first was. */
export interface ParsedClientEvents {
  readonly events: ClientEvent[];
  readonly rejected: number;
  /**
   * Why the first rejected line was rejected, with its number (`'line 3: @t is not an ISO 8601
   * date'`), as Seq's ingestion API answers a bad payload with a reason; undefined when none was.
   * Never quotes the line: the client knows what it sent.
   */
  readonly reason?: string | undefined;
}

/** The least a rendered message may grow to, in characters, whatever the length of its line. */
const MIN_MESSAGE_LENGTH = 1_024;
// CLEF's reserved fields (clef-json.org): @tr and @sp are read as the trace, never kept as properties too
// (ids that make no trace are the TraceId and SpanId properties they were written from).
const CLEF_FIELDS = new Set(['@t', '@mt', '@m', '@l', '@x', '@i', '@r', '@tr', '@sp']);
/** CLEF's id fields and the properties they stand for (CompactJsonFormatter writes `TraceId` and `SpanId` as them). */
const CLEF_ID_PROPERTIES = [
  ['@tr', 'TraceId', isTraceIdText],
  ['@sp', 'SpanId', isSpanIdText],
] as const;
const NDJSON_FIELDS = new Set(['timestamp', 'level', 'message', 'template', 'exception']);
// NdjsonFormatter writes a property named like a field with one more leading underscore.
const NDJSON_ESCAPED = /^_+(?:timestamp|level|message|template|exception)$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

class Rejected extends Error {}

/**
 * Reads the events of a request body: one JSON object a line, in CLEF (what HttpSink and SeqSink
 * send: `@t`, `@mt`, `@m`, `@l`, `@x`, properties) or in rxlog's NDJSON shape (`timestamp`,
 * `level`, `message`, `template`, `exception`, properties, `_level` read back as `level`; a line
 * whose `timestamp` comes before any `@t`, `@mt` or `@m` is NDJSON, those its properties). Each
 * line is checked on its own: invalid UTF-8, invalid JSON, a value that is not an object, a field
 * of the wrong type, an unknown level, no message, too many values, too deep or too long rejects
 * that line only. The message
 * {@link clientMessage} renders from a template is cut (then `…`) at twice its line's length in
 * characters (at least 1 024), or at `maxEventBytes` when that is less. Lines past
 * `maxEvents` are counted as rejected without being parsed. Blank lines are skipped. A line named in
 * `unwritable` (by its number, from 1) is rejected for the reason given there.
 */
export function parseClientEvents(
  body: Buffer,
  limits: ClientEventLimits,
  unwritable?: ReadonlyMap<number, string>,
): ParsedClientEvents {
  const events: ClientEvent[] = [];
  let rejected = 0;
  let reason: string | undefined;
  let lines = 0;
  let line = 0;
  let start = 0;
  const reject = (why: () => string): void => {
    rejected++;
    reason ??= `line ${line}: ${why()}`;
  };
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    let stop = end;
    if (stop > start && body[stop - 1] === 0x0d) stop--;
    line++;
    if (!isBlank(body, start, stop)) {
      lines++;
      if (lines > limits.maxEvents) reject(() => `past maxEvents (${limits.maxEvents} events a request)`);
      else if (unwritable?.has(line) === true) reject(() => unwritable.get(line) ?? '');
      else if (stop - start > limits.maxEventBytes)
        reject(() => `${stop - start} bytes, longer than maxEventBytes (${limits.maxEventBytes})`);
      else {
        try {
          events.push(readLine(body.subarray(start, stop), limits));
        } catch (error) {
          reject(() => rejection(error, limits));
        }
      }
    }
    start = end + 1;
  }
  return reason === undefined ? { events, rejected } : { events, rejected, reason };
}

/** Why a line was rejected, in the handler's own words: a parser's message would quote the line. */
function rejection(error: unknown, limits: ClientEventLimits): string {
  if (error instanceof Rejected) {
    switch (error.message) {
      case 'too many values':
        return `more than maxProperties (${limits.maxProperties}) values`;
      case 'too deep':
        return `nested deeper than maxDepth (${limits.maxDepth})`;
      default:
        return error.message;
    }
  }
  if (error instanceof RangeError) return 'invalid JSON: an integer literal of more than 4 300 digits';
  return 'invalid JSON';
}

/** Whether a line holds only JSON whitespace, after the byte order mark the decoder would skip (RFC 8259 §8.1). */
function isBlank(body: Buffer, start: number, stop: number): boolean {
  const bom = stop - start >= 3 && body[start] === 0xef && body[start + 1] === 0xbb && body[start + 2] === 0xbf;
  for (let i = bom ? start + 3 : start; i < stop; i++) {
    const byte = body[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

function readLine(bytes: Buffer, limits: ClientEventLimits): ClientEvent {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new Rejected('invalid UTF-8');
  }
  // Not JSON.parse: it rounds an integer past 2^53 (a bigint the browser logged, a 64-bit id),
  // which rxlog's writers send as its exact digits; one of more than 4300 digits rejects the line.
  const parsed: unknown = parseJsonExact(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Rejected('not a JSON object');
  const fields = parsed as Record<string, unknown>;
  const clef = ('@t' in fields || '@mt' in fields || '@m' in fields) && !ndjsonFirst(fields);
  const reserved = clef ? CLEF_FIELDS : NDJSON_FIELDS;
  const template = optionalString(fields, clef ? '@mt' : 'template');
  const rendered = optionalString(fields, clef ? '@m' : 'message');
  if (template === undefined && rendered === undefined)
    throw new Rejected(clef ? 'no message (@mt or @m)' : 'no message (template or message)');
  const sentLevel = readLevel(fields, clef ? '@l' : 'level');
  const timestamp = readTimestamp(fields, clef ? '@t' : 'timestamp');
  const exception = optionalString(fields, clef ? '@x' : 'exception');
  const renderings = clef ? readRenderings(fields['@r']) : undefined;

  const trace = readTrace(fields[clef ? '@tr' : 'TraceId'], fields[clef ? '@sp' : 'SpanId'], fields.TraceFlags);
  const properties = Object.create(null) as Record<string, unknown>;
  let budget = limits.maxProperties;
  // CLEF's @tr and @sp ids that are no trace (one without the other) are the browser's TraceId and
  // SpanId properties, as readCompactJson reads them, first: kept in its data, not lost. An all-zero
  // one is no id (W3C Trace Context), as readCompactJson reads it; rxlog's writers never send it.
  if (clef && trace === undefined)
    for (const [field, name, isId] of CLEF_ID_PROPERTIES) {
      const value = fields[field];
      // Ids rxlog's formatter would write; anything else there is no property of the browser's.
      if (!isId(value) || isZeroId(value)) continue;
      budget = spend(value, budget - 1, 1, limits.maxDepth);
      properties[name] = value;
    }
  for (const key of Object.keys(fields)) {
    if (reserved.has(key)) continue;
    const name = clef ? (key.startsWith('@@') ? key.slice(1) : key) : NDJSON_ESCAPED.test(key) ? key.slice(1) : key;
    // Of any length, as readCompactJson reads it (the line's maxEventBytes bounds it), but a name:
    // rxlog's loggers refuse an empty one.
    if (name.length === 0) throw new Rejected('an empty property name');
    budget = spend(fields[key], budget - 1, 1, limits.maxDepth);
    properties[name] = fields[key];
  }

  const capped = levelValue(sentLevel) > levelValue(limits.maxLevel);
  return {
    level: capped ? limits.maxLevel : sentLevel,
    ...(capped ? { clientLevel: sentLevel } : {}),
    ...(template === undefined ? {} : { template }),
    ...(template === undefined ? { message: rendered } : {}),
    messageLimit: messageLimit(bytes.length, limits),
    ...(renderings === undefined ? {} : { renderings }),
    ...(template !== undefined && rendered !== undefined && renderings === undefined && hasFormattedHole(template)
      ? { sentMessage: rendered }
      : {}),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(exception === undefined ? {} : { exception }),
    properties,
    ...(trace === undefined ? {} : { trace }),
  };
}

/**
 * Whether a line that holds CLEF's fields is NdjsonFormatter's all the same: its `timestamp` comes
 * before them. Each writer puts its own time first and writes a property named like the other's
 * fields as it is (an NDJSON event's `@m`, a CLEF event's `timestamp`), so the one that comes
 * first says which, as the `rxlog` CLI reads a line.
 */
function ndjsonFirst(fields: Record<string, unknown>): boolean {
  if (!Object.hasOwn(fields, 'timestamp')) return false;
  for (const key of Object.keys(fields)) {
    if (key === 'timestamp') return true;
    if (key === '@t' || key === '@mt' || key === '@m') return false;
  }
  return false;
}

/** A valid, non-zero trace and span id pair (with the flags when they are a byte), else undefined: the ids go as a set or not at all. */
function readTrace(traceId: unknown, spanId: unknown, flags: unknown): ClientTrace | undefined {
  if (!isTraceIdText(traceId) || isZeroId(traceId) || !isSpanIdText(spanId) || isZeroId(spanId)) return undefined;
  const byte = typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 && flags <= 255;
  return byte ? { TraceId: traceId, SpanId: spanId, TraceFlags: flags } : { TraceId: traceId, SpanId: spanId };
}

/** Whether the template has a hole with a format (`{When:HH:mm}`), which the server may render otherwise than the browser did. */
function hasFormattedHole(template: string): boolean {
  return parseTemplate(template).tokens.some((token) => token.kind === 'property' && token.format !== undefined);
}

/** CLEF's `@r` when it is an array of strings; anything else is ignored (the server renders those holes itself). */
function readRenderings(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

/**
 * The most characters the message rendered from a line of `lineBytes` bytes may have: twice the
 * line (at least {@link MIN_MESSAGE_LENGTH}), at most `maxEventBytes`. A message renders each value
 * of its line about once; only repeated holes, alignments and number formats make it longer, and
 * without this bound a 55-byte line rendered 32 KiB, so a 54 KB body wrote 33 MB of server log.
 */
function messageLimit(lineBytes: number, limits: ClientEventLimits): number {
  return Math.min(limits.maxEventBytes, Math.max(MIN_MESSAGE_LENGTH, 2 * lineBytes));
}

/**
 * The message of a client's event: its template rendered with `values` (its own properties, or
 * those the server's redaction policy left), cut at its {@link ClientEvent.messageLimit}; or, when
 * it sent no template, its own rendered message. A formatted hole shows the client's rendering
 * (CLEF `@r`) when its value is a scalar the policy left as the client sent it, so the message reads
 * as it did in the browser; a value the policy changed is rendered from what it left, never from
 * the client's text.
 */
export function clientMessage(event: ClientEvent, values: Readonly<Record<string, unknown>>): string {
  return event.template === undefined
    ? (event.message ?? '')
    : renderBounded(event.template, values, event.messageLimit, (name, formatted) => {
        const rendering = event.renderings?.[formatted];
        if (rendering === undefined || !Object.hasOwn(values, name)) return undefined;
        const value = values[name];
        const scalar =
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint';
        return scalar && Object.is(value, event.properties[name]) ? rendering : undefined;
      });
}

/**
 * Renders a client's template with its properties, cut at `max` UTF-16 code units (then `…`):
 * holes repeat a value and alignments pad, so a short line could otherwise render into megabytes.
 * `rendering(name, n)` gives the client's own text for the `n`th formatted hole, or undefined.
 */
function renderBounded(
  template: string,
  properties: Readonly<Record<string, unknown>>,
  max: number,
  rendering: (name: string, formatted: number) => string | undefined,
): string {
  let out = '';
  let formatted = 0;
  // A hole written again renders as it did (its text names the value, alignment and format): a
  // line of `{A:0.00}` repeated thousands of times formatted the number each time, half a second of
  // CPU for a 1 MiB body, with the event loop blocked.
  const holes = new Map<string, string>();
  for (const token of parseTemplate(template).tokens) {
    let piece: string;
    if (token.kind === 'text') piece = token.text;
    else {
      const own = token.format === undefined ? undefined : rendering(token.name, formatted++);
      if (own !== undefined) piece = alignText(own, token.alignment);
      else {
        const known = holes.get(token.raw);
        piece = known ?? renderPropertyToken(token, properties);
        if (known === undefined) holes.set(token.raw, piece);
      }
    }
    if (out.length + piece.length <= max) {
      out += piece;
      continue;
    }
    out += piece.slice(0, max - out.length);
    // Never end on half a surrogate pair.
    const last = out.charCodeAt(out.length - 1);
    return `${last >= 0xd800 && last <= 0xdbff ? out.slice(0, -1) : out}…`;
  }
  return out;
}

/** Counts the values inside `value` against `budget`; rejects when it runs out or nesting goes past `maxDepth`. */
function spend(value: unknown, budget: number, depth: number, maxDepth: number): number {
  if (budget < 0) throw new Rejected('too many values');
  if (typeof value !== 'object' || value === null) return budget;
  if (depth > maxDepth) throw new Rejected('too deep');
  let left = budget;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) left = spend(item, left - 1, depth + 1, maxDepth);
  } else {
    const record = value as Record<string, unknown>;
    // A key is data (a Map keyed by URLs, a dictionary keyed by sentences): any length, as values.
    for (const key of Object.keys(record)) left = spend(record[key], left - 1, depth + 1, maxDepth);
  }
  return left;
}

function optionalString(fields: Record<string, unknown>, field: string): string | undefined {
  const value = fields[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Rejected(`${field} is not a string`);
  return value;
}

function readLevel(fields: Record<string, unknown>, field: string): LogLevelName {
  const value = fields[field];
  if (value === undefined) return 'information';
  if (isLevelName(value)) return value;
  try {
    return parseLevel(value);
  } catch {
    throw new Rejected(`${field} is not a level (Verbose, Debug, Information, Warning, Error, Fatal)`);
  }
}

/**
 * ISO 8601 as CLEF's `@t` and NDJSON's `timestamp` hold it: a date (a year of four digits, or of
 * six with a sign, as `toISOString` writes it; never `-000000`), then optionally a time and an
 * offset. `Date.parse` alone also takes any text ending in a number (`'Error: db down 1'` is 2001),
 * and reads `-2026-01-01` as 2026.
 */
const ISO_TIMESTAMP =
  /^(\d{4}|(?!-000000)[+-]\d{6})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function readTimestamp(fields: Record<string, unknown>, field: string): string | undefined {
  const text = optionalString(fields, field);
  if (text === undefined) return undefined;
  const date = text.length > 40 ? null : ISO_TIMESTAMP.exec(text);
  if (date === null || Number.isNaN(Date.parse(text)) || !onCalendar(Number(date[1]), Number(date[2]), Number(date[3])))
    throw new Rejected(`${field} is not an ISO 8601 date and time`);
  return text;
}

/** Whether the month has the day: `Date.parse` takes any day up to 31 and rolls `2026-02-30` into March 2. */
function onCalendar(year: number, month: number, day: number): boolean {
  if (month !== 2) return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (leap ? 29 : 28);
}
