import type { LogEvent } from '../core/log-event';
import type { LogLevelName } from '../core/log-level';
import type { MessageTemplate, PropertyToken } from '../core/message-template';
import { SelfLog } from '../core/self-log';
import type { Formatter } from '../core/sink';
import { isSpanIdText, isTraceIdText, isZeroId, SPAN_ID_PROPERTY, TRACE_ID_PROPERTY } from '../core/trace-context';
import { MAX_RENDERED_LENGTH, type RenderMemo, renderPropertyToken } from '../templates/render-template';
import { needsNoEscape, quoteJson, writeJson } from '../templates/safe-json';
import { memoOf } from '../templates/template-memo';
import { exceptionText } from '../core/exception-text';
import { IsoTimestampCache } from './iso-timestamp-cache';
import { LINE_RENDERINGS, type MaybeRenderedEvent } from './line-renderings';
import { templateEventId } from './template-event-id';
import { eventMessage } from '../templates/log-event-record';
import { renderTemplate } from '../templates/render-template';
import { readableProperties } from './unreadable-values';
import { formatterFlag } from './formatter-flag';

/** Options of {@link CompactJsonFormatter}. */
export interface CompactJsonFormatterOptions {
  /** Adds the rendered message as `@m`. Default `false`. */
  renderMessage?: boolean | undefined;
}

/** What a formatter needs of a template, computed once per template. */
interface TemplatePieces {
  /** `,"@mt":"…"` ready to append. */
  readonly mt: string;
  /** `,"@i":"…"` ready to append. */
  readonly id: string;
  /** `mt` then `id`: what follows `@t` in an Information event without `@m` or `@x`, appended at once. */
  readonly mtId: string;
  /** The holes with a format, in order: they get renderings in `@r`. */
  readonly formatted: readonly PropertyToken[];
}

// `@l` for every level but Information, which CLEF leaves out.
const LEVEL_FIELDS: Readonly<Record<LogLevelName, string>> = {
  verbose: ',"@l":"Verbose"',
  debug: ',"@l":"Debug"',
  information: '',
  warning: ',"@l":"Warning"',
  error: ',"@l":"Error"',
  fatal: ',"@l":"Fatal"',
};

/** Most property names whose `,"Name":` prefix one formatter keeps. */
const KEY_PREFIX_CACHE_LIMIT = 4096;
/** Longest property name whose prefix is kept: a longer one (made from data) is quoted each time. */
const KEY_PREFIX_MAX_LENGTH = 256;
/** Longest string value whose `,"Name":"value"` text is kept for the next event. */
const KEPT_VALUE_MAX_LENGTH = 256;

/**
 * What a formatter keeps of one property name: its `,"Name":` prefix, and the whole
 * `,"Name":value` text of the last value written under it when that was a string (of at most
 * {@link KEPT_VALUE_MAX_LENGTH} characters), a number or a boolean. The text of such a value
 * depends only on the value, and `===` tells the same value (NaN, never equal to itself, is
 * written anew; 0 and -0, equal, are both written `0`), so a bound, context or enricher property
 * that repeats on every event is written with one concatenation and no escaping check.
 */
interface KeyEntry {
  readonly prefix: string;
  value: unknown;
  text: string;
}

/** No value: nothing written is `===` to a fresh object. */
const NO_VALUE: unknown = Object.freeze({});

/** Most property positions whose name, value and text a formatter keeps (see PositionCache). */
const MAX_POSITIONS = 64;
/** Longest property text the scratch list may keep past its event. */
const KEPT_TEXT_MAX_LENGTH = 1024;

/**
 * What a formatter keeps of each position of the last events' properties: the name, the value
 * (a string of at most {@link KEPT_VALUE_MAX_LENGTH} characters, a number, a boolean or
 * undefined; anything else is {@link NO_VALUE}, never equal) and the text written for them, whose
 * text depends on nothing else. A position holding the same name and value is written with that
 * text, with no lookup; and the run of such positions that ends the properties (a child's
 * bound properties, the context's and the enrichers', which follow the event's own) is kept as
 * one text, `tail`, for positions `tailFrom` to `tailEnd` (0 when a position in it changed), so
 * an event that repeats it appends it with one concatenation.
 */
interface PositionCache {
  readonly keys: string[];
  readonly values: unknown[];
  readonly texts: string[];
  tailFrom: number;
  tailEnd: number;
  tail: string;
}

