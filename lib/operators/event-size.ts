import { isObject } from '../core/is-object';
import type { LogEvent } from '../core/log-event';
import { hasNoHoles, type MessageTemplate, type PropertyToken } from '../core/message-template';
import { isPlainRecord } from '../core/is-plain-record';
import { parseTemplate } from '../templates/parse-template';
import { truncatedText } from '../core/truncated-text';
import { setOwnProperty } from '../templates/own-property';
import { memoOf } from '../templates/template-memo';
import { LongTextCache } from './long-text-cache';
import { hasErrorBrand } from '../core/has-error-brand';
import { fieldsText, FRAME_FIRST } from '../core/exception-text';
import { jsonBigintBytes, jsonNumberBytes } from './json-number-bytes';

/** What an event costs before its properties: timestamp, level, object headers. */
const EVENT_OVERHEAD = 64;
/**
 * Most values the estimate visits. An event with more is not measured but taken as oversized
 * (`UNMEASURED_BYTES`), so the queue truncates it down to something measurable: the estimate is
 * an upper bound, never a guess that makes unvisited data free.
 */
const VISIT_BUDGET = 16_384;
/** What an event too large to measure within the budget counts as: more than any `maxEventBytes`. */
const UNMEASURED_BYTES = Number.MAX_SAFE_INTEGER;
/** What an unreadable value (a throwing getter, a revoked proxy) counts as. */
const UNREADABLE = 64;
/**
 * Strings shorter than this count their length; longer ones count their bytes in JSON's UTF-8,
 * escapes included, so the few strings that make an event large are measured as they are written.
 */
const EXACT_FROM = 64;
/** Strings shorter than this are never cut: cutting them saves less than the marker costs. */
const MIN_CUT = 32;
/** Most values `truncateEvent` walks (it runs only for oversized events). */
const TRUNCATE_VISIT_LIMIT = 100_000;
const MARKER_ALLOWANCE = 32;
const TRUNCATED_VALUE = '…[truncated]';
/** Most times `dropLargestProperties` measures a whole event again. */
const MAX_RECHECKS = 4;

/**
 * The sizes and cuts of the last four strings of 64 Ki code units or more: an oversized string
 * logged on every event (a fixed property) is read once, not four times per event. Four: an
 * event's two largest (a body and an exception's stack) and their cuts, which are measured too.
 * Holds at most four such strings, each until four others are seen, and one longer than 1 Mi code
 * units only until the task that saw it ends (it is measured once per task).
 */
const longTexts = new LongTextCache(4, 64 * 1024, 1024 * 1024);

// The budget is module state so the walk allocates nothing; it is reset on every call.
let budget = 0;

/**
 * A cheap estimate of an event's size in bytes (about its JSON length in UTF-8), used to bound
 * queues by bytes. It never serializes: a string (a property's name too) of 64 characters or more
 * counts its bytes in JSON's UTF-8 (escapes included: `é` 2, `€` 3, a control character up to 6),
 * a shorter one its length; a number counts the bytes JSON writes of it (`7` 1, `12.5` 4, `1 / 3`
 * 18; see `jsonNumberBytes`), at any depth, so for data of numbers outside exponent form,
 * booleans, null and short ASCII strings the estimate of the properties is never below their JSON
 * and at most 1.5 times it (one byte over per array or object). An exception counts its stack
 * and, as `exceptionText` writes them, those of its causes and an AggregateError's errors (see
 * `nestedBytes`), with the `Name: message` a Firefox or Safari stack leaves out and the indent of
 * each line (see `aroundText`): an upper bound of what the CLEF, JSON and text formatters write
 * of an exception. The fixed part (`EVENT_OVERHEAD` and the template) is an estimate, not a bound: a
 * bare event's CLEF line is about 5 bytes over it and NDJSON's about 20 (its longer keys and the
 * message written twice), a few per event against the bytes that make events large. A property
 * that a hole with a format renders (`{Body:l}`, `{Elapsed,8:0.0}`) counts once more, as CLEF
 * writes it again in `@r` whatever its options (see `renderedNames`; the hole's padding, and a
 * missing property's hole as written, are not counted); what only a rendered message repeats
 * (CLEF's `@m` with `renderMessage`, NDJSON's `message`) is not, as the estimate does not know the
 * formatter. An event with more than 16 384 values is not walked further and counts as larger
 * than any limit (so a queue truncates it). Never throws.
 *
 * @example estimateEventBytes(event) <= 256 * 1024
 */
export function estimateEventBytes(event: LogEvent): number {
  budget = VISIT_BUDGET;
  try {
    let bytes = EVENT_OVERHEAD + textBytes(event.messageTemplate.text) + sizeOfRecord(event.properties);
    // CLEF's `@r`, whatever its options: each property a hole with a format renders, again (a
    // structure walked again, within the same budget).
    for (const name of renderedNames(event.messageTemplate)) bytes += sizeOf(event.properties[name]) + 1;
    const exception = event.exception;
    if (exception !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a thrown value typed as Error may lack a message
      const text = exception.stack ?? exception.message ?? '';
      // Its own fields' line (see fieldsText) counts as written, and its break as the text formatter writes it.
      const fields = fieldsText(exception);
      bytes +=
        textBytes(text) +
        16 +
        aroundText(exception, text, 0, textBytes, Infinity) +
        nestedBytes(exception) +
        textBytes(fields) +
        (fields === '' ? 0 : 1);
    }
    return budget <= 0 ? UNMEASURED_BYTES : bytes;
  } catch {
    // A hostile value (a throwing getter, a revoked proxy): assume the event is large, not free.
    return EVENT_OVERHEAD + UNREADABLE * 16;
  }
}

const NO_NAMES: readonly string[] = [];

/**
 * The properties CLEF's `@r` writes again, whatever its options: those of the holes with a format
 * (`{Body:l}`, `{Elapsed,8:0.0}`), in order, each as often as a hole names it. Found once per
 * template: reading a template's frozen tokens on every event doubled the estimate's cost.
 */
function renderedNames(template: MessageTemplate): readonly string[] {
  const memo = memoOf(template);
  let names = memo.formatted;
  if (names === undefined)
    memo.formatted = names = hasNoHoles(template)
      ? NO_NAMES
      : // Only a property token has a format.
        (template.tokens as readonly PropertyToken[]).filter((token) => token.format !== undefined).map((token) => token.name);
  return names;
}

function sizeOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return textBytes(value) + 2;
    case 'number':
      return jsonNumberBytes(value);
    case 'bigint':
      return jsonBigintBytes(value);
    case 'boolean':
      return 5;
    case 'undefined':
      return 0;
    case 'object':
      if (value === null) return 4;
      if (value instanceof Date) return 26;
      if (budget <= 0) return UNREADABLE;
      if (Array.isArray(value)) return sizeOfArray(value);
      return sizeOfRecord(value as Record<string, unknown>);
    default:
      // What JSON leaves out or cannot hold (a symbol, a function).
      return 8;
  }
}

/** What `text` adds inside a JSON string's quotes: its length when short (see `EXACT_FROM`), else its UTF-8 bytes with escapes. */
function textBytes(text: string): number {
  const length = text.length;
  if (length < EXACT_FROM) return length;
  return longTexts.bytes(text, measureText);
}

/** `textBytes` of a string of `EXACT_FROM` characters or more, read in full (or its first `length` characters). */
function measureText(text: string, length = text.length): number {
  let bytes = 0;
  for (let index = 0; index < length; index++) bytes += charBytes(text.charCodeAt(index));
  return bytes;
}

/** Most characters `exceptionText` writes of one nested error or cause (64 Ki), and of all of them (16 times that, 1 MiB). */
const MAX_PART_CHARS = 64 * 1024;
/** What a nested error or cause adds besides its text: its `caused by: ` or `error i of n: ` line, a marker. */
const PART_OVERHEAD = 32;
// One `nestedBytes` walk's state, module state as `budget` is: the parts and characters left, where each text's bytes go.
let partsLeft = 0;
let charsLeft = 0;
let nestedLengths: number[] | undefined;