/** Whether `value`'s text may be kept with its position: a value `===` to it is written the same. */
function keepsText(value: unknown): boolean {
  const type = typeof value;
  return (
    type === 'number' ||
    type === 'boolean' ||
    value === undefined ||
    (type === 'string' && (value as string).length <= KEPT_VALUE_MAX_LENGTH)
  );
}

const NO_FORMATTED: readonly PropertyToken[] = [];

/** The template's `@mt` and `@i` fields and its holes with a format, found once and kept in its memo. */
function piecesOf(template: MessageTemplate): TemplatePieces {
  const memo = memoOf(template);
  let pieces = memo.clef as TemplatePieces | undefined;
  if (pieces === undefined) {
    // A loop that allocates only for a hole with a format: a template text new on every call finds its pieces every call.
    let formatted: PropertyToken[] | undefined;
    for (const token of template.tokens)
      if (token.kind === 'property' && token.format !== undefined) (formatted ??= []).push(token);
    const text = template.text;
    const plain = needsNoEscape(text);
    const mt = `,"@mt":${plain ? `"${text}"` : quoteJson(text)}`;
    // The hash of the text as written (a lone surrogate is U+FFFD there), so a reader computes the same @i;
    // a text written as it is (no surrogate, nothing escaped) is hashed as it is.
    const id = `,"@i":"${templateEventId(plain ? text : (JSON.parse(mt.slice(7)) as string))}"`;
    pieces = { mt, id, mtId: mt + id, formatted: formatted ?? NO_FORMATTED };
    memo.clef = pieces;
  }
  return pieces;
}

/**
 * Formats events as CLEF, the compact log event format: one JSON object per event, no trailing
 * newline.
 *
 * Fields, in this order: `@t` (ISO 8601 UTC), `@mt` (the template text), `@m` (the rendered
 * message, only with `renderMessage: true`), `@l` (left out for Information; else `Verbose`,
 * `Debug`, `Warning`, `Error`, `Fatal`), `@x` (the exception's stack, else `String(exception)`),
 * `@i` (8 hex digits: Serilog's event id hash of the template text, see `templateEventId`), `@r` (renderings of the
 * holes that have a format, in hole order; a missing property renders as the hole's text; none
 * past the line's first 2^28 code units, a message's bound), `@tr`
 * and `@sp` (the `TraceId` property when it is 32 lower-case hex digits and the `SpanId` property
 * when it is 16, not all zeros, as Seq reads them; otherwise, an all-zero id, which W3C Trace Context
 * defines as invalid, included, they stay ordinary properties), then the other
 * properties in their order, a name starting with `@` written as `@@name`. An invalid timestamp,
 * or one outside the years 0001–9999 (which Seq and Serilog's reader, .NET's DateTimeOffset,
 * cannot parse), is written as the time of formatting, so `@t` is always a valid instant with a
 * four-digit year. Values are written
 * as `writeJson` writes them (bigint as an integer, past 4300 digits as a string, NaN and
 * ±Infinity as strings, undefined left out, a Date as its ISO string). `format` never throws and
 * its output always parses as JSON. DEL, C1 controls, U+2028 / U+2029 and the bidirectional
 * controls are written as `\u` escapes wherever they occur, so no value can drive a terminal
 * that shows the file.
 *
 * @example new CompactJsonFormatter().format(event) // '{"@t":"2026-11-22T12:00:00.000Z","@mt":"Hi {Name}","@i":"9fac8463","Name":"Ann"}'
 */
export class CompactJsonFormatter implements Formatter {
  /** One JSON object per line, no trailing newline. */
  readonly singleLine = true;
  readonly #withMessage: boolean;
  readonly #times = new IsoTimestampCache();
  // `{"@t":"…"` for the last time written: events of one millisecond share it, so a line starts
  // with one concatenation, not three.
  #lastIso = '';
  #timeField = '';
  // A loop usually logs one template many times: skip the WeakMap lookup for a repeat.
  #lastTemplate: MessageTemplate | undefined;
  #lastPieces: TemplatePieces | undefined;
  // `,"Name":` for each property name seen, so a key is quoted once, not once per event, with the
  // text of its last value (see KeyEntry).
  readonly #keys = new Map<string, KeyEntry>();
  // What each position of the last events' properties held (see PositionCache).
  readonly #at: PositionCache = { keys: [], values: [], texts: [], tailFrom: 0, tailEnd: 0, tail: '' };
  /** The texts of the event being written, by position: a list kept for every event, not one made for each. */
  readonly #texts: string[] = [];
  /** Set while properties are written (see #propertiesText). */
  #writing = false;
  // The last exception text and its JSON: one error logged many times (a retry loop, a rejected
  // promise many callers await) is escaped once. Keyed by the text, so a changed stack is never stale.
  #exceptionText = '';
  #exceptionJson = '""';

  /** @throws ConfigurationError for an option it does not know (`renderMesage`) or a `renderMessage` that is not a boolean. */
  constructor(options: CompactJsonFormatterOptions = {}) {
    this.#withMessage = formatterFlag('CompactJsonFormatter', options, 'renderMessage', false);
  }

  /** One event as one CLEF JSON object, without a trailing newline. */
  format(event: LogEvent): string {
    try {
      return this.#write(event, false);
    } catch {
      // Speed: the common event is written without a guard around each read. One that threw is
      // written again from a copy of its properties that reads each on its own (see readableProperties).
    }
    try {
      return this.#write(event, true);
    } catch (error) {
      SelfLog.write('CompactJsonFormatter failed to format an event: {Error}', error);
      // Shaped as any other line (@m when asked, @i), so it too reads back to itself.
      return `{"@t":"${new Date().toISOString()}","@mt":"Unformattable event"${this.#withMessage ? ',"@m":"Unformattable event"' : ''},"@l":"Error","@x":${quoteJson(exceptionText(error))},"@i":"${templateEventId('Unformattable event')}"}`;
    }
  }

  /** Events as CLEF lines, each ending with `\n`: what a file or stream sink writes for a batch. */
  formatBatch(events: readonly LogEvent[]): string {
    let out = '';
    for (let i = 0; i < events.length; i++) out += `${this.format(events[i])}\n`;
    return out;
  }