/**
 * What the causes and errors below `error` add to its text as `exceptionText` writes them: each
 * one's stack (else its message; a plain object's JSON, at most 1 000 characters, counts 1 KiB),
 * at most 64 Ki characters of each, 1 MiB and 64 of them in all, eight deep. An upper bound: a cycle
 * counts each time round, within those caps. Each text's bytes also go to `lengths`, so the cut
 * sees the strings the estimate counted. An error with neither `cause` nor `errors` costs two
 * reads. Never throws: a getter or Proxy trap that throws costs `UNREADABLE`.
 */
function nestedBytes(error: Error, lengths?: number[]): number {
  partsLeft = MAX_PARTS;
  charsLeft = 16 * MAX_PART_CHARS;
  nestedLengths = lengths;
  const bytes = linkBytes(error, 0, 0);
  nestedLengths = undefined;
  return bytes;
}

/**
 * `nestedBytes` of the cause and errors of `value`, `depth` levels below the top, their lines
 * indented by `indent` spaces: `exceptionText` indents what follows an AggregateError's item (its
 * causes and errors) by two more than the item.
 */
function linkBytes(value: object, depth: number, indent: number): number {
  let bytes = 0;
  const cause = readMember(value, 'cause');
  if (cause === UNREAD) bytes += PART_OVERHEAD + indent;
  else if (cause !== undefined) bytes += partBytes(cause, depth + 1, indent, indent);
  const errors = readMember(value, 'errors');
  try {
    if (Array.isArray(errors))
      for (let index = 0; index < errors.length && index < MAX_NESTED; index++)
        bytes += partBytes(errors[index], depth + 1, indent, indent + 2);
  } catch {
    // An `errors` Proxy whose traps throw.
    bytes += UNREADABLE;
  }
  return bytes;
}

/** What one nested error or cause adds, its lines indented by `indent`, with its own cause and errors (indented by `childIndent`). */
function partBytes(value: unknown, depth: number, indent: number, childIndent: number): number {
  if (depth > MAX_NESTED || partsLeft-- <= 0) return PART_OVERHEAD + indent;
  if (!isObject(value))
    return PART_OVERHEAD + indent + (typeof value === 'string' ? textCost(value) + breakBytes(value, indent, MAX_PART_CHARS) : 0);
  let text = readMember(value, 'stack');
  if (typeof text !== 'string') text = readMember(value, 'message');
  const own = typeof text === 'string' ? textCost(text) + aroundText(value, text, indent, textCost) : UNREADABLE * 16;
  // Its own fields' line, which `exceptionText` writes after its text (see fieldsText).
  const fields = fieldsText(value);
  return PART_OVERHEAD + indent + own + textCost(fields) + breakBytes(fields, indent, 1) + linkBytes(value, depth, childIndent);
}

/**
 * What `exceptionText` and the formatters add to an error's `text` (its stack, else its message):
 * the `Name: message` line a Firefox or Safari stack leaves out, which is put first (its message
 * counted by `cost`), and what its line breaks add (see `breakBytes`). Never throws: a `name` or
 * `message` getter that throws costs `UNREADABLE`.
 */
function aroundText(error: object, text: string, indent: number, cost: (text: string) => number, end = MAX_PART_CHARS): number {
  let bytes = breakBytes(text, indent, end);
  try {
    const { name, message } = error as { name?: unknown; message?: unknown };
    // As exceptionText's withHeader decides.
    if (typeof message === 'string' && message !== '' && FRAME_FIRST.test(text) && !text.includes(message)) {
      bytes +=
        (typeof name === 'string' ? textBytes(name) : 5) + cost(message) + 4 + breakBytes(message, indent, end) + (indent || 1);
    }
  } catch {
    bytes += UNREADABLE;
  }
  return bytes;
}

/**
 * What the line breaks in the first `end` characters of `text` add to it as written: `indent`
 * spaces each, for a nested part's lines; at the first column, one byte for each break the text
 * formatter indents (one before a line that starts with neither a space nor a tab, a Firefox frame:
 * it writes a break as one byte and two spaces, where JSON writes `\n`, two).
 */
function breakBytes(text: string, indent: number, end: number): number {
  let bytes = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < end; at = text.indexOf('\n', at + 1)) {
    const next = text.charCodeAt(at + 1);
    bytes += indent > 0 ? indent : next === 32 || next === 9 ? 0 : 1;
  }
  return bytes;
}

/** The bytes of what `exceptionText` writes of one nested text: at most 64 Ki characters, and what is left of its 1 MiB. */
function textCost(text: string): number {
  const written = Math.min(text.length, MAX_PART_CHARS, charsLeft);
  charsLeft -= written;
  const bytes = written < text.length ? measureText(text, written) + MARKER_ALLOWANCE : textBytes(text);
  if (text.length >= MIN_CUT) nestedLengths?.push(bytes);
  return bytes;
}

/**
 * The bytes of one UTF-16 code unit in JSON's UTF-8: `\"`, `\\`, `\b`, `\t`, `\n`, `\f` and
 * `\r` take 2, other C0 controls 6 (`\u001b`), and so do DEL, the C1 controls, U+2028/U+2029
 * and the bidi controls, which the JSON writers escape too; each half of a surrogate pair 3 (the
 * pair takes 4, so this is an upper bound).
 */
function charBytes(code: number): number {
  // U+2028/U+2029 and the bidi controls (U+202A–U+202E, U+2066–U+2069) are written as `\uXXXX`.
  if (code >= 0x800) return (code >= 0x2028 && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) ? 6 : 3;
  // The C1 controls too (see safeJsonText).
  if (code >= 0x80) return code <= 0x9f ? 6 : 2;
  if (code >= 0x20) return code === 0x22 || code === 0x5c ? 2 : code === 0x7f ? 6 : 1;
  return code >= 8 && code <= 13 && code !== 11 ? 2 : 6;
}

function sizeOfArray(array: readonly unknown[]): number {
  let bytes = 2;
  const length = array.length;
  for (let index = 0; index < length; index++) {
    if (--budget <= 0) return bytes;
    bytes += sizeOf(array[index]) + 1;
  }
  return bytes;
}

function sizeOfRecord(record: Readonly<Record<string, unknown>>): number {
  let bytes = 2;
  for (const key in record) {
    if (--budget <= 0) return bytes;
    // A name counts its bytes as a string does (a parsed body's names are data), then quotes, `:` and `,`.
    bytes += sizeOf(record[key]) + textBytes(key) + 4;
  }
  return bytes;
}

/**
 * A copy of `event` that fits in about `maxEventBytes` (as `estimateEventBytes` counts): its
 * largest strings, in its template's text (parsed again once cut), properties and exception, are
 * cut to a common size in bytes and end with `…[truncated N chars]` (N counts the characters
 * cut); if cutting strings is not enough, the largest top-level properties are replaced by
 * `'…[truncated]'`. The copy's `renderMessage()` is the original's rendering, cut to half of
 * `maxEventBytes`. The exception's copy keeps its class, causes and errors, each cut the same way
 * (see `cutError`). An event that already fits is returned as is. Never throws.
 *
 * @example truncateEvent(eventWithBody, 256 * 1024).properties.Body // a Body of 1 MiB of 'x': 'xxxx…[truncated 786546 chars]'
 */