  /** The event's line; `guarded`, from a copy of its properties in which a read that threw is its marker. */
  #write(event: LogEvent, guarded: boolean): string {
    const template = event.messageTemplate;
    // Undefined only before the first event, whose template is new (an event without one fails on `.mt`, caught in format).
    let pieces = this.#lastPieces as TemplatePieces;
    if (template !== this.#lastTemplate) {
      pieces = piecesOf(template);
      this.#lastTemplate = template;
      this.#lastPieces = pieces;
    }
    const properties = guarded ? readableProperties(event.properties, 'CompactJsonFormatter') : event.properties;
    const iso = this.#times.iso(event);
    if (iso !== this.#lastIso) this.#timeField = `{"@t":"${(this.#lastIso = iso)}"`;
    let out = this.#timeField;
    // Events built in JavaScript can carry a level outside LogLevelName, even 'constructor' or
    // '__proto__', which the lookup finds on Object.prototype: only a string is one of ours.
    const levelField: unknown = LEVEL_FIELDS[event.level];
    if (levelField === '' && !this.#withMessage && event.exception === undefined) {
      // Speed: the common line (Information, no @m, no @x) has one constant piece between @t and its properties.
      out += pieces.mtId;
    } else {
      out += pieces.mt;
      if (this.#withMessage) out += `,"@m":${quoteJson(guarded ? renderTemplate(template, properties) : eventMessage(event))}`;
      out += typeof levelField === 'string' ? levelField : `,"@l":${quoteJson(String(event.level))}`;
      if (event.exception !== undefined) {
        const text = exceptionText(event.exception);
        if (text !== this.#exceptionText) this.#exceptionJson = quoteJson((this.#exceptionText = text));
        out += `,"@x":${this.#exceptionJson}`;
      }
      out += pieces.id;
    }
    const formatted = pieces.formatted;
    if (formatted.length > 0) {
      // An event read from a line writes the line's renderings back, as Serilog's reader and writer do.
      const kept = (event as MaybeRenderedEvent)[LINE_RENDERINGS];
      // Each structure the holes name is written once, and the renderings stop once the line is as
      // long as a message may be (`@m` included): many holes naming one large property wrote it once
      // per hole, past the longest string. A reader renders the holes left without one itself.
      const memo: RenderMemo = {};
      out += ',"@r":[';
      for (let i = 0; i < formatted.length && out.length < MAX_RENDERED_LENGTH; i++) {
        if (i > 0) out += ',';
        out += quoteJson(kept?.[i] ?? renderPropertyToken(formatted[i], properties, memo));
      }
      out += ']';
    }
    const traceId = properties[TRACE_ID_PROPERTY];
    const tr = isTraceIdText(traceId) && !isZeroId(traceId);
    if (tr) out += `,"@tr":"${traceId}"`;
    const spanId = properties[SPAN_ID_PROPERTY];
    const sp = isSpanIdText(spanId) && !isZeroId(spanId);
    if (sp) out += `,"@sp":"${spanId}"`;
    out += this.#propertiesText(properties, tr, sp);
    return `${out}}`;
  }

  /**
   * The `,"Name":value` texts of the properties, in their order (see PositionCache). A call made
   * while one runs (a getter that formats with this formatter) gets its own scratch list.
   */
  #propertiesText(properties: Readonly<Record<string, unknown>>, tr: boolean, sp: boolean): string {
    const nested = this.#writing;
    this.#writing = true;
    try {
      return this.#joinProperties(properties, tr, sp, nested ? [] : this.#texts);
    } finally {
      this.#writing = nested;
    }
  }

  #joinProperties(properties: Readonly<Record<string, unknown>>, tr: boolean, sp: boolean, texts: string[]): string {
    const at = this.#at;
    let n = 0;
    // The first position of the run, up to the last, where each position holds what it held in the event before.
    let run = 0;
    let large = false;
    // Object.keys, not for-in (which makes no array): a fresh process logging 200 000 events
    // (bench scenario 1) spent more time before V8 had optimized a for-in loop here.
    const keys = Object.keys(properties);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const value = properties[key];
      let text: string;
      if (n < MAX_POSITIONS && at.keys[n] === key && at.values[n] === value) {
        text = at.texts[n];
      } else {
        run = n + 1;
        text =
          (tr && key === TRACE_ID_PROPERTY) || (sp && key === SPAN_ID_PROPERTY) || value === undefined
            ? ''
            : this.#propertyText(key, value);
        if (n < MAX_POSITIONS) {
          const kept = keepsText(value);
          at.keys[n] = key;
          at.values[n] = kept ? value : NO_VALUE;
          at.texts[n] = kept ? text : '';
          // The tail text was made of what this position held.
          if (n >= at.tailFrom && n < at.tailEnd) at.tailEnd = 0;
        }
        if (text.length > KEPT_TEXT_MAX_LENGTH) large = true;
      }
      texts[n++] = text;
    }
    let out = '';
    for (let i = 0; i < run; i++) out += texts[i];
    if (run < n) {
      // The same run as the last event's, at the same positions to the same end: its text again.
      if (at.tailFrom !== run || at.tailEnd !== n) {
        let tail = '';
        for (let i = run; i < n; i++) tail += texts[i];
        at.tailFrom = run;
        at.tailEnd = n;
        // Flat (V8 flattens a concatenation to read a character of it): each line that appends it
        // then holds one piece of text, not a tree of pieces that writing the batch walks again.
        tail.charCodeAt(0);
        at.tail = tail;
      }
      out += at.tail;
    }
    // The scratch list keeps no large text alive until the next event.
    if (large) texts.fill('', 0, n);
    return out;
  }

  /** The `,"Name":value` text of one property (see KeyEntry). */
  #propertyText(key: string, value: unknown): string {
    const entry = this.#keyEntry(key);
    // The value written last under this name: its text again (entry.value is only ever a string, number or boolean).
    if (value === entry.value) return entry.text;
    let text: string;
    const type = typeof value;
    // Strings, the most common value, skip writeJson's type dispatch; one that needs no escaping
    // is written between quotes as it is.
    if (type === 'string') {
      text = needsNoEscape(value as string) ? `${entry.prefix}"${value as string}"` : entry.prefix + quoteJson(value as string);
      if ((value as string).length <= KEPT_VALUE_MAX_LENGTH) {
        entry.value = value;
        entry.text = text;
      }
    } else {
      text = entry.prefix + writeJson(value);
      if (type === 'number' || type === 'boolean') {
        entry.value = value;
        entry.text = text;
      }
    }
    return text;
  }

  /** What this formatter keeps of `key` (see KeyEntry). */
  #keyEntry(key: string): KeyEntry {
    let entry = this.#keys.get(key);
    if (entry === undefined) {
      entry = { prefix: `,${quoteJson(key.charCodeAt(0) === 0x40 ? `@${key}` : key)}:`, value: NO_VALUE, text: '' };
      // Bounded in count and weight: an app that invents property names without end (or long ones,
      // from data) gets a fresh cache, not a leak of megabytes per formatter.
      if (key.length > KEY_PREFIX_MAX_LENGTH) return entry;
      if (this.#keys.size >= KEY_PREFIX_CACHE_LIMIT) this.#keys.clear();
      this.#keys.set(key, entry);
    }
    return entry;
  }
}