export function truncateEvent(event: LogEvent, maxEventBytes: number): LogEvent {
  const before = estimateEventBytes(event);
  if (before <= maxEventBytes) return event;
  try {
    // The template's text too: one built from data (a body interpolated into it) is as large as
    // that data, and was kept whole while the queue counted the event as maxEventBytes.
    const template = event.messageTemplate.text;
    const lengths: number[] = template.length >= MIN_CUT ? [textBytes(template)] : [];
    // The walk that cuts, run first to measure: it sees the same strings the cutting will.
    const measure = (text: string, beyondLimit: boolean): string => {
      if (!beyondLimit && text.length >= MIN_CUT) lengths.push(textBytes(text));
      return text;
    };
    mapStrings(event.properties, measure);
    // Again for what CLEF's `@r` writes again (see `renderedNames`): a cut there saves twice. A
    // loop, not a closure over `event`, which the copy's `renderMessage` would then hold.
    const walk: Walk = { visits: TRUNCATE_VISIT_LIMIT };
    for (const name of renderedNames(event.messageTemplate)) mapStrings(event.properties[name], measure, walk);
    const exception = event.exception;
    // Only the text the estimate counts: the stack (which repeats the message in V8), else the
    // message. Counting both made a huge message look like twice the bytes, so half stayed.
    const thrown = exception?.stack ?? exception?.message;
    if (thrown !== undefined && thrown.length >= MIN_CUT) lengths.push(textBytes(thrown));
    // And each text of its causes and errors, which `cutError` cuts to the same size.
    if (exception !== undefined) nestedBytes(exception, lengths);
    let keep = cutLength(lengths, before - maxEventBytes);
    // The plan counts string bytes only, but a nested part's lines cost their indent too, and go
    // with the lines cut: it cut every text to its marker where a quarter would do.
    if (exception !== undefined && lengths.length > 0) keep = searchKeep(event, keep, lengths[0], maxEventBytes);
    const cutEvent = cutAll(event, keep);
    const { messageTemplate, exception: cutException } = cutEvent;
    const properties = dropLargestProperties({ ...event, messageTemplate }, cutEvent.properties, cutException, maxEventBytes);
    const rendered = cut(renderSafely(event), Math.floor(maxEventBytes / 2), true);
    return {
      timestamp: event.timestamp,
      level: event.level,
      messageTemplate,
      properties,
      exception: cutException,
      renderMessage: () => rendered,
    };
  } catch {
    return event;
  }
}

/** `event` with its strings, template text and exception's texts cut to `keep` bytes (see `cutLength`). */
function cutAll(event: LogEvent, keep: number): Pick<LogEvent, 'messageTemplate' | 'properties' | 'exception'> {
  const template = event.messageTemplate.text;
  const cutTemplate = cut(template, keep);
  return {
    messageTemplate: cutTemplate === template ? event.messageTemplate : parseTemplate(cutTemplate),
    properties: mapStrings(event.properties, (text, beyondLimit) => cut(text, keep, beyondLimit)) as Record<string, unknown>,
    exception: event.exception === undefined ? undefined : cutError(event.exception, keep),
  };
}

/**
 * The largest cut size, from `keep` (the plan) up to `largest`, or down to 0 when the plan is
 * over, whose cut `event` fits `maxEventBytes`: six cuts at most, for an oversized exception only.
 * Outside `truncateEvent`, so the copy's `renderMessage` closure does not hold the original.
 */
function searchKeep(event: LogEvent, keep: number, largest: number, maxEventBytes: number): number {
  const fits = (size: number): boolean => estimateEventBytes({ ...event, ...cutAll(event, size) }) <= maxEventBytes;
  // No cut to more than maxEventBytes fits, so none is tried: each try copies what it keeps, and
  // halving from the largest text (a 16 MB stack) copied megabytes, in the caller, six times.
  let [low, high] = fits(keep) ? [keep, Math.min(largest, maxEventBytes)] : [0, keep];
  for (let step = 0; step < 6 && high - low > 64; step++) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}

interface Walk {
  visits: number;
}

/**
 * The size in bytes every string larger than it is cut to so that about `excess` bytes go away
 * (water-filling: the largest strings are cut first, down to a common size).
 */
function cutLength(lengths: number[], excess: number): number {
  if (lengths.length === 0) return Infinity;
  lengths.sort((a, b) => b - a);
  let sum = 0;
  for (let k = 1; k <= lengths.length; k++) {
    sum += lengths[k - 1];
    const next = k < lengths.length ? lengths[k] : 0;
    // Cutting the k largest strings to `next` saves this much, after their markers.
    if (sum - k * next - k * MARKER_ALLOWANCE >= excess) {
      return Math.max(next, Math.floor((sum - k * MARKER_ALLOWANCE - excess) / k));
    }
  }
  return 0;
}

/**
 * `text` cut to at most `keep` bytes (as `textBytes` counts them), with a marker counting the
 * characters cut; unless `always`, a string shorter than `MIN_CUT` is kept whole.
 */
function cut(text: string, keep: number, always = false): string {
  if (!always && text.length < MIN_CUT) return text;
  return longTexts.cut(text, keep, measureText, cutText);
}

/** `cut`, done. */
function cutText(text: string, keep: number): string {
  if (textBytes(text) <= keep) return text;
  let bytes = 0;
  let end = 0;
  while ((bytes += charBytes(text.charCodeAt(end))) <= keep) end++;
  return truncatedText(text, end);
}

/**
 * A copy of `value` with every string replaced by `onString(text, beyondLimit)`, walking at most
 * `walk.visits` values (a new walk: `TRUNCATE_VISIT_LIMIT`) and 64 levels of plain objects and arrays; past the visit limit a value is
 * kept as it is (a string still goes to `onString`, with `beyondLimit` true).
 */
function mapStrings(
  value: unknown,
  onString: (text: string, beyondLimit: boolean) => string,
  walk: Walk = { visits: TRUNCATE_VISIT_LIMIT },
  depth = 0,
): unknown {
  const beyondLimit = --walk.visits <= 0;
  if (typeof value === 'string') return onString(value, beyondLimit);
  if (beyondLimit || depth > 64) return value;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, onString, walk, depth + 1));
  if (!isPlainRecord(value)) return value;
  const copy: Record<string, unknown> = {};
  // A "__proto__" name stays a property (as JSON.parse made it), never the copy's prototype.
  for (const key in value) setOwnProperty(copy, key, mapStrings(value[key], onString, walk, depth + 1));
  return copy;
}

/** Most causes deep, and most errors of an AggregateError, a cut exception keeps: what `exceptionText` writes. */
const MAX_NESTED = 8;
/** Most nested errors and causes a cut exception keeps in all (`exceptionText` writes 64). */
const MAX_PARTS = 64;
/** Most other own enumerable properties (a Node error's `code`, `errno`, `syscall`) kept per error. */
const MAX_ERROR_KEYS = 32;

/** One `cutError`: the copies made so far (a cycle links to the copy), the parts left, whether anything was cut. */
interface ErrorCut {
  readonly keep: number;
  readonly copies: Map<object, unknown>;
  left: number;
  changed: boolean;
}

/**
 * A copy of `error` whose message and stack are cut to `keep` bytes, and so are those of its
 * `cause` chain and an AggregateError's `errors`, as `exceptionText` writes them: the copy keeps
 * its class (prototype, so `instanceof` holds), own `name`, links and other own enumerable
 * properties (`code`), eight causes deep, eight errors each and 64 in all (past that a link is
 * `'…[truncated]'`); a cycle stays a cycle. The original, frozen or not, is never changed, and it is
 * returned as is when nothing in it is cut. Never throws: a getter or Proxy trap that throws costs
 * the value it guards (a `cause` getter's is `'[unreadable cause]'`, as `exceptionText` writes it).
 */
function cutError(error: Error, keep: number): Error {
  const state: ErrorCut = { keep, copies: new Map(), left: MAX_PARTS, changed: false };
  const copy = cutThrown(error, state, 0);
  return state.changed && copy instanceof Error ? copy : error;
}

const UNREAD: unique symbol = Symbol('unread');

/** `value[key]`, or `UNREAD` when reading it throws (a getter, a Proxy trap). */
function readMember(value: object, key: PropertyKey): unknown {
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return UNREAD;
  }
}

function cutThrown(value: unknown, state: ErrorCut, depth: number): unknown {
  if (typeof value === 'string') {
    const text = cut(value, state.keep);
    if (text !== value) state.changed = true;
    return text;
  }
  if (!isObject(value)) return value;
  try {
    if (state.copies.has(value)) return state.copies.get(value);
    if (!(value instanceof Error) && !hasErrorBrand(value)) {
      // A plain-object cause (`{ code: 'ETIMEDOUT' }`): its strings cut, as a property's are.
      return mapStrings(value, (text) => cutThrown(text, state, depth) as string);
    }
  } catch {
    // A Proxy whose traps throw: nothing can be read from it, and nothing is kept of it.
    state.changed = true;
    return TRUNCATED_VALUE;
  }
  if (depth > MAX_NESTED || state.left-- <= 0) {
    state.changed = true;
    return TRUNCATED_VALUE;
  }
  const copy = new Error();
  state.copies.set(value, copy);
  const define = (key: string, member: unknown, enumerable = false): void => {
    Object.defineProperty(copy, key, { value: member, writable: true, configurable: true, enumerable });
  };
  let prototype: unknown = UNREAD;
  try {
    prototype = Object.getPrototypeOf(value);
    Object.setPrototypeOf(copy, prototype as object | null);
  } catch {
    // Left an Error, named below.
  }
  for (const key of ['message', 'stack'] as const) {
    const member = readMember(value, key);
    if (typeof member === 'string') define(key, cutThrown(member, state, depth));
    else if (key === 'stack') define(key, undefined);
  }
  const name = readMember(value, 'name');
  if (typeof name === 'string' && (prototype === UNREAD || readMember(prototype as object, 'name') !== name))
    define('name', name);
  const cause = readMember(value, 'cause');
  if (cause === UNREAD) define('cause', '[unreadable cause]');
  else if (cause !== undefined) define('cause', cutThrown(cause, state, depth + 1));
  let keys: string[] = [];
  try {
    const errors = readMember(value, 'errors');
    if (Array.isArray(errors)) {
      const kept = errors.slice(0, MAX_NESTED).map((item) => cutThrown(item, state, depth + 1));
      if (errors.length > MAX_NESTED) {
        state.changed = true;
        kept.push(`…[${errors.length - MAX_NESTED} more errors]`);
      }
      define('errors', kept);
    }
    keys = Object.keys(value).slice(0, MAX_ERROR_KEYS);
  } catch {
    // An `errors` Proxy or an `ownKeys` trap that throws: what was kept stands.
  }
  for (const key of keys) {
    if (key === 'message' || key === 'stack' || key === 'name' || key === 'cause' || key === 'errors' || key === '__proto__')
      continue;
    const member = readMember(value, key);
    if (member !== UNREAD) define(key, cutThrown(member, state, depth + 1), true);
  }
  return copy;
}

/**
 * When structure, not strings, makes the event large: replaces its largest top-level properties
 * until it fits. Linear in the number of properties: the size after each replacement is worked
 * out from the sizes measured once, and the whole event is measured again only when that sum
 * says it fits (at most `MAX_RECHECKS` times), so an event with tens of thousands of properties
 * costs milliseconds, not a walk of the event per property. A value no larger than the marker is
 * left as it is: replacing it would save nothing.
 */
function dropLargestProperties(
  event: LogEvent,
  properties: Record<string, unknown>,
  exception: Error | undefined,
  maxEventBytes: number,
): Record<string, unknown> {
  const probe: LogEvent = { ...event, properties, exception };
  let estimate = estimateEventBytes(probe);
  if (estimate <= maxEventBytes) return properties;
  // Each property's size and the values its walk visits, measured once with a budget of its own.
  // The event without properties (overhead, template, exception), plus each property as measured.
  let predicted = estimateEventBytes({ ...probe, properties: {} });
  let visits = 0;
  const sizes = Object.keys(properties).map((key) => {
    budget = VISIT_BUDGET;
    const size = sizeOf(properties[key]);
    const visited = VISIT_BUDGET - budget + 1;
    const measured = budget <= 0 ? UNMEASURED_BYTES : size;
    predicted += textBytes(key) + 4 + measured;
    visits += visited;
    return { key, size: measured, visited };
  });
  sizes.sort((a, b) => b.size - a.size);
  const markerSize = TRUNCATED_VALUE.length + 2;
  const result = { ...properties };
  let rechecks = 0;
  for (const { key, size, visited } of sizes) {
    if (size <= markerSize) break;
    result[key] = TRUNCATED_VALUE;
    predicted -= size - markerSize;
    visits -= visited - 1;
    if (predicted > maxEventBytes || visits >= VISIT_BUDGET) continue;
    estimate = estimateEventBytes({ ...probe, properties: result });
    if (estimate <= maxEventBytes || ++rechecks >= MAX_RECHECKS) break;
  }
  return result;
}

function renderSafely(event: LogEvent): string {
  try {
    return event.renderMessage();
  } catch {
    return event.messageTemplate.text;
  }
}
